package testbed

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/policy/live"
	"github.com/checkoutsim/checkoutsim/sim"
)

// rcache is the catalog and pricing cache in Redis. Keys are the model's
// (a SKU's price entry, then its promotion-rule entry) under the run's
// prefix; a value (entryValue) holds the promotion version the entry
// reflects, so a targeted invalidation makes the promoted SKUs' entries
// stale without touching Redis and a broad one deletes the entries, and
// the entry's expiry and last refill time, for XFetch's early refresh.
type rcache struct {
	rdb    *redis.Client
	prefix string
	cfg    cache.Config
	skus   int
	db     *db
	group  *live.Group[uint32, struct{}] // nil without coalescing
	r      *lockedRand
	rec    *recorder
	base   context.Context // the run's: background refreshes stop with it
	wg     *sync.WaitGroup // background refreshes in flight (the run waits for them)

	// refreshing holds the keys with an early refresh in flight: at most
	// one per key, as the model's per-entry loading flag. The testbed's
	// services are one process, so this set is the whole system's; a
	// deployment of several processes would need a shared marker (a
	// Redis SET NX with a TTL), at one more round trip per refresh.
	refreshing sync.Map // uint32 -> struct{}

	hits, misses, refills atomic.Int64
	early                 atomic.Int64 // early refreshes started (XFetch)
}

// entryValue is what a Redis value holds: the promotion version the entry
// reflects, when it expires (Redis expires the key then too; having it in
// the value spares a hit a second round trip for PTTL) and how long its
// last refill took (XFetch's delta, as the model's entry keeps it).
type entryValue struct {
	version int
	expiry  time.Time
	delta   time.Duration
}

// encode writes v as three decimal integers separated by single spaces:
// the version, the expiry in Unix nanoseconds, delta in nanoseconds.
func (v entryValue) encode() string {
	b := make([]byte, 0, 48)
	b = strconv.AppendInt(b, int64(v.version), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, v.expiry.UnixNano(), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(v.delta), 10)
	return string(b)
}

var errBadEntry = errors.New("cache entry is not version, expiry and delta")

// decodeEntry reads a value written by encode. Anything else (a truncated
// value, a negative version or delta) is an error; a read takes it for a
// miss and the refill overwrites it.
func decodeEntry(s string) (entryValue, error) {
	ver, rest, ok1 := strings.Cut(s, " ")
	exp, delta, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 {
		return entryValue{}, errBadEntry
	}
	v, err1 := strconv.ParseInt(ver, 10, 32)
	e, err2 := strconv.ParseInt(exp, 10, 64)
	d, err3 := strconv.ParseInt(delta, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || v < 0 || d < 0 {
		return entryValue{}, errBadEntry
	}
	return entryValue{version: int(v), expiry: time.Unix(0, e), delta: time.Duration(d)}, nil
}

func (c *rcache) key(k uint32) string { return c.prefix + strconv.FormatUint(uint64(k), 10) }

func (c *rcache) keyOf(kind cache.Kind, sku uint32) uint32 { return uint32(int(kind)*c.skus) + sku }

func (c *rcache) sku(k uint32) int { return int(k) % c.skus }

// version is the promotion version of a SKU at run time t: the number of
// promotions touching it that have started.
func (c *rcache) version(sku int, t sim.Time) int {
	v := 0
	for _, ev := range c.cfg.Events {
		if t >= ev.At && float64(sku) < ev.Fraction*float64(c.skus) {
			v++
		}
	}
	return v
}

func (c *rcache) ttl() time.Duration {
	if c.cfg.TTLJitter == 0 {
		return c.cfg.TTL.Duration()
	}
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	return policy.JitterTTL(c.cfg.TTL.Duration(), c.cfg.TTLJitter, c.r.r)
}

// get reads entry k: a hit is a value of the current version (and may
// start an early refresh); a miss refills it from PostgreSQL (shared by
// concurrent misses when coalescing).
func (c *rcache) get(ctx context.Context, k uint32) error {
	val, err := c.rdb.Get(ctx, c.key(k)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	if err == nil {
		if v, derr := decodeEntry(val); derr == nil && v.version >= c.version(c.sku(k), c.rec.now()) {
			c.hits.Add(1)
			c.refreshEarly(k, v)
			return nil
		}
	}
	c.misses.Add(1)
	if c.group == nil {
		return c.refill(ctx, k)
	}
	_, err, _ = c.group.Do(ctx, k, func(gctx context.Context) (struct{}, error) {
		return struct{}{}, c.refill(gctx, k)
	})
	return err
}

// refreshEarly is XFetch on a hit of entry v, as the model's
// (models/cache): unless a refresh of k is in flight, the same
// policy.XFetchShouldRefresh decides, and the refresh runs in the
// background (the run's context, no checkout's statements) while the hit
// is answered at once.
func (c *rcache) refreshEarly(k uint32, v entryValue) {
	if !(c.cfg.XFetchBeta > 0) {
		return
	}
	if _, busy := c.refreshing.Load(k); busy {
		return
	}
	if !policy.XFetchShouldRefresh(time.Now(), v.expiry, v.delta, c.cfg.XFetchBeta, c.r) {
		return
	}
	if _, busy := c.refreshing.LoadOrStore(k, struct{}{}); busy {
		return // another hit started one meanwhile
	}
	c.early.Add(1)
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		defer c.refreshing.Delete(k)
		_ = c.refill(c.base, k)
	}()
}

// refill rebuilds an entry with refill_statements statements and stores it
// with its TTL, its expiry and how long the statements took (delta, from
// before the connection is acquired, as the model measures it).
func (c *rcache) refill(ctx context.Context, k uint32) error {
	ver := c.version(c.sku(k), c.rec.now())
	c.refills.Add(1)
	start := time.Now()
	if err := c.db.query(ctx, c.cfg.RefillStatements, c.sku(k)); err != nil {
		return err
	}
	now, ttl := time.Now(), c.ttl()
	v := entryValue{version: ver, expiry: now.Add(ttl), delta: now.Sub(start)}
	return c.rdb.Set(ctx, c.key(k), v.encode(), ttl).Err()
}

// warm fills every entry at the start with expiries spread over one TTL
// (a cache in steady state), as the model's warm_start. No entry has been
// refilled yet: delta 0, which XFetch never refreshes early (the model's
// warm entries likewise).
func (c *rcache) warm(ctx context.Context, r *rand.Rand) error {
	pipe := c.rdb.Pipeline()
	now := time.Now()
	for k := range 2 * c.skus {
		ttl := max(time.Duration(r.Float64()*float64(c.cfg.TTL.Duration())), time.Millisecond)
		pipe.Set(ctx, c.key(uint32(k)), entryValue{expiry: now.Add(ttl)}.encode(), ttl)
		if pipe.Len() >= 1000 {
			if _, err := pipe.Exec(ctx); err != nil {
				return err
			}
		}
	}
	_, err := pipe.Exec(ctx)
	return err
}

// schedule runs the promotions (and their pre-warming) at their times.
func (c *rcache) schedule(ctx context.Context, t0 time.Time) {
	for _, ev := range c.cfg.Events {
		go func() {
			if c.cfg.Prewarm > 0 {
				if sleepUntil(ctx, t0.Add(max(ev.At-c.cfg.Prewarm, 0).Duration())) != nil {
					return
				}
				c.prewarm(ctx, t0, ev)
			}
			if sleepUntil(ctx, t0.Add(ev.At.Duration())) != nil {
				return
			}
			if c.cfg.Invalidation == cache.InvalidateBroad {
				c.purge(ctx, ev)
			}
		}()
	}
}

// purge deletes every entry but those already pre-warmed to the new
// promotion's version (a broad invalidation).
func (c *rcache) purge(ctx context.Context, ev cache.Event) {
	var cursor uint64
	for {
		keys, next, err := c.rdb.Scan(ctx, cursor, c.prefix+"*", 1000).Result()
		if err != nil {
			return
		}
		if len(keys) > 0 {
			vals, err := c.rdb.MGet(ctx, keys...).Result()
			if err != nil {
				return
			}
			var del []string
			for i, key := range keys {
				k, _ := strconv.Atoi(key[len(c.prefix):])
				s, _ := vals[i].(string)
				v, _ := decodeEntry(s) // a malformed value is version 0: deleted
				cur := c.version(c.sku(uint32(k)), ev.At)
				if !(c.cfg.Prewarm > 0 && cur > 0 && v.version >= cur) {
					del = append(del, key)
				}
			}
			if len(del) > 0 {
				_ = c.rdb.Unlink(ctx, del...).Err()
			}
		}
		cursor = next
		if cursor == 0 {
			return
		}
	}
}

// prewarm refreshes the entries a promotion touches, spread over the lead
// time, each to the promotion's version, valid for one TTL after it starts.
// The entry keeps the delta it had (0 when it is absent), as the model's
// pre-warm changes only an entry's version and expiry.
func (c *rcache) prewarm(ctx context.Context, t0 time.Time, ev cache.Event) {
	var keys []uint32
	for sku := 0; sku < c.skus; sku++ {
		if float64(sku) < ev.Fraction*float64(c.skus) {
			keys = append(keys, c.keyOf(cache.Price, uint32(sku)), c.keyOf(cache.Rule, uint32(sku)))
		}
	}
	if len(keys) == 0 {
		return
	}
	start := time.Now()
	step := c.cfg.Prewarm.Duration() / time.Duration(len(keys))
	for i, k := range keys {
		if sleepUntil(ctx, start.Add(time.Duration(i)*step)) != nil {
			return
		}
		if err := c.db.query(ctx, c.cfg.RefillStatements, c.sku(k)); err != nil {
			continue
		}
		var delta time.Duration
		if old, err := c.rdb.Get(ctx, c.key(k)).Result(); err == nil {
			if v, err := decodeEntry(old); err == nil {
				delta = v.delta
			}
		}
		ver := c.version(c.sku(k), ev.At)
		ttl := max(time.Until(t0.Add(ev.At.Duration()))+c.ttl(), time.Millisecond)
		v := entryValue{version: ver, expiry: time.Now().Add(ttl), delta: delta}
		_ = c.rdb.Set(ctx, c.key(k), v.encode(), ttl).Err()
	}
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	return sleep(ctx, d)
}

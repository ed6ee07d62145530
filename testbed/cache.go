package testbed

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
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
// prefix; a value is the promotion version the entry reflects, so a
// targeted invalidation makes the promoted SKUs' entries stale without
// touching Redis, and a broad one deletes the entries.
type rcache struct {
	rdb    *redis.Client
	prefix string
	cfg    cache.Config
	skus   int
	db     *db
	group  *live.Group[uint32, struct{}] // nil without coalescing
	r      *lockedRand
	rec    *recorder

	hits, misses, refills atomic.Int64
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

// get reads entry k: a hit is a value of the current version; a miss
// refills it from PostgreSQL (shared by concurrent misses when coalescing).
func (c *rcache) get(ctx context.Context, k uint32) error {
	val, err := c.rdb.Get(ctx, c.key(k)).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	if err == nil {
		if v, perr := strconv.Atoi(val); perr == nil && v >= c.version(c.sku(k), c.rec.now()) {
			c.hits.Add(1)
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

// refill rebuilds an entry with refill_statements statements and stores it
// with its TTL.
func (c *rcache) refill(ctx context.Context, k uint32) error {
	ver := c.version(c.sku(k), c.rec.now())
	c.refills.Add(1)
	if err := c.db.query(ctx, c.cfg.RefillStatements, c.sku(k)); err != nil {
		return err
	}
	return c.rdb.Set(ctx, c.key(k), strconv.Itoa(ver), c.ttl()).Err()
}

// warm fills every entry at the start with expiries spread over one TTL
// (a cache in steady state), as the model's warm_start.
func (c *rcache) warm(ctx context.Context, r *rand.Rand) error {
	pipe := c.rdb.Pipeline()
	for k := range 2 * c.skus {
		ttl := max(time.Duration(r.Float64()*float64(c.cfg.TTL.Duration())), time.Millisecond)
		pipe.Set(ctx, c.key(uint32(k)), "0", ttl)
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
				v, _ := vals[i].(string)
				n, _ := strconv.Atoi(v)
				cur := c.version(c.sku(uint32(k)), ev.At)
				if !(c.cfg.Prewarm > 0 && cur > 0 && n >= cur) {
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
		ver := c.version(c.sku(k), ev.At)
		ttl := time.Until(t0.Add(ev.At.Duration())) + c.ttl()
		_ = c.rdb.Set(ctx, c.key(k), strconv.Itoa(ver), max(ttl, time.Millisecond)).Err()
	}
}

func sleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	return sleep(ctx, d)
}

// Package cache models the catalog and pricing cache (Redis in the case
// study): per-key TTL entries refilled from the database on a miss.
//
// The loop it exists to show: a promotion starts, a broad purge empties the
// cache at the moment traffic peaks, the hit ratio collapses, and every miss
// becomes database work. Without request coalescing, concurrent misses on
// one key each query the database (a stampede); entries refilled together
// with the same TTL expire together again (synchronised refresh waves),
// which TTL jitter breaks up. The fixes are all here as options: targeted
// invalidation, coalescing (the policy package's singleflight core), TTL
// jitter, probabilistic early refresh (XFetch) and pre-warming ahead of a
// scheduled event.
package cache

import (
	"fmt"
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/models/traffic"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Config describes the cache.
type Config struct {
	// TTL is how long a refilled entry stays valid.
	TTL sim.Time
	// TTLJitter spreads each TTL uniformly over [TTL(1-j), TTL(1+j)] so
	// entries refilled together do not expire together (0: no jitter).
	TTLJitter float64
	// HitLatency is the round trip to the cache, in seconds.
	HitLatency dist.Dist
	// RefillStatements is the database statements needed to rebuild one
	// entry on a miss.
	RefillStatements int
	// Coalescing lets only one miss per key go to the database while the
	// others wait for its result (singleflight).
	Coalescing bool
	// XFetchBeta enables probabilistic early refresh with this beta (0: off;
	// 1 is the paper's default).
	XFetchBeta float64
	// Invalidation is "broad" (a promotion purges every entry) or
	// "targeted" (it invalidates only the promoted SKUs' entries).
	Invalidation Invalidation
	// Events are the scheduled promotions.
	Events []Event
	// Prewarm, when > 0, refreshes the entries a promotion touches during
	// this lead time before it starts, so they are current when it does.
	Prewarm sim.Time
	// WarmStart fills every entry at time 0 (a cache in steady state),
	// with expiries spread over one TTL.
	WarmStart bool
}

// Invalidation is what a promotion invalidates.
type Invalidation string

// The invalidation modes.
const (
	InvalidateBroad    Invalidation = "broad"    // purge every entry
	InvalidateTargeted Invalidation = "targeted" // only the promoted SKUs' entries
)

// Event is a scheduled promotion that changes prices.
type Event struct {
	At sim.Time
	// Fraction is the share of SKUs the promotion touches: the most
	// popular ones (SKU ranks 0 .. Fraction x SKUs).
	Fraction float64
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.TTL <= 0 {
		errs = append(errs, check.Field("ttl", "must be > 0, got %v", c.TTL))
	}
	if !(c.TTLJitter >= 0 && c.TTLJitter < 1) {
		errs = append(errs, check.Field("ttl_jitter", "must be in [0, 1), got %v", c.TTLJitter))
	}
	if c.HitLatency == nil {
		errs = append(errs, check.Field("hit_latency", "a distribution is required"))
	}
	if c.RefillStatements < 1 {
		errs = append(errs, check.Field("refill_statements", "must be >= 1, got %d", c.RefillStatements))
	}
	if !(c.XFetchBeta >= 0) {
		errs = append(errs, check.Field("x_fetch_beta", "must be >= 0, got %v", c.XFetchBeta))
	}
	if c.Invalidation != InvalidateBroad && c.Invalidation != InvalidateTargeted {
		errs = append(errs, check.Field("invalidation", `must be "broad" or "targeted", got %q`, c.Invalidation))
	}
	for i, ev := range c.Events {
		if ev.At < 0 {
			errs = append(errs, check.Field(fmt.Sprintf("events[%d].at", i), "must be >= 0, got %v", ev.At))
		}
		if !(ev.Fraction > 0 && ev.Fraction <= 1) {
			errs = append(errs, check.Field(fmt.Sprintf("events[%d].fraction", i), "must be in (0, 1], got %v", ev.Fraction))
		}
	}
	if c.Prewarm < 0 {
		errs = append(errs, check.Field("prewarm", "must be >= 0, got %v", c.Prewarm))
	}
	return check.Join(errs...)
}

// entry is one cached key.
type entry struct {
	expiry  sim.Time // valid while now < expiry
	delta   sim.Time // how long the last refill took (XFetch's delta)
	version int      // promotion version the value reflects
	loading bool     // a background refresh is in flight
}

// Cache is the cache of one simulation. Keys are dense integers: SKU
// entries, then promotion-rule entries (see Key).
type Cache struct {
	cfg     Config
	eng     *sim.Engine
	r       *rand.Rand
	db      *database.DB
	skus    int
	entries []entry
	version []int // current promotion version of each SKU
	group   *policy.Coalescer[uint32, *get]
	woken   []*get            // reused buffer for Finish
	free    sim.FreeList[get] // recycled reads
	bg      *call.Ctx         // the context of work nobody waits on

	Hits, Misses  int64
	Refills       int64 // database refills (misses that queried)
	EarlyRefresh  int64
	Invalidations int64
}

// Kind is the kind of entry a key names.
type Kind int

// Entry kinds: catalog/price entries and promotion-rule entries, one of
// each per SKU.
const (
	Price Kind = iota
	Rule
)

// New builds the cache for skus SKUs and schedules its promotions.
func New(e *sim.Engine, cfg Config, skus int, db *database.DB, r *rand.Rand) (*Cache, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	c := &Cache{cfg: cfg, eng: e, r: r, db: db, skus: skus, entries: make([]entry, 2*skus), version: make([]int, skus), bg: call.Background()}
	if cfg.Coalescing {
		c.group = policy.NewCoalescer[uint32, *get]()
	}
	if cfg.WarmStart {
		for i := range c.entries {
			c.entries[i].expiry = sim.Seconds(r.Float64() * cfg.TTL.Seconds())
		}
	}
	for i := range cfg.Events {
		ev := cfg.Events[i]
		e.At(ev.At, func() { c.promote(ev) })
		if cfg.Prewarm > 0 {
			e.At(max(ev.At-cfg.Prewarm, 0), func() { c.prewarm(ev) })
		}
	}
	return c, nil
}

// Key returns the cache key of a SKU's entry of the given kind.
func (c *Cache) Key(kind Kind, sku uint32) uint32 {
	return uint32(int(kind)*c.skus) + sku
}

func (c *Cache) sku(key uint32) int { return int(key) % c.skus }

func (c *Cache) ttl() sim.Time {
	if c.cfg.TTLJitter == 0 {
		return c.cfg.TTL
	}
	return sim.FromDuration(policy.JitterTTL(c.cfg.TTL.Duration(), c.cfg.TTLJitter, c.r))
}

func (c *Cache) valid(k uint32, now sim.Time) bool {
	en := &c.entries[k]
	return now < en.expiry && en.version >= c.version[c.sku(k)]
}

// get is one read of a key: a recycled record whose methods are the
// stages of the read (round trip, refill, wake the coalesced readers),
// bound once. With coalescing it is also the waiter the key's group holds.
type get struct {
	c     *Cache
	ctx   *call.Ctx
	k     uint32
	rtt   sim.Time
	start sim.Time // when the refill started
	ver   int      // the SKU's version when the refill started
	lead  bool     // the coalesced refill's leader
	early bool     // a background early refresh (XFetch)
	done  call.Reply

	arrived  func()     // bound once: g.onArrive
	refilled call.Reply // bound once: g.onRefill
}

func (c *Cache) newGet(ctx *call.Ctx, k uint32, done call.Reply) *get {
	g := c.free.Get(c.freshGet)
	g.ctx, g.k, g.done = ctx, k, done
	return g
}

func (c *Cache) freshGet() *get {
	g := &get{c: c}
	g.arrived, g.refilled = g.onArrive, g.onRefill
	return g
}

// finish recycles the read, then replies.
func (g *get) finish(o call.Outcome) {
	c, done := g.c, g.done
	*g = get{c: c, arrived: g.arrived, refilled: g.refilled}
	c.free.Put(g)
	if done != nil {
		done(o)
	}
}

// Get reads key for ctx: a hit costs a cache round trip; a miss refills the
// entry from the database (alone, or shared with concurrent misses when
// coalescing). done reports Success, or the refill's failure.
func (c *Cache) Get(ctx *call.Ctx, k uint32, done call.Reply) {
	g := c.newGet(ctx, k, done)
	g.rtt = sim.Seconds(c.cfg.HitLatency.Sample(c.r))
	c.eng.After(g.rtt, g.arrived)
}

func (g *get) onArrive() {
	c, k := g.c, g.k
	now := c.eng.Now()
	g.ctx.Record(call.SpanNetwork, g.rtt)
	if c.valid(k, now) {
		c.Hits++
		en := &c.entries[k]
		if c.cfg.XFetchBeta > 0 && !en.loading &&
			policy.XFetchShouldRefresh(call.Wall(now), call.Wall(en.expiry), en.delta.Duration(), c.cfg.XFetchBeta, c.r) {
			c.EarlyRefresh++
			en.loading = true
			r := c.newGet(c.bg, k, nil)
			r.early = true
			r.refill()
		}
		g.finish(policy.Success)
		return
	}
	c.Misses++
	if c.group == nil {
		g.refill()
		return
	}
	if !c.group.Join(k, g) {
		return // a refill of this key is in flight; wait for it
	}
	g.lead = true
	g.refill()
}

// refill queries the database and stores the entry.
func (g *get) refill() {
	c := g.c
	g.start = c.eng.Now()
	g.ver = c.version[c.sku(g.k)]
	c.Refills++
	c.db.Query(g.ctx, c.cfg.RefillStatements, call.SpanCacheMiss, g.refilled)
}

func (g *get) onRefill(o call.Outcome) {
	c, k := g.c, g.k
	if o == policy.Success {
		now := c.eng.Now()
		en := &c.entries[k]
		en.expiry = now + c.ttl()
		en.delta = now - g.start
		en.version = max(en.version, g.ver)
	}
	if g.early {
		c.entries[k].loading = false
	}
	if !g.lead {
		g.finish(o)
		return
	}
	// The leader is among the woken, in join order.
	c.woken = c.group.Finish(k, c.woken[:0])
	woken := c.woken
	c.woken = nil // a waiter's callback may start another Finish
	for _, w := range woken {
		w.finish(o)
	}
	c.woken = woken[:0]
}

// promotedIDs returns the ids of the SKUs a promotion touching fraction
// of them changes: the most popular ranks.
func (c *Cache) promotedIDs(fraction float64) []uint32 {
	ids := traffic.NewSKUIDs(c.skus)
	var out []uint32
	for rank := 0; float64(rank) < fraction*float64(c.skus); rank++ {
		out = append(out, ids.ID(rank))
	}
	return out
}

// promote starts a promotion: the promoted SKUs' prices change. A broad
// invalidation purges every entry; a targeted one only the promoted SKUs'
// entries that were not already refreshed ahead of time.
func (c *Cache) promote(ev Event) {
	for _, sku := range c.promotedIDs(ev.Fraction) {
		c.version[sku]++
	}
	c.Invalidations++
	if c.cfg.Invalidation == InvalidateBroad {
		for i := range c.entries {
			if !c.prewarmed(uint32(i)) {
				c.entries[i].expiry = 0
			}
		}
	}
	// Targeted: entries of promoted SKUs are now stale by version (unless
	// pre-warmed to the new version); nothing else changes.
}

// prewarmed reports whether entry k already holds the current version of a
// promoted SKU, refreshed during the pre-warm window.
func (c *Cache) prewarmed(k uint32) bool {
	sku := c.sku(k)
	return c.entries[k].version >= c.version[sku] && c.version[sku] > 0 && c.cfg.Prewarm > 0
}

// prewarm refreshes the entries an upcoming promotion touches, spread
// evenly over the lead time, each to the promotion's new version.
func (c *Cache) prewarm(ev Event) {
	var keys []uint32
	for _, sku := range c.promotedIDs(ev.Fraction) {
		keys = append(keys, c.Key(Price, sku), c.Key(Rule, sku))
	}
	if len(keys) == 0 {
		return
	}
	step := c.cfg.Prewarm / sim.Time(len(keys))
	for i, k := range keys {
		k := k
		c.eng.After(sim.Time(i)*step, func() {
			c.db.Query(c.bg, c.cfg.RefillStatements, call.SpanCacheMiss, func(o call.Outcome) {
				if o != policy.Success {
					return
				}
				en := &c.entries[k]
				en.version = c.version[c.sku(k)] + 1 // the promotion's version
				en.expiry = ev.At + c.ttl()
			})
		})
	}
}

// HitRatio returns hits / (hits + misses), or 1 with no reads.
func (c *Cache) HitRatio() float64 {
	if c.Hits+c.Misses == 0 {
		return 1
	}
	return float64(c.Hits) / float64(c.Hits+c.Misses)
}

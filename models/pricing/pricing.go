// Package pricing models the pricing step of checkout: base prices, then a
// promotion-rule lookup for the cart's items. Done naively ("per_item"),
// each cart line costs its own database round trip: the N+1 pattern, whose
// cost grows with cart size exactly when flash-sale carts are largest.
// "batched" fetches base prices and rules in one statement; a rule cache
// and precomputed campaign rule sets remove lookups altogether.
package pricing

import (
	"fmt"
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Config describes the pricing logic.
type Config struct {
	// RuleLookup is "per_item" (one lookup per cart line: N+1) or
	// "batched" (base prices and rules in one statement).
	RuleLookup string
	// RuleCache serves per-item rule lookups from the cache.
	RuleCache bool
	// Precomputed answers rule lookups for promoted SKUs from a campaign
	// rule set computed ahead of time, with no query at all.
	Precomputed bool
	// PriceReads reads each line's price entry from the cache first.
	PriceReads bool
	// CPUPerItem is the pricing computation per line, in seconds.
	CPUPerItem dist.Dist
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.RuleLookup != "per_item" && c.RuleLookup != "batched" {
		errs = append(errs, check.Field("rule_lookup", `must be "per_item" or "batched", got %q`, c.RuleLookup))
	}
	if c.CPUPerItem == nil {
		errs = append(errs, check.Field("cpu_per_item", "a distribution is required"))
	}
	return check.Join(errs...)
}

// Pricer prices carts.
type Pricer struct {
	cfg      Config
	eng      *sim.Engine
	r        *rand.Rand
	db       *database.DB
	cache    *cache.Cache
	promoted func(sku uint32) bool

	Carts       int64
	RuleQueries int64 // rule lookups that reached the database directly
}

// New builds a pricer. promoted reports whether a SKU belongs to a running
// campaign (for precomputed rule sets); it may be nil.
func New(e *sim.Engine, cfg Config, db *database.DB, c *cache.Cache, promoted func(uint32) bool, r *rand.Rand) (*Pricer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("pricing: %w", err)
	}
	if promoted == nil {
		promoted = func(uint32) bool { return false }
	}
	return &Pricer{cfg: cfg, eng: e, r: r, db: db, cache: c, promoted: promoted}, nil
}

// Price prices the cart for ctx. Its CPU and queries are attributed to
// pricing, its cache misses to cache-miss work.
func (p *Pricer) Price(parent *call.Ctx, items []inventory.Item, done func(call.Outcome)) {
	p.Carts++
	ctx := parent.Child(parent.Deadline)
	ctx.Tag = call.SpanPricing
	p.readPrices(ctx, items, 0, func(o call.Outcome) {
		if o != policy.Success {
			done(o)
			return
		}
		if p.cfg.RuleLookup == "batched" {
			p.db.Query(ctx, 1, call.SpanDB, func(o call.Outcome) { p.compute(ctx, items, o, done) })
			return
		}
		p.db.Query(ctx, 1, call.SpanDB, func(o call.Outcome) {
			if o != policy.Success {
				done(o)
				return
			}
			p.lookupRules(ctx, items, 0, func(o call.Outcome) { p.compute(ctx, items, o, done) })
		})
	})
}

// readPrices reads the price entry of each line from the cache, in turn.
func (p *Pricer) readPrices(ctx *call.Ctx, items []inventory.Item, i int, done func(call.Outcome)) {
	if !p.cfg.PriceReads || i == len(items) {
		done(policy.Success)
		return
	}
	p.cache.Get(ctx, p.cache.Key(cache.Price, items[i].SKU), func(o call.Outcome) {
		if o != policy.Success {
			done(o)
			return
		}
		p.readPrices(ctx, items, i+1, done)
	})
}

// lookupRules is the N+1 loop: one rule lookup per line.
func (p *Pricer) lookupRules(ctx *call.Ctx, items []inventory.Item, i int, done func(call.Outcome)) {
	for i < len(items) && p.cfg.Precomputed && p.promoted(items[i].SKU) {
		i++
	}
	if i == len(items) || ctx.Cancelled() {
		done(policy.Success)
		return
	}
	next := func(o call.Outcome) {
		if o != policy.Success {
			done(o)
			return
		}
		p.lookupRules(ctx, items, i+1, done)
	}
	if p.cfg.RuleCache {
		p.cache.Get(ctx, p.cache.Key(cache.Rule, items[i].SKU), next)
		return
	}
	p.RuleQueries++
	p.db.Query(ctx, 1, call.SpanDB, next)
}

// compute spends the per-line pricing CPU.
func (p *Pricer) compute(ctx *call.Ctx, items []inventory.Item, o call.Outcome, done func(call.Outcome)) {
	if o != policy.Success {
		done(o)
		return
	}
	var cpu sim.Time
	for range items {
		cpu += sim.Seconds(p.cfg.CPUPerItem.Sample(p.r))
	}
	p.eng.After(cpu, func() {
		ctx.Record(call.SpanCPU, cpu)
		done(policy.Success)
	})
}

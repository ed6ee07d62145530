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
	"github.com/checkoutsim/checkoutsim/models/cart"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Config describes the pricing logic.
type Config struct {
	// RuleLookup is "per_item" (one lookup per cart line: N+1) or
	// "batched" (base prices and rules in one statement).
	RuleLookup RuleLookup
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

// RuleLookup is how promotion rules are looked up.
type RuleLookup string

// The rule lookups.
const (
	LookupPerItem RuleLookup = "per_item" // one lookup per cart line: N+1
	LookupBatched RuleLookup = "batched"  // base prices and rules in one statement
)

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.RuleLookup != LookupPerItem && c.RuleLookup != LookupBatched {
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

	free sim.FreeList[job] // recycled pricing jobs
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

// job is one cart being priced: a recycled record whose methods are the
// stages (read prices, base query, rule lookups, CPU), bound once. Its
// context is a child of the caller's with the pricing tag.
type job struct {
	p     *Pricer
	ctx   call.Ctx
	items []cart.Item
	done  call.Reply
	cpu   sim.Time
	reads call.Seq // one cache read per line
	rules call.Seq // one rule lookup per line (N+1)

	pricesRead call.Reply // bound once: j.onPrices
	basesRead  call.Reply // bound once: j.onBases
	computed   call.Reply // bound once: j.compute
	cpuDone    func()     // bound once: j.onCPU
}

// Recycle returns the job to the pricer's free list.
func (j *job) Recycle() {
	j.items, j.done = nil, nil
	j.p.free.Put(j)
}

func (p *Pricer) newJob() *job { return p.free.Get(p.freshJob) }

func (p *Pricer) freshJob() *job {
	j := &job{p: p}
	j.reads.Bind(j.readPrice)
	j.rules.Bind(j.lookupRule)
	j.pricesRead, j.basesRead, j.computed, j.cpuDone = j.onPrices, j.onBases, j.compute, j.onCPU
	return j
}

// Price prices the cart for ctx. Its CPU and queries are attributed to
// pricing, its cache misses to cache-miss work.
func (p *Pricer) Price(parent *call.Ctx, items []cart.Item, done call.Reply) {
	p.Carts++
	j := p.newJob()
	j.ctx.InitInner(parent, parent.Deadline, j)
	j.ctx.Tag = call.SpanPricing
	j.items, j.done = items, done
	n := len(items)
	if !p.cfg.PriceReads {
		n = 0
	}
	j.reads.Start(n, j.pricesRead)
}

// readPrice reads the price entry of line i from the cache.
func (j *job) readPrice(i int, next call.Reply) {
	j.p.cache.Get(&j.ctx, j.p.cache.Key(cache.Price, j.items[i].SKU), next)
}

func (j *job) onPrices(o call.Outcome) {
	if o != policy.Success {
		j.finish(o)
		return
	}
	j.p.db.Query(&j.ctx, 1, call.SpanDB, j.basesRead)
}

func (j *job) onBases(o call.Outcome) {
	if j.p.cfg.RuleLookup == LookupBatched || o != policy.Success {
		j.compute(o)
		return
	}
	j.rules.Start(len(j.items), j.computed)
}

// lookupRule is one step of the N+1 loop: line i's rule lookup.
func (j *job) lookupRule(i int, next call.Reply) {
	p := j.p
	if p.cfg.Precomputed && p.promoted(j.items[i].SKU) {
		next(policy.Success)
		return
	}
	if j.ctx.Cancelled() {
		j.rules.Stop(policy.Success)
		return
	}
	if p.cfg.RuleCache {
		p.cache.Get(&j.ctx, p.cache.Key(cache.Rule, j.items[i].SKU), next)
		return
	}
	p.RuleQueries++
	p.db.Query(&j.ctx, 1, call.SpanDB, next)
}

// compute spends the per-line pricing CPU.
func (j *job) compute(o call.Outcome) {
	if o != policy.Success {
		j.finish(o)
		return
	}
	p := j.p
	j.cpu = 0
	for range j.items {
		j.cpu += sim.Seconds(p.cfg.CPUPerItem.Sample(p.r))
	}
	p.eng.After(j.cpu, j.cpuDone)
}

func (j *job) onCPU() {
	j.ctx.Record(call.SpanCPU, j.cpu)
	j.finish(policy.Success)
}

// finish releases the job's context (recycling it once nothing under it
// runs) and replies.
func (j *job) finish(o call.Outcome) {
	done := j.done
	j.ctx.Release()
	done(o)
}

package pricing

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/cart"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

const ms = sim.Millisecond

const (
	stmt   = 2 * ms // every statement
	cpu    = 1 * ms // pricing CPU per line
	refill = 2      // statements per cache refill
)

type env struct {
	e     *sim.Engine
	db    *database.DB
	cache *cache.Cache
	p     *Pricer
}

func setup(t *testing.T, cfg Config, pool database.Config, promoted func(uint32) bool) *env {
	t.Helper()
	e := sim.New()
	if pool.PoolSize == 0 {
		pool = database.Config{PoolSize: 100, Cores: 100}
	}
	pool.Statement = &dist.Constant{V: stmt.Seconds()}
	db, err := database.New(e, pool, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.New(e, cache.Config{TTL: sim.Hour, HitLatency: &dist.Constant{}, RefillStatements: refill, Invalidation: "targeted"},
		1000, db, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	cfg.CPUPerItem = &dist.Constant{V: cpu.Seconds()}
	p, err := New(e, cfg, db, c, promoted, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	return &env{e, db, c, p}
}

func items(n int) []cart.Item {
	out := make([]cart.Item, n)
	for i := range out {
		out[i] = cart.Item{SKU: uint32(i), Qty: 1}
	}
	return out
}

// price prices a cart for a fresh intent and runs the engine; it returns
// the outcome, the statements counted and the trace.
func (en *env) price(lines []cart.Item) (call.Outcome, int, *call.Trace, sim.Time) {
	in := &call.Intent{ID: 1}
	tr := new(call.Trace)
	var o call.Outcome = 99
	start := en.e.Now()
	var took sim.Time
	en.p.Price(call.Root(in, sim.Never, tr), lines, func(x call.Outcome) { o, took = x, en.e.Now()-start })
	en.e.Run()
	return o, in.Queries, tr, took
}

func TestValidate(t *testing.T) {
	cases := []struct {
		cfg   Config
		field string
	}{
		{Config{RuleLookup: "per_item", CPUPerItem: &dist.Constant{}}, ""},
		{Config{RuleLookup: "batched", CPUPerItem: &dist.Constant{}}, ""},
		{Config{RuleLookup: "perItem", CPUPerItem: &dist.Constant{}}, "rule_lookup"},
		{Config{RuleLookup: "batched"}, "cpu_per_item"},
	}
	for _, c := range cases {
		err := c.cfg.Validate()
		var fe interface{ Field() string }
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: unexpected error %v", c.cfg, err)
		case c.field != "" && (!errors.As(err, &fe) || fe.Field() != c.field):
			t.Errorf("%+v: error %v, want one on field %q", c.cfg, err, c.field)
		}
		if c.field != "" {
			if _, err := New(sim.New(), c.cfg, nil, nil, nil, nil); err == nil {
				t.Errorf("%+v: New accepted the invalid config", c.cfg)
			}
		}
	}
}

// Statements per pricing of an L-line cart, worked out from the shapes:
// one base-price statement, then per_item adds one rule lookup per line
// (N+1), a rule cache turns each lookup into a cache read (a cold miss
// costs a refill of RefillStatements, a warm hit nothing), precomputed
// campaign rules skip promoted SKUs, and batched needs nothing more. Price
// reads add one cache read per line.
func TestStatementsPerCart(t *testing.T) {
	promotedBelow := func(k uint32) func(uint32) bool { return func(sku uint32) bool { return sku < k } }
	cases := []struct {
		name        string
		cfg         Config
		promoted    uint32 // SKUs below this are in the campaign
		lines       int
		cold, warm  int   // statements on the first and on a repeat pricing
		ruleQueries int64 // direct rule lookups, both pricings
	}{
		{"per_item", Config{RuleLookup: "per_item"}, 0, 5, 1 + 5, 1 + 5, 10},
		{"per_item, 1 line", Config{RuleLookup: "per_item"}, 0, 1, 2, 2, 2},
		{"batched", Config{RuleLookup: "batched"}, 0, 5, 1, 1, 0},
		{"batched ignores the rule cache", Config{RuleLookup: "batched", RuleCache: true}, 0, 5, 1, 1, 0},
		{"per_item with rule cache", Config{RuleLookup: "per_item", RuleCache: true}, 0, 5, 1 + 5*refill, 1, 0},
		{"per_item, precomputed 3 of 5", Config{RuleLookup: "per_item", Precomputed: true}, 3, 5, 1 + 2, 1 + 2, 4},
		{"per_item, precomputed all", Config{RuleLookup: "per_item", Precomputed: true}, 10, 5, 1, 1, 0},
		{"per_item, campaign running but not precomputed", Config{RuleLookup: "per_item"}, 3, 5, 1 + 5, 1 + 5, 10},
		{"per_item, precomputed none promoted", Config{RuleLookup: "per_item", Precomputed: true}, 0, 5, 1 + 5, 1 + 5, 10},
		{"per_item, cache and precomputed 3 of 5", Config{RuleLookup: "per_item", RuleCache: true, Precomputed: true}, 3, 5, 1 + 2*refill, 1, 0},
		{"batched with price reads", Config{RuleLookup: "batched", PriceReads: true}, 0, 4, 1 + 4*refill, 1, 0},
		{"per_item with price reads", Config{RuleLookup: "per_item", PriceReads: true}, 0, 4, 1 + 4 + 4*refill, 1 + 4, 8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			en := setup(t, c.cfg, database.Config{}, promotedBelow(c.promoted))
			cart := items(c.lines)
			for round, want := range []int{c.cold, c.warm} {
				o, q, tr, took := en.price(cart)
				if o != policy.Success || q != want {
					t.Fatalf("pricing %d: outcome %v, %d statements, want success and %d", round, o, q, want)
				}
				// Pricing CPU and its own statements are attributed to
				// pricing; refills to cache-miss work. Nothing overlaps,
				// so they add up to the elapsed time.
				misses := 0
				if c.cfg.PriceReads && round == 0 {
					misses += c.lines
				}
				if c.cfg.RuleCache && c.cfg.RuleLookup == "per_item" && round == 0 {
					misses += c.lines
					if c.cfg.Precomputed {
						misses -= int(min(int(c.promoted), c.lines))
					}
				}
				wantMiss := sim.Time(misses*refill) * stmt
				wantPricing := sim.Time(c.lines)*cpu + sim.Time(want-misses*refill)*stmt
				if tr.Spans[call.SpanCacheMiss] != wantMiss || tr.Spans[call.SpanPricing] != wantPricing || took != wantMiss+wantPricing {
					t.Fatalf("pricing %d: cache-miss %v pricing %v elapsed %v, want %v, %v and their sum",
						round, tr.Spans[call.SpanCacheMiss], tr.Spans[call.SpanPricing], took, wantMiss, wantPricing)
				}
			}
			if en.p.RuleQueries != c.ruleQueries || en.p.Carts != 2 {
				t.Fatalf("RuleQueries %d carts %d, want %d and 2", en.p.RuleQueries, en.p.Carts, c.ruleQueries)
			}
		})
	}
}

// Price reads go through the cache: the first pricing misses every line,
// the second hits every line.
func TestPriceReadsUseCache(t *testing.T) {
	en := setup(t, Config{RuleLookup: "batched", PriceReads: true}, database.Config{}, nil)
	cart := items(6)
	en.price(cart)
	if en.cache.Hits != 0 || en.cache.Misses != 6 || en.cache.Refills != 6 {
		t.Fatalf("after the first pricing: hits %d misses %d refills %d, want 0, 6, 6", en.cache.Hits, en.cache.Misses, en.cache.Refills)
	}
	en.price(cart)
	if en.cache.Hits != 6 || en.cache.Misses != 6 {
		t.Fatalf("after the second pricing: hits %d misses %d, want 6 and 6", en.cache.Hits, en.cache.Misses)
	}
}

// A database failure (no connection) fails the pricing, at whichever
// stage it happens.
func TestDatabaseFailure(t *testing.T) {
	for _, mode := range []string{"per_item", "batched"} {
		for _, reads := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/price_reads=%v", mode, reads), func(t *testing.T) {
				en := setup(t, Config{RuleLookup: RuleLookup(mode), PriceReads: reads}, database.Config{PoolSize: 1, Cores: 1, AcquireTimeout: ms}, nil)
				// Hold the only connection for the whole test.
				en.db.Acquire(call.Background(), func(c *database.Conn) {})
				o, _, _, took := en.price(items(3))
				if o != policy.Failure || took != ms {
					t.Fatalf("outcome %v after %v, want failure after the 1 ms acquire timeout", o, took)
				}
			})
		}
	}
}

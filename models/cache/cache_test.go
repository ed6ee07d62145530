package cache

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

func newCache(t *testing.T, e *sim.Engine, cfg Config, skus int, statement string) (*Cache, *database.DB) {
	t.Helper()
	db, err := database.New(e, database.Config{PoolSize: 1000, Cores: 1000, Statement: dist.MustParse(statement)}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(e, cfg, skus, db, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return c, db
}

func baseConfig(t *testing.T) Config {
	return Config{TTL: sim.Second, HitLatency: dist.MustParse("constant(0)"), RefillStatements: 1, Invalidation: "broad"}
}

// poisson reads key k at rate per second from start to end.
func poisson(e *sim.Engine, c *Cache, k uint32, rate float64, end sim.Time, r *rand.Rand) {
	var next func()
	next = func() {
		c.Get(call.Background(), k, func(call.Outcome) {})
		if at := e.Now() + sim.Seconds(r.ExpFloat64()/rate); at < end {
			e.At(at, next)
		}
	}
	e.At(sim.Seconds(r.ExpFloat64()/rate), next)
}

// Under Poisson reads at rate lambda, a TTL entry refilled on miss is a
// renewal process: each cycle is one miss plus the hits during T, so the
// hit ratio is lambda T / (1 + lambda T).
func TestTTLHitRatio(t *testing.T) {
	for _, lt := range []float64{0.5, 2, 10} {
		t.Run(fmt.Sprintf("lambdaT=%g", lt), func(t *testing.T) {
			e := sim.New()
			c, _ := newCache(t, e, baseConfig(t), 200, "constant(0)")
			r := rand.New(rand.NewPCG(7, uint64(lt*10)))
			for k := uint32(0); k < 200; k++ {
				poisson(e, c, k, lt, 500*sim.Second, r)
			}
			e.Run()
			n := float64(c.Hits + c.Misses)
			got := c.HitRatio()
			want := lt / (1 + lt)
			// Over >= 50k reads the standard error is below 0.003, so an
			// absolute 0.01 is about 3 standard errors and still rejects
			// a model that is off by a refill per cycle.
			if d := got - want; d > 0.01 || d < -0.01 {
				t.Fatalf("seed 7: hit ratio %.4f over %.0f reads, analytic %.4f (tolerance 0.01)", got, n, want)
			}
		})
	}
}

// A promotion with broad invalidation collapses the hit ratio and sends a
// burst of refills to the database; targeted invalidation of the few
// promoted SKUs barely moves it.
func TestBroadInvalidationSpikesDatabase(t *testing.T) {
	refills := map[string]int64{}
	for _, inv := range []string{"broad", "targeted"} {
		e := sim.New()
		cfg := baseConfig(t)
		cfg.TTL = 10 * sim.Minute
		cfg.WarmStart = true
		cfg.Invalidation = Invalidation(inv)
		cfg.Events = []Event{{At: 60 * sim.Second, Fraction: 0.02}}
		c, _ := newCache(t, e, cfg, 2000, "constant(1ms)")
		z, _ := dist.NewZipf(2000, 1)
		r := rand.New(rand.NewPCG(3, 3))
		var tick func()
		tick = func() {
			c.Get(call.Background(), c.Key(Price, uint32(z.Int(r))), func(call.Outcome) {})
			if e.Now() < 120*sim.Second {
				e.After(sim.Seconds(r.ExpFloat64()/500), tick)
			}
		}
		e.At(50*sim.Second, tick) // reads start at 50 s; the warm start expires after 10 min
		e.RunUntil(60 * sim.Second)
		before := c.Refills
		e.Run()
		refills[inv] = c.Refills - before
		t.Logf("%s: %d refills in the minute after the promotion, hit ratio overall %.3f", inv, refills[inv], c.HitRatio())
	}
	// Targeted still refills the 2% promoted SKUs and the entries whose TTL
	// runs out naturally; broad refills every entry that is read.
	if refills["broad"] < 4*refills["targeted"] || refills["broad"] < 1000 {
		t.Fatalf("broad purge %d refills vs targeted %d: no spike", refills["broad"], refills["targeted"])
	}
}

// Concurrent misses on one key each query the database (a stampede)
// unless they are coalesced, in which case one refill serves them all.
func TestCoalescingCutsStampede(t *testing.T) {
	for _, coalesce := range []bool{false, true} {
		e := sim.New()
		cfg := baseConfig(t)
		cfg.TTL = 10 * sim.Second
		cfg.Coalescing = coalesce
		c, db := newCache(t, e, cfg, 10, "constant(200ms)") // a slow rebuild
		r := rand.New(rand.NewPCG(5, 5))
		for k := uint32(0); k < 10; k++ {
			poisson(e, c, k, 100, 60*sim.Second, r)
		}
		e.Run()
		// Each key expires 6 times in 60 s (10 s TTL): 60 refresh cycles.
		perCycle := float64(c.Refills) / 60
		t.Logf("coalescing %v: %d refills (%.1f per key per refresh), %d statements", coalesce, c.Refills, perCycle, db.Statements)
		if coalesce && perCycle > 1.05 {
			t.Errorf("coalescing: %.2f refills per key per refresh, want about 1", perCycle)
		}
		if !coalesce && perCycle < 10 {
			t.Errorf("no coalescing: %.2f refills per key per refresh; a 200 ms rebuild at 100 reads/s should stampede ~20", perCycle)
		}
	}
}

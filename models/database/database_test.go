package database

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

const ms = sim.Millisecond

func newDB(t testing.TB, e *sim.Engine, cfg Config) *DB {
	t.Helper()
	db, err := New(e, cfg, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"valid", func(*Config) {}, ""},
		{"pool size", func(c *Config) { c.PoolSize = 0 }, "pool_size"},
		{"acquire timeout", func(c *Config) { c.AcquireTimeout = -1 }, "acquire_timeout"},
		{"max waiters", func(c *Config) { c.MaxWaiters = -1 }, "max_waiters"},
		{"cores", func(c *Config) { c.Cores = 0 }, "cores"},
		{"statement", func(c *Config) { c.Statement = nil }, "statement"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{PoolSize: 1, Cores: 1, Statement: dist.MustParse("constant(1ms)")}
			c.mutate(&cfg)
			err := cfg.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if f := check.Fields(err); len(f) != 1 || f[0] != c.field {
				t.Fatalf("error %v has fields %q, want [%q]", err, f, c.field)
			}
			if _, err := New(sim.New(), cfg, rand.New(rand.NewPCG(1, 1))); err == nil {
				t.Fatal("New accepted the invalid config")
			}
		})
	}
}

// Queries at time 0 on a pool with 100 ms statements and plenty of cores:
// a query keeps its connection for all its statements, so a query behind
// it waits for the whole of them, and an exhausted pool (timeout or full
// wait queue) answers Failure.
func TestQueryHoldsConnection(t *testing.T) {
	type want struct {
		at       sim.Time
		outcome  call.Outcome
		poolWait sim.Time
		db       sim.Time
	}
	cases := []struct {
		name     string
		cfg      Config // statement constant(100ms), 10 cores
		n        []int  // statements of each query
		want     []want
		timeouts int64
	}{
		{"one connection, FIFO", Config{PoolSize: 1}, []int{3, 2, 1}, []want{
			{300 * ms, policy.Success, 0, 300 * ms},
			{500 * ms, policy.Success, 300 * ms, 200 * ms},
			{600 * ms, policy.Success, 500 * ms, 100 * ms},
		}, 0},
		{"two connections", Config{PoolSize: 2}, []int{3, 2, 1}, []want{
			{300 * ms, policy.Success, 0, 300 * ms},
			{200 * ms, policy.Success, 0, 200 * ms},
			{300 * ms, policy.Success, 200 * ms, 100 * ms},
		}, 0},
		{"acquire timeout", Config{PoolSize: 1, AcquireTimeout: 250 * ms}, []int{3, 1, 1}, []want{
			{300 * ms, policy.Success, 0, 300 * ms},
			{250 * ms, policy.Failure, 250 * ms, 0},
			{250 * ms, policy.Failure, 250 * ms, 0},
		}, 2},
		{"acquire timeout longer than the hold", Config{PoolSize: 1, AcquireTimeout: 350 * ms}, []int{3, 1, 1}, []want{
			{300 * ms, policy.Success, 0, 300 * ms},
			{400 * ms, policy.Success, 300 * ms, 100 * ms},
			{350 * ms, policy.Failure, 350 * ms, 0},
		}, 1},
		{"full wait queue", Config{PoolSize: 1, MaxWaiters: 1}, []int{1, 1, 1}, []want{
			{100 * ms, policy.Success, 0, 100 * ms},
			{200 * ms, policy.Success, 100 * ms, 100 * ms},
			{0, policy.Failure, 0, 0},
		}, 1},
		{"zero statements", Config{PoolSize: 1}, []int{0, 1}, []want{
			{0, policy.Success, 0, 0},
			{100 * ms, policy.Success, 0, 100 * ms},
		}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := sim.New()
			cfg := c.cfg
			cfg.Cores, cfg.Statement = 10, dist.MustParse("constant(100ms)")
			db := newDB(t, e, cfg)
			traces := make([]call.Trace, len(c.n))
			intents := make([]call.Intent, len(c.n))
			got := make([]want, len(c.n))
			total := 0
			for i, n := range c.n {
				ctx := call.Root(&intents[i], sim.Never, &traces[i])
				db.Query(ctx, n, call.SpanDB, func(o call.Outcome) { got[i].at, got[i].outcome = e.Now(), o })
			}
			e.Run()
			for i := range c.want {
				got[i].poolWait = traces[i].Spans[call.SpanPoolWait]
				got[i].db = traces[i].Spans[call.SpanDB]
				if got[i] != c.want[i] {
					t.Errorf("query %d (%d statements): got %+v, want %+v", i, c.n[i], got[i], c.want[i])
				}
				wantQ := c.n[i]
				if c.want[i].outcome != policy.Success {
					wantQ = 0
				}
				if intents[i].Queries != wantQ {
					t.Errorf("query %d: intent counted %d statements, want %d", i, intents[i].Queries, wantQ)
				}
				total += wantQ
			}
			if db.Statements != int64(total) || db.PoolTimeouts != c.timeouts {
				t.Errorf("Statements %d PoolTimeouts %d, want %d and %d", db.Statements, db.PoolTimeouts, total, c.timeouts)
			}
			if db.PoolWait.Count() != int64(len(c.n)) {
				t.Errorf("PoolWait histogram holds %d waits, want one per acquire (%d)", db.PoolWait.Count(), len(c.n))
			}
			var maxWait sim.Time
			for _, w := range c.want {
				maxWait = max(maxWait, w.poolWait)
			}
			if got := db.PoolWait.Max(); math.Abs(got-maxWait.Seconds()) > 0.01*maxWait.Seconds()+1e-9 {
				t.Errorf("PoolWait max %vs, want %v (histogram precision 1%%)", got, maxWait)
			}
			if db.Pool().InUse() != 0 {
				t.Errorf("%d connections still held", db.Pool().InUse())
			}
		})
	}
}

// A connection held across Exec calls (a transaction) keeps it out of the
// pool until Release, and statements under a pricing tag count as pricing.
func TestConnAcrossExecs(t *testing.T) {
	e := sim.New()
	db := newDB(t, e, Config{PoolSize: 1, Cores: 1, Statement: dist.MustParse("constant(10ms)")})
	var tr call.Trace
	ctx := call.Root(&call.Intent{}, sim.Never, &tr)
	ctx.Tag = call.SpanPricing
	var second sim.Time
	db.Acquire(ctx, func(c *Conn) {
		c.Exec(ctx, 2, call.SpanDB, func() {
			e.After(sim.Second, func() { // e.g. a remote call inside the transaction
				c.Exec(ctx, 1, call.SpanDB, func() { c.Release() })
			})
		})
	})
	db.Query(call.Background(), 1, call.SpanDB, func(call.Outcome) { second = e.Now() })
	e.Run()
	if want := 1030*ms + 10*ms; second != want {
		t.Fatalf("the second query finished at %v, want %v (after the transaction's 3 statements and 1 s hold)", second, want)
	}
	if tr.Spans[call.SpanPricing] != 30*ms || tr.Spans[call.SpanDB] != 0 || ctx.Intent.Queries != 3 {
		t.Fatalf("pricing %v db %v queries %d, want 30ms, 0 and 3", tr.Spans[call.SpanPricing], tr.Spans[call.SpanDB], ctx.Intent.Queries)
	}
}

// Statements queue for the database cores: with constant 10 ms statements
// and 2 cores, 200 statements from 50 connections at once finish after
// exactly 200 x 10 ms / 2 = 1 s; the wait for a core counts as DB time.
func TestCoresSaturateExact(t *testing.T) {
	e := sim.New()
	db := newDB(t, e, Config{PoolSize: 100, Cores: 2, Statement: dist.MustParse("constant(10ms)")})
	var last sim.Time
	var tr call.Trace
	for i := 0; i < 50; i++ {
		db.Query(call.Root(nil, sim.Never, &tr), 4, call.SpanDB, func(call.Outcome) { last = max(last, e.Now()) })
	}
	e.Run()
	if last != sim.Second {
		t.Fatalf("the last of 200 statements ended at %v, want 1s (2 cores x 10 ms)", last)
	}
	// Each query's 4 statements span from its first start to its end;
	// their sum over 50 queries is at least 200 x 10 ms.
	if tr.Spans[call.SpanDB] < 2*sim.Second {
		t.Fatalf("DB time %v, want at least the 2 s of statement work", tr.Spans[call.SpanDB])
	}
}

// Offered more statements than the cores can run, the database completes
// them at its capacity Cores / mean statement time and no faster: while
// every core is busy, completions of exponential statements form a
// Poisson process of rate Cores/mean.
func TestCoresThroughputCeiling(t *testing.T) {
	cases := []struct {
		cores   int
		mean    float64 // seconds
		offered float64 // single-statement queries per second
	}{
		{2, 0.01, 300},
		{8, 0.005, 2400},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("cores=%d", c.cores), func(t *testing.T) {
			const seed = 9
			const horizon = 100 * sim.Second
			e := sim.New()
			db, err := New(e, Config{PoolSize: 100_000, Cores: c.cores, Statement: dist.MustParse(fmt.Sprintf("exponential(mean=%g)", c.mean))},
				rand.New(rand.NewPCG(seed, uint64(c.cores))))
			if err != nil {
				t.Fatal(err)
			}
			arr := rand.New(rand.NewPCG(seed, 77))
			var done int
			var next func()
			next = func() {
				db.Query(call.Background(), 1, call.SpanDB, func(call.Outcome) {
					if e.Now() <= horizon {
						done++
					}
				})
				if at := e.Now() + sim.Seconds(arr.ExpFloat64()/c.offered); at < horizon {
					e.At(at, next)
				}
			}
			e.At(0, next)
			e.RunUntil(horizon)
			capacity := float64(c.cores) / c.mean * horizon.Seconds()
			sd := math.Sqrt(capacity)
			if float64(done) > capacity+4*sd || float64(done) < capacity-4*sd {
				t.Fatalf("seed %d, %d cores, mean %vs, offered %v/s: %d statements completed in %v, capacity %.0f +- %.0f (4 sd)",
					seed, c.cores, c.mean, c.offered, done, horizon, capacity, 4*sd)
			}
		})
	}
}

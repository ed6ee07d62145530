package database

import (
	"math/rand/v2"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/host"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// statementTimes runs one statement on each of n connections, all started
// at time 0, on a database with plenty of cores, and returns when each
// finished. hcfg (cores 0: none) is the host the database shares.
func statementTimes(t *testing.T, n int, stmt string, hcfg host.Config) []sim.Time {
	t.Helper()
	e := sim.New()
	db := newDB(t, e, Config{PoolSize: n, Cores: 64, Statement: dist.MustParse(stmt)})
	if hcfg.Enabled() {
		h, err := host.New(e, hcfg, rand.New(rand.NewPCG(9, 9)))
		if err != nil {
			t.Fatal(err)
		}
		db.SetHost(h)
	}
	got := make([]sim.Time, n)
	for i := range n {
		ctx := call.Background()
		db.Acquire(ctx, func(c *Conn) {
			c.Exec(ctx, 1, call.SpanDB, func() { got[i] = e.Now(); c.Release() })
		})
	}
	e.Run()
	return got
}

// A statement's CPU part runs on the shared host: eight 1 ms statements
// that are all CPU share one core and end together at 8 ms; on two cores
// at 4 ms; without a host (or with one core per statement) each takes its
// 1 ms, the database's plenty of cores notwithstanding.
func TestHostInflatesStatements(t *testing.T) {
	cpu := dist.MustParse("constant(1ms)")
	cases := []struct {
		name string
		host host.Config
		want sim.Time
	}{
		{"no host", host.Config{}, sim.Millisecond},
		{"one core", host.Config{Cores: 1, StatementCPU: cpu}, 8 * sim.Millisecond},
		{"two cores", host.Config{Cores: 2, StatementCPU: cpu}, 4 * sim.Millisecond},
		{"a core each", host.Config{Cores: 8, StatementCPU: cpu}, sim.Millisecond},
		// Half of each statement is CPU: 8 x 0.5 ms on one core ends at
		// 4 ms, then the 0.5 ms that is not CPU.
		{"half CPU", host.Config{Cores: 1, StatementCPU: dist.MustParse("constant(0.5ms)")}, 4500 * sim.Microsecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i, at := range statementTimes(t, 8, "constant(1ms)", c.host) {
				if d := at - c.want; d < -1 || d > 1 {
					t.Errorf("statement %d done at %v, want %v", i, at, c.want)
				}
			}
		})
	}
}

// On an idle host a statement keeps its calibrated light-load time: one
// connection running statements one after another takes exactly the same
// draws with a host as without one.
func TestIdleHostKeepsCalibration(t *testing.T) {
	const stmt = "lognormal(median=0.2ms, p99=3ms)"
	run := func(hcfg host.Config) []sim.Time {
		e := sim.New()
		db := newDB(t, e, Config{PoolSize: 1, Cores: 1, Statement: dist.MustParse(stmt)})
		if hcfg.Enabled() {
			h, err := host.New(e, hcfg, rand.New(rand.NewPCG(9, 9)))
			if err != nil {
				t.Fatal(err)
			}
			db.SetHost(h)
		}
		var ends []sim.Time
		ctx := call.Background()
		db.Acquire(ctx, func(c *Conn) {
			var next func()
			next = func() {
				ends = append(ends, e.Now())
				if len(ends) < 200 {
					c.Exec(ctx, 1, call.SpanDB, next)
				}
			}
			c.Exec(ctx, 1, call.SpanDB, next)
		})
		e.Run()
		return ends
	}
	base := run(host.Config{})
	shared := run(host.Config{Cores: 2, BackgroundLoad: 1.5, StatementCPU: dist.MustParse("lognormal(median=0.1ms, p99=1ms)")})
	if len(base) != len(shared) {
		t.Fatalf("%d statements with a host, %d without", len(shared), len(base))
	}
	for i := range base {
		if d := shared[i] - base[i]; d < -sim.Time(i+1) || d > sim.Time(i+1) { // a ns of rounding per statement at most
			t.Fatalf("statement %d ended at %v with an idle host, %v without", i, shared[i], base[i])
		}
	}
}

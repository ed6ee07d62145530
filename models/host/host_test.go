package host

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/queueing"
)

func newHost(t *testing.T, e *sim.Engine, cfg Config) *Host {
	t.Helper()
	h, err := New(e, cfg, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	if h == nil {
		t.Fatal("New returned no host for an enabled config")
	}
	return h
}

func TestValidate(t *testing.T) {
	cpu := dist.MustParse("constant(1ms)")
	cases := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"not modelled", Config{}, ""},
		{"two cores", Config{Cores: 2, StatementCPU: cpu, RequestCPU: cpu, BackgroundLoad: 1.7}, ""},
		{"negative cores", Config{Cores: -1}, "cores"},
		{"background negative", Config{Cores: 4, BackgroundLoad: -0.1}, "background_load"},
		{"background NaN", Config{Cores: 4, BackgroundLoad: math.NaN()}, "background_load"},
		{"background infinite", Config{Cores: 4, BackgroundLoad: math.Inf(1)}, "background_load"},
		{"cpu without cores", Config{StatementCPU: cpu}, "cores"},
		{"background without cores", Config{BackgroundLoad: 0.2}, "cores"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.cfg.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if f := check.Fields(err); len(f) != 1 || f[0] != c.field {
				t.Fatalf("error %v has fields %q, want [%q]", err, f, c.field)
			}
			if _, err := New(sim.New(), c.cfg, rand.New(rand.NewPCG(1, 1))); err == nil {
				t.Fatal("New accepted the invalid config")
			}
		})
	}
}

func TestNotModelledIsNil(t *testing.T) {
	h, err := New(sim.New(), Config{}, rand.New(rand.NewPCG(1, 1)))
	if err != nil || h != nil {
		t.Fatalf("New(cores 0) = %v, %v; want no host", h, err)
	}
}

// Jobs submitted at time 0 with known demands: each of n jobs progresses
// at min(1, cores/(n+B)) / min(1, cores/(1+B)), so the finishing times
// follow by hand.
func TestSharing(t *testing.T) {
	const ms = sim.Millisecond
	cases := []struct {
		name    string
		cfg     Config
		demands []sim.Time
		want    []sim.Time
	}{
		// A job alone runs at speed 1, whatever the background: its
		// light-load time was measured with that background.
		{"alone", Config{Cores: 2, BackgroundLoad: 3}, []sim.Time{10 * ms}, []sim.Time{10 * ms}},
		// As many jobs as cores: no slowdown.
		{"one per core", Config{Cores: 2}, []sim.Time{10 * ms, 4 * ms}, []sim.Time{10 * ms, 4 * ms}},
		// Two jobs on one core: both at half speed until the short one
		// ends at 8 ms (4 ms of work each), then the long one alone:
		// 6 ms left, done at 14 ms.
		{"two on one core", Config{Cores: 1}, []sim.Time{10 * ms, 4 * ms}, []sim.Time{14 * ms, 8 * ms}},
		// Three jobs of 6 ms on 2 cores: each at 2/3, all done at 9 ms.
		{"three on two cores", Config{Cores: 2}, []sim.Time{6 * ms, 6 * ms, 6 * ms}, []sim.Time{9 * ms, 9 * ms, 9 * ms}},
		// Two runnable background threads on 2 cores: a job alone gets 2/3
		// of a core, two jobs 2/4 each, 0.75 of the speed alone: two jobs
		// of 3 ms end at 4 ms (with no background they would not slow).
		{"background", Config{Cores: 2, BackgroundLoad: 2}, []sim.Time{3 * ms, 3 * ms}, []sim.Time{4 * ms, 4 * ms}},
		// No demand: done at once, nothing shared.
		{"zero demand", Config{Cores: 1}, []sim.Time{0, 5 * ms}, []sim.Time{0, 5 * ms}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := sim.New()
			h := newHost(t, e, c.cfg)
			got := make([]sim.Time, len(c.demands))
			for i, d := range c.demands {
				h.Run(d, func() { got[i] = e.Now() })
			}
			e.Run()
			for i := range got {
				if diff := got[i] - c.want[i]; diff < -1 || diff > 1 {
					t.Errorf("job %d (demand %v) done at %v, want %v", i, c.demands[i], got[i], c.want[i])
				}
			}
			if h.InFlight() != 0 {
				t.Errorf("%d jobs left in flight", h.InFlight())
			}
		})
	}
}

// The station against queueing theory: with Poisson arrivals and
// exponential demands, the number of jobs in flight is the birth-death
// process of M/M/c (departure rate mu x min(n, c)), so the mean sojourn is
// M/M/c's (Erlang C); with c = 1 it is M/M/1-PS's E[S]/(1-rho). The
// utilisation is lambda E[S] / c.
func TestMMcAgainstTheory(t *testing.T) {
	cases := []struct {
		cores int
		rho   float64
	}{{1, 0.5}, {1, 0.8}, {2, 0.7}}
	for _, c := range cases {
		const meanS = 0.001 // 1 ms demands
		lambda := c.rho * float64(c.cores) / meanS
		e := sim.New()
		h := newHost(t, e, Config{Cores: c.cores})
		r := rand.New(rand.NewPCG(7, uint64(c.cores)))
		const jobs = 200_000
		var sum float64
		var n int
		var arrive func()
		arrive = func() {
			start := e.Now()
			h.Run(sim.Seconds(r.ExpFloat64()*meanS), func() {
				sum += (e.Now() - start).Seconds()
				n++
			})
			if h.Jobs < jobs {
				e.After(sim.Seconds(r.ExpFloat64()/lambda), arrive)
			}
		}
		e.At(0, arrive)
		e.Run()
		wq, err := queueing.MMcWait(lambda, 1/meanS, c.cores)
		if err != nil {
			t.Fatal(err)
		}
		want := meanS + wq
		if c.cores == 1 {
			want = meanS / (1 - c.rho) // M/M/1-PS, the same value as M/M/1's W
		}
		got := sum / float64(n)
		if rel := math.Abs(got-want) / want; rel > 0.04 {
			t.Errorf("cores %d rho %.1f: mean sojourn %.4g s, theory %.4g s (%.1f%% off)", c.cores, c.rho, got, want, 100*rel)
		}
		if u := h.Utilisation(e.Now()); math.Abs(u-c.rho) > 0.02 {
			t.Errorf("cores %d rho %.1f: utilisation %.3f, want %.3f", c.cores, c.rho, u, c.rho)
		}
	}
}

// StatementCPU never exceeds the light-load time it is part of, and is 0
// when statements use no host CPU.
func TestCPUPart(t *testing.T) {
	const ms = sim.Millisecond
	h := newHost(t, sim.New(), Config{Cores: 1, StatementCPU: dist.MustParse("constant(2ms)")})
	if got := h.StatementCPU(5 * ms); got != 2*ms {
		t.Errorf("StatementCPU(5ms) = %v, want 2ms", got)
	}
	if got := h.StatementCPU(ms); got != ms {
		t.Errorf("StatementCPU(1ms) = %v, want 1ms (capped at the statement's time)", got)
	}
	none := newHost(t, sim.New(), Config{Cores: 1})
	if got := none.StatementCPU(5 * ms); got != 0 {
		t.Errorf("StatementCPU without statement_cpu = %v, want 0", got)
	}
}

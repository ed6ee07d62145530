package checkout

import (
	"fmt"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/queueing"
)

// A one-step flow over one station is a plain queue, so the engine's
// analytic checks apply to the model: with Poisson arrivals and
// exponential CPU at c workers, the mean response time is Erlang C's Wq
// plus the mean service time.
func TestOneStepFlowIsMMc(t *testing.T) {
	cases := []struct {
		c      int
		lambda float64
		meanS  float64
	}{
		{1, 8, 0.1},  // rho 0.8
		{5, 40, 0.1}, // rho 0.8
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("c=%d", tc.c), func(t *testing.T) {
			cfg := bare(t, tc.lambda, Step{Name: "work", Kind: KindGeneric, Calls: "once"})
			cfg.Duration = 40 * sim.Minute
			cfg.Warmup = 2 * sim.Minute
			cfg.Services = []service.Config{{Name: "s", Instances: 1, WorkersPerInstance: tc.c,
				CPU: dist.MustParse(fmt.Sprintf("exponential(mean=%g)", tc.meanS))}}
			const seed = 5
			w := replicate(t, cfg, seed, 8, func(r *Result) float64 { return r.Latency.Mean() })
			wq, err := queueing.MMcWait(tc.lambda, 1/tc.meanS, tc.c)
			if err != nil {
				t.Fatal(err)
			}
			want := wq + tc.meanS
			lo, hi := w.CI(0.999)
			if want < lo || want > hi {
				t.Fatalf("seed %d: mean response %.4fs, CI99.9 [%.4f, %.4f], M/M/%d analytic %.4fs", seed, w.Mean(), lo, hi, tc.c, want)
			}
		})
	}
}

// A service's measured-window worker-seconds cover the samples from the
// warm-up to the duration and give its utilisation there, lambda x mean
// service time / workers.
func TestWindowUtilisation(t *testing.T) {
	cfg := bare(t, 8, Step{Name: "work", Kind: KindGeneric, Calls: "once"})
	cfg.Duration, cfg.Warmup, cfg.Drain, cfg.SampleInterval = 10*sim.Minute, sim.Minute, 5*sim.Minute, 10*sim.Second
	cfg.Services = []service.Config{{Name: "s", Instances: 1, WorkersPerInstance: 2, CPU: dist.MustParse("exponential(mean=0.1)")}}
	r := run(t, cfg, 3, 0)
	s := r.Services[0]
	if s.WorkerS != 2*540 {
		t.Fatalf("window worker-seconds %v, want 2 workers x 540 s (1 min to 10 min)", s.WorkerS)
	}
	if u := s.BusyWorkerS / s.WorkerS; u < 0.36 || u > 0.44 {
		t.Errorf("window utilisation %.3f, want 8/s x 0.1 s / 2 = 0.4 within 0.04", u)
	}
}

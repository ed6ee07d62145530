package stats_test

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

func ExampleHistogram() {
	var h stats.Histogram
	for i := 1; i <= 1000; i++ {
		h.RecordTime(sim.Time(i) * sim.Millisecond) // 1 ms .. 1 s
	}
	fmt.Printf("n=%d mean=%.4f s p50=%.3f s p99=%.3f s max=%.3f s\n",
		h.Count(), h.Mean(), h.Quantile(0.5), h.Quantile(0.99), h.Max())
	// The exact p50 and p99 are 0.500 and 0.990 s: quantiles are bucket
	// midpoints, within 0.78%; count, mean and max are exact.
	// Output:
	// n=1000 mean=0.5005 s p50=0.501 s p99=0.994 s max=1.000 s
}

func ExampleTimeWeighted() {
	var busy stats.TimeWeighted // busy servers
	busy.Set(0, 2)
	busy.Set(3*sim.Second, 4)
	busy.Add(4*sim.Second, -4)
	// (2·3 + 4·1 + 0·6) / 10 s
	fmt.Printf("mean %.1f max %.0f\n", busy.Mean(10*sim.Second), busy.Max())
	// Output:
	// mean 1.0 max 4
}

func ExamplePaired() {
	// p99 latency (s) of 5 replications of configurations A and B, each
	// pair from the same seed.
	a := []float64{0.80, 0.95, 0.70, 1.10, 0.85}
	b := []float64{0.62, 0.71, 0.55, 0.86, 0.66}
	var p stats.Paired
	for i := range a {
		p.Add(a[i], b[i])
	}
	d, r := p.Diff(), p.Ratio()
	fmt.Printf("B-A %.3f [%.3f, %.3f]\nB/A %.3f [%.3f, %.3f]\n", d.Estimate, d.Lo, d.Hi, r.Estimate, r.Lo, r.Hi)
	// Output:
	// B-A -0.200 [-0.249, -0.151]
	// B/A 0.773 [0.753, 0.792]
}

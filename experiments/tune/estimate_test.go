package tune

import (
	"math"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// A constraint's or the objective's interval stays in its metric's range:
// error rates 0.1% and 2% have a t interval reaching far below 0.
func TestEstimateClipped(t *testing.T) {
	for _, tc := range []struct {
		unit metric.Unit
		vals []float64
		want CI
	}{
		// mean -/+ t(0.975, 1)·|a-b|/2 = 12.7062·|a-b|/2
		{metric.Fraction, []float64{0.001, 0.02}, CI{0, 0.0105 + 12.7062*0.0095}},
		{metric.Seconds, []float64{0.1, 1.9}, CI{0, 1 + 12.7062*0.9}},
		{metric.Fraction, []float64{0.98, 0.999}, CI{0.9895 - 12.7062*0.0095, 1}},
	} {
		var s stats.Summary
		for _, v := range tc.vals {
			s.Add(v)
		}
		e := estimate("c", &s, tc.unit)
		if e.CI95 == nil || math.Abs(e.CI95[0]-tc.want[0]) > 1e-4 || math.Abs(e.CI95[1]-tc.want[1]) > 1e-4 {
			t.Errorf("estimate(%v, %q) = %v, want %v", tc.vals, tc.unit, e.CI95, tc.want)
		}
	}
}

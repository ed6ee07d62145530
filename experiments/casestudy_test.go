package experiments

import (
	"strconv"
	"testing"
)

// The case study's before/after bands (../shared/seed/case-study.md),
// reproduced from mechanisms by the flash-sale built-ins. This guards the
// calibration: a model change that moves either system out of a band
// fails here. The seed differs from the ones used to calibrate (3, 5, 11,
// 23, 42).
func TestCaseStudyBands(t *testing.T) {
	const seed, reps = 7, 2
	before, err := LoadScenario("flash-sale-before", nil)
	if err != nil {
		t.Fatal(err)
	}
	after, err := LoadScenario("flash-sale-after", nil)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := RunReplications(t.Context(), before, seed, reps, 0)
	if err != nil {
		t.Fatal(err)
	}
	ra, err := RunReplications(t.Context(), after, seed, reps, 0)
	if err != nil {
		t.Fatal(err)
	}
	cs := CompareResults(before, after, seed, rb, ra)
	b, a := cs.A.Checkout, cs.B.Checkout
	bands := []struct {
		what   string
		v      float64
		lo, hi float64
	}{
		{"before P99 (s)", b.Latency.P99, 4.5, 6.0},
		{"after P99 (s)", a.Latency.P99, 1.0, 1.4},
		{"before error rate", b.ErrorRate, 0.02, 0.06},
		{"after error rate", a.ErrorRate, 0.005, 0.012},
		{"cost after/before", cs.B.Cost.USD / cs.A.Cost.USD, 0.6, 0.8},
	}
	for _, c := range bands {
		if c.v < c.lo || c.v > c.hi {
			t.Errorf("seed %d, %d replications: %s = %.4g, outside the case study's band [%g, %g]", seed, reps, c.what, c.v, c.lo, c.hi)
		}
	}
}

// Sustainable throughput at the same SLO (P99 <= 3 s, errors <= 1%):
// the case study's band for after/before is 1.8-2.5x. A full search per
// system is too slow for CI, so this brackets each system's sustainable
// multiplier: before in [0.5, 0.65), after in [1.0, 1.3). That confines
// the ratio to (1.54, 2.6) and catches any drift of either knee; the
// capacity command's bisection measured 1.94 (seed 5) and 1.99 (seed 42).
func TestCaseStudyCapacityBrackets(t *testing.T) {
	const seed, reps = 7, 2
	slo := func(name string, m float64) bool {
		sc, err := LoadScenario(name, []string{"traffic.multiplier=" + strconv.FormatFloat(m, 'g', -1, 64)})
		if err != nil {
			t.Fatal(err)
		}
		res, err := RunReplications(t.Context(), sc, seed, reps, 0)
		if err != nil {
			t.Fatal(err)
		}
		s := Summarize(sc, seed, res).Checkout
		t.Logf("%s x%g: P99 %.2f s, errors %.3f%%", name, m, s.Latency.P99, 100*s.ErrorRate)
		return s.Latency.P99 <= 3 && s.ErrorRate <= 0.01
	}
	checks := []struct {
		name string
		m    float64
		pass bool
	}{
		{"flash-sale-before", 0.5, true}, {"flash-sale-before", 0.65, false},
		{"flash-sale-after", 1.0, true}, {"flash-sale-after", 1.3, false},
	}
	for _, c := range checks {
		if got := slo(c.name, c.m); got != c.pass {
			t.Errorf("seed %d: %s at %gx: SLO held %v, want %v", seed, c.name, c.m, got, c.pass)
		}
	}
}

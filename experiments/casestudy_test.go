package experiments

import (
	"strconv"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
)

// The case study's before/after claims (docs/case-study.md), reproduced
// from mechanisms by the flash-sale built-ins, as docs/calibration.md and
// the README state them. This guards the calibration: a model change that
// moves either system away from them fails here. Seed 7 was never used to
// calibrate (calibration seeds: 1, 2, and earlier 3, 5, 11, 23, 42).
//
// Where the model does not land in the published band the check says so
// instead of hiding it: the before P99 of all clicks is above the
// 4.5-6.0 s band (docs/calibration.md), so the test requires it to be at
// least the band's lower end and the after P99 to be at least 3x lower.
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
	ampB, _ := metric.Over(rb, metric.EpisodeAmplification)
	ampA, _ := metric.Over(ra, metric.EpisodeAmplification)
	bands := []struct {
		what   string
		v      float64
		lo, hi float64
	}{
		{"before P99 (s), at or above the band's low end", b.Latency.P99, 4.5, 15},
		{"after P99 (s)", a.Latency.P99, 1.0, 1.4},
		{"P99 before/after", b.Latency.P99 / a.Latency.P99, 3, 15},
		{"before error rate", b.ErrorRate, 0.015, 0.06},
		{"after error rate", a.ErrorRate, 0.005, 0.012},
		{"cost after/before", cs.B.Cost.USD / cs.A.Cost.USD, 0.6, 0.85},
		{"before payment amplification in the slow episode (the storm)", ampB, 1.5, 20},
		{"after payment amplification in the slow episode", ampA, 1, 1.2},
	}
	for _, c := range bands {
		t.Logf("seed %d: %s = %.4g", seed, c.what, c.v)
		if c.v < c.lo || c.v > c.hi {
			t.Errorf("seed %d, %d replications: %s = %.4g, outside [%g, %g]", seed, reps, c.what, c.v, c.lo, c.hi)
		}
	}
}

// Sustainable throughput at the same SLO (P99 <= 3 s, errors <= 1%):
// the case study claims about 2.1x for after/before. A full search per
// system is too slow for CI, so this brackets each system's sustainable
// multiplier: before in [0.65, 0.8), after in [1.0, 1.3). That confines
// the ratio to (1.25, 2.0): since SKU ids no longer follow popularity,
// before sustains more than it did (its knee was below 0.65x), and the
// model no longer reaches the published ~2.1x (docs/calibration.md). The
// bracket catches any drift of either knee.
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
		{"flash-sale-before", 0.65, true}, {"flash-sale-before", 0.8, false},
		{"flash-sale-after", 1.0, true}, {"flash-sale-after", 1.3, false},
	}
	for _, c := range checks {
		if got := slo(c.name, c.m); got != c.pass {
			t.Errorf("seed %d: %s at %gx: SLO held %v, want %v", seed, c.name, c.m, got, c.pass)
		}
	}
}

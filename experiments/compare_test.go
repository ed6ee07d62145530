package experiments

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// A scenario compared with itself under common random numbers: every pair
// is equal, so every ratio is exactly 1 with a zero-width interval.
func TestCompareWithItself(t *testing.T) {
	sc := shortScenario("same")
	cs, err := compare(t, sc, sc, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Change) != len(metric.Headline()) {
		t.Fatalf("%d changes, want %d", len(cs.Change), len(metric.Headline()))
	}
	for _, c := range cs.Change {
		if c.Diff != 0 || c.DiffCI == nil || c.DiffCI[0] != 0 || c.DiffCI[1] != 0 {
			t.Errorf("%s: diff %v %v, want 0 [0, 0]", c.Metric, c.Diff, c.DiffCI)
		}
		if c.A == 0 {
			continue // ratio undefined (an error rate of 0)
		}
		if c.Ratio == nil || *c.Ratio != 1 || c.RatioCI == nil || c.RatioCI[0] != 1 || c.RatioCI[1] != 1 {
			t.Errorf("%s: ratio %v %v, want 1 [1, 1]", c.Metric, c.Ratio, c.RatioCI)
		}
	}
}

// Paired arithmetic on hand-made replications: B's clicks take twice as
// long as A's in every pair, and A has no failures while B has some.
func TestCompareResultsPaired(t *testing.T) {
	var ra, rb []*checkout.Result
	for i, lat := range []sim.Time{100 * sim.Millisecond, 150 * sim.Millisecond, 300 * sim.Millisecond} {
		ra = append(ra, fakeResult(i, 100, 0, lat))
		rb = append(rb, fakeResult(i, 100, int64(10*(i+1)), 2*lat))
	}
	cs := CompareResults(shortScenario("a"), shortScenario("b"), 1, ra, rb)
	get := func(key string) Change {
		for _, c := range cs.Change {
			if c.Metric == key {
				return c
			}
		}
		t.Fatalf("no change %s", key)
		return Change{}
	}
	mean := get("latency_mean_s")
	if mean.Ratio == nil || !relNear(*mean.Ratio, 2) || mean.RatioCI == nil || math.Abs(mean.RatioCI[1]-mean.RatioCI[0]) > 1e-9 {
		t.Errorf("mean latency ratio %v %v, want 2 with a zero-width interval", mean.Ratio, mean.RatioCI)
	}
	if want := (0.1 + 0.15 + 0.3) / 3; !relNear(mean.Diff, want) {
		t.Errorf("mean latency diff %v, want %v", mean.Diff, want)
	}
	er := get("error_rate")
	if er.Ratio != nil || er.RatioCI != nil || er.A != 0 || !relNear(er.B, 0.2) || !relNear(er.Diff, 0.2) || er.DiffCI == nil {
		t.Errorf("error rate %+v, want no ratio (A is 0), B 0.2, diff 0.2 with an interval", er)
	}
	// The JSON "change" object is keyed by metric, in metric.Headline order,
	// with ratio null when undefined.
	var b bytes.Buffer
	if err := cs.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Change map[string]map[string]any `json:"change"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if r, ok := doc.Change["error_rate"]["ratio"]; !ok || r != nil {
		t.Errorf(`change.error_rate.ratio = %v, want null`, r)
	}
	last := -1
	for _, m := range metric.Headline() {
		i := strings.Index(b.String(), `"`+m.Key+`": {`)
		if i < last {
			t.Errorf("change key %s out of order", m.Key)
		}
		last = i
	}
}

func TestChangeText(t *testing.T) {
	ratio := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		c         Change
		want, wCI string
	}{
		{Change{Pairs: 5, Ratio: ratio(0.58), RatioCI: &CI{0.5, 0.66}}, "-42.0%", "[-50.0%, -34.0%]"},
		{Change{Pairs: 5, Ratio: ratio(1.0000000000000002)}, "+0%", ""},
		{Change{Pairs: 5, Unit: "fraction", Diff: 0.012, DiffCI: &CI{0.01, 0.014}}, "+1.20 pp", "[+1.00, +1.40] pp"},
		{Change{Pairs: 5, Unit: "s", Diff: -0.2}, "-200 ms", ""},
		{Change{}, "n/a", ""},
	} {
		got, gotCI := tc.c.Text()
		if got != tc.want || gotCI != tc.wCI {
			t.Errorf("%+v: %q %q, want %q %q", tc.c, got, gotCI, tc.want, tc.wCI)
		}
	}
}

// A ratio B/A of non-negative values is never negative: the delta-method
// interval's lower end is clipped to 0 (a change of -100%).
func TestPairedChangeRatioClipped(t *testing.T) {
	var p stats.Paired
	for _, ab := range [][2]float64{{1, 0.01}, {1, 3}, {1, 0.01}} {
		p.Add(ab[0], ab[1])
	}
	if r := p.Ratio(); !(r.Lo < 0) {
		t.Fatalf("the example's raw ratio interval %v does not reach below 0", r)
	}
	c := pairedChange(metric.ErrorRate, &p)
	if c.RatioCI == nil || c.RatioCI[0] != 0 || c.RatioCI[1] != p.Ratio().Hi {
		t.Errorf("ratio interval %v, want [0, %v]", c.RatioCI, p.Ratio().Hi)
	}
}

// compare runs a and b with common random numbers and compares them.
func compare(t *testing.T, a, b *Scenario, seed uint64, reps int) (*CompareSummary, error) {
	t.Helper()
	ra, rb, err := RunPair(t.Context(), a, b, seed, reps, 2, nil)
	if err != nil {
		return nil, err
	}
	return CompareResults(a, b, seed, ra, rb), nil
}

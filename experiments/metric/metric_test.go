package metric

import (
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Every entry is complete and its names are unique across the registry.
func TestRegistryEntries(t *testing.T) {
	seen := map[string]string{}
	for _, m := range All() {
		if m.Key == "" || m.Path == "" || m.Label == "" || m.Column == "" || m.Axis == "" || m.Value == nil {
			t.Errorf("%+v: key, path, label, column, axis and value are all needed", m)
		}
		if m.Better != LowerIsBetter && m.Better != HigherIsBetter {
			t.Errorf("%s: direction %v", m.Key, m.Better)
		}
		if !slices.Contains([]Unit{Seconds, Fraction, PerSecond, USD, Ratio}, m.Unit) {
			t.Errorf("%s: unit %q", m.Key, m.Unit)
		}
		// One unit per metric's change: a fraction changes in points,
		// anything else relatively.
		if want := m.Unit == Fraction; (m.Change == Points) != want || InPoints(m.Key) != want || InPoints(m.Short) != want {
			t.Errorf("%s (unit %q): change in points %v, InPoints %v, want %v", m.Key, m.Unit, m.Change == Points, InPoints(m.Key), want)
		}
		if m.Window != "" && !strings.Contains(m.Window, "warm-up") {
			t.Errorf("%s: window %q does not say how it treats the warm-up", m.Key, m.Window)
		}
		for _, name := range []string{m.Key, m.Path, m.Short} {
			if name == "" {
				continue
			}
			if other, dup := seen[name]; dup && other != m.Key {
				t.Errorf("name %q is both %s and %s", name, other, m.Key)
			}
			seen[name] = m.Key
		}
	}
	for _, h := range Headline() {
		if !slices.Contains(All(), h) {
			t.Errorf("headline metric %s is not in the registry", h.Key)
		}
	}
	if len(Headline()) != 11 || Headline()[0] != LatencyP50 || Headline()[len(Headline())-1] != DBQueriesPerCheckout {
		t.Errorf("headline order changed: compare's JSON and tables depend on it")
	}
}

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		name    string
		want    *Metric
		wantErr string
	}{
		{"latency_p99_s", LatencyP99, ""},
		{"checkout.latency_s.p99", LatencyP99, ""},
		{"p99", LatencyP99, ""},
		{" P99 ", LatencyP99, ""},
		{"hit_ratio", CacheHitRatio, ""},
		{"signals.cache_hit_ratio", CacheHitRatio, ""},
		{"cost", Cost, ""},
		{"latency_p98_s", nil, "did you mean latency_p95_s, latency_p99_s, latency_p50_s?"},
		{"throughput", Throughput, ""},
		{"thruput", nil, "did you mean throughput_per_s"},
		{"zzzzzzzzzzzz", nil, "known: latency_p50_s,"},
	} {
		m, err := Lookup(tc.name)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Lookup(%q) = %v, %v; want an error containing %q", tc.name, m, err, tc.wantErr)
			}
			continue
		}
		if err != nil || m != tc.want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", tc.name, m, err, tc.want.Key)
		}
	}
}

func TestOver(t *testing.T) {
	res := func(failed, attempts int64) *checkout.Result {
		return &checkout.Result{Checkout: checkout.Counts{Failed: failed, Attempts: attempts}}
	}
	// Replications with no attempts leave the error rate undefined and
	// do not count.
	for _, tc := range []struct {
		name    string
		results []*checkout.Result
		mean    float64
		ci      bool
	}{
		{"none", nil, 0, false},
		{"one", []*checkout.Result{res(1, 10)}, 0.1, false},
		{"undefined left out", []*checkout.Result{res(1, 10), res(0, 0)}, 0.1, false},
		{"two", []*checkout.Result{res(1, 10), res(3, 10)}, 0.2, true},
	} {
		mean, ci := Over(tc.results, ErrorRate)
		if math.Abs(mean-tc.mean) > 1e-12 || (ci != nil) != tc.ci {
			t.Errorf("%s: Over = %g, %v; want %g, interval %v", tc.name, mean, ci, tc.mean, tc.ci)
		}
		if ci != nil && !(ci[0] < mean && mean < ci[1]) {
			t.Errorf("%s: interval %v does not hold the mean %g", tc.name, *ci, mean)
		}
	}
	// Two values 0.1 and 0.3: mean 0.2, s = 0.1414, t(0.975, 1) = 12.706:
	// the Student-t interval is 0.2 -/+ 1.2706, and Over clips it to an
	// error rate's range [0, 1].
	var e Estimate
	e.Add(0.1, true)
	e.Add(0.3, true)
	_, raw := e.Result()
	if half := (raw[1] - raw[0]) / 2; math.Abs(half-12.706*0.1414214/math.Sqrt2) > 1e-3 {
		t.Errorf("half-width %g, want 1.2706", half)
	}
	if _, ci := Over([]*checkout.Result{res(1, 10), res(3, 10)}, ErrorRate); ci == nil || *ci != [2]float64{0, 1} {
		t.Errorf("Over's interval %v, want the t interval clipped to [0, 1]", ci)
	}
}

// Intervals stay in their unit's range, and a quantile's interval is never
// narrower than the histogram bucket of its estimate.
func TestClipAndResolved(t *testing.T) {
	inf := math.Inf(1)
	for _, tc := range []struct {
		unit Unit
		in   [2]float64
		want [2]float64
	}{
		{Seconds, [2]float64{-0.471, 4.54}, [2]float64{0, 4.54}},
		{Fraction, [2]float64{-0.000103, 0.000376}, [2]float64{0, 0.000376}},
		{Fraction, [2]float64{0.79, 1.02}, [2]float64{0.79, 1}},
		{Fraction, [2]float64{1.2, 1.3}, [2]float64{1, 1}}, // wholly outside: pinned to the bound
		{PerSecond, [2]float64{12, 13}, [2]float64{12, 13}},
		{USD, [2]float64{-inf, inf}, [2]float64{0, inf}},
		{Ratio, [2]float64{-1, 2}, [2]float64{0, 2}},
	} {
		if got := Clip(&tc.in, tc.unit); *got != tc.want {
			t.Errorf("Clip(%v, %q) = %v, want %v", tc.in, tc.unit, *got, tc.want)
		}
	}
	if Clip(nil, Seconds) != nil || Resolved(1, nil) != nil {
		t.Error("a missing interval must stay missing")
	}
	// p95 4.66 s in every replication: [4.66, 4.66] becomes the bucket
	// holding 4.66 s, 2^32 ns / 64 = 67 ms wide.
	got := Resolved(4.66, &[2]float64{4.66, 4.66})
	if !(got[0] < 4.66 && got[1] > 4.66) || math.Abs(got[1]-got[0]-0.0671) > 1e-3 {
		t.Errorf("Resolved(4.66, [4.66, 4.66]) = %v, want the 67 ms bucket around it", *got)
	}
	// A quantile of 0 (no lock waits) is exact: no widening.
	if got := Resolved(0, &[2]float64{0, 0}); *got != [2]float64{0, 0} {
		t.Errorf("Resolved(0, [0, 0]) = %v", *got)
	}
	// A wide interval is left alone.
	if got := Resolved(4.66, &[2]float64{4, 5}); *got != [2]float64{4, 5} {
		t.Errorf("Resolved(4.66, [4, 5]) = %v", *got)
	}
}

// Over resolves the registry's histogram quantiles, not other metrics.
func TestOverResolvesQuantiles(t *testing.T) {
	rep := func() *checkout.Result {
		r := &checkout.Result{Latency: new(stats.Histogram)}
		for i := 0; i < 1000; i++ {
			r.Latency.Record(int64(4.66e9))
		}
		return r
	}
	results := []*checkout.Result{rep(), rep(), rep()}
	for _, tc := range []struct {
		m        *Metric
		wantWide bool
	}{{LatencyP95, true}, {LatencyP99, true}, {LatencyMean, false}} {
		mean, ci := Over(results, tc.m)
		if ci == nil || (ci[1] > ci[0]) != tc.wantWide || !(ci[0] <= mean && mean <= ci[1]) {
			t.Errorf("%s: %g %v, want a non-degenerate interval: %v", tc.m.Key, mean, ci, tc.wantWide)
		}
	}
}

func TestQuantileOfEmptyHistogram(t *testing.T) {
	r := &checkout.Result{Latency: new(stats.Histogram)}
	if _, ok := LatencyP99.Value(r); ok {
		t.Error("P99 of an empty histogram is defined")
	}
	if _, ok := LatencyP99.Value(&checkout.Result{}); ok {
		t.Error("P99 of no histogram is defined")
	}
	r.Latency.Record(2e9)
	if v, ok := LatencyMean.Value(r); !ok || math.Abs(v-2) > 0.01 {
		t.Errorf("mean of one 2 s click = %g, %v", v, ok)
	}
}

// Every histogram percentile is Bucketed, so its interval is widened to
// the bucket (Finish): a percentile key ends in _pNN_s or _pNNN_s.
func TestPercentilesAreBucketed(t *testing.T) {
	pct := regexp.MustCompile(`_p\d+_s$`)
	for _, m := range append(All(), SuccessP99, EpisodeAmplification) {
		if pct.MatchString(m.Key) != m.Bucketed {
			t.Errorf("%s: Bucketed is %v, but the key says it is %sa percentile", m.Key, m.Bucketed, map[bool]string{true: "", false: "not "}[pct.MatchString(m.Key)])
		}
	}
}

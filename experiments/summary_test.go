package experiments

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// fakeResult is a hand-made replication: attempts checkouts of which
// failed failed, every click taking latency, over a 100 s measured window.
func fakeResult(rep int, attempts, failed int64, latency sim.Time) *checkout.Result {
	r := &checkout.Result{
		Seed: 1, Replication: rep, Measured: 100 * sim.Second,
		Checkout: checkout.Counts{Attempts: attempts, Succeeded: attempts - failed, Failed: failed},
		Latency:  new(stats.Histogram), Interval: 10 * sim.Second,
		Signals: checkout.Signals{LockWait: new(stats.Histogram), PoolWait: new(stats.Histogram)},
		Browse:  checkout.BrowseResult{Latency: new(stats.Histogram)},
	}
	for range attempts {
		r.Latency.RecordTime(latency)
	}
	return r
}

func relNear(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

// Counts are summed; rates are means of per-replication values with a
// Student-t interval computed here from the textbook formula.
func TestSummarizeCountsAndRates(t *testing.T) {
	results := []*checkout.Result{
		fakeResult(0, 100, 10, 100*sim.Millisecond), // error rate 0.10
		fakeResult(1, 200, 10, 200*sim.Millisecond), // 0.05
		fakeResult(2, 100, 30, 300*sim.Millisecond), // 0.30
	}
	results[1].Checkout.Unfinished = 4
	s := Summarize(shortScenario("fake"), 9, results)
	if s.Seed != 9 || s.Replications != 3 || s.Scenario != "fake" || s.MeasuredS != 15 {
		t.Errorf("header: seed %d replications %d scenario %q measured %v", s.Seed, s.Replications, s.Scenario, s.MeasuredS)
	}
	c := s.Checkout
	if c.Attempts != 400 || c.Failed != 50 || c.Succeeded != 350 || c.Unfinished != 4 {
		t.Errorf("counts %+v, want attempts 400 failed 50 succeeded 350 unfinished 4", c)
	}
	// Per-replication error rates 0.10, 0.05, 0.30: mean 0.15, not the
	// pooled 50/400 = 0.125.
	rates := []float64{0.10, 0.05, 0.30}
	mean := (rates[0] + rates[1] + rates[2]) / 3
	var ss float64
	for _, r := range rates {
		ss += (r - mean) * (r - mean)
	}
	// The t interval, mean -/+ 0.329, reaches below 0: an error rate's
	// interval is clipped to [0, 1].
	half := stats.TQuantile(0.95, 2) * math.Sqrt(ss/2/3)
	if !relNear(c.ErrorRate, mean) || c.ErrorRateCI == nil || mean-half >= 0 || c.ErrorRateCI[0] != 0 || !relNear(c.ErrorRateCI[1], mean+half) {
		t.Errorf("error rate %v %v, want %v [0, %v] (the t interval's low end %v clipped to 0)", c.ErrorRate, c.ErrorRateCI, mean, mean+half, mean-half)
	}
	// Throughput: succeeded / 100 s = 0.9, 1.9, 0.7 per second.
	if want := (0.9 + 1.9 + 0.7) / 3; !relNear(c.ThroughputPerS, want) {
		t.Errorf("throughput %v, want %v", c.ThroughputPerS, want)
	}
	// Every click of a replication has the same latency, so each
	// replication's p50 = p99 = mean = its latency (within the histogram's
	// 0.78%), and the mean over replications is 0.2 s.
	l := c.Latency
	if l.Count != 400 || math.Abs(l.P99-0.2) > 0.2*0.0078 || !relNear(l.Mean, 0.2) || l.Max != 0.3 {
		t.Errorf("latency %+v, want count 400, p99 ~0.2, mean 0.2, max 0.3", l)
	}
}

// A rate a replication cannot define (no attempts) is left out of the
// mean and the interval, rather than counted as 0.
func TestSummarizeSkipsUndefined(t *testing.T) {
	results := []*checkout.Result{
		fakeResult(0, 100, 20, sim.Second),
		fakeResult(1, 0, 0, sim.Second),
	}
	s := Summarize(shortScenario("u"), 1, results)
	if s.Checkout.ErrorRate != 0.2 || s.Checkout.ErrorRateCI != nil {
		t.Errorf("error rate %v ci %v, want 0.2 and no interval (one defined replication)", s.Checkout.ErrorRate, s.Checkout.ErrorRateCI)
	}
	if s.Signals.CacheHitRatio != 0 || s.Signals.CacheHitRatioCI != nil {
		t.Errorf("cache hit ratio with no reads: %v %v, want 0 and no interval", s.Signals.CacheHitRatio, s.Signals.CacheHitRatioCI)
	}
}

// With one replication there is no interval and the JSON has no _ci95 key.
func TestSummarizeOneReplicationHasNoCI(t *testing.T) {
	s := Summarize(shortScenario("one"), 1, []*checkout.Result{fakeResult(0, 10, 1, sim.Second)})
	var b bytes.Buffer
	if err := s.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "_ci95") {
		t.Errorf("one replication, JSON has an interval:\n%s", b.String())
	}
}

func TestSummarizeSeriesAndCauses(t *testing.T) {
	a, b := fakeResult(0, 1, 1, sim.Second), fakeResult(1, 1, 1, sim.Second)
	a.Series = []checkout.Series{{Name: "x", Unit: "1/s", Values: []float64{1, 2, 3}}}
	b.Series = []checkout.Series{{Name: "x", Unit: "1/s", Values: []float64{3, 4, 5}}, {Name: "y", Unit: "s", Values: []float64{7}}}
	a.Causes = []checkout.Cause{{Name: "payment:timeout", Count: 2}}
	b.Causes = []checkout.Cause{{Name: "inventory:lock_timeout", Count: 1}, {Name: "payment:timeout", Count: 5}}
	s := Summarize(shortScenario("s"), 1, []*checkout.Result{a, b})
	if len(s.Series) != 2 || s.Series[0].Name != "x" || s.Series[1].Name != "y" || s.Series[0].IntervalS != 10 {
		t.Fatalf("series %+v", s.Series)
	}
	if got := s.Series[0].Values; len(got) != 3 || got[0] != 2 || got[1] != 3 || got[2] != 4 {
		t.Errorf("x values %v, want point-wise means [2 3 4]", got)
	}
	if got := s.Series[1].Values; len(got) != 1 || got[0] != 7 {
		t.Errorf("y values %v, want [7] (only replication 1 has it)", got)
	}
	want := []CauseCount{{"inventory:lock_timeout", 1}, {"payment:timeout", 7}}
	if len(s.Causes) != 2 || s.Causes[0] != want[0] || s.Causes[1] != want[1] {
		t.Errorf("causes %v, want %v (summed, sorted by name)", s.Causes, want)
	}
}

// On a real run: the attribution's parts add up to the tail's mean
// latency, its threshold is the merged P99, and layer arithmetic holds.
func TestSummarizeRealRun(t *testing.T) {
	sc := shortScenario("real")
	res, err := RunReplications(t.Context(), sc, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(sc, 1, res)
	a := s.Attribution
	var sumS, sumF float64
	for _, p := range a.Parts {
		sumS += p.MeanS
		sumF += p.Fraction
	}
	if a.Clicks == 0 || math.Abs(sumS-a.MeanLatencyS) > 1e-9*a.MeanLatencyS || math.Abs(sumF-1) > 1e-9 {
		t.Errorf("attribution: %d clicks, parts sum %v s (mean latency %v), fractions sum %v", a.Clicks, sumS, a.MeanLatencyS, sumF)
	}
	var merged stats.Histogram
	for _, r := range res {
		merged.Merge(r.Latency)
	}
	if a.ThresholdS != merged.Quantile(0.99) {
		t.Errorf("threshold %v, want merged P99 %v", a.ThresholdS, merged.Quantile(0.99))
	}
	if len(s.Signals.Amplification) != len(res[0].Layers) {
		t.Fatalf("%d layers, want %d", len(s.Signals.Amplification), len(res[0].Layers))
	}
	first := s.Signals.Amplification[0]
	if first.CallsPerCheckout != 1 || first.Calls != res[0].Layers[0].Calls+res[1].Layers[0].Calls {
		t.Errorf("first layer %+v: want 1 call per checkout and summed calls", first)
	}
	for _, l := range s.Signals.Amplification {
		o := l.Outcomes
		if o.Success+o.Failure+o.Timeout+o.Overloaded+o.Rejected+o.Ignored != l.Attempts {
			t.Errorf("layer %s: outcomes %+v do not add up to %d attempts", l.Layer, o, l.Attempts)
		}
	}
	var cohortAttempts int64
	for _, co := range s.Cohorts {
		cohortAttempts += co.Attempts
	}
	if cohortAttempts != s.Checkout.Attempts || len(s.Cohorts) != len(sc.Traffic.Cohorts) {
		t.Errorf("cohort attempts %d over %d cohorts, want %d over %d", cohortAttempts, len(s.Cohorts), s.Checkout.Attempts, len(sc.Traffic.Cohorts))
	}
	var usd float64
	for _, sv := range s.Cost.Services {
		usd += sv.USD
	}
	if math.Abs(usd-s.Cost.USD) > 1e-9*s.Cost.USD {
		t.Errorf("services cost %v, want total %v", usd, s.Cost.USD)
	}
}

// The JSON holds every field the issue lists, at its documented path.
func TestSummaryJSONHasContractFields(t *testing.T) {
	sc := shortScenario("contract")
	res, err := RunReplications(t.Context(), sc, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Summarize(sc, 1, res).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, path := range contractPaths {
		if _, ok := lookup(doc, path); !ok {
			t.Errorf("JSON has no %s", path)
		}
	}
	if ci, _ := lookup(doc, "checkout.latency_s.p99_ci95"); len(ci.([]any)) != 2 {
		t.Errorf("p99_ci95 = %v, want [lo, hi]", ci)
	}
}

// contractPaths are the JSON paths docs/output.md promises (a number after
// a dot indexes a list).
var contractPaths = []string{
	"scenario", "seed", "replications", "measured_s",
	"checkout.attempts", "checkout.succeeded", "checkout.failed", "checkout.abandoned", "checkout.unfinished",
	"checkout.error_rate", "checkout.error_rate_ci95", "checkout.throughput_per_s", "checkout.throughput_per_s_ci95",
	"checkout.latency_s.p50", "checkout.latency_s.p95", "checkout.latency_s.p99", "checkout.latency_s.p999", "checkout.latency_s.mean",
	"checkout.latency_s.p50_ci95", "checkout.latency_s.p99_ci95", "checkout.latency_s.mean_ci95",
	"signals.lock_wait_s.p99", "signals.pool_wait_s.p99", "signals.cache_hit_ratio", "signals.db_queries_per_checkout",
	"signals.payment_attempts_per_payment", "signals.double_reservations", "signals.leaked_units", "signals.deadlocks",
	"signals.lock_timeouts", "signals.max_backlog", "signals.breaker_changes",
	"signals.amplification.0.layer", "signals.amplification.0.attempts_per_call", "signals.amplification.0.calls_per_checkout",
	"attribution.threshold_s", "attribution.parts.0.span", "attribution.parts.0.mean_s", "attribution.parts.0.fraction",
	"cost.usd", "cost.services.0.usd",
	"cohorts.0.cohort", "cohorts.0.attempts", "cohorts.0.error_rate", "cohorts.0.latency_s.p99",
	"steps.0.step", "steps.0.latency_s.p50", "steps.0.attempts_per_call", "browse.requests",
	"series.0.name", "series.0.unit", "series.0.interval_s", "series.0.values",
}

func lookup(doc any, path string) (any, bool) {
	cur := doc
	for _, key := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[key]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i := 0
			for _, ch := range key {
				if ch < '0' || ch > '9' {
					return nil, false
				}
				i = i*10 + int(ch-'0')
			}
			if i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// No replications, or replications with nothing in them, still give valid
// JSON (no NaN or infinity, which encoding/json refuses) and empty lists,
// not nulls.
func TestSummarizeEmpty(t *testing.T) {
	for _, results := range [][]*checkout.Result{nil, {fakeResult(0, 0, 0, 0), fakeResult(1, 0, 0, 0)}} {
		s := Summarize(shortScenario("empty"), 1, results)
		var b bytes.Buffer
		if err := s.WriteJSON(&b); err != nil {
			t.Fatalf("%d results: %v", len(results), err)
		}
		if strings.Contains(b.String(), "null") {
			t.Errorf("%d results: JSON has null:\n%s", len(results), b.String())
		}
		for _, f := range output.Formats {
			if err := s.Write(io.Discard, f); err != nil {
				t.Errorf("%d results, -o %s: %v", len(results), f, err)
			}
		}
	}
}

func BenchmarkSummarize(b *testing.B) {
	sc := shortScenario("bench")
	res, err := RunReplications(b.Context(), sc, 1, 5, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Summarize(sc, 1, res)
	}
}

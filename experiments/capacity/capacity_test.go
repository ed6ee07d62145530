package capacity

import (
	"bytes"
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// The search against a closed form. testdata/sweep/mm1.yaml is an M/M/1
// queue, lambda = 10/s at multiplier 1, mu = 20/s. Its sojourn time is
// exponential with rate mu - m·lambda (Kleinrock, Queueing Systems vol. 1,
// eq. 3.28), so P99(m) = ln(100)/(mu - m·lambda) and the SLO P99 <= D holds
// up to m* = (mu - ln(100)/D)/lambda. D is chosen so that m* = 1.6
// (rho = 0.8 at the limit).
func TestCapacityMM1Analytic(t *testing.T) {
	const lambda, mu, mStar = 10.0, 20.0, 1.6
	d := math.Log(100) / (mu - mStar*lambda)
	sc, err := experiments.LoadScenario("testdata/mm1.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{SLOP99: time.Duration(d * 1e9), MaxErrorRate: 0.01, Seed: sc.Seed, Replications: sc.Replications}
	res, err := Search(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	found := res.SustainableMultiplier
	// Allowance: the tolerance (the answer is the low end of a bracket of
	// that relative width) plus the estimation noise of P99 at the answer,
	// carried to the multiplier. d ln P99 / d ln m = m·lambda/(mu - m·lambda)
	// = 4 at m*, so a relative error e in P99 moves m by about e/4. Twice
	// the 95% half-width is a generous but finite noise bound.
	var at *Point
	for i := range res.Curve {
		if res.Curve[i].Multiplier == found {
			at = &res.Curve[i]
		}
	}
	if at == nil || at.P99SCI == nil {
		t.Fatalf("the sustainable multiplier %g is not on the curve with an interval: %+v", found, res.Curve)
	}
	relHalf := (at.P99SCI[1] - at.P99SCI[0]) / 2 / at.P99S
	sensitivity := mStar * lambda / (mu - mStar*lambda)
	allow := res.Tolerance + 2*relHalf/sensitivity
	rel := math.Abs(found-mStar) / mStar
	t.Logf("SLO P99 <= %.4fs: analytic m* = %g, found %g (rel. error %.4f, allowed %.4f), %d runs",
		d, mStar, found, rel, allow, len(res.Curve))
	if rel > allow {
		t.Errorf("found multiplier %g, analytic %g: relative error %.4f > %.4f (seed %d, %d replications, tolerance %g)",
			found, mStar, rel, allow, opt.Seed, opt.Replications, opt.Tolerance)
	}
	if res.Tolerance != DefaultTolerance || (res.FailingMultiplier-found)/found > res.Tolerance {
		t.Errorf("bracket [%g, %g] wider than the tolerance %g (default %g)", found, res.FailingMultiplier, res.Tolerance, DefaultTolerance)
	}
	// The curve: sorted, offered rate = m·lambda, P99 near the formula at
	// multipliers well below the limit, throughput = offered (no losses).
	for i, p := range res.Curve {
		if i > 0 && !(p.Multiplier > res.Curve[i-1].Multiplier) {
			t.Errorf("curve not sorted by multiplier at %d: %+v", i, res.Curve)
		}
		if math.Abs(p.OfferedPerS-p.Multiplier*lambda) > 1e-9 {
			t.Errorf("offered %g at multiplier %g, want %g", p.OfferedPerS, p.Multiplier, p.Multiplier*lambda)
		}
		if p.Multiplier == 1 {
			want := math.Log(100) / (mu - lambda)
			if p.P99SCI == nil || math.Abs(p.P99S-want)/want > 0.1 {
				t.Errorf("P99 at multiplier 1: %g %v, analytic %g", p.P99S, p.P99SCI, want)
			}
			if math.Abs(p.ThroughputPerS-lambda)/lambda > 0.03 {
				t.Errorf("throughput at multiplier 1: %g, want about %g", p.ThroughputPerS, lambda)
			}
		}
		if p.Pass != (p.Multiplier <= found) {
			t.Errorf("multiplier %g pass=%v, but the answer is %g", p.Multiplier, p.Pass, found)
		}
	}
	// The knee's 95% interval (bootstrap over the 10 replications) holds
	// the analytic limit and the bracket, and says the same in offered
	// checkouts/s (lambda per unit of multiplier).
	ci := res.SustainableMultiplierCI
	if ci == nil || !(ci[0] <= mStar && mStar <= ci[1]) || ci[0] > found || ci[1] < res.FailingMultiplier {
		t.Errorf("knee interval %v: want it to hold m* = %g and the bracket [%g, %g]", ci, mStar, found, res.FailingMultiplier)
	} else if oc := res.SustainableOfferedPerSCI; oc == nil || math.Abs(oc[0]-lambda*ci[0]) > 1e-9 || math.Abs(oc[1]-lambda*ci[1]) > 1e-9 ||
		math.Abs(res.SustainableOfferedPerS-lambda*found) > 1e-9 {
		t.Errorf("offered load %g %v, want lambda times the multiplier %g %v", res.SustainableOfferedPerS, oc, found, ci)
	}
	t.Logf("knee %g, 95%% CI %v", found, ci)
	if len(res.Warnings) != 0 {
		t.Errorf("warnings on a clean search: %q", res.Warnings)
	}
	if res.SustainableCheckoutsPerS != at.ThroughputPerS {
		t.Errorf("sustainable_checkouts_per_s %g is not the throughput at %g (%g)", res.SustainableCheckoutsPerS, found, at.ThroughputPerS)
	}

}

// Strict judging is never less conservative than judging the means, and
// the search is deterministic whatever the parallelism. A shorter M/M/1
// keeps it quick.
func TestCapacityStrictAndDeterministic(t *testing.T) {
	sc, err := experiments.LoadScenario("testdata/mm1.yaml", []string{"duration=4m", "replications=4"})
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{SLOP99: time.Second, MaxErrorRate: 0.01, Seed: 3, Replications: 4, Tolerance: 0.05}
	mean, err := Search(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Strict = true
	strict, err := Search(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	if strict.SustainableMultiplier > mean.SustainableMultiplier || strict.JudgedOn != "ci95_upper" || mean.JudgedOn != "mean" {
		t.Errorf("strict answer %g (%s) above the mean-judged %g (%s)", strict.SustainableMultiplier, strict.JudgedOn,
			mean.SustainableMultiplier, mean.JudgedOn)
	}
	opt.Workers = 1
	again, err := Search(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := strict.Write(&a, output.JSON); err != nil {
		t.Fatal(err)
	}
	if err := again.Write(&b, output.JSON); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two searches differ:\n%s\nvs\n%s", a.Bytes(), b.Bytes())
	}
	// The table names the answer and a passing row; the CSV marks the
	// answer's row sustainable.
	m := strconv.FormatFloat(strict.SustainableMultiplier, 'g', -1, 64)
	for f, want := range map[string][]string{output.Table: {m, "pass"}, output.CSV: {"\n" + m + ",", ",true,true,"}} {
		var out bytes.Buffer
		if err := strict.Write(&out, f); err != nil {
			t.Fatalf("%s output: %v", f, err)
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s output lacks %q:\n%s", f, w, out.String())
			}
		}
	}
}

func TestCapacityBadInput(t *testing.T) {
	// one-station, a fraction of a second per run
	sc, err := experiments.LoadScenario("one-station", []string{"duration=20s", "warmup=5s", "drain=5s", "replications=2"})
	if err != nil {
		t.Fatal(err)
	}
	trace := *sc
	trace.Traffic.Trace = "arrivals.csv"
	ok := Options{SLOP99: time.Second, MaxErrorRate: 0.01, Replications: 2}
	for _, tc := range []struct {
		name string
		sc   *experiments.Scenario
		edit func(o *Options)
		want string
	}{
		{"no SLO", sc, func(o *Options) { o.SLOP99 = 0 }, "--slo-p99"},
		{"error rate", sc, func(o *Options) { o.MaxErrorRate = 1.5 }, "--max-error-rate"},
		{"NaN error rate", sc, func(o *Options) { o.MaxErrorRate = math.NaN() }, "--max-error-rate"},
		{"tolerance", sc, func(o *Options) { o.Tolerance = 2 }, "--tolerance"},
		{"replications", sc, func(o *Options) { o.Replications = 0 }, "--replications"},
		{"strict one rep", sc, func(o *Options) { o.Strict, o.Replications = true, 1 }, "--strict"},
		{"trace", &trace, func(o *Options) {}, "replays a trace"},
	} {
		o := ok
		tc.edit(&o)
		_, err := Search(context.Background(), tc.sc, o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// An SLO below the service time itself fails at any load: the search
// halves until its floor and says so, with the curve.
func TestCapacityNoLimit(t *testing.T) {
	sc, err := experiments.LoadScenario("one-station", []string{"duration=10s", "warmup=2s", "drain=5s"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Search(context.Background(), sc, Options{SLOP99: time.Millisecond, MaxErrorRate: 0.01, Replications: 2, MaxRuns: 5})
	if err == nil || res == nil || len(res.Curve) != 5 || res.Curve[0].Pass {
		t.Fatalf("err %v, result %+v: want a no-limit error after 5 failing runs", err, res)
	}
	if !strings.Contains(err.Error(), "within 5 runs") {
		t.Errorf("error %q does not say the run budget ran out", err)
	}
}

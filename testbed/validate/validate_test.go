package validate

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
)

func summary(p50, p99, errRate, attempts, lockP99, hit, queries float64) *experiments.RunSummary {
	s := &experiments.RunSummary{}
	s.Checkout.Latency.P50, s.Checkout.Latency.P99, s.Checkout.ErrorRate = p50, p99, errRate
	s.Signals.Amplification = []experiments.LayerSummary{
		{Layer: "gateway->api", Calls: 100, AttemptsPerCall: 1},
		{Layer: "payment->psp", Calls: 100, AttemptsPerCall: attempts},
	}
	s.Signals.LockWait.P99, s.Signals.CacheHitRatio, s.Signals.DBQueriesPerCheckout = lockP99, hit, queries
	return s
}

func within(p *Point) map[string]bool {
	out := map[string]bool{}
	for _, m := range p.Metrics {
		out[m.Name] = m.Within
	}
	return out
}

func TestCompareGoals(t *testing.T) {
	real := summary(0.200, 1.00, 0.020, 1.20, 0.100, 0.90, 20)
	cases := []struct {
		name string
		sim  *experiments.RunSummary
		miss []string
	}{
		{"all within", summary(0.220, 1.20, 0.029, 1.30, 0.125, 0.86, 20.9), nil},
		{"p50 16% off", summary(0.232, 1.00, 0.020, 1.20, 0.100, 0.90, 20), []string{"p50_s"}},
		{"p99 26% off", summary(0.200, 1.26, 0.020, 1.20, 0.100, 0.90, 20), []string{"p99_s"}},
		// 4% vs 2%: 2 points and 100% relative: a miss; 2.4% is within 1 point.
		{"errors", summary(0.200, 1.00, 0.040, 1.20, 0.100, 0.90, 20), []string{"error_rate"}},
		{"attempts 11% off on one layer", summary(0.200, 1.00, 0.020, 1.34, 0.100, 0.90, 20), []string{"attempts_per_call (worst layer)"}},
		{"lock wait 31% off", summary(0.200, 1.00, 0.020, 1.20, 0.131, 0.90, 20), []string{"lock_wait_p99_s"}},
		{"hit ratio 0.06 off", summary(0.200, 1.00, 0.020, 1.20, 0.100, 0.84, 20), []string{"hit_ratio"}},
		{"queries 6% off", summary(0.200, 1.00, 0.020, 1.20, 0.100, 0.90, 21.2), []string{"queries_per_checkout"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := &Point{Real: real, Sim: c.sim}
			p.compare()
			w := within(p)
			missed := map[string]bool{}
			for _, m := range c.miss {
				missed[m] = true
			}
			for name, ok := range w {
				if ok == missed[name] {
					t.Errorf("%s: within=%v, want %v", name, ok, !missed[name])
				}
			}
			if p.Pass != (len(c.miss) == 0) {
				t.Errorf("pass %v with misses %v", p.Pass, c.miss)
			}
		})
	}
}

// Lock waits of a couple of milliseconds are within one statement's noise:
// a 2 ms floor applies.
func TestLockWaitFloor(t *testing.T) {
	p := &Point{Real: summary(0.2, 1, 0, 1, 0.0015, 0.9, 20), Sim: summary(0.2, 1, 0, 1, 0, 0.9, 20)}
	p.compare()
	if !within(p)["lock_wait_p99_s"] {
		t.Fatal("1.5 ms real vs 0 simulated should be within the 2 ms floor")
	}
}

func TestJudgeKneeCollapseRanking(t *testing.T) {
	before := &experiments.Scenario{Name: "before"}
	after := &experiments.Scenario{Name: "after"}
	pt := func(name string, load float64, real, sim *experiments.RunSummary) Point {
		p := Point{Scenario: name, Load: load, Real: real, Sim: sim, SimReplications: sim}
		p.compare()
		return p
	}
	ok := summary(0.2, 0.5, 0.001, 1, 0, 0.9, 20)
	slow := summary(0.2, 3.0, 0.001, 1, 0, 0.9, 20)
	dead := summary(0.2, 5.0, 0.30, 1, 0, 0.9, 20)
	rep := &Report{Points: []Point{
		pt("before", 0.5, ok, ok), pt("before", 1, slow, ok), pt("before", 1.5, dead, summary(0.2, 5.0, 0.05, 1, 0, 0.9, 20)),
		pt("after", 0.5, ok, ok), pt("after", 1, ok, ok), pt("after", 1.5, ok, ok),
	}, Knee: Knee{Real: map[string]float64{}, Sim: map[string]float64{}}}
	rep.judge(Config{Scenarios: []*experiments.Scenario{before, after}, Loads: []float64{0.5, 1, 1.5}, SLOP99: 2, MaxErrorRate: 0.01})
	if rep.Knee.Real["before"] != 0.5 || rep.Knee.Sim["before"] != 1 || rep.Knee.Real["after"] != 1.5 {
		t.Fatalf("knees %+v", rep.Knee)
	}
	verdict := map[string]bool{}
	for _, v := range rep.Verdicts {
		verdict[v.Check] = v.Pass
	}
	if verdict["knee before"] || !verdict["knee after"] {
		t.Errorf("knee verdicts %v: before (0.5 vs 1) must miss, after must pass", verdict)
	}
	if verdict["collapse agreement before at 1.5x"] {
		t.Error("real 30% errors vs simulated 5%: the collapse does not agree")
	}
	if rep.Pass {
		t.Error("report passes with missed checks")
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"calibration", "points", "knee", "pass"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	pts := doc["points"].([]any)
	p0 := pts[0].(map[string]any)
	for _, k := range []string{"scenario", "load", "real", "sim", "errors", "pass"} {
		if _, ok := p0[k]; !ok {
			t.Errorf("point JSON lacks %q", k)
		}
	}
	errs := p0["errors"].(map[string]any)
	for _, k := range []string{"p50", "p99", "error_rate", "attempts_per_call", "lock_wait_p99", "hit_ratio", "queries_per_checkout"} {
		if _, ok := errs[k]; !ok {
			t.Errorf("errors JSON lacks %q", k)
		}
	}
	buf.Reset()
	if err := rep.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "FAIL") || !strings.Contains(buf.String(), "MISS  knee before") {
		t.Errorf("table does not show the misses:\n%s", buf.String())
	}
}

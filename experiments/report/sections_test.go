package report

import (
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/tune"
	"github.com/checkoutsim/checkoutsim/experiments/uncertainty"
)

const evil = `<script>alert("x")</script>`

// testRobust is a small hand-built robust result: B's P99 is lower in 19
// of 20 draws.
func testRobust(a, b string) *uncertainty.Robust {
	return &uncertainty.Robust{
		A: a, B: b, Seed: 3, Replications: 2, Samples: 20,
		Dims: []uncertainty.Dim{{Path: "traffic.sku_skew", Range: "0.7..0.9"}},
		Metrics: []uncertainty.MetricRobust{{
			Metric: "latency_p99_s", Label: "P99 " + evil, Unit: "s", Better: metric.LowerIsBetter.String(), Draws: 20,
			A:       uncertainty.Percentiles{P5: 2, P50: 4.5, P95: 9},
			B:       uncertainty.Percentiles{P5: 0.5, P50: 0.8, P95: 1.2},
			Change:  uncertainty.Percentiles{P5: -7.8, P50: -3.7, P95: -1.5},
			BBetter: 0.95,
		}, {
			Metric: "throughput_per_s", Label: "Throughput", Unit: "1/s", Better: metric.HigherIsBetter.String(), Draws: 2,
			A: uncertainty.Percentiles{P5: 100, P50: 100, P95: 100}, B: uncertainty.Percentiles{P5: 80, P50: 85, P95: 90},
			Change: uncertainty.Percentiles{P5: -20, P50: -15, P95: -10}, ValuesA: []float64{100, 100}, ValuesB: []float64{80, 90},
		}},
	}
}

func holds(v bool) *bool { return &v }

// testTune is a small hand-built tune result with a best, the current
// settings and one runner-up.
func testTune() *tune.Result {
	best := tune.Candidate{
		Index: 7, Set: []string{"payment.client.timeout=800ms", "payment.client.max_attempts=" + evil},
		Score: 1.1, ScoreCI: &tune.CI{1.0, 1.2}, WorstCondition: "slow-psp", Feasible: true,
		Objective: []tune.Estimate{{Condition: "as-is", Mean: 0.9, CI95: &tune.CI{0.85, 0.95}}, {Condition: "slow-psp", Mean: 1.1, CI95: &tune.CI{1.0, 1.2}}},
		Constraints: []tune.ConstraintResult{{Constraint: "error_rate<=0.01", Conditions: []tune.Estimate{
			{Condition: "as-is", Mean: 0.002, CI95: &tune.CI{0.001, 0.003}, Holds: holds(true)},
			{Condition: "slow-psp", Mean: 0.008, CI95: &tune.CI{0.006, 0.009}, Holds: holds(true)},
		}}},
	}
	current := tune.Candidate{
		Index: -1, Score: 2.5, WorstCondition: "slow-psp", Feasible: false, VsBest: &tune.CI{1.2, 1.6},
		Objective:   []tune.Estimate{{Condition: "slow-psp", Mean: 2.5}},
		Constraints: []tune.ConstraintResult{{Constraint: "error_rate<=0.01", Conditions: []tune.Estimate{{Condition: "slow-psp", Mean: 0.04, Holds: holds(false)}}}},
	}
	runner := best
	runner.Index, runner.Set, runner.Score, runner.VsBest = 3, []string{"payment.client.timeout=900ms"}, 1.15, &tune.CI{-0.02, 0.1}
	return &tune.Result{
		Scenario: "payment-slowdown-after", Conditions: []string{"as-is", "slow-psp"},
		Objective: "checkout.latency_s.p99", Complete: true, Feasible: true,
		Best: &best, Current: &current, RunnersUp: []tune.Candidate{runner},
		Settings: &tune.Settings{Set: best.Set, YAML: "payment:\n  client:\n    timeout: 800ms\n"},
		RunsUsed: 420, SimulatedS: 3600,
	}
}

func TestReportSections(t *testing.T) {
	ra, rb := reportResults(2)
	base := Input{
		A: Run{Scenario: testScenario("flash-sale-before", ""), Results: ra},
		B: Run{Scenario: testScenario("flash-sale-after", ""), Results: rb},
	}
	infeasible := testTune()
	infeasible.Feasible, infeasible.Settings = false, nil
	infeasible.Failure = &tune.Failure{Constraint: "error_rate<=0.01", Broken: 60, Of: 64, Closest: 0.012, Condition: "slow-psp", Relative: 0.2}
	tests := []struct {
		name          string
		robust        *uncertainty.Robust
		tune          *tune.Result
		want, wantNot []string
	}{
		{"neither", nil, nil, nil,
			[]string{`id="robust"`, "Robustness over the uncertain inputs", `id="tune"`, "Tuned settings"}},
		{"robust only", testRobust("flash-sale-before", "flash-sale-after"), nil,
			[]string{`id="robust-table"`, "Robustness over the uncertain inputs", "20 Latin-hypercube draws",
				"<code>traffic.sku_skew 0.7..0.9</code>",
				"<td>P99 &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</td>",
				"2.00 s / 4.50 s / 9.00 s", "500 ms / 800 ms / 1.20 s", "-7.80 s / -3.70 s / -1.50 s",
				`<td class="num good">95.0%<span class="ci">of 20 draws</span>`,
				"<td>Throughput</td><td class=\"num\">100 / 100 / 100</td><td class=\"num\">80.0 / 85.0 / 90.0</td><td class=\"num\">-20.0 / -15.0 / -10.0</td><td class=\"num bad\">0%<span class=\"ci\">of 2 draws</span>"},
			[]string{`id="tune"`}},
		{"tune only", nil, testTune(),
			[]string{`id="tune-table"`, "Tuned settings", "on <b>payment-slowdown-after</b>: minimize checkout.latency_s.p99",
				"--set payment.client.timeout=800ms\n--set payment.client.max_attempts=&lt;script&gt;",
				"timeout: 800ms", "420 runs, 60.0 min",
				"<th>error_rate&lt;=0.01</th>",
				"as-is: 0.900 [0.850, 0.950]\nslow-psp: 1.10 [1.00, 1.20]",
				"as-is: 0.00200 [0.00100, 0.00300] ✓\nslow-psp: 0.00800 [0.00600, 0.00900] ✓",
				"<b>current</b><span class=\"tag bad\">infeasible</span>", "(the scenario&#39;s own settings)", "slow-psp: 0.0400 ✗", "[&#43;1.20, &#43;1.60]",
				"<b>runner-up</b>", "payment.client.timeout=900ms", "[-0.0200, &#43;0.100]", "1.10 [1.00, 1.20] (worst: slow-psp)"},
			[]string{`id="robust"`, "tune-infeasible"}},
		{"tune infeasible", nil, infeasible,
			[]string{`id="tune-infeasible"`, "error_rate&lt;=0.01 was broken by 60 of 64 candidates"},
			[]string{`id="tune-set"`}},
		{"both", testRobust("flash-sale-before", "flash-sale-after"), testTune(),
			[]string{`id="robust-table"`, `id="tune-table"`}, nil},
	}
	for _, tt := range tests {
		in := base
		in.Robust, in.Tune = tt.robust, tt.tune
		out := renderTestReport(t, in)
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: report lacks %q", tt.name, w)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(out, w) {
				t.Errorf("%s: report has %q", tt.name, w)
			}
		}
		if strings.Contains(out, "<script>") {
			t.Errorf("%s: a user-supplied string reached the HTML unescaped", tt.name)
		}
		checkSelfContained(t, out)
	}
}

// A rate's change over the draws is in points, other changes and all
// levels in the metric's unit.
func TestPctTriplePoints(t *testing.T) {
	p := uncertainty.Percentiles{P5: -0.05, P50: -0.02, P95: 0.01}
	for _, tt := range []struct {
		unit           string
		signed, points bool
		want           string
	}{
		{"fraction", true, true, "-5.00 pp / -2.00 pp / +1.00 pp"},
		{"fraction", false, false, "-5.00% / -2.00% / 1.00%"},
		{"s", true, false, "-50.0 ms / -20.0 ms / +10.0 ms"},
	} {
		if got := pctTriple(p, tt.unit, tt.signed, tt.points); got != tt.want {
			t.Errorf("pctTriple(%s, signed %v, points %v) = %q, want %q", tt.unit, tt.signed, tt.points, got, tt.want)
		}
	}
}

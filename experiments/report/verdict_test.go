package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
)

func TestVerdict(t *testing.T) {
	p99 := experiments.Change{Metric: "latency_p99_s", Unit: "s", Pairs: 2, A: 10.1, B: 1.15, Ratio: ptr(1.15 / 10.1), RatioCI: &experiments.CI{0.1, 0.13}}
	errs := experiments.Change{Metric: "error_rate", Unit: "fraction", Pairs: 2, A: 0.02, B: 0.009, Diff: -0.011, DiffCI: &experiments.CI{-0.015, -0.007}, Ratio: ptr(0.45), RatioCI: &experiments.CI{0.3, 0.6}}
	cost := experiments.Change{Metric: "cost_usd", Unit: "USD", Pairs: 2, A: 3, B: 2.9, Ratio: ptr(2.9 / 3), RatioCI: &experiments.CI{0.9, 1.05}}
	lock := experiments.Change{Metric: "lock_wait_p99_s", Unit: "s", Pairs: 2, A: 0.715, B: 0, Diff: -0.715, DiffCI: &experiments.CI{-0.9, -0.5}}
	queries := experiments.Change{Metric: "db_queries_per_checkout", Unit: "", Pairs: 2, A: 28.4, B: 8.7, Ratio: ptr(8.7 / 28.4), RatioCI: &experiments.CI{0.29, 0.32}}
	hits := experiments.Change{Metric: "cache_hit_ratio", Unit: "fraction", Pairs: 2, A: 0.93, B: 0.931, Diff: 0.001, DiffCI: &experiments.CI{-0.002, 0.004}, Ratio: ptr(0.931 / 0.93), RatioCI: &experiments.CI{0.99, 1.01}}
	slower := experiments.Change{Metric: "latency_p99_s", Unit: "s", Pairs: 2, A: 1, B: 2, Ratio: ptr(2), RatioCI: &experiments.CI{1.8, 2.2}}
	tests := []struct {
		name       string
		changes    []experiments.Change
		slo        float64
		bottleneck [2]string
		want       []string
		good       bool
	}{
		{"after cuts P99 and errors", []experiments.Change{p99, errs, cost, lock, queries, hits}, 1.5, [2]string{},
			[]string{
				"B (after) cuts P99 latency from 10.1 s to 1.15 s (8.78× faster) and cuts error rate from 2.00% to 0.900% (-1.10 pp).",
				"No clear change in cost per run (3.00 USD → 2.90 USD) (each paired 95% interval includes no change).",
				// the largest moves first: lock wait -100%, then DB queries -69%; the hit ratio did not clearly move
				"The constraint signals that moved most: lock wait P99 715 ms → 0 ms (-715 ms, better); DB queries per checkout 28.4 → 8.70 (69.4% lower, better).",
				"Against the P99 SLO of 1.50 s: A misses it (10.1 s), B meets it (1.15 s).",
			}, true},
		{"a regression and the bottleneck lines", []experiments.Change{slower}, 0, [2]string{"bottleneck: checkout-api (utilisation 99.9%)", "nothing saturated"},
			[]string{
				"B (after) raises P99 latency from 1.00 s to 2.00 s (2.00× slower).",
				"A: bottleneck: checkout-api (utilisation 99.9%)",
				"B: nothing saturated",
			}, false},
	}
	for _, tt := range tests {
		v := newVerdict("after", tt.changes, tt.slo, tt.bottleneck)
		if strings.Join(v.Lines, "\n") != strings.Join(tt.want, "\n") || v.Good != tt.good {
			t.Errorf("%s: verdict\n%s\ngood %v; want\n%s\ngood %v", tt.name, strings.Join(v.Lines, "\n"), v.Good, strings.Join(tt.want, "\n"), tt.good)
		}
	}
}

// Empty sections are left out and the rest numbered in order; the
// verdict heads the summary; the case study is linked when a scenario
// cites it.
func TestReportSectionsNumbered(t *testing.T) {
	ra, rb := reportResults(2)
	base := func() Input {
		a, b := reportResults(2)
		return Input{A: Run{Scenario: testScenario("a", ""), Results: a}, B: Run{Scenario: testScenario("b", ""), Results: b}}
	}
	heads := regexp.MustCompile(`<h2>([^<]*)</h2>`)
	tests := []struct {
		name string
		in   func() Input
		want []string
	}{
		{"no ablation", base, []string{"Summary", "1. Before / after", "2. Latency distribution", "3. Constraint signals over time", "4. Where the P99 goes", "5. Cohorts", "6. Scenario parameters"}},
		{"no ablation and no cohorts", func() Input {
			in := base()
			for _, r := range append(in.A.Results, in.B.Results...) {
				r.Cohorts = nil
			}
			return in
		}, []string{"Summary", "1. Before / after", "2. Latency distribution", "3. Constraint signals over time", "4. Where the P99 goes", "5. Scenario parameters"}},
		{"ablation and robust", func() Input {
			in := base()
			in.Ablation = []AblationRow{{Variant: "A", Changes: []experiments.Change{{Metric: "latency_p99_s", Label: "P99 latency", Unit: "s", Pairs: 2, A: 4, B: 2, Ratio: ptr(0.5)}}}}
			in.Robust = testRobust("a", "b")
			return in
		}, []string{"Summary", "1. Before / after", "2. Latency distribution", "3. Constraint signals over time", "4. Where the P99 goes",
			"5. Ablation: what each group of fixes contributes", "6. Cohorts", "7. Robustness over the uncertain inputs", "8. Scenario parameters"}},
	}
	for _, tt := range tests {
		out := renderTestReport(t, tt.in())
		var got []string
		for _, m := range heads.FindAllStringSubmatch(out, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("%s: sections\n%q\nwant\n%q", tt.name, got, tt.want)
		}
		if strings.Contains(out, `id="ablation-none"`) || strings.Contains(out, "No ablation variants") {
			t.Errorf("%s: an empty ablation section is shown", tt.name)
		}
	}

	in := Input{A: Run{Scenario: testScenario("a", ""), YAML: "# before (docs/case-study.md)\n", Results: ra}, B: Run{Scenario: testScenario("b", ""), Results: rb}, SLOP99S: 2}
	out := renderTestReport(t, in)
	v := regexp.MustCompile(`(?s)<h2>Summary</h2>\n<div class="verdict[^"]*" id="verdict">(.*?)</div>`).FindStringSubmatch(out)
	if v == nil || !strings.Contains(v[1], "B (b) cuts P99 latency from") || !strings.Contains(v[1], "Against the P99 SLO of 2.00 s") {
		t.Errorf("no verdict at the top of the summary, or it lacks the P99 move and the SLO: %q", v)
	}
	if !strings.Contains(out, `<a href="docs/case-study.md" id="case-study">docs/case-study.md</a>`) {
		t.Error("a report of a scenario citing the case study does not link docs/case-study.md")
	}
	if strings.Contains(renderTestReport(t, base()), "case-study") {
		t.Error("a report of scenarios that do not cite the case study links it")
	}
	if !strings.Contains(out, "the dash-dot line the P99 SLO of 2.00 s") {
		t.Error("the signals section does not say where the SLO is drawn")
	}
}

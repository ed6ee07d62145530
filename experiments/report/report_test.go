package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/internal/synth"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

func ptr(v float64) *float64 { return &v }

func TestChangePhrase(t *testing.T) {
	tests := []struct {
		name     string
		c        experiments.Change
		phrase   string
		ci       string
		good     bool
		bad      bool
		judgeSet bool
	}{
		{"faster", experiments.Change{Metric: "latency_p99_s", Unit: "s", Pairs: 5, A: 4, B: 1, Ratio: ptr(0.25), RatioCI: &experiments.CI{0.2, 0.3125}},
			"4.00× faster", "95% CI 3.20× – 5.00×", true, false, true},
		{"slower", experiments.Change{Metric: "latency_p99_s", Unit: "s", Pairs: 5, Ratio: ptr(2), RatioCI: &experiments.CI{1.5, 2.5}},
			"2.00× slower", "95% CI 1.50× – 2.50×", false, true, true},
		// Error rates change in points (the registry's ChangeScale), as
		// in compare's table, whatever their ratio.
		{"fewer errors", experiments.Change{Metric: "error_rate", Unit: "fraction", Pairs: 5, A: 0.05, B: 0.011, Diff: -0.039, DiffCI: &experiments.CI{-0.045, -0.033}, Ratio: ptr(0.22), RatioCI: &experiments.CI{0.1, 0.3}},
			"-3.90 pp", "95% CI [-4.50, -3.30] pp", true, false, true},
		{"more errors, ratio interval straddling 1", experiments.Change{Metric: "error_rate", Unit: "fraction", Pairs: 5, A: 0.01, B: 0.02, Diff: 0.01, DiffCI: &experiments.CI{0.002, 0.018}, Ratio: ptr(2), RatioCI: &experiments.CI{0.9, 3.1}},
			"+1.00 pp", "95% CI [+0.200, +1.80] pp", false, true, true},
		{"interval below 0", experiments.Change{Metric: "cost_usd", Unit: "USD", Pairs: 5, Ratio: ptr(0.05), RatioCI: &experiments.CI{-0.02, 0.12}},
			"95.0% lower", "95% CI 88.0% – 100%", true, false, true},
		{"more throughput", experiments.Change{Metric: "throughput_per_s", Unit: "1/s", Pairs: 5, Ratio: ptr(2.1), RatioCI: &experiments.CI{2, 2.2}},
			"2.10× (+110%)", "95% CI 2.00× – 2.20×", true, false, true},
		{"a little more throughput", experiments.Change{Metric: "throughput_per_s", Unit: "1/s", Pairs: 5, Ratio: ptr(1.06), RatioCI: &experiments.CI{1.05, 1.07}},
			"6.00% higher", "95% CI 5.00% – 7.00%", true, false, true},
		{"no clear change", experiments.Change{Metric: "cost_usd", Unit: "USD", Pairs: 5, Ratio: ptr(0.95), RatioCI: &experiments.CI{0.9, 1.1}},
			"5.00% lower", "95% CI -10.0% to +10.0%", false, false, true},
		{"one replication", experiments.Change{Metric: "cost_usd", Unit: "USD", Pairs: 1, Ratio: ptr(0.71)},
			"29.0% lower", "", true, false, true},
		{"hit ratio in points", experiments.Change{Metric: "cache_hit_ratio", Unit: "fraction", Pairs: 5, A: 0.9, B: 0.95, Diff: 0.05, DiffCI: &experiments.CI{0.04, 0.06}, Ratio: ptr(0.95 / 0.9), RatioCI: &experiments.CI{1.04, 1.07}},
			"+5.00 pp", "95% CI [+4.00, +6.00] pp", true, false, true},
		{"A is zero", experiments.Change{Metric: "lock_wait_p99_s", Unit: "s", Pairs: 5, Diff: 0.002, DiffCI: &experiments.CI{0.001, 0.003}},
			"+2.00 ms", "95% CI [+1.00, +3.00] ms", false, true, true},
		{"zero to zero", experiments.Change{Metric: "lock_wait_p99_s", Unit: "s", Pairs: 5, DiffCI: &experiments.CI{0, 0}},
			"no change", "", false, false, true},
		{"undefined", experiments.Change{Metric: "latency_p99_s", Unit: "s"}, "n/a", "", false, false, false},
	}
	for _, tt := range tests {
		phrase, ci := changePhrase(&tt.c)
		if phrase != tt.phrase || ci != tt.ci {
			t.Errorf("%s: changePhrase = %q, %q; want %q, %q", tt.name, phrase, ci, tt.phrase, tt.ci)
		}
		if !tt.judgeSet {
			continue
		}
		if good, bad := judge(&tt.c); good != tt.good || bad != tt.bad {
			t.Errorf("%s: judge = good %v bad %v, want %v %v", tt.name, good, bad, tt.good, tt.bad)
		}
	}
}

// reportResults are paired synthetic results: B has a quarter of A's
// latency overall, but its "slow-region" cohort got slower and fails
// more; attribution puts A's tail in lock waits and B's in the provider.
func reportResults(reps int) (a, b []*checkout.Result) {
	for rep := range reps {
		jitter := 1 + 0.01*float64(rep)
		ra := synth.Result(rep, 12, 4*jitter, 10)
		rb := synth.Result(rep, 12, 1*jitter, 10)
		ra.Checkout = checkout.Counts{Attempts: 1000, Succeeded: 950, Failed: 50}
		rb.Checkout = checkout.Counts{Attempts: 1000, Succeeded: 990, Failed: 10}
		ra.CostUSD, rb.CostUSD = 10*jitter, 7*jitter
		ra.Cohorts = []checkout.CohortResult{
			cohort("fast-region", 500, 20, 1*jitter), cohort("slow-region", 500, 5, 1*jitter),
		}
		rb.Cohorts = []checkout.CohortResult{
			cohort("fast-region", 500, 2, 0.25*jitter), cohort("slow-region", 500, 40+float64(rep), 3*jitter),
		}
		ra.Attribution = tailAttribution(call.SpanLockWait, 4*jitter)
		rb.Attribution = tailAttribution(call.SpanProvider, 1*jitter)
		a, b = append(a, ra), append(b, rb)
	}
	return a, b
}

func cohort(name string, attempts int64, failed float64, latencyScale float64) checkout.CohortResult {
	h := new(stats.Histogram)
	for i := 1; i <= 200; i++ {
		h.Record(int64(float64(i) * 5e6 * latencyScale))
	}
	return checkout.CohortResult{Name: name, Counts: checkout.Counts{Attempts: attempts, Failed: int64(failed), Succeeded: attempts - int64(failed)}, Latency: h}
}

// tailAttribution puts 10 clicks of latency s in the top bucket, 80% of
// their time in span.
func tailAttribution(span call.Span, s float64) *checkout.Attribution {
	const n = 400
	a := &checkout.Attribution{Count: make([]int64, n), Latency: make([]float64, n), Spans: make([][call.NumSpans]float64, n)}
	a.Count[n-1] = 10
	a.Latency[n-1] = 10 * s
	a.Spans[n-1][span] = 8 * s
	return a
}

func testScenario(name, desc string) *experiments.Scenario {
	sc := experiments.DefaultScenario()
	sc.Name, sc.Description = name, desc
	sc.Duration, sc.Warmup = 120*sim.Second, 20*sim.Second
	return sc
}

func renderTestReport(t *testing.T, in Input) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestWriteReport(t *testing.T) {
	ra, rb := reportResults(4)
	in := Input{
		Seed:  7,
		A:     Run{Scenario: testScenario("flash-sale-before", "the system before"), YAML: "name: flash-sale-before\n", Results: ra},
		B:     Run{Scenario: testScenario("flash-sale-after", "the system after"), YAML: "name: flash-sale-after\n", Sets: []string{"traffic.multiplier=1.2"}, Results: rb},
		Extra: []experiments.Change{{Metric: "sustainable_throughput_per_s", Label: "Sustainable checkout throughput", Better: metric.HigherIsBetter, Unit: "1/s", Pairs: 1, A: 100, B: 210, Ratio: ptr(2.1)}},
		Ablation: []AblationRow{
			{Variant: "A: timeouts, retries, breakers", Changes: []experiments.Change{
				{Metric: "latency_p99_s", Label: "P99 latency", Unit: "s", Pairs: 4, A: 4, B: 2, Ratio: ptr(0.5), RatioCI: &experiments.CI{0.45, 0.55}},
				{Metric: "error_rate", Label: "Error rate", Unit: "fraction", Pairs: 4, A: 0.05, B: 0.02, Diff: -0.03, DiffCI: &experiments.CI{-0.04, -0.02}, Ratio: ptr(0.4), RatioCI: &experiments.CI{0.3, 0.5}},
			}},
			{Variant: "A+B+C", Changes: []experiments.Change{
				{Metric: "error_rate", Label: "Error rate", Unit: "fraction", Pairs: 4, A: 0.05, B: 0.01, Diff: -0.04, DiffCI: &experiments.CI{-0.05, -0.03}, Ratio: ptr(0.2), RatioCI: &experiments.CI{0.1, 0.3}},
			}},
		},
	}
	out := renderTestReport(t, in)
	cs := experiments.CompareResults(in.A.Scenario, in.B.Scenario, 7, ra, rb)
	var p99 experiments.Change
	for _, c := range cs.Change {
		if c.Metric == "latency_p99_s" {
			p99 = c
		}
	}
	phrase, ci := changePhrase(&p99)
	for _, want := range []string{
		"<title>Checkout evidence: flash-sale-before vs flash-sale-after</title>",
		"the system before", "seed 7", "4 paired replications",
		// The before/after table: the P99 row with both values, the change and its interval.
		"<td>P99 latency</td><td class=\"num\">" + output.Human(p99.A, "s"), output.Human(p99.B, "s"), phrase, ci,
		"Sustainable checkout throughput", "2.10× (&#43;110%)", // html/template escapes '+'

		// Every section.
		`id="before-after-table"`, `id="chart-latency-cdf"`, `id="chart-latency-tail"`, `id="chart-p99"`, `id="chart-errors"`, `id="chart-cache-hit-ratio"`,
		`id="chart-lock-wait"`, `id="chart-payment-attempts"`, `id="chart-gateway-attempts"`, `id="chart-backlog"`,
		`id="attribution-table"`, "inventory lock wait", "payment provider",
		`id="ablation-table"`, "A: timeouts, retries, breakers", "2.00× faster", "-4.00 pp",
		`id="cohort-table"`, "fast-region", "slow-region", `<span class="tag bad">regressed</span>`,
		"Cohort regression:</b> slow-region",
		"traffic.multiplier=1.2", "name: flash-sale-after",
		"@font-face{font-family:\"Liberation Sans\"",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	// The ablation row without a P99 change shows a dash in that column.
	if !regexp.MustCompile(`A&#43;B&#43;C</b></td><td class="num">–</td>`).MatchString(out) {
		t.Error("ablation row missing a metric does not show a dash")
	}
	// fast-region improved: it is not flagged.
	if strings.Count(out, `<span class="tag bad">regressed</span>`) != 1 {
		t.Errorf("want exactly one regressed cohort")
	}
	// Self-contained: no script, no external resource.
	checkSelfContained(t, out)

	// Deterministic: the same input gives the same bytes.
	if again := renderTestReport(t, in); again != out {
		t.Error("two renderings of the same input differ")
	}
}

// checkSelfContained fails on scripts, on any URL other than the SVG
// namespaces, and on resources that are not data: URLs.
func checkSelfContained(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(strings.ToLower(out), "<script") {
		t.Error("report contains a script")
	}
	for _, m := range regexp.MustCompile(`(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}[^\s"'<>)]*`).FindAllString(out, -1) {
		if m != "http://www.w3.org/2000/svg" && m != "http://www.w3.org/1999/xlink" {
			t.Errorf("report refers to %q", m)
		}
	}
	for _, m := range regexp.MustCompile(`(?i)(src|href)\s*=\s*"([^"]*)"`).FindAllStringSubmatch(out, -1) {
		// The one link out is to the case study's page in the repository:
		// followed by a reader, never loaded.
		if m[1] == "href" && m[2] == caseStudyDoc {
			continue
		}
		if v := m[2]; !strings.HasPrefix(v, "#") && !strings.HasPrefix(v, "data:") {
			t.Errorf("report loads %s=%q", m[1], v)
		}
	}
}

func TestWriteReportEscapes(t *testing.T) {
	ra, rb := reportResults(2)
	evil := `<script>alert("x")</script>`
	ra[0].Cohorts[0].Name = `<img src=x onerror=alert(1)>`
	rb[0].Cohorts[0].Name = ra[0].Cohorts[0].Name
	in := Input{
		Title: "Q3 & " + evil,
		A:     Run{Scenario: testScenario("a"+evil, evil), YAML: "x: </pre>" + evil, Sets: []string{"name=" + evil}, Results: ra},
		B:     Run{Scenario: testScenario("b", "b"), YAML: "y: 1", Results: rb},
		Ablation: []AblationRow{{Variant: evil, Description: evil, Changes: []experiments.Change{
			{Metric: "error_rate", Label: evil, Unit: "fraction", Pairs: 2, A: 1, B: 1, Ratio: ptr(1)},
		}}},
	}
	out := renderTestReport(t, in)
	if strings.Contains(out, "<script>") || strings.Contains(out, "<img src=x") || strings.Contains(out, "</pre><script") {
		t.Error("a user-supplied string reached the HTML unescaped")
	}
	for _, want := range []string{"Q3 &amp; &lt;script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "x: &lt;/pre&gt;&lt;script&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks the escaped %q", want)
		}
	}
	checkSelfContained(t, out)
}

func TestWriteReportBadInput(t *testing.T) {
	ra, rb := reportResults(2)
	sc := testScenario("a", "")
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{"no scenario", Input{A: Run{Results: ra}, B: Run{Scenario: sc, Results: rb}}, "both scenarios"},
		{"no results", Input{A: Run{Scenario: sc}, B: Run{Scenario: sc, Results: rb}}, "no results (A: 0, B: 2"},
		{"unpaired", Input{A: Run{Scenario: sc, Results: ra[:1]}, B: Run{Scenario: sc, Results: rb}}, "A has 1 replications and B 2"},
		{"nil result", Input{A: Run{Scenario: sc, Results: []*checkout.Result{ra[0], nil}}, B: Run{Scenario: sc, Results: rb}}, "replication 1 has no result"},
	}
	for _, tt := range tests {
		err := Write(&bytes.Buffer{}, tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestWriteReportOneReplication(t *testing.T) {
	ra, rb := reportResults(1)
	out := renderTestReport(t, Input{
		A: Run{Scenario: testScenario("a", ""), Results: ra},
		B: Run{Scenario: testScenario("b", ""), Results: rb},
	})
	for _, want := range []string{"1 paired replication per run", "one replication: no confidence intervals", "by more than 10%"} {
		if !strings.Contains(out, want) {
			t.Errorf("one-replication report lacks %q", want)
		}
	}
	if strings.Contains(out, "95% CI") {
		t.Error("one-replication report shows a confidence interval")
	}
}

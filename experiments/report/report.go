package report

// This file builds the evidence report of `checkoutsim report A B`: one
// self-contained HTML file for leadership and engineering that puts the
// before/after table, the latency distributions, the constraint signals
// over time, the make-up of the P99, the ablation table, the per-cohort
// results and both scenarios' parameters side by side.
//
// The report is computed from the replication results alone, with the
// same metric definitions as compare (the metric registry, PairedChange), so
// its numbers are the ones `checkoutsim compare` prints. It holds no
// timestamp: the same inputs give the same bytes. html.go renders
// it.

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/ablation"
	"github.com/checkoutsim/checkoutsim/experiments/chart"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/tune"
	"github.com/checkoutsim/checkoutsim/experiments/uncertainty"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Input is what Write needs.
type Input struct {
	// Title heads the report; empty: "Checkout evidence: A vs B".
	Title string
	// Seed the runs used (shown in the method note).
	Seed uint64
	// A is the "before" run and B the "after" run. Their results must be
	// paired: A.Results[i] and B.Results[i] from the same seed and
	// replication (common random numbers), as
	// experiments.RunReplications gives them.
	A, B Run
	// Extra rows appended to the before/after table, e.g. the sustainable
	// throughput of two capacity searches: Metric, Label, Unit, A, B and
	// Ratio (and its interval when known) are shown; Better is needed
	// unless Metric is a key of the metric registry.
	Extra []experiments.Change
	// Ablation rows, in display order; empty: the section says none was
	// given.
	Ablation []AblationRow
	// Robust, when set, adds the section "Robustness over the uncertain
	// inputs" (a saved `checkoutsim robust A B -o json` result).
	Robust *uncertainty.Robust
	// Tune, when set, adds the section "Tuned settings" (a saved
	// `checkoutsim tune -o json` result, on any scenario).
	Tune *tune.Result
	// SLOP99S is the checkout P99 SLO in seconds (0: none known): drawn on
	// the latency charts and judged in the verdict.
	SLOP99S float64
}

// Run is one side of the comparison.
type Run struct {
	Scenario *experiments.Scenario
	// YAML is the scenario's source text (the file or the built-in),
	// shown verbatim (escaped) in the parameters section.
	YAML string
	// Sets are the --set overrides applied on top of YAML.
	Sets    []string
	Results []*checkout.Result
}

// AblationRow is one variant of an ablation study: a group of fixes
// applied alone or on top of others, and its effect on each metric as a
// experiments.Change against the baseline (A: baseline, B: the variant),
// e.g. from experiments.CompareResults(before, variant, ...).Change
// filtered to the metrics of interest (AblationRows does this for an
// ablation). The columns are the Labels of the first row's Changes; later
// rows' Changes are matched by Metric.
type AblationRow struct {
	Variant     string
	Description string
	Changes     []experiments.Change
}

// AblationRows are an ablation's variants as report rows.
func AblationRows(a *ablation.Result) []AblationRow {
	var rows []AblationRow
	for _, v := range a.Variants {
		rows = append(rows, AblationRow{Variant: v.Variant, Description: v.Description, Changes: v.Changes})
	}
	return rows
}

// Write writes the evidence report as one HTML document to w.
func Write(w io.Writer, in Input) error {
	r, err := buildReport(in)
	if err != nil {
		return err
	}
	return renderReport(w, r)
}

// overCI is the 95% interval of a metric over results (nil with fewer
// than two replications defining it).
func overCI(results []*checkout.Result, m *metric.Metric) *experiments.CI {
	_, ci := metric.Over(results, m)
	return (*experiments.CI)(ci)
}

// lower reports whether lower values of the change's metric are better:
// its Better (compare takes it from the metric registry), else the
// registry's entry for its key, else lower.
func lower(c *experiments.Change) bool {
	if c.Better == 0 {
		if m, err := metric.Lookup(c.Metric); err == nil {
			return m.Better == metric.LowerIsBetter
		}
	}
	return c.Better != metric.HigherIsBetter
}

// report is the computed content of the report, ready for the template.
type report struct {
	Title        string
	NameA, NameB string
	DescA, DescB string
	Seed         uint64
	Replications int
	DurationMin  string
	MeasuredMin  string
	CI           bool // at least two replication pairs
	Headlines    []headline
	Table        []tableRow
	Percentiles  []percentileRow
	Charts       []reportChart
	CDF, Tail    *reportChart
	AttrA, AttrB attribution
	AttrRows     []attrRow
	AblationCols []string
	Ablation     []ablationRow
	Cohorts      []cohortRow
	Regressions  []string
	YAMLA, YAMLB string
	SetsA, SetsB []string
	FontFace     string // CSS @font-face of the charts' font
	Robust       *robustSection
	Tune         *tuneSection
	Services     *servicesSection
	Verdict      verdict
	SLO          string // the P99 SLO drawn on the charts ("" for none)
	// Sections are the IDs of the numbered sections present, in order;
	// an empty section (no ablation run, no cohorts) is left out.
	Sections []string
	// CaseStudy: a scenario cites docs/case-study.md; the page links it.
	CaseStudy bool
}

// caseStudyDoc is the case study's summary in the repository.
const caseStudyDoc = "docs/case-study.md"

// Num is the number of the section with the given ID ("5."), from the
// sections present; "" for one that is not numbered.
func (r *report) Num(id string) string {
	if i := slices.Index(r.Sections, id); i >= 0 {
		return fmt.Sprintf("%d.", i+1)
	}
	return ""
}

// headline is one big number of the summary.
type headline struct {
	Label, Before, After, Change string
	Good                         bool
	Known                        bool // a change could be computed
}

// tableRow is one row of the before/after table.
type tableRow struct {
	Label, Before, BeforeCI, After, AfterCI, Change, ChangeCI string
	Good, Bad                                                 bool
}

type percentileRow struct{ Label, A, B string }

type reportChart struct {
	ID, Title, Caption string
	SVG                string // inline <svg> element
}

// attribution is one run's P99 make-up: a stacked bar.
type attribution struct {
	Name       string
	ThresholdS string
	MeanS      string
	Clicks     int64
	Bars       []attrBar
	WidthPct   float64 // bar length relative to the longer run's
}

type attrBar struct {
	Span     string
	Color    string
	WidthPct float64 // of the bar
	Title    string
}

type attrRow struct {
	Span, Color string
	A, AShare   string
	B, BShare   string
}

type ablationRow struct {
	Variant, Description string
	Cells                []ablationCell
}

type ablationCell struct {
	Value, Change, CI string
	Good, Bad         bool
}

type cohortRow struct {
	Name                             string
	AttemptsA, AttemptsB             int64
	P99A, P99B, P99Change, P99CI     string
	ErrA, ErrB, ErrChange, ErrCI     string
	Regressed                        bool
	Why                              string
	P99Good, P99Bad, ErrGood, ErrBad bool
}

// buildReport computes everything the report shows.
func buildReport(in Input) (*report, error) {
	if in.A.Scenario == nil || in.B.Scenario == nil {
		return nil, errors.New("report: both scenarios are needed")
	}
	ra, rb := in.A.Results, in.B.Results
	if len(ra) == 0 || len(rb) == 0 {
		return nil, fmt.Errorf("report: no results (A: %d, B: %d replications)", len(ra), len(rb))
	}
	if len(ra) != len(rb) {
		return nil, fmt.Errorf("report: A has %d replications and B %d; they must be paired", len(ra), len(rb))
	}
	for i := range ra {
		if ra[i] == nil || rb[i] == nil {
			return nil, fmt.Errorf("report: replication %d has no result", i)
		}
	}
	a, b := in.A.Scenario, in.B.Scenario
	cs := experiments.CompareResults(a, b, in.Seed, ra, rb)
	r := &report{
		Title: in.Title, NameA: a.Name, NameB: b.Name, DescA: a.Description, DescB: b.Description,
		Seed: in.Seed, Replications: len(ra), CI: len(ra) >= 2,
		DurationMin: output.Sig(a.Duration.Seconds() / 60), MeasuredMin: output.Sig((a.Duration - a.Warmup).Seconds() / 60),
		YAMLA: in.A.YAML, YAMLB: in.B.YAML, SetsA: in.A.Sets, SetsB: in.B.Sets,
	}
	if r.Title == "" {
		r.Title = "Checkout evidence: " + a.Name + " vs " + b.Name
	}
	changes := slices.Clone(cs.Change)
	for _, c := range in.Extra {
		if c.Better == 0 {
			m, err := metric.Lookup(c.Metric)
			if err != nil {
				return nil, fmt.Errorf("report: extra row %q sets no direction (Better) and is not in the metric registry", c.Metric)
			}
			c.Better = m.Better
		}
		changes = append(changes, c)
	}
	for i := range changes {
		c := &changes[i]
		var ciA, ciB *experiments.CI
		if m, err := metric.Lookup(c.Metric); err == nil {
			ciA, ciB = overCI(ra, m), overCI(rb, m)
		}
		r.Table = append(r.Table, newTableRow(c, ciA, ciB))
	}
	for _, m := range []*metric.Metric{metric.LatencyP99, metric.ErrorRate, metric.Throughput, metric.Cost} {
		for i := range changes {
			if changes[i].Metric == m.Key {
				r.Headlines = append(r.Headlines, newHeadline(&changes[i]))
			}
		}
	}
	r.Percentiles = percentileRows(cs.A.Checkout.Latency, cs.B.Checkout.Latency)
	if err := r.addCharts(ra, rb, chart.ScenarioMarks(in.SLOP99S, a, b)); err != nil {
		return nil, err
	}
	r.addAttribution(cs.A.Attribution, cs.B.Attribution)
	r.Services = newServicesSection(cs.A.Bottleneck, cs.B.Bottleneck)
	r.addAblation(in.Ablation)
	r.addCohorts(ra, rb)
	r.Robust, r.Tune = newRobustSection(in.Robust), newTuneSection(in.Tune)
	r.Verdict = newVerdict(b.Name, changes, in.SLOP99S, r.Services.verdicts())
	if in.SLOP99S > 0 {
		r.SLO = output.Human(in.SLOP99S, "s")
	}
	r.Sections = []string{"before-after", "latency", "signals", "attribution"}
	for _, s := range []struct {
		id      string
		present bool
	}{{"services", r.Services != nil}, {"ablation", len(r.Ablation) > 0}, {"cohorts", len(r.Cohorts) > 0}, {"robust", r.Robust != nil}, {"tune", r.Tune != nil}, {"parameters", true}} {
		if s.present {
			r.Sections = append(r.Sections, s.id)
		}
	}
	r.CaseStudy = strings.Contains(in.A.YAML+in.B.YAML, caseStudyDoc)
	face, err := chart.FontFace()
	if err != nil {
		return nil, err
	}
	r.FontFace = face
	return r, nil
}

// judge tells whether a change is an improvement or a regression: only
// when its interval excludes "no change" (ratio 1, difference 0), or,
// without an interval, when the estimate moved at all. A change stated in
// points is judged on its difference.
func judge(c *experiments.Change) (good, bad bool) {
	var up, down bool
	switch {
	case metric.InPoints(c.Metric) && c.DiffCI != nil:
		up, down = c.DiffCI[0] > 0, c.DiffCI[1] < 0
	case metric.InPoints(c.Metric):
		up, down = c.Diff > 0, c.Diff < 0
	case c.Ratio != nil && c.RatioCI != nil:
		up, down = c.RatioCI[0] > 1, c.RatioCI[1] < 1
	case c.Ratio != nil:
		up, down = *c.Ratio > 1, *c.Ratio < 1
	case c.DiffCI != nil:
		up, down = c.DiffCI[0] > 0, c.DiffCI[1] < 0
	default:
		up, down = c.Diff > 0, c.Diff < 0
	}
	if lower(c) {
		return down, up
	}
	return up, down
}

func newTableRow(c *experiments.Change, ciA, ciB *experiments.CI) tableRow {
	row := tableRow{Label: c.Label, Before: output.Human(c.A, c.Unit), After: output.Human(c.B, c.Unit)}
	row.BeforeCI = output.HumanCI(c.A, ciA, c.Unit)
	row.AfterCI = output.HumanCI(c.B, ciB, c.Unit)
	row.Change, row.ChangeCI = changePhrase(c)
	row.Good, row.Bad = judge(c)
	return row
}

func newHeadline(c *experiments.Change) headline {
	h := headline{Label: c.Label, Before: output.Human(c.A, c.Unit), After: output.Human(c.B, c.Unit)}
	h.Change, _ = changePhrase(c)
	h.Known = c.Ratio != nil || c.Pairs > 0
	h.Good, _ = judge(c)
	return h
}

// changePhrase says a change the way the case study's table does:
// "4.2× faster" for latencies, "78% lower" for rates and costs, "2.1×
// (+110%)" for a higher-is-better metric that grew; ci is the paired 95%
// interval in the same terms ("95% CI 3.9× – 4.6×"), or as signed
// percentages when it straddles no change, empty without one. A ratio
// that cannot be formed (A is 0) falls back to the signed difference.
func changePhrase(c *experiments.Change) (phrase, ci string) {
	if c.Ratio == nil {
		if c.Pairs == 0 {
			return "n/a", ""
		}
		if c.Diff == 0 && (c.DiffCI == nil || (c.DiffCI[0] == 0 && c.DiffCI[1] == 0)) {
			return "no change", ""
		}
		phrase, ci = c.Text()
		if ci != "" {
			ci = "95% CI " + ci
		}
		return phrase, ci
	}
	if metric.InPoints(c.Metric) {
		// A ratio such as the error rate or the cache hit ratio: the
		// registry states its change in points, as compare's table does
		// (Change.Text), not as a ratio of ratios.
		if c.Diff == 0 {
			return "no change", ""
		}
		phrase, ci = c.Text()
		if ci != "" {
			ci = "95% CI " + ci
		}
		return phrase, ci
	}
	r := *c.Ratio
	var g func(float64) float64 // the phrase's number
	var unit, word string
	switch {
	case r == 1:
		phrase = "no change"
	case c.Unit == "s" && r > 0 && r < 1:
		g, unit, word = func(r float64) float64 { return 1 / r }, "×", " faster"
	case c.Unit == "s" && r > 1:
		g, unit, word = func(r float64) float64 { return r }, "×", " slower"
	case !lower(c) && r >= 1.5:
		// A multiple reads better than a percentage from 1.5× on: "2.1×".
		g, unit = func(r float64) float64 { return r }, "×"
		word = " (" + output.Signed(psig((r-1)*100)) + "%)"
	case r < 1:
		g, unit, word = func(r float64) float64 { return (1 - r) * 100 }, "%", " lower"
	default:
		g, unit, word = func(r float64) float64 { return (r - 1) * 100 }, "%", " higher"
	}
	if g != nil {
		phrase = psig(g(r)) + unit + word
	}
	if c.RatioCI == nil {
		return phrase, ""
	}
	lo, hi := c.RatioCI[0], c.RatioCI[1]
	if unit == "%" && word == " lower" {
		// A ratio of non-negative values is not below 0: the delta-method
		// interval can reach past it when B is near 0.
		lo = math.Max(lo, 0)
	}
	if g == nil || (lo <= 0 && unit == "×") || (lo < 1 && hi > 1) || (lo-1)*(r-1) < 0 || (hi-1)*(r-1) < 0 {
		pct := func(r float64) string { return output.Signed(psig((r-1)*100)) + "%" }
		return phrase, "95% CI " + pct(lo) + " to " + pct(hi)
	}
	x, y := g(lo), g(hi)
	if x > y {
		x, y = y, x
	}
	return phrase, "95% CI " + psig(x) + unit + " – " + psig(y) + unit
}

// psig is sig after rounding away floating-point dust, so that a
// computed -9.999999999999998 prints as "-10.0", not "-10.00".
func psig(v float64) string { return output.Sig(math.Round(v*1e9) / 1e9) }

func percentileRows(a, b experiments.LatencySummary) []percentileRow {
	f := func(v float64) string { return output.Human(v, "s") }
	return []percentileRow{
		{"P50", f(a.P50), f(b.P50)},
		{"P95", f(a.P95), f(b.P95)},
		{"P99", f(a.P99), f(b.P99)},
		{"P99.9", f(a.P999), f(b.P999)},
		{"Mean", f(a.Mean), f(b.Mean)},
		{"Max", f(a.Max), f(b.Max)},
		{"Clicks answered", fmt.Sprint(a.Count), fmt.Sprint(b.Count)},
	}
}

// spanLabels are readable names of the attribution spans.
var spanLabels = map[string]string{
	"queueing": "waiting for a worker", "cpu": "service CPU", "pool_wait": "waiting for a DB connection",
	"lock_wait": "inventory lock wait", "db": "database statements", "cache_miss": "cache misses",
	"pricing": "pricing rules", "provider": "payment provider", "backoff": "retry backoff",
	"network": "network", "timed_out_wait": "waits on timed-out attempts", "other": "other (gateway, steps)",
}

func spanLabel(s string) string {
	if l, ok := spanLabels[s]; ok {
		return l
	}
	return strings.ReplaceAll(s, "_", " ")
}

// spanColor is a span's colour in the bars, by position in the fixed
// span order (so A and B agree).
func spanColor(i int) string {
	cols := []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#664E3C", "#999999",
		"#332288", "#88CCEE", "#44AA99", "#882255", "#DDCC77"}
	return cols[i%len(cols)]
}

// attrEpsilonS is the mean span time below which a span counts as
// unused: the "other" remainder is a difference of sums and carries
// floating-point dust (1e-11 ms) when nothing is left.
const attrEpsilonS = 1e-9

// sharePct formats a fraction of the tail as a percentage, "<0.1%" when
// it is positive but too small to read.
func sharePct(f float64) string {
	if f > 0 && f < 0.001 {
		return "<0.1%"
	}
	return output.Sig(100*f) + "%"
}

func (r *report) addAttribution(a, b experiments.AttributionSummary) {
	longest := math.Max(a.MeanLatencyS, b.MeanLatencyS)
	mk := func(name string, s experiments.AttributionSummary) attribution {
		at := attribution{Name: name, ThresholdS: output.Human(s.ThresholdS, "s"), MeanS: output.Human(s.MeanLatencyS, "s"), Clicks: s.Clicks}
		if longest > 0 {
			at.WidthPct = 100 * s.MeanLatencyS / longest
		}
		for i, p := range s.Parts {
			if p.Fraction < 0.005 || p.MeanS <= attrEpsilonS {
				continue // too thin to see; in the table
			}
			at.Bars = append(at.Bars, attrBar{
				Span: spanLabel(p.Span), Color: spanColor(i), WidthPct: 100 * p.Fraction,
				Title: spanLabel(p.Span) + ": " + output.Human(p.MeanS, "s") + " (" + output.Sig(100*p.Fraction) + "%)",
			})
		}
		return at
	}
	r.AttrA, r.AttrB = mk(r.NameA, a), mk(r.NameB, b)
	n := max(len(a.Parts), len(b.Parts))
	for i := range n {
		var row attrRow
		row.Color = spanColor(i)
		row.A, row.AShare, row.B, row.BShare = "–", "–", "–", "–"
		used := false
		if i < len(a.Parts) {
			p := a.Parts[i]
			row.Span = spanLabel(p.Span)
			if p.MeanS > attrEpsilonS {
				row.A, row.AShare, used = output.Human(p.MeanS, "s"), sharePct(p.Fraction), true
			}
		}
		if i < len(b.Parts) {
			p := b.Parts[i]
			row.Span = spanLabel(p.Span)
			if p.MeanS > attrEpsilonS {
				row.B, row.BShare, used = output.Human(p.MeanS, "s"), sharePct(p.Fraction), true
			}
		}
		if used {
			r.AttrRows = append(r.AttrRows, row)
		}
	}
}

func (r *report) addAblation(rows []AblationRow) {
	if len(rows) == 0 {
		return
	}
	var keys []string
	for _, c := range rows[0].Changes {
		keys = append(keys, c.Metric)
		r.AblationCols = append(r.AblationCols, c.Label)
	}
	for _, row := range rows {
		ar := ablationRow{Variant: row.Variant, Description: row.Description}
		for _, k := range keys {
			i := slices.IndexFunc(row.Changes, func(c experiments.Change) bool { return c.Metric == k })
			if i < 0 {
				ar.Cells = append(ar.Cells, ablationCell{Value: "–"})
				continue
			}
			c := &row.Changes[i]
			cell := ablationCell{Value: output.Human(c.B, c.Unit)}
			cell.Change, cell.CI = changePhrase(c)
			cell.Good, cell.Bad = judge(c)
			ar.Cells = append(ar.Cells, cell)
		}
		r.Ablation = append(r.Ablation, ar)
	}
}

// cohortRegressionTolerance is how much worse a cohort's estimate may be
// without a confidence interval (one replication) before it is flagged.
const cohortRegressionTolerance = 0.10

// addCohorts compares every cohort's P99 and error rate, paired by
// replication, and flags a cohort that got worse: its paired 95% interval
// lies wholly on the worse side (with one replication: the estimate is
// worse by more than cohortRegressionTolerance, relative for P99 and in
// points of error rate ×100 for errors).
func (r *report) addCohorts(ra, rb []*checkout.Result) {
	var names []string
	for _, rs := range [][]*checkout.Result{ra, rb} {
		for _, res := range rs {
			for _, co := range res.Cohorts {
				if !slices.Contains(names, co.Name) {
					names = append(names, co.Name)
				}
			}
		}
	}
	if len(names) == 0 {
		return // no cohorts: the section is left out
	}
	for _, name := range names {
		find := func(res *checkout.Result) *checkout.CohortResult {
			for i := range res.Cohorts {
				if res.Cohorts[i].Name == name {
					return &res.Cohorts[i]
				}
			}
			return nil
		}
		// the cohort's P99 and error rate: the registry's metrics, read
		// from the cohort's histogram and counts
		p99 := *metric.LatencyP99
		p99.Label, p99.Value = "P99", metric.Quantile(0.99, func(res *checkout.Result) *stats.Histogram {
			if co := find(res); co != nil {
				return co.Latency
			}
			return nil
		})
		errRate := *metric.ErrorRate
		errRate.Value = func(res *checkout.Result) (float64, bool) {
			if co := find(res); co != nil {
				return metric.Div(float64(co.Counts.Failed), float64(co.Counts.Attempts))
			}
			return 0, false
		}
		row := cohortRow{Name: name}
		for i := range ra {
			if co := find(ra[i]); co != nil {
				row.AttemptsA += co.Counts.Attempts
			}
			if co := find(rb[i]); co != nil {
				row.AttemptsB += co.Counts.Attempts
			}
		}
		cp := experiments.PairedChange(&p99, ra, rb)
		ce := experiments.PairedChange(&errRate, ra, rb)
		row.P99A, row.P99B = output.Human(cp.A, "s"), output.Human(cp.B, "s")
		row.P99Change, row.P99CI = changePhrase(&cp)
		row.P99Good, row.P99Bad = judge(&cp)
		row.ErrA, row.ErrB = output.Human(ce.A, "fraction"), output.Human(ce.B, "fraction")
		row.ErrChange, row.ErrCI = changePhrase(&ce)
		row.ErrGood, row.ErrBad = judge(&ce)
		if cp.Pairs == 0 {
			row.P99A, row.P99B, row.P99Change = "n/a", "n/a", "n/a"
		}
		if cp.Pairs > 0 && cohortWorse(&cp, false) {
			row.Regressed, row.Why = true, "P99 "+row.P99Change
		}
		if ce.Pairs > 0 && cohortWorse(&ce, true) {
			why := "error rate " + row.ErrA + " → " + row.ErrB
			if row.Why != "" {
				why = row.Why + "; " + why
			}
			row.Regressed, row.Why = true, why
		}
		if row.Regressed {
			r.Regressions = append(r.Regressions, name)
		}
		r.Cohorts = append(r.Cohorts, row)
	}
}

// cohortWorse reports a significant worsening of a lower-is-better
// metric: the interval (ratio for latency, difference for rates) lies
// above no change; without one, the estimate exceeds the tolerance.
func cohortWorse(c *experiments.Change, rate bool) bool {
	if rate {
		if c.DiffCI != nil {
			return c.DiffCI[0] > 0
		}
		return c.Diff > cohortRegressionTolerance/100
	}
	if c.Ratio == nil {
		return false
	}
	if c.RatioCI != nil {
		return c.RatioCI[0] > 1
	}
	return *c.Ratio > 1+cohortRegressionTolerance
}

package report

// This file builds the report's two optional sections from saved results:
// the robustness of A vs B over the uncertain inputs (a `checkoutsim
// robust A B -o json` result) and the tuned settings (a `checkoutsim tune
// -o json` result). Each is shown only when given.

import (
	"fmt"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/tune"
	"github.com/checkoutsim/checkoutsim/experiments/uncertainty"
)

// robustSection is the robustness section, ready for the template.
type robustSection struct {
	A, B         string
	Samples      int
	Replications int
	Seed         uint64
	Dims         []string // "path range"
	Rows         []robustRow
}

// robustRow is one headline metric over the draws.
type robustRow struct {
	Label        string
	A, B, Change string // "P5 / P50 / P95"
	BBetter      string
	Draws        int
	Good, Bad    bool // B better (worse) in at least 95% of draws
}

// pctTriple formats P5 / P50 / P95 in a metric's unit; signed for changes,
// and in points ("-2.00 pp") for a change the registry states in points.
func pctTriple(p uncertainty.Percentiles, unit string, signed, points bool) string {
	f := func(v float64) string {
		if signed && points {
			return output.Signed(output.Sig(100*v)) + " pp"
		}
		s := output.Human(v, unit)
		if signed {
			s = output.Signed(s)
		}
		return s
	}
	return f(p.P5) + " / " + f(p.P50) + " / " + f(p.P95)
}

// newRobustSection builds the robustness section (nil without a result).
func newRobustSection(r *uncertainty.Robust) *robustSection {
	if r == nil {
		return nil
	}
	s := &robustSection{A: r.A, B: r.B, Samples: r.Samples, Replications: r.Replications, Seed: r.Seed}
	for _, d := range r.Dims {
		s.Dims = append(s.Dims, d.Path+" "+d.Range)
	}
	for _, m := range r.Metrics {
		s.Rows = append(s.Rows, robustRow{
			Label: m.Label, Draws: m.Draws,
			A: pctTriple(m.A, m.Unit, false, false), B: pctTriple(m.B, m.Unit, false, false), Change: pctTriple(m.Change, m.Unit, true, metric.InPoints(m.Metric)),
			BBetter: sharePct(m.BBetter),
			Good:    m.BBetter >= 0.95, Bad: worseShare(&m) >= 0.95,
		})
	}
	return s
}

// worseShare is the fraction of draws in which B is worse than A (ties
// count for neither, as in BBetter); 0 when the per-draw values are absent.
func worseShare(m *uncertainty.MetricRobust) float64 {
	if len(m.ValuesA) == 0 || len(m.ValuesA) != len(m.ValuesB) {
		return 0
	}
	worse := 0
	for i, a := range m.ValuesA {
		b := m.ValuesB[i]
		if (m.Better == metric.LowerIsBetter.String() && b > a) || (m.Better == metric.HigherIsBetter.String() && b < a) {
			worse++
		}
	}
	return float64(worse) / float64(len(m.ValuesA))
}

// tuneSection is the tuned-settings section, ready for the template.
type tuneSection struct {
	Scenario   string
	Objective  string // "minimize checkout.latency_s.p99"
	Conditions []string
	Feasible   bool
	Failure    string
	Set        []string // the best settings as --set lines
	YAML       string
	Rows       []tuneRow // the best, the current settings, the runners-up
	Criteria   []string  // column heads: the objective, then each constraint
	RunsUsed   int
	Simulated  string
}

// tuneRow is one candidate: its score and, per criterion, the estimate in
// each condition.
type tuneRow struct {
	Role     string // "best", "current", "runner-up"
	Set      string
	Score    string
	VsBest   string
	Feasible bool
	Cells    []string // per criterion: "cond: mean [lo, hi] ✓" lines joined
}

// newTuneSection builds the tuned-settings section (nil without a result).
func newTuneSection(r *tune.Result) *tuneSection {
	if r == nil {
		return nil
	}
	dir := "minimize"
	if r.Maximize {
		dir = "maximize"
	}
	s := &tuneSection{
		Scenario: r.Scenario, Objective: dir + " " + r.Objective, Conditions: r.Conditions,
		Feasible: r.Feasible, RunsUsed: r.RunsUsed, Simulated: output.Sig(r.SimulatedS/60) + " min",
	}
	if r.Failure != nil {
		s.Failure = r.Failure.Message()
	}
	if r.Settings != nil {
		s.Set, s.YAML = r.Settings.Set, r.Settings.YAML
	} else if r.Best != nil {
		s.Set = r.Best.Set
	}
	s.Criteria = []string{r.Objective}
	if r.Best != nil {
		for _, c := range r.Best.Constraints {
			s.Criteria = append(s.Criteria, c.Constraint)
		}
	}
	add := func(role string, c *tune.Candidate) {
		s.Rows = append(s.Rows, newTuneRow(role, c, s.Criteria))
	}
	if r.Best != nil {
		add("best", r.Best)
	}
	if r.Current != nil {
		add("current", r.Current)
	}
	for i := range r.RunnersUp {
		add("runner-up", &r.RunnersUp[i])
	}
	return s
}

// newTuneRow is one candidate's row.
func newTuneRow(role string, c *tune.Candidate, criteria []string) tuneRow {
	set := strings.Join(c.Set, " ")
	if len(c.Set) == 0 {
		set = "(the scenario's own settings)"
	}
	row := tuneRow{Role: role, Set: set, Feasible: c.Feasible, Score: estimateText(c.Score, c.ScoreCI)}
	if c.WorstCondition != "" {
		row.Score += " (worst: " + c.WorstCondition + ")"
	}
	if c.VsBest != nil {
		row.VsBest = fmt.Sprintf("[%s, %s]", output.Signed(output.Sig(c.VsBest[0])), output.Signed(output.Sig(c.VsBest[1])))
	}
	row.Cells = append(row.Cells, estimatesText(c.Objective))
	for _, name := range criteria[1:] {
		cell := ""
		for _, cr := range c.Constraints {
			if cr.Constraint == name {
				cell = estimatesText(cr.Conditions)
			}
		}
		row.Cells = append(row.Cells, cell)
	}
	return row
}

// estimateText is a mean with its 95% interval when there is one.
func estimateText(mean float64, ci *tune.CI) string {
	s := output.Sig(mean)
	if ci != nil {
		s += fmt.Sprintf(" [%s, %s]", output.Sig(ci[0]), output.Sig(ci[1]))
	}
	return s
}

// estimatesText lists a metric's estimate per condition, one per line,
// with ✓ or ✗ for constraints.
func estimatesText(es []tune.Estimate) string {
	var lines []string
	for _, e := range es {
		l := e.Condition + ": " + estimateText(e.Mean, e.CI95)
		if e.Holds != nil {
			if *e.Holds {
				l += " ✓"
			} else {
				l += " ✗"
			}
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}

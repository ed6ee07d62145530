package experiments

// This file compares two scenarios run with common random numbers: the
// same seed and the same replication indexes, so replication i of A and of
// B draw the same arrivals, carts and service times from the same named
// streams, and the difference between them is mostly the configuration's
// effect. Each headline metric is reported with the paired 95% intervals
// of stats.Paired (ratio B/A by the delta method, difference by paired t).

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// CompareSummary is the result of `checkoutsim compare A B`.
type CompareSummary struct {
	A      *RunSummary `json:"a"`
	B      *RunSummary `json:"b"`
	Change Changes     `json:"change"`
}

// Change is one headline metric in A and B. A and B are means over the
// replication pairs in which both define the metric (Pairs of them), so
// they can differ slightly from the run summaries' values when some
// replication left it undefined.
type Change struct {
	Metric string `json:"-"`
	Label  string `json:"-"`
	// Better is the direction of improvement (from the metric registry;
	// an extra row of a report sets it itself).
	Better  metric.Direction `json:"-"`
	Unit    string           `json:"unit"`
	Pairs   int              `json:"pairs"`
	A       float64          `json:"a"`
	B       float64          `json:"b"`
	Ratio   *float64         `json:"ratio"`                // B/A; null when A is 0
	RatioCI *CI              `json:"ratio_ci95,omitempty"` // needs >= 2 pairs and A != 0
	Diff    float64          `json:"diff"`                 // B - A
	DiffCI  *CI              `json:"diff_ci95,omitempty"`  // needs >= 2 pairs
}

// Changes are the headline metrics in metric.Headline order. They marshal
// to a JSON object keyed by Metric, keys in that order.
type Changes []Change

// MarshalJSON writes the changes as an ordered JSON object.
func (cs Changes) MarshalJSON() ([]byte, error) {
	var o output.Object
	for _, c := range cs {
		o.Add(c.Metric, c)
	}
	return o.Bytes()
}

// RunPair runs a's and then b's replications 0..reps-1 with the same seed
// (common random numbers), so ra[i] and rb[i] are paired. progress (may be
// nil) counts the simulated time of both (SimMillis).
func RunPair(ctx context.Context, a, b *Scenario, seed uint64, reps, workers int, progress Progress) (ra, rb []*checkout.Result, err error) {
	var pa, pb Progress
	if ta, total := SimMillis(a, reps), SimMillis(a, reps)+SimMillis(b, reps); progress != nil {
		pa = func(done, _ int, _ string) { progress(done, total, a.Name) }
		pb = func(done, _ int, _ string) { progress(ta+done, total, b.Name) }
	}
	if ra, err = RunReplicationsProgress(ctx, a, seed, reps, workers, pa); err != nil {
		return nil, nil, err
	}
	if rb, err = RunReplicationsProgress(ctx, b, seed, reps, workers, pb); err != nil {
		return nil, nil, err
	}
	return ra, rb, nil
}

// CompareResults compares results of a and b, paired by index: ra[i] and
// rb[i] must come from the same seed and replication.
func CompareResults(a, b *Scenario, seed uint64, ra, rb []*checkout.Result) *CompareSummary {
	cs := &CompareSummary{A: Summarize(a, seed, ra), B: Summarize(b, seed, rb)}
	n := min(len(ra), len(rb))
	for _, m := range metric.Headline() {
		cs.Change = append(cs.Change, PairedChange(m, ra[:n], rb[:n]))
	}
	return cs
}

// PairedChange is a metric's change between results ra and rb, paired by
// index (ra[i] and rb[i] from the same seed and replication), with the
// paired 95% intervals.
func PairedChange(m *metric.Metric, ra, rb []*checkout.Result) Change {
	var p stats.Paired
	for i := range min(len(ra), len(rb)) {
		va, okA := m.Value(ra[i])
		vb, okB := m.Value(rb[i])
		if okA && okB {
			p.Add(va, vb)
		}
	}
	return pairedChange(m, &p)
}

// pairedChange turns paired statistics into a Change, leaving out what is
// undefined (JSON has no NaN or infinity).
func pairedChange(m *metric.Metric, p *stats.Paired) Change {
	c := Change{Metric: m.Key, Label: m.Label, Better: m.Better, Unit: string(m.Unit), Pairs: p.N(), A: p.MeanA(), B: p.MeanB()}
	d := p.Diff()
	c.Diff = d.Estimate
	if p.N() >= 2 {
		c.DiffCI = &CI{d.Lo, d.Hi}
	}
	if r := p.Ratio(); !math.IsNaN(r.Estimate) && p.N() > 0 {
		est := r.Estimate
		c.Ratio = &est
		if p.N() >= 2 && !math.IsInf(r.Lo, 0) && !math.IsInf(r.Hi, 0) {
			c.RatioCI = &CI{max(r.Lo, 0), r.Hi} // B/A of values in a unit's Range (never < 0) is >= 0
		}
	}
	return c
}

// WriteJSON writes the comparison as indented JSON (docs/output.md).
func (cs *CompareSummary) WriteJSON(w io.Writer) error { return output.WriteJSON(w, cs) }

// WriteCSV writes one row per headline metric:
// metric,a,b,ratio,ratio_ci_lo,ratio_ci_hi,diff,diff_ci_lo,diff_ci_hi.
func (cs *CompareSummary) WriteCSV(w io.Writer) error {
	rows := [][]string{{"metric", "a", "b", "ratio", "ratio_ci_lo", "ratio_ci_hi", "diff", "diff_ci_lo", "diff_ci_hi"}}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, c := range cs.Change {
		row := []string{c.Metric, f(c.A), f(c.B), "", "", "", f(c.Diff), "", ""}
		if c.Ratio != nil {
			row[3] = f(*c.Ratio)
		}
		if c.RatioCI != nil {
			row[4], row[5] = f(c.RatioCI[0]), f(c.RatioCI[1])
		}
		if c.DiffCI != nil {
			row[7], row[8] = f(c.DiffCI[0]), f(c.DiffCI[1])
		}
		rows = append(rows, row)
	}
	return output.WriteCSV(w, rows)
}

// WriteTable writes the before/after table: Metric | A | B | Change, the
// change as a percentage (B/A - 1) with its paired 95% interval, or as a
// difference when A is 0.
func (cs *CompareSummary) WriteTable(w io.Writer) error {
	return output.Trimmed(w, func(w io.Writer) error {
		note := "paired 95% CI over replications"
		if cs.A.Replications < 2 {
			note = "no CI: one replication"
		}
		if _, err := fmt.Fprintf(w, "compare %s (A) vs %s (B): seed %d, %d replications each, common random numbers (%s)\n\n",
			cs.A.Scenario, cs.B.Scenario, cs.A.Seed, cs.A.Replications, note); err != nil {
			return err
		}
		t := output.NewTable(w)
		t.Line("METRIC", "A: "+cs.A.Scenario, "B: "+cs.B.Scenario, "CHANGE", "95% CI")
		for _, c := range cs.Change {
			change, ci := c.Text()
			t.Line(c.Label, output.Human(c.A, c.Unit), output.Human(c.B, c.Unit), change, ci)
		}
		cs.A.Bottleneck.CompareLines(t, cs.B.Bottleneck)
		return t.Flush()
	})
}

// Text formats the change as "-42.1%" with "[-45.0%, -39.2%]", or as a signed
// difference (points for metric.InPoints, else when the ratio is undefined).
func (c *Change) Text() (change, ci string) {
	if c.Ratio != nil && !metric.InPoints(c.Metric) {
		pct := func(r float64) string {
			x := (r - 1) * 100
			if math.Abs(x) < 1e-9 { // equal up to rounding
				x = 0
			}
			return output.Signed(output.Sig(x)) + "%"
		}
		change = pct(*c.Ratio)
		if c.RatioCI != nil {
			ci = "[" + pct(c.RatioCI[0]) + ", " + pct(c.RatioCI[1]) + "]"
		}
		return change, ci
	}
	if c.Pairs == 0 {
		return "n/a", ""
	}
	scale, suffix := output.Scale(c.Diff, c.Unit)
	if c.Unit == "fraction" {
		suffix = " pp" // a difference of percentages is in percentage points
	}
	change = output.Signed(output.Sig(c.Diff*scale)) + suffix
	if c.DiffCI != nil {
		ci = "[" + output.Signed(output.Sig(c.DiffCI[0]*scale)) + ", " + output.Signed(output.Sig(c.DiffCI[1]*scale)) + "]" + suffix
	}
	return change, ci
}

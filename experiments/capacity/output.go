package capacity

// Output of capacity: JSON (the Result), a table with the answer
// and the curve, and CSV with one row per multiplier tried.

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// Write writes the result in format (table, json or csv).
func (r *Result) Write(w io.Writer, format string) error { return output.Write(w, format, r) }

// WriteJSON writes the result as indented JSON.
func (r *Result) WriteJSON(w io.Writer) error { return output.WriteJSON(w, r) }

// WriteWarnings writes each warning on a line of its own ("capacity:
// warning: ..."), for stderr: the JSON holds them too.
func (r *Result) WriteWarnings(w io.Writer) {
	for _, s := range r.Warnings {
		fmt.Fprintf(w, "capacity: warning: %s\n", s)
	}
}

// WriteTable writes the answer and the explored curve.
func (r *Result) WriteTable(w io.Writer) error {
	return output.Trimmed(w, func(w io.Writer) error {
		judged := "mean over replications"
		if r.JudgedOn == "ci95_upper" {
			judged = "upper end of the 95% interval"
		}
		fmt.Fprintf(w, "Capacity of %s: seed %d, %d replications per multiplier\n", r.Scenario, r.Seed, r.Replications)
		fmt.Fprintf(w, "SLO: P99 <= %s and error rate <= %s, judged on the %s; tolerance %s\n\n",
			output.HumanLimit(r.SLOP99S, "s"), output.HumanLimit(r.MaxErrorRate, "fraction"), judged, output.Human(r.Tolerance, "fraction"))
		kneeNote := "95% CI: bootstrap over replications"
		if r.SustainableMultiplierCI == nil {
			kneeNote = "no CI: needs 2 or more replications"
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "Sustainable multiplier\t%s\t%s\tfails at %s; %s\n", multiplier(r.SustainableMultiplier),
			ciText(r.SustainableMultiplierCI, multiplier), multiplier(r.FailingMultiplier), kneeNote)
		fmt.Fprintf(tw, "Offered checkouts/s there\t%s\t%s\t\n", output.Human(r.SustainableOfferedPerS, "1/s"),
			output.HumanCI(r.SustainableOfferedPerS, r.SustainableOfferedPerSCI, "1/s"))
		fmt.Fprintf(tw, "Sustainable checkouts/s\t%s\t%s\tthroughput measured there\n", output.Human(r.SustainableCheckoutsPerS, "1/s"),
			output.HumanCI(r.SustainableCheckoutsPerS, r.SustainableCheckoutsPerSCI, "1/s"))
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join([]string{"Multiplier", "Offered/s", "P99", "P99 95% CI", "Errors", "Errors 95% CI", "Checkouts/s", "SLO"}, "\t"))
		// With --strict the intervals' upper ends are judged: they get the
		// digits that tell them from the SLO.
		p99CI, errCI := output.HumanCI[experiments.CI], output.HumanCI[experiments.CI]
		if r.JudgedOn == "ci95_upper" {
			p99CI = func(v float64, ci *experiments.CI, unit string) string {
				return output.HumanCIVs(v, ci, r.SLOP99S, unit)
			}
			errCI = func(v float64, ci *experiments.CI, unit string) string {
				return output.HumanCIVs(v, ci, r.MaxErrorRate, unit)
			}
		}
		for _, p := range r.Curve {
			verdict := "fail"
			if p.Pass {
				verdict = "pass"
			}
			fmt.Fprintln(tw, strings.Join([]string{
				multiplier(p.Multiplier), output.Human(p.OfferedPerS, "1/s"),
				output.HumanVs(p.P99S, r.SLOP99S, "s"), p99CI(p.P99S, p.P99SCI, "s"),
				output.HumanVs(p.ErrorRate, r.MaxErrorRate, "fraction"), errCI(p.ErrorRate, p.ErrorRateCI, "fraction"),
				output.Human(p.ThroughputPerS, "1/s"), verdict}, "\t"))
		}
		return tw.Flush()
	})
}

// multiplier is a multiplier as the table shows it (6 significant digits).
func multiplier(m float64) string { return strconv.FormatFloat(m, 'g', 6, 64) }

// ciText is "[lo, hi]" with each end formatted by f; "" without an interval.
func ciText(ci *experiments.CI, f func(float64) string) string {
	if ci == nil {
		return ""
	}
	return "[" + f(ci[0]) + ", " + f(ci[1]) + "]"
}

// WriteCSV writes one record per multiplier tried, sorted by multiplier,
// numbers in full precision; the sustainable point has sustainable=true
// and the knee's 95% interval (empty on the other rows).
func (r *Result) WriteCSV(w io.Writer) error {
	records := [][]string{{"multiplier", "offered_checkouts_per_s", "p99_s", "p99_s_ci_lo", "p99_s_ci_hi",
		metric.ErrorRate.Key, metric.ErrorRate.Key + "_ci_lo", metric.ErrorRate.Key + "_ci_hi",
		metric.Throughput.Key, metric.Throughput.Key + "_ci_lo", metric.Throughput.Key + "_ci_hi", "completed", "pass", "sustainable", "sustainable_multiplier_ci_lo", "sustainable_multiplier_ci_hi"}}
	ci := func(c *experiments.CI) (string, string) {
		if c == nil {
			return "", ""
		}
		return output.Float(c[0]), output.Float(c[1])
	}
	for _, p := range r.Curve {
		pl, ph := ci(p.P99SCI)
		el, eh := ci(p.ErrorRateCI)
		tl, th := ci(p.ThroughputPerSCI)
		sustainable := p.Multiplier == r.SustainableMultiplier
		kl, kh := "", ""
		if sustainable {
			kl, kh = ci(r.SustainableMultiplierCI)
		}
		records = append(records, []string{output.Float(p.Multiplier), output.Float(p.OfferedPerS),
			output.Float(p.P99S), pl, ph, output.Float(p.ErrorRate), el, eh, output.Float(p.ThroughputPerS), tl, th,
			strconv.FormatInt(p.Completed, 10), strconv.FormatBool(p.Pass), strconv.FormatBool(sustainable), kl, kh})
	}
	return output.WriteCSV(w, records)
}

// MarshalJSON writes a point, keys in field order; the error rate and the
// throughput under their registry keys.
func (p Point) MarshalJSON() ([]byte, error) {
	var o output.Object
	o.Add("multiplier", p.Multiplier)
	o.Add("offered_checkouts_per_s", p.OfferedPerS)
	o.Add("p99_s", p.P99S)
	o.Add("p99_s_ci95", p.P99SCI)
	o.Add(metric.ErrorRate.Key, p.ErrorRate)
	o.Add(metric.ErrorRate.Key+"_ci95", p.ErrorRateCI)
	o.Add(metric.Throughput.Key, p.ThroughputPerS)
	o.Add(metric.Throughput.Key+"_ci95", p.ThroughputPerSCI)
	o.Add("completed", p.Completed)
	o.Add("pass", p.Pass)
	return o.Bytes()
}

package experiments

// Output of capacity: JSON (the CapacityResult), a table with the answer
// and the curve, and CSV with one row per multiplier tried.

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Write writes the result in format (table, json or csv).
func (r *CapacityResult) Write(w io.Writer, format string) error {
	switch format {
	case FormatJSON:
		return writeJSON(w, r)
	case FormatCSV:
		return r.WriteCSV(w)
	case FormatTable:
		return r.WriteTable(w)
	}
	return CheckFormat(format)
}

// WriteTable writes the answer and the explored curve.
func (r *CapacityResult) WriteTable(w io.Writer) error {
	return writeTrimmed(w, func(w io.Writer) error {
		judged := "mean over replications"
		if r.JudgedOn == "ci95_upper" {
			judged = "upper end of the 95% interval"
		}
		fmt.Fprintf(w, "Capacity of %s: seed %d, %d replications per multiplier\n", r.Scenario, r.Seed, r.Replications)
		fmt.Fprintf(w, "SLO: P99 <= %s and error rate <= %s, judged on the %s; tolerance %s\n\n",
			human(r.SLOP99S, "s"), human(r.MaxErrorRate, "fraction"), judged, human(r.Tolerance, "fraction"))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "Sustainable multiplier\t%s\t(fails at %s)\n", strconv.FormatFloat(r.SustainableMultiplier, 'g', 6, 64),
			strconv.FormatFloat(r.FailingMultiplier, 'g', 6, 64))
		fmt.Fprintf(tw, "Sustainable checkouts/s\t%s\t%s\n", human(r.SustainableCheckoutsPerS, "1/s"),
			humanCI(r.SustainableCheckoutsPerS, r.SustainableCheckoutsPerSCI, "1/s"))
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join([]string{"Multiplier", "Offered/s", "P99", "P99 95% CI", "Errors", "Errors 95% CI", "Checkouts/s", "SLO"}, "\t"))
		for _, p := range r.Curve {
			verdict := "fail"
			if p.Pass {
				verdict = "pass"
			}
			fmt.Fprintln(tw, strings.Join([]string{
				strconv.FormatFloat(p.Multiplier, 'g', 6, 64), human(p.OfferedPerS, "1/s"),
				human(p.P99S, "s"), humanCI(p.P99S, p.P99SCI, "s"),
				human(p.ErrorRate, "fraction"), humanCI(p.ErrorRate, p.ErrorRateCI, "fraction"),
				human(p.ThroughputPerS, "1/s"), verdict}, "\t"))
		}
		return tw.Flush()
	})
}

// WriteCSV writes one record per multiplier tried, sorted by multiplier,
// numbers in full precision; the sustainable point has sustainable=true.
func (r *CapacityResult) WriteCSV(w io.Writer) error {
	records := [][]string{{"multiplier", "offered_checkouts_per_s", "p99_s", "p99_s_ci_lo", "p99_s_ci_hi",
		"error_rate", "error_rate_ci_lo", "error_rate_ci_hi", "throughput_per_s", "throughput_per_s_ci_lo",
		"throughput_per_s_ci_hi", "completed", "pass", "sustainable"}}
	ci := func(c *CI) (string, string) {
		if c == nil {
			return "", ""
		}
		return formatFloat(c[0]), formatFloat(c[1])
	}
	for _, p := range r.Curve {
		pl, ph := ci(p.P99SCI)
		el, eh := ci(p.ErrorRateCI)
		tl, th := ci(p.ThroughputPerSCI)
		records = append(records, []string{formatFloat(p.Multiplier), formatFloat(p.OfferedPerS),
			formatFloat(p.P99S), pl, ph, formatFloat(p.ErrorRate), el, eh, formatFloat(p.ThroughputPerS), tl, th,
			strconv.FormatInt(p.Completed, 10), strconv.FormatBool(p.Pass),
			strconv.FormatBool(p.Multiplier == r.SustainableMultiplier)})
	}
	return writeCSVRecords(w, records)
}

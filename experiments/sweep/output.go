package sweep

// Output of sweep and merge: JSON (the Result itself, the only format
// that can be resumed or merged), a human table with one line per point,
// and CSV with one row per point; the metric columns are the registry's
// (experiments/metric), in its order.

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
)

// Write writes the result in format (table, json or csv).
func (r *Result) Write(w io.Writer, format string) error { return output.Write(w, format, r) }

// WriteJSON writes the result as indented JSON: the only format that can
// be resumed or merged.
func (r *Result) WriteJSON(w io.Writer) error { return output.WriteJSON(w, r) }

// WriteTable writes a title, one line per computed point (values to 3
// significant digits; P99 with its 95% interval) and, for an incomplete
// result, the points still missing.
func (r *Result) WriteTable(w io.Writer) error {
	return output.Trimmed(w, func(w io.Writer) error {
		g := &r.Grid
		var names []string
		for _, p := range g.Params {
			names = append(names, p.Path)
		}
		title := fmt.Sprintf("Sweep of %s: %d points (%s), seed %d, %d replications",
			g.Scenario, r.Points, strings.Join(names, " x "), g.Seed, g.Replications)
		if r.Shard != nil {
			title += ", shard " + r.Shard.String()
		}
		if _, err := fmt.Fprintf(w, "%s\n\n", title); err != nil {
			return err
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head := append([]string{"#"}, names...)
		for _, m := range metric.All() {
			head = append(head, m.Column)
			if m == metric.LatencyP99 {
				head = append(head, m.Column+" 95% CI")
			}
		}
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		for _, row := range r.Rows {
			cells := append([]string{strconv.Itoa(row.Index)}, row.Values...)
			for _, m := range metric.All() {
				e := row.Metrics.Get(m)
				cells = append(cells, output.Human(e.Mean, string(m.Unit)))
				if m == metric.LatencyP99 {
					cells = append(cells, output.HumanCI(e.Mean, e.CI, string(m.Unit)))
				}
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(r.Pending) > 0 {
			noun := "points"
			if len(r.Pending) == 1 {
				noun = "point"
			}
			_, err := fmt.Fprintf(w, "\n%d %s not computed yet: %s\n", len(r.Pending), noun, shard.IntList(r.Pending, 20))
			return err
		}
		return nil
	})
}

// WriteCSV writes a header and one record per computed point: index, the
// parameter values (columns named by path), seed, replications, the counts,
// then for each metric its value and 95% interval (key, key_ci_lo,
// key_ci_hi; empty without an interval). Numbers are in full precision.
func (r *Result) WriteCSV(w io.Writer) error {
	head := []string{"index"}
	for _, p := range r.Grid.Params {
		head = append(head, p.Path)
	}
	head = append(head, "seed", "replications", "attempts", "succeeded", "failed", "abandoned")
	for _, m := range metric.All() {
		head = append(head, m.Key, m.Key+"_ci_lo", m.Key+"_ci_hi")
	}
	head = append(head, "max_backlog")
	records := [][]string{head}
	for _, row := range r.Rows {
		m := &row.Metrics
		rec := append([]string{strconv.Itoa(row.Index)}, row.Values...)
		rec = append(rec, strconv.FormatUint(row.Seed, 10), strconv.Itoa(row.Replications),
			strconv.FormatInt(m.Attempts, 10), strconv.FormatInt(m.Succeeded, 10),
			strconv.FormatInt(m.Failed, 10), strconv.FormatInt(m.Abandoned, 10))
		for _, mt := range metric.All() {
			e := m.Get(mt)
			lo, hi := "", ""
			if e.CI != nil {
				lo, hi = output.Float(e.CI[0]), output.Float(e.CI[1])
			}
			rec = append(rec, output.Float(e.Mean), lo, hi)
		}
		rec = append(rec, strconv.Itoa(m.MaxBacklog))
		records = append(records, rec)
	}
	return output.WriteCSV(w, records)
}

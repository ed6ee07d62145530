package uncertainty

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
)

// WriteJSON writes v (a Sensitivity or Robust) as indented JSON.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// fmtVal prints a metric value in its unit.
func fmtVal(v float64, unit string) string {
	switch unit {
	case "s":
		if math.Abs(v) < 1 {
			return fmt.Sprintf("%.0f ms", v*1000)
		}
		return fmt.Sprintf("%.2f s", v)
	case "fraction":
		return fmt.Sprintf("%.2f%%", 100*v)
	case "USD":
		return fmt.Sprintf("%.2f USD", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// WriteSensitivityTable prints, per metric, the tornado (inputs by swing)
// and, with trajectories, the Morris ranking.
func WriteSensitivityTable(w io.Writer, s *Sensitivity) error {
	fmt.Fprintf(w, "Sensitivity of %s (seed %d, replications per run: %d, common random numbers)\n", s.Scenario, s.Seed, s.Replications)
	fmt.Fprintf(w, "Each uncertain input at its low and high end, the others at the scenario's values.\n")
	for _, m := range s.Metrics {
		fmt.Fprintf(w, "\n%s: %s at the scenario's values\n", m.Label, fmtVal(m.Base, m.Unit))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  Input\tLow\tHigh\tAt low\tAt high\tSwing\t")
		for _, b := range m.Tornado {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t\n", b.Path, b.Low, b.High, fmtVal(b.AtLow, m.Unit), fmtVal(b.AtHigh, m.Unit), fmtVal(b.Swing, m.Unit))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if len(m.Morris) > 0 {
			fmt.Fprintf(w, "  Morris screening (%d trajectories; effect of moving the input across its whole range):\n", s.Trajectories)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "  Input\tmu*\tmu\tsigma\teffects\t")
			for _, e := range m.Morris {
				fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t\n", e.Path, fmtVal(e.MuStar, m.Unit), fmtVal(e.Mu, m.Unit), fmtVal(e.Sigma, m.Unit), e.Effects)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// WriteRobustTable prints, per metric, the P5/P50/P95 of A, B and the
// change over the draws, and the fraction of draws in which B is better.
func WriteRobustTable(w io.Writer, r *Robust) error {
	fmt.Fprintf(w, "Robust comparison of %s (A) and %s (B): %d Latin-hypercube draws of %d shared uncertain inputs\n",
		r.A, r.B, r.Samples, len(r.Dims))
	fmt.Fprintf(w, "(seed %d, replications per run: %d, A and B under each draw with common random numbers)\n", r.Seed, r.Replications)
	var paths []string
	for _, d := range r.Dims {
		paths = append(paths, d.Path+" "+d.Range)
	}
	fmt.Fprintf(w, "Inputs: %s\n\n", strings.Join(paths, "; "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Metric\tA median [P5, P95]\tB median [P5, P95]\tChange median [P5, P95]\tB better\t")
	for _, m := range r.Metrics {
		rel := fmt.Sprintf("%+.1f%% [%+.1f, %+.1f]", 100*m.RelChange.P50, 100*m.RelChange.P5, 100*m.RelChange.P95)
		if metric.InPoints(m.Metric) { // a rate: B - A in points, as compare and the report state it
			rel = fmt.Sprintf("%+.3g pp [%+.3g, %+.3g]", 100*m.Change.P50, 100*m.Change.P5, 100*m.Change.P95)
		}
		fmt.Fprintf(tw, "%s\t%s [%s, %s]\t%s [%s, %s]\t%s\t%.0f%% of %d\t\n", m.Label,
			fmtVal(m.A.P50, m.Unit), fmtVal(m.A.P5, m.Unit), fmtVal(m.A.P95, m.Unit),
			fmtVal(m.B.P50, m.Unit), fmtVal(m.B.P5, m.Unit), fmtVal(m.B.P95, m.Unit),
			rel, 100*m.BBetter, m.Draws)
	}
	return tw.Flush()
}

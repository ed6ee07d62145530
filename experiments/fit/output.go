package fit

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"

	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Source says where fitted samples came from, for the output.
type Source struct {
	File, Column, Unit string
}

// EmpiricalSpec returns the compact form of the empirical distribution that
// reads column of file in unit (s, ms or us), as dist.Parse accepts it. The
// file name is written as given: in a scenario it is resolved against the
// scenario file's directory.
func EmpiricalSpec(file, column, unit string) string {
	return "empirical(file=" + strconv.Quote(file) + ", column=" + strconv.Quote(column) + ", unit=" + unit + ")"
}

// ScenarioLine is the line to paste into a scenario for fit f, e.g.
// "latency: lognormal(median=0.12, p99=0.49)".
func ScenarioLine(f dist.Fit) string { return "latency: " + f.Dist.String() }

// WriteTable prints the fits as a table, best first, with the sample's
// summary above and how to read D below.
func WriteTable(w io.Writer, src Source, r *dist.FitResult) error {
	fmt.Fprintf(w, "%s, column %s: %d samples (unit %s), in seconds:\n", src.File, src.Column, r.N, src.Unit)
	fmt.Fprintf(w, "  min %s  median %s  mean %s  p99 %s  max %s\n\n", g4(r.Min), g4(r.Median), g4(r.Mean), g4(r.P99), g4(r.Max))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "rank\tfamily\tKS D\tp-value\tmean\tp99\tscenario line")
	for i, f := range r.Fits {
		rank, p := strconv.Itoa(i+1), fmtP(f.PValue)
		if f.Family == dist.FamilyEmpirical {
			rank = "-"
		}
		q, _ := dist.QuantileOf(f.Dist, 0.99)
		fmt.Fprintf(tw, "%s\t%s\t%.4f\t%s\t%s\t%s\t%s\n", rank, f.Family, f.KS, p, g4(f.Dist.Mean()), g4(q), ScenarioLine(f))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	best := r.Best()
	_, err := fmt.Fprintf(w, `
Best parametric fit: %s (smallest D). Paste its line into a scenario, e.g.
  --set 'payments.providers[0].latency=%s'
D is the largest gap between the sample's CDF and the fit's; compare the
fits' p99 with the sample's, since D is least sensitive in the tail.
p-values assume the parameters were known in advance; fitted to these
samples, the true p-values are smaller (Lilliefors). The empirical line
replays the file itself (D near 0 by construction: not a test).
`, best.Family, best.Dist.String())
	return err
}

// g4 prints v with 4 significant digits.
func g4(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// fmtP prints a p-value: "-" when undefined, "<0.0001" when tiny.
func fmtP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "-"
	case p < 0.0001:
		return "<0.0001"
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}

// jsonFit is the JSON form of a fit result; keys in this order.
type jsonFit struct {
	File    string `json:"file"`
	Column  string `json:"column"`
	Unit    string `json:"unit"`
	Samples int    `json:"samples"`
	Summary struct {
		Min    float64 `json:"min_s"`
		Median float64 `json:"median_s"`
		Mean   float64 `json:"mean_s"`
		P99    float64 `json:"p99_s"`
		Max    float64 `json:"max_s"`
	} `json:"summary"`
	Best string     `json:"best"`
	Fits []jsonItem `json:"fits"`
}

type jsonItem struct {
	Family string  `json:"family"`
	KS     float64 `json:"ks_d"`
	// PValue is null for the empirical fit.
	PValue *float64 `json:"ks_p_value"`
	// Params: a JSON object; encoding/json writes map keys sorted.
	Params       map[string]float64 `json:"params"`
	Mean         float64            `json:"mean_s"`
	P99          float64            `json:"p99_s"`
	Dist         string             `json:"dist"`
	ScenarioLine string             `json:"scenario_line"`
}

// WriteJSON writes the fits as indented JSON:
//
//	{"file", "column", "unit", "samples",
//	 "summary": {"min_s", "median_s", "mean_s", "p99_s", "max_s"},
//	 "best": family,
//	 "fits": [{"family", "ks_d", "ks_p_value" (null for empirical),
//	           "params": {name: value}, "mean_s", "p99_s",
//	           "dist" (scenario syntax), "scenario_line"}, ...]}
//
// with the fits in the table's order (parametric by D, then empirical).
func WriteJSON(w io.Writer, src Source, r *dist.FitResult) error {
	var out jsonFit
	out.File, out.Column, out.Unit, out.Samples = src.File, src.Column, src.Unit, r.N
	out.Summary.Min, out.Summary.Median, out.Summary.Mean, out.Summary.P99, out.Summary.Max = r.Min, r.Median, r.Mean, r.P99, r.Max
	out.Best = r.Best().Family
	for _, f := range r.Fits {
		it := jsonItem{Family: f.Family, KS: f.KS, Params: map[string]float64{}, Mean: f.Dist.Mean(), Dist: f.Dist.String(), ScenarioLine: ScenarioLine(f)}
		if !math.IsNaN(f.PValue) {
			p := f.PValue
			it.PValue = &p
		}
		for _, p := range f.Params {
			it.Params[p.Name] = p.Value
		}
		it.P99, _ = dist.QuantileOf(f.Dist, 0.99)
		out.Fits = append(out.Fits, it)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

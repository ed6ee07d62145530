package verify

// This file is the engine's analytic validation (checkoutsim verify): it
// runs sim/queueing's validation grid and renders the results as a table
// or as JSON.

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/sim/queueing"
)

// Params are a model's parameters in their fixed order. They
// marshal to a JSON object whose keys keep that order ({"lambda": ...,
// "mu": ..., "c": ...}), so the output is byte-identical across runs.
type Params []queueing.Param

// MarshalJSON writes the parameters as an ordered JSON object.
func (ps Params) MarshalJSON() ([]byte, error) {
	var o output.Object
	for _, p := range ps {
		o.Add(p.Name, p.Value)
	}
	return o.Bytes()
}

// String formats the parameters as "lambda=4 mu=1 c=5".
func (ps Params) String() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Name + "=" + strconv.FormatFloat(p.Value, 'g', -1, 64)
	}
	return strings.Join(parts, " ")
}

// Case is one row of the verification report.
type Case struct {
	Model     string     `json:"model"`
	Params    Params     `json:"params"`
	Metric    string     `json:"metric"`
	Analytic  float64    `json:"analytic"`
	Simulated float64    `json:"simulated"`
	CI95      [2]float64 `json:"ci95"`
	Pass      bool       `json:"pass"`
}

// Report is the result of Verify.
type Report struct {
	Seed         uint64 `json:"-"`
	Replications int    `json:"-"`
	Cases        []Case `json:"cases"`
}

// Failures returns the number of cases that did not pass.
func (r Report) Failures() int {
	n := 0
	for _, c := range r.Cases {
		if !c.Pass {
			n++
		}
	}
	return n
}

// Verify runs the built-in validation grid (queueing.Cases) with the given
// seed and number of replications per case.
func Run(seed uint64, replications int) (Report, error) {
	return Cases(queueing.Cases(), seed, replications)
}

// Cases runs the given validation cases.
func Cases(cases []queueing.Case, seed uint64, replications int) (Report, error) {
	rs, err := queueing.RunAll(cases, seed, replications)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Seed: seed, Replications: replications, Cases: make([]Case, len(rs))}
	for i, r := range rs {
		rep.Cases[i] = Case{
			Model: r.Case.Model, Params: Params(r.Case.Params()), Metric: r.Case.Metric,
			Analytic: r.Analytic, Simulated: r.Simulated, CI95: r.CI95, Pass: r.Pass,
		}
	}
	return rep, nil
}

// WriteJSON writes {"cases": [...]} indented, with a final newline. A
// value that JSON cannot represent (NaN, infinity) is an error rather than
// silently changed.
func (r Report) WriteJSON(w io.Writer) error {
	for _, c := range r.Cases {
		for _, x := range []float64{c.Analytic, c.Simulated, c.CI95[0], c.CI95[1]} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("verify: case %s %s %s has a non-finite value %v", c.Model, c.Params, c.Metric, x)
			}
		}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// WriteTable writes a human-readable table and a one-line summary.
func (r Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tPARAMS\tMETRIC\tANALYTIC\tSIMULATED\t95% CI\tVERDICT")
	for _, c := range r.Cases {
		verdict := "PASS"
		if !c.Pass {
			verdict = "FAIL"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t[%s, %s]\t%s\n", c.Model, c.Params, c.Metric,
			num(c.Analytic), num(c.Simulated), num(c.CI95[0]), num(c.CI95[1]), verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%d of %d cases pass (seed %d, %d replications per case; verdict: analytic value inside the %.1f%% interval, Little's law error below %g%%)\n",
		len(r.Cases)-r.Failures(), len(r.Cases), r.Seed, r.Replications, 100*queueing.VerdictLevel, 100*queueing.LittleTolerance)
	return err
}

func num(x float64) string { return strconv.FormatFloat(x, 'g', 5, 64) }

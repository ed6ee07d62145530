package tune

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// Write writes the result as table, json or csv.
func (r *Result) Write(w io.Writer, format string) error {
	switch format {
	case output.JSON:
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(b, '\n'))
		return err
	case output.CSV:
		return r.WriteCSV(w)
	case output.Table:
		return r.WriteTable(w)
	}
	return output.Check(format)
}

func direction(maximize bool) string {
	if maximize {
		return "maximize"
	}
	return "minimize"
}

func ciString(mean float64, ci *CI) string {
	if ci == nil {
		return fmt.Sprintf("%.4g", mean)
	}
	return fmt.Sprintf("%.4g [%.4g, %.4g]", mean, ci[0], ci[1])
}

// WriteTable writes the answer for a reader.
func (r *Result) WriteTable(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "tune %s: %s %s, worst case over conditions %s\n", r.Scenario, direction(r.Maximize), r.Objective, strings.Join(r.Conditions, ", "))
	var cons []string
	for _, c := range r.Spec.Constraints {
		cons = append(cons, c.String())
	}
	if len(cons) > 0 {
		fmt.Fprintf(&b, "constraints (in every condition, at the far end of the 95%% interval): %s\n", strings.Join(cons, ", "))
	}
	var st []string
	for _, s := range r.Stages {
		st = append(st, fmt.Sprintf("%s %d candidates x %d rep of %s (seed %d)", s.Name, s.Candidates, s.Replications, simSeconds(s.DurationS), s.Seed))
	}
	fmt.Fprintf(&b, "search: %s\nruns used: %d, simulated time %s\n", strings.Join(st, "; "), r.RunsUsed, simSeconds(r.SimulatedS))
	if !r.Complete {
		fmt.Fprintf(&b, "\nINCOMPLETE: %d evaluations so far (a checkpoint or a shard's part file)\n", len(r.Evaluations))
		_, err := w.Write(b.Bytes())
		return err
	}
	if r.Best == nil {
		fmt.Fprintf(&b, "\n%s\n", r.Failure.Message())
	} else {
		fmt.Fprintf(&b, "\nBEST: candidate %d, %s %s, worst case per replication (worst mean in %s)\n", r.Best.Index, r.Objective, ciString(r.Best.Score, r.Best.ScoreCI), r.Best.WorstCondition)
		writeCandidate(&b, r, r.Best)
	}
	if r.Current != nil {
		fmt.Fprintf(&b, "\nCURRENT SETTINGS: %s %s, worst case per replication (worst mean in %s)", r.Objective, ciString(r.Current.Score, r.Current.ScoreCI), r.Current.WorstCondition)
		if !r.Current.Feasible {
			b.WriteString(", breaks a constraint")
		}
		if r.Current.VsBest != nil {
			fmt.Fprintf(&b, "; current - best: [%.4g, %.4g]", r.Current.VsBest[0], r.Current.VsBest[1])
		}
		b.WriteString("\n")
		writeCandidate(&b, r, r.Current)
	}
	if r.Best != nil {
		fmt.Fprintf(&b, "\nRUNNERS-UP (feasible, not distinguishable from the best at 95%%): %d\n", len(r.RunnersUp))
		for _, c := range r.RunnersUp {
			fmt.Fprintf(&b, "  candidate %d: %s (%s); minus best [%.4g, %.4g]: %s\n", c.Index, ciString(c.Score, c.ScoreCI), c.WorstCondition, c.VsBest[0], c.VsBest[1], strings.Join(c.Set, " "))
		}
	}
	for _, p := range r.Pareto {
		fmt.Fprintf(&b, "\nPARETO FRONT %s vs %s (first rung, worst case over conditions):\n", r.Objective, p.Constraint)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  candidate\t%s\tconstraint\tsettings\n", r.Objective)
		for _, pt := range p.Points {
			fmt.Fprintf(tw, "  %d\t%.4g\t%.4g\t%s\n", pt.Candidate, pt.Objective, pt.Constraint, strings.Join(pt.Set, " "))
		}
		tw.Flush()
	}
	if r.Settings != nil {
		b.WriteString("\nSETTINGS as --set lines:\n")
		for _, s := range r.Settings.Set {
			fmt.Fprintf(&b, "  --set %s\n", s)
		}
		b.WriteString("\nas YAML to paste into the scenario:\n")
		b.WriteString(indent(r.Settings.YAML, "  "))
		b.WriteString("\nas the policy.StackConfig production code passes to policy/live:\n")
		b.WriteString(indent(r.Settings.Go, "  "))
	}
	_, err := w.Write(b.Bytes())
	return err
}

func indent(s, pre string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(pre + l)
		}
	}
	if !strings.HasSuffix(s, "\n") {
		b.WriteString("\n")
	}
	return b.String()
}

func writeCandidate(b *bytes.Buffer, r *Result, c *Candidate) {
	if len(c.Set) > 0 {
		fmt.Fprintf(b, "  settings: %s\n", strings.Join(c.Set, " "))
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  condition\t%s", r.Objective)
	for _, con := range c.Constraints {
		fmt.Fprintf(tw, "\t%s", con.Constraint)
	}
	fmt.Fprintln(tw)
	for k, o := range c.Objective {
		fmt.Fprintf(tw, "  %s\t%s", o.Condition, ciString(o.Mean, o.CI95))
		for _, con := range c.Constraints {
			e := con.Conditions[k]
			mark := "ok"
			if e.Holds != nil && !*e.Holds {
				mark = "BROKEN"
			}
			fmt.Fprintf(tw, "\t%s %s", ciString(e.Mean, e.CI95), mark)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// WriteCSV writes one row per finalist (and the current settings) per
// condition.
func (r *Result) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"role", "candidate", "feasible"}
	for _, k := range r.Spec.Knobs {
		head = append(head, k.Path)
	}
	head = append(head, "condition", r.Objective, r.Objective+"_lo", r.Objective+"_hi")
	for _, c := range r.Spec.Constraints {
		s := c.String()
		head = append(head, s, s+"_lo", s+"_hi", s+"_holds")
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	ci := func(c *CI) (string, string) {
		if c == nil {
			return "", ""
		}
		return f(c[0]), f(c[1])
	}
	rows := append([]Candidate{}, r.Finalists...)
	if r.Current != nil {
		rows = append(rows, *r.Current)
	}
	for _, c := range rows {
		role := "finalist"
		switch {
		case c.Index == Current:
			role = "current"
		case r.Best != nil && c.Index == r.Best.Index:
			role = "best"
		case isRunnerUp(r, c.Index):
			role = "runner_up"
		}
		vals := make([]string, len(r.Spec.Knobs))
		for i, k := range r.Spec.Knobs {
			for _, s := range c.Set {
				if p, v, _ := strings.Cut(s, "="); p == k.Path {
					vals[i] = v
				}
			}
		}
		for k, o := range c.Objective {
			lo, hi := ci(o.CI95)
			row := append([]string{role, strconv.Itoa(c.Index), strconv.FormatBool(c.Feasible)}, vals...)
			row = append(row, o.Condition, f(o.Mean), lo, hi)
			for _, con := range c.Constraints {
				e := con.Conditions[k]
				lo, hi := ci(e.CI95)
				row = append(row, f(e.Mean), lo, hi, strconv.FormatBool(e.Holds != nil && *e.Holds))
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func isRunnerUp(r *Result, i int) bool {
	for _, c := range r.RunnersUp {
		if c.Index == i {
			return true
		}
	}
	return false
}

// ReadResult reads a result, checkpoint or part file written with -o json.
func ReadResult(name string) (*Result, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: not a tune result: %v", name, err)
	}
	if r.SpecSHA256 == "" {
		return nil, fmt.Errorf("%s: not a tune result: no spec_sha256", name)
	}
	return &r, nil
}

// IsResultFile reports whether name holds a tune result, checkpoint or
// part file (JSON with a spec_sha256), as opposed to a sweep's.
func IsResultFile(name string) bool {
	data, err := os.ReadFile(name)
	if err != nil {
		return false
	}
	var probe struct {
		SpecSHA256 string `json:"spec_sha256"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.SpecSHA256 != ""
}

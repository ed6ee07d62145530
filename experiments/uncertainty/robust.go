package uncertainty

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/space"
)

// SharedDimensions are the uncertain inputs both scenarios declare (by
// path), in a's order; an input declared by both with different ranges is
// an error, since a draw must mean the same thing for both.
func SharedDimensions(a, b []space.Dimension) ([]space.Dimension, error) {
	var out []space.Dimension
	for _, da := range a {
		for _, db := range b {
			if da.Path != db.Path {
				continue
			}
			if da.Range != db.Range {
				return nil, fmt.Errorf("%s is uncertain in both scenarios but with different ranges: %s (%s) and %s (%s)",
					da.Path, da.Range, da.Source, db.Range, db.Source)
			}
			out = append(out, da)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the two scenarios declare no uncertain input in common (uncertain: entries with the same path)")
	}
	return out, nil
}

// RobustDesign lists the runs of a robust comparison: n Latin-hypercube
// draws (from seed) of the shared uncertain inputs, and under each draw A
// (run 2j) and B (run 2j+1) with the same seed: common random numbers.
func RobustDesign(refA, shaA, refB, shaB string, sets []string, seed uint64, reps int, dims []space.Dimension, n int) *Design {
	d := &Design{Kind: "robust", Scenarios: []string{refA, refB}, ScenarioSHA: []string{shaA, shaB}, Sets: sets,
		Seed: seed, Replications: reps, Samples: n}
	for _, dm := range dims {
		d.Dims = append(d.Dims, Dim{Path: dm.Path, Range: dm.Range})
	}
	for j, u := range space.LatinHypercube(n, len(dims), seed) {
		var s []string
		for i, dm := range dims {
			s = append(s, dm.Path+"="+dm.Value(u[i]))
		}
		d.Runs = append(d.Runs, Run{Scenario: 0, Sets: s, Label: fmt.Sprintf("draw %d A", j)},
			Run{Scenario: 1, Sets: s, Label: fmt.Sprintf("draw %d B", j)})
	}
	return d
}

// Percentiles are the 5th, 50th and 95th percentiles of a metric over the
// draws.
type Percentiles struct {
	P5  float64 `json:"p5"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
}

// MetricRobust is one metric over the draws: A, B, the change B - A and
// the relative change (B - A) / A, and the fraction of draws in which B
// is better (ties count for neither).
type MetricRobust struct {
	Metric    string      `json:"metric"`
	Label     string      `json:"label"`
	Unit      string      `json:"unit"`
	Better    string      `json:"better"`
	Draws     int         `json:"draws"` // draws in which both define the metric
	A         Percentiles `json:"a"`
	B         Percentiles `json:"b"`
	Change    Percentiles `json:"change"`
	RelChange Percentiles `json:"relative_change"`
	BBetter   float64     `json:"fraction_b_better"`
	ValuesA   []float64   `json:"values_a"`
	ValuesB   []float64   `json:"values_b"`
}

// Robust is a complete robust comparison.
type Robust struct {
	A            string         `json:"a"`
	B            string         `json:"b"`
	Seed         uint64         `json:"seed"`
	Replications int            `json:"replications"`
	Samples      int            `json:"samples"`
	Dims         []Dim          `json:"dims"`
	Draws        [][]string     `json:"draws"` // each draw's overrides
	Metrics      []MetricRobust `json:"metrics"`
}

// AnalyseRobust computes the percentiles and fractions from a complete
// robust result.
func AnalyseRobust(p *Part) (*Robust, error) {
	d := &p.Design
	if d.Kind != "robust" {
		return nil, fmt.Errorf("not a robust result (kind %q)", d.Kind)
	}
	if len(p.Rows) != len(d.Runs) {
		return nil, fmt.Errorf("incomplete robust result: %d of %d runs", len(p.Rows), len(d.Runs))
	}
	out := &Robust{A: d.Scenarios[0], B: d.Scenarios[1], Seed: d.Seed, Replications: d.Replications, Samples: d.Samples, Dims: d.Dims}
	for j := 0; j < d.Samples; j++ {
		out.Draws = append(out.Draws, d.Runs[2*j].Sets)
	}
	for _, m := range Metrics() {
		mr := MetricRobust{Metric: m.Key, Label: m.Label, Unit: string(m.Unit), Better: m.Better.String()}
		var ch, rel []float64
		better := 0
		for j := 0; j < d.Samples; j++ {
			a, okA := p.Rows[2*j].Metrics[m.Key]
			b, okB := p.Rows[2*j+1].Metrics[m.Key]
			if !okA || !okB {
				continue
			}
			mr.ValuesA = append(mr.ValuesA, a)
			mr.ValuesB = append(mr.ValuesB, b)
			ch = append(ch, b-a)
			if a != 0 {
				rel = append(rel, (b-a)/math.Abs(a))
			}
			if (m.Better == metric.LowerIsBetter && b < a) || (m.Better == metric.HigherIsBetter && b > a) {
				better++
			}
		}
		mr.Draws = len(ch)
		if mr.Draws == 0 {
			continue
		}
		mr.A, mr.B, mr.Change, mr.RelChange = percentiles(mr.ValuesA), percentiles(mr.ValuesB), percentiles(ch), percentiles(rel)
		mr.BBetter = float64(better) / float64(mr.Draws)
		out.Metrics = append(out.Metrics, mr)
	}
	return out, nil
}

// percentiles are the 5th, 50th and 95th percentiles of v by linear
// interpolation between order statistics (Hyndman and Fan type 7, as
// numpy and R default).
func percentiles(v []float64) Percentiles {
	if len(v) == 0 {
		return Percentiles{}
	}
	s := slices.Clone(v)
	slices.Sort(s)
	q := func(p float64) float64 {
		h := p * float64(len(s)-1)
		lo := int(math.Floor(h))
		if lo+1 >= len(s) {
			return s[len(s)-1]
		}
		return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
	}
	return Percentiles{P5: q(0.05), P50: q(0.5), P95: q(0.95)}
}

// ReadRobust reads a robust comparison saved by `checkoutsim robust -o
// json --out FILE`, or a complete robust part file (analysed here). Errors
// name the file.
func ReadRobust(name string) (*Robust, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%s: not a robust result: %v", name, err)
	}
	if _, ok := top["design"]; ok {
		p, err := ReadPart(name)
		if err != nil {
			return nil, err
		}
		r, err := AnalyseRobust(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return r, nil
	}
	var r Robust
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: not a robust result: %v", name, err)
	}
	switch {
	case r.A == "" || r.B == "":
		return nil, fmt.Errorf("%s: not a robust result: field \"a\" or \"b\" is missing", name)
	case r.Samples < 1:
		return nil, fmt.Errorf("%s: not a robust result: field \"samples\" is %d", name, r.Samples)
	}
	return &r, nil
}

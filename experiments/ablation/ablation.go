package ablation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/capacity"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
)

// Group is a named set of fixes: the scenario fields whose values
// the fixed scenario holds. "[*]" stands for every element of a list
// (both scenarios must then have the same number of elements).
type Group struct {
	Name        string
	Description string
	Paths       []string
}

// DefaultGroups are the case study's three groups of fixes, as
// field paths of the checkout scenario schema:
// A timeouts, retry discipline, breakers and isolation; B inventory;
// C cache and pricing.
var DefaultGroups = []Group{
	{"A", "timeouts, retry discipline, breakers, isolation", []string{
		"flow.gateway_policy", "flow.budget", "flow.steps[*].policy",
		"payments.client", "payments.fallback", "payments.fallback_on", "services[*].drop_expired"}},
	{"B", "inventory: short atomic reservations, idempotency, lock order", []string{"inventory"}},
	{"C", "cache and pricing: targeted invalidation, coalescing, jitter, pre-warming, batched rules", []string{"cache", "pricing"}},
}

// ParseGroup reads NAME=path1,path2,... (a --group flag).
func ParseGroup(s string) (Group, error) {
	name, list, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.TrimSpace(list) == "" {
		return Group{}, fmt.Errorf("--group %q: want NAME=path1,path2,... (e.g. B=inventory)", s)
	}
	g := Group{Name: name, Description: list}
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			g.Paths = append(g.Paths, p)
		}
	}
	return g, nil
}

// Variant is one scenario of an ablation: the "before" scenario
// with some groups of fixes applied.
type Variant struct {
	Name        string // "A", "A+B", ...
	Description string
	Scenario    *experiments.Scenario
}

// Variants builds the variants: each group alone, then the groups
// cumulatively (A, A+B, A+B+C); the last is all the groups' fields taken
// from after. An unknown path, or one whose list lengths differ, is an
// error naming it.
func Variants(beforeRef, afterRef string, groups []Group, sets []string) ([]Variant, error) {
	beforeData, err := experiments.ScenarioSource(beforeRef)
	if err != nil {
		return nil, err
	}
	afterData, err := experiments.ScenarioSource(afterRef)
	if err != nil {
		return nil, err
	}
	after, err := scenario.ParseNode(afterRef, afterData)
	if err != nil {
		return nil, err
	}
	build := func(name, desc string, gs []Group) (Variant, error) {
		root, err := scenario.ParseNode(beforeRef, beforeData)
		if err != nil {
			return Variant{}, err
		}
		for _, g := range gs {
			for _, p := range g.Paths {
				if err := scenario.CopyPath(root, after, p); err != nil {
					return Variant{}, fmt.Errorf("group %s: %w", g.Name, err)
				}
			}
		}
		out, err := yaml.Marshal(root)
		if err != nil {
			return Variant{}, err
		}
		sc, err := experiments.LoadScenarioBytes(beforeRef+"+"+name, out, sets)
		if err != nil {
			return Variant{}, fmt.Errorf("variant %s: %w", name, err)
		}
		sc.Name = name
		return Variant{Name: name, Description: desc, Scenario: sc}, nil
	}
	var vs []Variant
	for _, g := range groups {
		v, err := build(g.Name, g.Description, []Group{g})
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	for i := 2; i <= len(groups); i++ {
		names := make([]string, i)
		for k := range names {
			names[k] = groups[k].Name
		}
		v, err := build(strings.Join(names, "+"), "cumulative", groups[:i])
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// Result is the outcome of an ablation: every variant compared
// with the before scenario under common random numbers.
type Result struct {
	Before   string   `json:"before"`
	After    string   `json:"after"`
	Seed     uint64   `json:"seed"`
	Reps     int      `json:"replications"`
	Variants []Output `json:"variants"`
	// Capacity: the SLO and before's sustainable checkouts/s, when searched.
	SLOP99S               float64  `json:"slo_p99_s,omitempty"`
	SLOMaxErrorRate       float64  `json:"slo_max_error_rate,omitempty"`
	BeforeSustainablePerS *float64 `json:"before_sustainable_checkouts_per_s,omitempty"`
}

// RunCapacity adds each variant's sustainable throughput at the
// SLO (a capacity search per variant and for before, each with opt's seed
// and replications) and its ratio to before's.
func RunCapacity(ctx context.Context, res *Result, before *experiments.Scenario, variants []Variant, opt capacity.Options) error {
	search := func(sc *experiments.Scenario) (*float64, error) {
		c, err := capacity.Search(ctx, sc, opt)
		if err != nil {
			if errors.Is(err, capacity.ErrNoLimit) {
				return nil, nil
			}
			return nil, err
		}
		v := c.SustainableCheckoutsPerS
		return &v, nil
	}
	var err error
	if res.BeforeSustainablePerS, err = search(before); err != nil {
		return err
	}
	res.SLOP99S, res.SLOMaxErrorRate = opt.SLOP99.Seconds(), opt.MaxErrorRate
	for i, v := range variants {
		out := &res.Variants[i]
		if out.SustainablePerS, err = search(v.Scenario); err != nil {
			return err
		}
		if out.SustainablePerS != nil && res.BeforeSustainablePerS != nil && *res.BeforeSustainablePerS > 0 {
			r := *out.SustainablePerS / *res.BeforeSustainablePerS
			out.CapacityRatio = &r
		}
	}
	return nil
}

// Output is one variant's metrics and changes against before.
type Output struct {
	Variant     string               `json:"variant"`
	Description string               `json:"description"`
	Metrics     []MetricChange       `json:"metrics"`
	Changes     []experiments.Change `json:"-"` // the same, as compare's type (for the report)
	// SustainablePerS is the variant's sustainable checkouts/s at the SLO
	// (RunCapacity), and CapacityRatio its ratio to before's; absent
	// when capacity was not searched or no limit was found.
	SustainablePerS *float64 `json:"sustainable_checkouts_per_s,omitempty"`
	CapacityRatio   *float64 `json:"capacity_ratio,omitempty"`
}

// MetricChange is one metric of a variant against before.
type MetricChange struct {
	Metric string `json:"metric"`
	experiments.Change
}

// ablationMetrics are the columns of the ablation table, headed by their
// Column in capitals.
var ablationMetrics = []*metric.Metric{metric.LatencyP99, metric.ErrorRate, metric.Throughput, metric.Cost}

// Run runs before and every variant with the same seed and
// replications.
func Run(ctx context.Context, beforeRef string, before *experiments.Scenario, variants []Variant, seed uint64, reps, workers int) (*Result, error) {
	rb, err := experiments.RunReplications(ctx, before, seed, reps, workers)
	if err != nil {
		return nil, err
	}
	res := &Result{Before: before.Name, Seed: seed, Reps: reps}
	for _, v := range variants {
		rv, err := experiments.RunReplications(ctx, v.Scenario, seed, reps, workers)
		if err != nil {
			return nil, err
		}
		cs := experiments.CompareResults(before, v.Scenario, seed, rb, rv)
		out := Output{Variant: v.Name, Description: v.Description}
		for _, m := range ablationMetrics {
			for _, c := range cs.Change {
				if c.Metric == m.Key {
					out.Changes = append(out.Changes, c)
					out.Metrics = append(out.Metrics, MetricChange{Metric: m.Key, Change: c})
				}
			}
		}
		res.Variants = append(res.Variants, out)
	}
	return res, nil
}

// WriteTable prints what each group contributes, with paired CIs.
func (a *Result) WriteTable(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "ablation of %s: seed %d, %d replications, common random numbers; change vs %s with paired 95%% CI\n\n", a.Before, a.Seed, a.Reps, a.Before); err != nil {
		return err
	}
	capacity := a.BeforeSustainablePerS != nil
	t := output.NewTable(w)
	head := []string{"VARIANT", "FIXES"}
	for _, m := range ablationMetrics {
		head = append(head, strings.ToUpper(m.Column), "CHANGE [95% CI]")
	}
	if capacity {
		head = append(head, "SUSTAINABLE/S", "RATIO")
	}
	t.Line(head...)
	if len(a.Variants) > 0 {
		row := []string{"before", "none"}
		for _, c := range a.Variants[0].Changes {
			row = append(row, output.Human(c.A, c.Unit), "")
		}
		if capacity {
			row = append(row, output.Sig(*a.BeforeSustainablePerS), "1")
		}
		t.Line(row...)
	}
	for _, v := range a.Variants {
		row := []string{v.Variant, v.Description}
		for _, c := range v.Changes {
			ch := fmt.Sprintf("%+.3g", c.Diff)
			if metric.InPoints(c.Metric) {
				// a rate: in points, as compare's table and the report state it
				change, ci := c.Text()
				ch = strings.TrimSpace(change + " " + ci)
			} else if c.Ratio != nil {
				ch = fmt.Sprintf("%+.1f%%", 100*(*c.Ratio-1))
				if c.RatioCI != nil {
					ch += fmt.Sprintf(" [%+.1f, %+.1f]", 100*(c.RatioCI[0]-1), 100*(c.RatioCI[1]-1))
				}
			}
			row = append(row, output.Human(c.B, c.Unit), ch)
		}
		if capacity {
			per, ratio := "no limit found", ""
			if v.SustainablePerS != nil {
				per = output.Sig(*v.SustainablePerS)
			}
			if v.CapacityRatio != nil {
				ratio = fmt.Sprintf("%.2fx", *v.CapacityRatio)
			}
			row = append(row, per, ratio)
		}
		t.Line(row...)
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if capacity {
		_, err := fmt.Fprintf(w, "\nsustainable checkouts/s: the largest traffic multiplier holding P99 <= %s and errors <= %s (capacity search per variant)\n",
			output.Human(a.SLOP99S, "s"), output.Human(a.SLOMaxErrorRate, "fraction"))
		return err
	}
	return nil
}

// WriteJSON writes the ablation as JSON.
func (a *Result) WriteJSON(w io.Writer) error { return output.WriteJSON(w, a) }

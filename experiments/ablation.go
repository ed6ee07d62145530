package experiments

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
)

// AblationGroup is a named set of fixes: the scenario fields whose values
// the fixed scenario holds. "[*]" stands for every element of a list
// (both scenarios must then have the same number of elements).
type AblationGroup struct {
	Name        string
	Description string
	Paths       []string
}

// DefaultAblationGroups are the case study's three groups of fixes, as
// field paths of the checkout scenario schema:
// A timeouts, retry discipline, breakers and isolation; B inventory;
// C cache and pricing.
var DefaultAblationGroups = []AblationGroup{
	{"A", "timeouts, retry discipline, breakers, isolation", []string{
		"flow.gateway_policy", "flow.budget", "flow.steps[*].policy",
		"payments.client", "payments.fallback", "payments.fallback_on", "services[*].drop_expired"}},
	{"B", "inventory: short atomic reservations, idempotency, lock order", []string{"inventory"}},
	{"C", "cache and pricing: targeted invalidation, coalescing, jitter, pre-warming, batched rules", []string{"cache", "pricing"}},
}

// ParseAblationGroup reads NAME=path1,path2,... (a --group flag).
func ParseAblationGroup(s string) (AblationGroup, error) {
	name, list, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.TrimSpace(list) == "" {
		return AblationGroup{}, fmt.Errorf("--group %q: want NAME=path1,path2,... (e.g. B=inventory)", s)
	}
	g := AblationGroup{Name: name, Description: list}
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			g.Paths = append(g.Paths, p)
		}
	}
	return g, nil
}

// AblationVariant is one scenario of an ablation: the "before" scenario
// with some groups of fixes applied.
type AblationVariant struct {
	Name        string // "A", "A+B", ...
	Description string
	Scenario    *Scenario
}

// AblationVariants builds the variants: each group alone, then the groups
// cumulatively (A, A+B, A+B+C); the last is all the groups' fields taken
// from after. An unknown path, or one whose list lengths differ, is an
// error naming it.
func AblationVariants(beforeRef, afterRef string, groups []AblationGroup, sets []string) ([]AblationVariant, error) {
	beforeData, err := ScenarioSource(beforeRef)
	if err != nil {
		return nil, err
	}
	afterData, err := ScenarioSource(afterRef)
	if err != nil {
		return nil, err
	}
	after, err := scenario.ParseNode(afterRef, afterData)
	if err != nil {
		return nil, err
	}
	build := func(name, desc string, gs []AblationGroup) (AblationVariant, error) {
		root, err := scenario.ParseNode(beforeRef, beforeData)
		if err != nil {
			return AblationVariant{}, err
		}
		for _, g := range gs {
			for _, p := range g.Paths {
				if err := copyPath(root, after, p); err != nil {
					return AblationVariant{}, fmt.Errorf("group %s: %w", g.Name, err)
				}
			}
		}
		out, err := yaml.Marshal(root)
		if err != nil {
			return AblationVariant{}, err
		}
		sc, err := LoadScenarioBytes(beforeRef+"+"+name, out, sets)
		if err != nil {
			return AblationVariant{}, fmt.Errorf("variant %s: %w", name, err)
		}
		sc.Name = name
		return AblationVariant{Name: name, Description: desc, Scenario: sc}, nil
	}
	var vs []AblationVariant
	for _, g := range groups {
		v, err := build(g.Name, g.Description, []AblationGroup{g})
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

// copyPath replaces, in dst, the value at path with src's value there
// (deep-copied). A path src does not set is removed from dst, so dst
// falls back to the default exactly as src does.
func copyPath(dst, src *yaml.Node, path string) error {
	parts := strings.Split(path, ".")
	return copyParts(body(dst), body(src), parts, path)
}

func body(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	return n
}

func copyParts(dst, src *yaml.Node, parts []string, path string) error {
	key, rest := parts[0], parts[1:]
	all := strings.HasSuffix(key, "[*]")
	key = strings.TrimSuffix(key, "[*]")
	if dst.Kind != yaml.MappingNode || src.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: %q is not under a mapping", path, key)
	}
	sv, dv := mapValue(src, key), mapValue(dst, key)
	if !all && len(rest) == 0 {
		setMapValue(dst, key, sv)
		return nil
	}
	if sv == nil || dv == nil {
		return fmt.Errorf("%s: %q must be set in both scenarios", path, key)
	}
	if !all {
		return copyParts(dv, sv, rest, path)
	}
	if sv.Kind != yaml.SequenceNode || dv.Kind != yaml.SequenceNode || len(sv.Content) != len(dv.Content) {
		return fmt.Errorf("%s: %q must be lists of the same length in both scenarios", path, key)
	}
	for i := range sv.Content {
		if len(rest) == 0 {
			dv.Content[i] = deepCopy(sv.Content[i])
			continue
		}
		if err := copyParts(dv.Content[i], sv.Content[i], rest, path+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	return nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setMapValue sets key to a copy of v, or removes the key when v is nil.
func setMapValue(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			if v == nil {
				m.Content = append(m.Content[:i], m.Content[i+2:]...)
			} else {
				m.Content[i+1] = deepCopy(v)
			}
			return
		}
	}
	if v != nil {
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, deepCopy(v))
	}
}

func deepCopy(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = deepCopy(k)
	}
	return &c
}

// AblationResult is the outcome of an ablation: every variant compared
// with the before scenario under common random numbers.
type AblationResult struct {
	Before   string           `json:"before"`
	After    string           `json:"after"`
	Seed     uint64           `json:"seed"`
	Reps     int              `json:"replications"`
	Variants []AblationOutput `json:"variants"`
	// Capacity: the SLO and before's sustainable checkouts/s, when searched.
	SLOP99S               float64  `json:"slo_p99_s,omitempty"`
	SLOMaxErrorRate       float64  `json:"slo_max_error_rate,omitempty"`
	BeforeSustainablePerS *float64 `json:"before_sustainable_checkouts_per_s,omitempty"`
}

// RunAblationCapacity adds each variant's sustainable throughput at the
// SLO (a capacity search per variant and for before, each with opt's seed
// and replications) and its ratio to before's.
func RunAblationCapacity(ctx context.Context, res *AblationResult, before *Scenario, variants []AblationVariant, opt CapacityOptions) error {
	search := func(sc *Scenario) (*float64, error) {
		c, err := Capacity(ctx, sc, opt)
		if err != nil {
			if errors.Is(err, ErrNoLimit) {
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

// AblationOutput is one variant's metrics and changes against before.
type AblationOutput struct {
	Variant     string           `json:"variant"`
	Description string           `json:"description"`
	Metrics     []AblationMetric `json:"metrics"`
	Changes     []Change         `json:"-"` // the same, as compare's type (for the report)
	// SustainablePerS is the variant's sustainable checkouts/s at the SLO
	// (RunAblationCapacity), and CapacityRatio its ratio to before's; absent
	// when capacity was not searched or no limit was found.
	SustainablePerS *float64 `json:"sustainable_checkouts_per_s,omitempty"`
	CapacityRatio   *float64 `json:"capacity_ratio,omitempty"`
}

// AblationMetric is one metric of a variant against before.
type AblationMetric struct {
	Metric string `json:"metric"`
	Change
}

// ablationMetrics are the columns of the ablation table, headed by their
// Column in capitals.
var ablationMetrics = []*metric.Metric{metric.LatencyP99, metric.ErrorRate, metric.Throughput, metric.Cost}

// RunAblation runs before and every variant with the same seed and
// replications.
func RunAblation(ctx context.Context, beforeRef string, before *Scenario, variants []AblationVariant, seed uint64, reps, workers int) (*AblationResult, error) {
	rb, err := RunReplications(ctx, before, seed, reps, workers)
	if err != nil {
		return nil, err
	}
	res := &AblationResult{Before: before.Name, Seed: seed, Reps: reps}
	for _, v := range variants {
		rv, err := RunReplications(ctx, v.Scenario, seed, reps, workers)
		if err != nil {
			return nil, err
		}
		cs := CompareResults(before, v.Scenario, seed, rb, rv)
		out := AblationOutput{Variant: v.Name, Description: v.Description}
		for _, m := range ablationMetrics {
			for _, c := range cs.Change {
				if c.Metric == m.Key {
					out.Changes = append(out.Changes, c)
					out.Metrics = append(out.Metrics, AblationMetric{Metric: m.Key, Change: c})
				}
			}
		}
		res.Variants = append(res.Variants, out)
	}
	return res, nil
}

// Rows returns the ablation as report rows.
func (a *AblationResult) Rows() []AblationRow {
	var rows []AblationRow
	for _, v := range a.Variants {
		rows = append(rows, AblationRow{Variant: v.Variant, Description: v.Description, Changes: v.Changes})
	}
	return rows
}

// WriteTable prints what each group contributes, with paired CIs.
func (a *AblationResult) WriteTable(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "ablation of %s: seed %d, %d replications, common random numbers; change vs %s with paired 95%% CI\n\n", a.Before, a.Seed, a.Reps, a.Before); err != nil {
		return err
	}
	capacity := a.BeforeSustainablePerS != nil
	t := newTableWriter(w)
	head := []string{"VARIANT", "FIXES"}
	for _, m := range ablationMetrics {
		head = append(head, strings.ToUpper(m.Column), "CHANGE [95% CI]")
	}
	if capacity {
		head = append(head, "SUSTAINABLE/S", "RATIO")
	}
	t.line(head...)
	if len(a.Variants) > 0 {
		row := []string{"before", "none"}
		for _, c := range a.Variants[0].Changes {
			row = append(row, human(c.A, c.Unit), "")
		}
		if capacity {
			row = append(row, sig(*a.BeforeSustainablePerS), "1")
		}
		t.line(row...)
	}
	for _, v := range a.Variants {
		row := []string{v.Variant, v.Description}
		for _, c := range v.Changes {
			ch := fmt.Sprintf("%+.3g", c.Diff)
			if c.Ratio != nil {
				ch = fmt.Sprintf("%+.1f%%", 100*(*c.Ratio-1))
				if c.RatioCI != nil {
					ch += fmt.Sprintf(" [%+.1f, %+.1f]", 100*(c.RatioCI[0]-1), 100*(c.RatioCI[1]-1))
				}
			}
			row = append(row, human(c.B, c.Unit), ch)
		}
		if capacity {
			per, ratio := "no limit found", ""
			if v.SustainablePerS != nil {
				per = sig(*v.SustainablePerS)
			}
			if v.CapacityRatio != nil {
				ratio = fmt.Sprintf("%.2fx", *v.CapacityRatio)
			}
			row = append(row, per, ratio)
		}
		t.line(row...)
	}
	if err := t.flush(); err != nil {
		return err
	}
	if capacity {
		_, err := fmt.Fprintf(w, "\nsustainable checkouts/s: the largest traffic multiplier holding P99 <= %s and errors <= %s (capacity search per variant)\n",
			human(a.SLOP99S, "s"), human(a.SLOMaxErrorRate, "fraction"))
		return err
	}
	return nil
}

// WriteJSON writes the ablation as JSON.
func (a *AblationResult) WriteJSON(w io.Writer) error { return writeJSON(w, a) }

package sweep

// This file defines a sweep: a grid of scenario variants, one per
// combination of --param values, each run with the same seed (common random
// numbers), so the difference between two points is mostly the parameters'
// effect and not sampling noise.
//
// A grid is fully described by a Grid (scenario reference and content
// hash, base overrides, parameters, seed, replications). Its SHA-256 is
// what ties shards, checkpoints and merged results to one grid: two files
// with the same grid_sha256 were computed from the same inputs, so their
// rows can be combined, and the merged file is byte-identical to an
// unsharded run (see merge.go).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/bottleneck"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// Param is one --param: a scenario field path (as for --set) and the
// values it takes, in the order given.
type Param struct {
	Path   string   `json:"path"`
	Values []string `json:"values"`
}

// ParseParam parses "path=v1,v2,...". Values are split at commas
// outside brackets, braces, parentheses and quotes, so a distribution such
// as "lognormal(median=300ms, p99=2s)" or a list "[a, b]" is one value.
// Each value is trimmed; an empty value, a repeated value, a missing '=' or
// an empty path is an error naming the flag.
func ParseParam(s string) (Param, error) {
	path, list, ok := strings.Cut(s, "=")
	path = strings.TrimSpace(path)
	if !ok {
		return Param{}, fmt.Errorf("--param %q: expected path=v1,v2,...", s)
	}
	if path == "" {
		return Param{}, fmt.Errorf("--param %q: empty path before '='", s)
	}
	if strings.ContainsAny(path, " \t") {
		return Param{}, fmt.Errorf("--param %q: path %q contains a blank", s, path)
	}
	values, err := scenario.SplitList(list)
	if err != nil {
		return Param{}, fmt.Errorf("--param %q: %v", s, err)
	}
	p := Param{Path: path}
	for i, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			return Param{}, fmt.Errorf("--param %q: value %d of %s is empty", s, i+1, path)
		}
		if slices.Contains(p.Values, v) {
			return Param{}, fmt.Errorf("--param %q: value %q is given twice", s, v)
		}
		p.Values = append(p.Values, v)
	}
	return p, nil
}

// Grid defines a sweep completely. Field order is JSON key order.
type Grid struct {
	// Scenario is the reference as given (built-in name or file path).
	Scenario string `json:"scenario"`
	// ScenarioSHA256 is the hash of the scenario file's bytes (or of the
	// embedded built-in's). Files a scenario refers to (a trace, an
	// empirical distribution) are not included.
	ScenarioSHA256 string `json:"scenario_sha256"`
	// Sets are the overrides applied to every point before its
	// parameters (--set, and --seed, --replications, --duration written
	// as overrides).
	Sets []string `json:"sets"`
	// Params span the grid, first one slowest.
	Params []Param `json:"params"`
	// Seed and Replications are those of the scenario with Sets applied;
	// a point runs with its own scenario's values, which differ only when
	// a parameter sets them.
	Seed         uint64 `json:"seed"`
	Replications int    `json:"replications"`
}

// Points is the number of grid points: the product of the parameters'
// value counts.
func (g *Grid) Points() int {
	n := 1
	for _, p := range g.Params {
		n *= len(p.Values)
	}
	return n
}

// Point returns the parameter values of point i (0 <= i < Points), in
// parameter order. Points are numbered like nested loops with the first
// parameter outermost: for a = 1,2 and b = x,y the order is (1,x), (1,y),
// (2,x), (2,y).
func (g *Grid) Point(i int) []string {
	vals := make([]string, len(g.Params))
	for k := len(g.Params) - 1; k >= 0; k-- {
		n := len(g.Params[k].Values)
		vals[k] = g.Params[k].Values[i%n]
		i /= n
	}
	return vals
}

// PointSets returns the overrides of point i: the grid's Sets, then
// "path=value" for each parameter.
func (g *Grid) PointSets(i int) []string {
	sets := slices.Clone(g.Sets)
	for k, v := range g.Point(i) {
		sets = append(sets, g.Params[k].Path+"="+v)
	}
	return sets
}

// PointLabel is "a=1 b=x" for point i.
func (g *Grid) PointLabel(i int) string {
	var parts []string
	for k, v := range g.Point(i) {
		parts = append(parts, g.Params[k].Path+"="+v)
	}
	return strings.Join(parts, " ")
}

// Hash is the hex SHA-256 of the grid's JSON encoding: equal hashes mean
// the same scenario bytes, overrides, parameters, seed and replications.
func (g *Grid) Hash() string {
	b, err := json.Marshal(g)
	if err != nil { // a struct of strings and numbers always marshals
		panic(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// MaxPoints bounds a grid's size: every point's scenario is loaded
// and validated before the first one runs.
const MaxPoints = 100_000

// Sweep is a validated grid: every point's scenario loaded once and found
// valid. Points are loaded again when they run (a load takes about a
// millisecond), so a large grid is not held in memory.
type Sweep struct {
	Grid Grid
}

// New loads the scenario with sets, checks every parameter value on
// its own (so a bad value is reported with its parameter) and then every
// point, before anything runs. Errors name the parameter or the point.
func New(ref string, sets []string, params []Param) (*Sweep, error) {
	if len(params) == 0 {
		return nil, fmt.Errorf("sweep: no --param given: a sweep needs at least one parameter")
	}
	src, err := experiments.ScenarioSource(ref)
	if err != nil {
		return nil, err
	}
	base, err := experiments.LoadScenario(ref, sets)
	if err != nil {
		return nil, err
	}
	params = slices.Clone(params)
	for i, p := range params {
		if len(p.Values) == 0 {
			return nil, fmt.Errorf("sweep: --param %s: no values", p.Path)
		}
		// A list element given by index is named by its name, so the axes,
		// columns and grid say services[checkout-api], not services[1].
		params[i].Path = scenario.NamedPath(base, p.Path)
		for _, q := range params[:i] {
			if q.Path == params[i].Path {
				return nil, fmt.Errorf("sweep: --param %s is given twice", p.Path)
			}
		}
	}
	sum := sha256.Sum256(src)
	g := Grid{
		Scenario: ref, ScenarioSHA256: hex.EncodeToString(sum[:]),
		Sets: append([]string{}, sets...), Params: params,
		Seed: base.Seed, Replications: base.Replications,
	}
	n := 1
	for _, p := range params {
		n *= len(p.Values)
		if n > MaxPoints {
			return nil, fmt.Errorf("sweep: the grid has more than %d points; split it into several sweeps", MaxPoints)
		}
	}
	for _, p := range params {
		for _, v := range p.Values {
			if _, err := experiments.LoadScenario(ref, append(slices.Clone(sets), p.Path+"="+v)); err != nil {
				return nil, fmt.Errorf("sweep: --param %s: value %q: %w", p.Path, v, err)
			}
		}
	}
	sw := &Sweep{Grid: g}
	for i := range n {
		if _, err := sw.load(i); err != nil {
			return nil, err
		}
	}
	return sw, nil
}

// Row is one grid point's result. Field order is JSON key order.
type Row struct {
	Index int `json:"index"`
	// Values are the parameter values, in grid.params order.
	Values       []string `json:"values"`
	Seed         uint64   `json:"seed"`
	Replications int      `json:"replications"`
	Metrics      Metrics  `json:"metrics"`
}

// Metrics are a point's metrics: the checkout counts (totals over
// replications), every metric of the registry (metric.All) as the mean
// over replications with its 95% interval (null with one replication),
// the largest backlog and the bottleneck verdict. JSON keys: attempts,
// succeeded, failed, abandoned, then each metric's Key and Key_ci95 in
// registry order (they match compare's "change" keys), then max_backlog,
// bottleneck_kind, bottleneck and bottleneck_load (absent in files written
// before them).
type Metrics struct {
	Attempts, Succeeded, Failed, Abandoned int64
	// Values are the registry's metrics, in metric.All order (Get and Set
	// read and write them by metric).
	Values     []Estimate
	MaxBacklog int
	// Bottleneck is the point's verdict (experiments/bottleneck): the kind
	// and name of the saturated constraint and its busy share; with
	// nothing saturated, kind "none" and the busiest service.
	Bottleneck bottleneck.Verdict
}

// Estimate is a metric's mean over replications and its 95% interval.
type Estimate struct {
	Mean float64
	CI   *experiments.CI
}

// metricIndex is m's position in metric.All (-1 when it is not there).
func metricIndex(m *metric.Metric) int { return slices.Index(metric.All(), m) }

// Get is the point's estimate of m (zero when not computed).
func (s *Metrics) Get(m *metric.Metric) Estimate {
	if i := metricIndex(m); i >= 0 && i < len(s.Values) {
		return s.Values[i]
	}
	return Estimate{}
}

// Set sets the point's estimate of m.
func (s *Metrics) Set(m *metric.Metric, mean float64, ci *experiments.CI) {
	i := metricIndex(m)
	if i < 0 {
		panic("sweep: metric " + m.Key + " is not in the registry")
	}
	for len(s.Values) <= i {
		s.Values = append(s.Values, Estimate{})
	}
	s.Values[i] = Estimate{mean, ci}
}

// measure measures a point's metrics from the replications of its
// system cfg.
func measure(cfg *checkout.Config, results []*checkout.Result) Metrics {
	var s Metrics
	for _, r := range results {
		s.Attempts += r.Checkout.Attempts
		s.Succeeded += r.Checkout.Succeeded
		s.Failed += r.Checkout.Failed
		s.Abandoned += r.Checkout.Abandoned
		s.MaxBacklog = max(s.MaxBacklog, r.Signals.MaxBacklog)
	}
	for _, m := range metric.All() {
		mean, ci := metric.Over(results, m)
		s.Set(m, mean, (*experiments.CI)(ci))
	}
	v := bottleneck.Summarize(cfg, results).Verdict
	s.Bottleneck = bottleneck.Verdict{Kind: v.Kind, Name: v.Name, Load: v.Load}
	return s
}

// MarshalJSON writes the metrics as one JSON object, keys in the order
// Metrics documents.
func (s Metrics) MarshalJSON() ([]byte, error) {
	var o output.Object
	o.Add("attempts", s.Attempts)
	o.Add("succeeded", s.Succeeded)
	o.Add("failed", s.Failed)
	o.Add("abandoned", s.Abandoned)
	for _, m := range metric.All() {
		e := s.Get(m)
		o.Add(m.Key, e.Mean)
		o.Add(m.Key+"_ci95", e.CI)
	}
	o.Add("max_backlog", s.MaxBacklog)
	if s.Bottleneck.Kind != "" {
		o.Add("bottleneck_kind", s.Bottleneck.Kind)
		o.Add("bottleneck", s.Bottleneck.Name)
		o.Add("bottleneck_load", s.Bottleneck.Load)
	}
	return o.Bytes()
}

// UnmarshalJSON reads what MarshalJSON writes; an unknown key is an error
// (part files and checkpoints are read strictly).
func (s *Metrics) UnmarshalJSON(data []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	*s = Metrics{}
	counts := map[string]any{"attempts": &s.Attempts, "succeeded": &s.Succeeded, "failed": &s.Failed,
		"abandoned": &s.Abandoned, "max_backlog": &s.MaxBacklog, "bottleneck_kind": &s.Bottleneck.Kind,
		"bottleneck": &s.Bottleneck.Name, "bottleneck_load": &s.Bottleneck.Load}
	for _, m := range metric.All() {
		var e Estimate
		if raw, ok := fields[m.Key]; ok {
			if err := json.Unmarshal(raw, &e.Mean); err != nil {
				return fmt.Errorf("metrics.%s: %w", m.Key, err)
			}
		}
		if raw, ok := fields[m.Key+"_ci95"]; ok {
			if err := json.Unmarshal(raw, &e.CI); err != nil {
				return fmt.Errorf("metrics.%s_ci95: %w", m.Key, err)
			}
		}
		s.Set(m, e.Mean, e.CI)
		delete(fields, m.Key)
		delete(fields, m.Key+"_ci95")
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) { // a fixed order: the first bad key named
		dst := counts[k]
		if raw, ok := fields[k]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return fmt.Errorf("metrics.%s: %w", k, err)
			}
			delete(fields, k)
		}
	}
	if len(fields) > 0 {
		keys := slices.Sorted(maps.Keys(fields))
		return fmt.Errorf("json: unknown field %q in metrics", keys[0])
	}
	return nil
}

// Result is the output of `checkoutsim sweep` and of `checkoutsim
// merge`, and the format of shard part files and checkpoints. A complete
// result (every point, no shard) has neither "shard" nor "pending", so an
// unsharded run and a merge of its shards give the same bytes.
type Result struct {
	Grid       Grid   `json:"grid"`
	GridSHA256 string `json:"grid_sha256"`
	// Points is the grid's total number of points.
	Points int `json:"points"`
	// Shard is set in a part file: this file holds points with
	// index % count == index.
	Shard *shard.Shard `json:"shard,omitempty"`
	// Pending lists the points this file should hold but does not yet
	// (an interrupted run); --resume computes them.
	Pending []int `json:"pending,omitempty"`
	// Rows are the computed points in index order.
	Rows []Row `json:"rows"`
}

// Options control Sweep.Run.
type Options struct {
	// Shard selects the points index % Count == Index; nil runs them all.
	Shard *shard.Shard
	// Workers run a point's replications in parallel (0: GOMAXPROCS);
	// results do not depend on it.
	Workers int
	// Resume holds rows computed earlier for the same grid and shard
	// (a checkpoint read back); they are kept and not recomputed.
	Resume *Result
	// Checkpoint, if set, is called after each completed point with the
	// result so far (Pending lists what is left), so a caller can save it.
	Checkpoint func(*Result) error
	// Progress, if set, is told before each point is run.
	Progress experiments.Progress
}

// Selected returns the indexes of the grid's points that shard holds (all
// of them when shard is nil), in increasing order.
func (sw *Sweep) Selected(sh *shard.Shard) []int {
	var idx []int
	for i := range sw.Grid.Points() {
		if sh == nil || i%sh.Count == sh.Index {
			idx = append(idx, i)
		}
	}
	return idx
}

// Run runs the selected points in index order and returns their rows. If
// ctx is cancelled, Run returns the rows completed so far (the point in
// progress is dropped) with Pending set, and ctx's error.
func (sw *Sweep) Run(ctx context.Context, opt Options) (*Result, error) {
	g := &sw.Grid
	res := &Result{Grid: *g, GridSHA256: g.Hash(), Points: g.Points(), Shard: opt.Shard, Rows: []Row{}}
	todo := sw.Selected(opt.Shard)
	if opt.Resume != nil {
		kept, err := sw.resumable(opt.Resume, opt.Shard)
		if err != nil {
			return nil, err
		}
		res.Rows = kept
		todo = slices.DeleteFunc(todo, func(i int) bool {
			return slices.ContainsFunc(kept, func(r Row) bool { return r.Index == i })
		})
	}
	total := len(res.Rows) + len(todo)
	for k, i := range todo {
		res.Pending = slices.Clone(todo[k:])
		if opt.Progress != nil {
			opt.Progress(len(res.Rows), total, g.PointLabel(i))
		}
		row, err := sw.runPoint(ctx, i, opt.Workers)
		if err != nil {
			return res, err
		}
		res.Rows = append(res.Rows, row)
		slices.SortFunc(res.Rows, func(a, b Row) int { return a.Index - b.Index })
		res.Pending = slices.Clone(todo[k+1:])
		if len(res.Pending) == 0 {
			res.Pending = nil
		}
		if opt.Checkpoint != nil {
			if err := opt.Checkpoint(res); err != nil {
				return res, err
			}
		}
	}
	if opt.Progress != nil {
		opt.Progress(total, total, "")
	}
	res.Pending = nil
	return res, nil
}

// load loads point i's scenario.
func (sw *Sweep) load(i int) (*experiments.Scenario, error) {
	sc, err := experiments.LoadScenario(sw.Grid.Scenario, sw.Grid.PointSets(i))
	if err != nil {
		return nil, fmt.Errorf("sweep: point %d (%s): %w", i, sw.Grid.PointLabel(i), err)
	}
	return sc, nil
}

// runPoint runs point i's replications and summarises them.
func (sw *Sweep) runPoint(ctx context.Context, i, workers int) (Row, error) {
	sc, err := sw.load(i)
	if err != nil {
		return Row{}, err
	}
	results, err := experiments.RunReplications(ctx, sc, sc.Seed, sc.Replications, workers)
	if err != nil {
		return Row{}, err
	}
	return Row{Index: i, Values: sw.Grid.Point(i), Seed: sc.Seed, Replications: sc.Replications,
		Metrics: measure(&sc.Config, results)}, nil
}

// resumable checks that prev was computed for this grid and shard and
// returns its rows that belong to the shard.
func (sw *Sweep) resumable(prev *Result, sh *shard.Shard) ([]Row, error) {
	if err := sameGrid(&sw.Grid, &prev.Grid); err != nil {
		return nil, fmt.Errorf("cannot resume: %w", err)
	}
	if !sh.Equal(prev.Shard) {
		return nil, fmt.Errorf("cannot resume: the file holds shard %s, this run is shard %s", prev.Shard, sh)
	}
	var kept []Row
	for _, r := range prev.Rows {
		if sh != nil && r.Index%sh.Count != sh.Index {
			return nil, fmt.Errorf("cannot resume: the file holds point %d, which is not in shard %s", r.Index, sh)
		}
		kept = append(kept, r)
	}
	return kept, nil
}

// sameGrid explains the first difference between two grid definitions
// (nil when they are the same).
func sameGrid(want, got *Grid) error {
	switch {
	case want.Hash() == got.Hash():
		return nil
	case want.Scenario != got.Scenario:
		return fmt.Errorf("different scenario: %q vs %q", got.Scenario, want.Scenario)
	case want.ScenarioSHA256 != got.ScenarioSHA256:
		return fmt.Errorf("scenario %s has changed (sha256 %.12s... vs %.12s...)", want.Scenario, got.ScenarioSHA256, want.ScenarioSHA256)
	case !slices.Equal(want.Sets, got.Sets):
		return fmt.Errorf("different overrides: %q vs %q", got.Sets, want.Sets)
	case !slices.EqualFunc(want.Params, got.Params, func(a, b Param) bool {
		return a.Path == b.Path && slices.Equal(a.Values, b.Values)
	}):
		return fmt.Errorf("different parameters: %s vs %s", paramsString(got.Params), paramsString(want.Params))
	case want.Seed != got.Seed:
		return fmt.Errorf("different seed: %d vs %d", got.Seed, want.Seed)
	case want.Replications != got.Replications:
		return fmt.Errorf("different replications: %d vs %d", got.Replications, want.Replications)
	}
	return fmt.Errorf("different grid definition (sha256 %.12s... vs %.12s...)", got.Hash(), want.Hash())
}

func paramsString(ps []Param) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, p.Path+"="+strings.Join(p.Values, ","))
	}
	return strings.Join(parts, " ")
}

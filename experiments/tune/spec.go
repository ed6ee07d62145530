// Package tune searches a space of scenario settings (retry, timeout,
// budget and breaker knobs) for the one that optimises a metric while
// holding constraints in every condition: the scenario as it is and the
// disturbances it must survive. It samples the space (a Latin hypercube),
// narrows the candidates by successive halving (short one-replication runs
// for all, longer runs with more replications for the survivors, common
// random numbers throughout), re-runs the finalists on a fresh seed with
// enough replications for 95% intervals, and writes the answer as --set
// lines, a YAML fragment and the policy.StackConfig Go literal that
// production code passes to policy/live.
package tune

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/experiments/space"
)

// Op is a constraint's comparison.
type Op string

// The comparisons.
const (
	AtMost  Op = "<="
	AtLeast Op = ">="
)

// Objective is the metric to optimise.
type Objective struct {
	Metric   string `json:"metric"`
	Maximize bool   `json:"maximize"`
	// Source is where it was given ("--minimize", "tune.yaml:4").
	Source string `json:"-"`
}

// Constraint is "metric <= bound" or "metric >= bound".
type Constraint struct {
	Metric string  `json:"metric"`
	Op     Op      `json:"op"`
	Bound  float64 `json:"bound"`
	Source string  `json:"-"`
}

// String is "metric<=bound".
func (c Constraint) String() string {
	return c.Metric + string(c.Op) + strconv.FormatFloat(c.Bound, 'g', -1, 64)
}

// Holds reports whether v satisfies the constraint.
func (c Constraint) Holds(v float64) bool {
	if c.Op == AtMost {
		return v <= c.Bound
	}
	return v >= c.Bound
}

// Violation is by how much v breaks the constraint, relative to the bound
// (0 when it holds).
func (c Constraint) Violation(v float64) float64 {
	scale := math.Abs(c.Bound)
	if scale == 0 {
		scale = 1
	}
	if c.Op == AtMost {
		return math.Max(0, v-c.Bound) / scale
	}
	return math.Max(0, c.Bound-v) / scale
}

// Condition is one situation every candidate must survive: the scenario
// with overrides, or another scenario file, with the knobs applied on top.
type Condition struct {
	Name string `json:"name"`
	// Scenario is a scenario file used instead of the tuned scenario; ""
	// for the tuned scenario.
	Scenario string   `json:"scenario,omitempty"`
	Sets     []string `json:"sets"`
	Source   string   `json:"-"`
}

// Budget caps the search: runs (replications), simulated time, or both;
// zero means no cap.
type Budget struct {
	Runs    int           `json:"runs,omitempty"`
	SimTime time.Duration `json:"sim_time_ns,omitempty"`
}

// Rung is one step of successive halving: candidates run for Fraction of
// the measured window (after the warm-up) with Replications each, and the
// best 1/Keep of them go on.
type Rung struct {
	Fraction     float64 `json:"fraction"`
	Replications int     `json:"replications"`
}

// DefaultSchedule is two rungs: a quarter of the measured window with one
// replication for every candidate, then half of it with two replications
// for the best quarter; the best quarter of those are the finalists.
var DefaultSchedule = []Rung{{0.25, 1}, {0.5, 2}}

// Defaults of a spec.
const (
	DefaultCandidates        = 64
	DefaultKeep              = 4
	DefaultFinalReplications = 5
	DefaultSeed              = 1
	// MinCandidates is the fewest candidates a budget may shrink the
	// search to.
	MinCandidates = 4
	// MinFinalists is the fewest finalists (when the last rung has them).
	MinFinalists = 3
)

// Spec is the question tune answers.
type Spec struct {
	// Scenario is the scenario reference (built-in name or file).
	Scenario string `json:"scenario"`
	// Sets are overrides applied to every run first (--set, --duration).
	Sets        []string          `json:"sets"`
	Knobs       []space.Dimension `json:"-"`
	Objective   Objective         `json:"objective"`
	Constraints []Constraint      `json:"constraints"`
	// Conditions are the disturbances besides the scenario as it is
	// (which is always the first condition, "base").
	Conditions        []Condition `json:"conditions"`
	Budget            Budget      `json:"budget"`
	Seed              uint64      `json:"seed"`
	Candidates        int         `json:"candidates"`
	Schedule          []Rung      `json:"schedule"`
	Keep              int         `json:"keep"`
	FinalReplications int         `json:"final_replications"`
}

// knobJSON is how a knob is recorded in the spec's JSON.
type knobJSON struct {
	Path  string `json:"path"`
	Range string `json:"range"`
}

// MarshalJSON records the knobs as path and range.
func (s Spec) MarshalJSON() ([]byte, error) {
	type plain Spec
	knobs := make([]knobJSON, len(s.Knobs))
	for i, k := range s.Knobs {
		knobs[i] = knobJSON{k.Path, k.Range}
	}
	return json.Marshal(struct {
		plain
		Knobs []knobJSON `json:"knobs"`
	}{plain(s), knobs})
}

// Hash is the hex SHA-256 of the spec's JSON: equal hashes mean the same
// question, so a checkpoint or a part file can be resumed or merged.
func (s *Spec) Hash(scenarioSHA string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // strings and numbers always marshal
	}
	sum := sha256.Sum256(append(b, scenarioSHA...))
	return hex.EncodeToString(sum[:])
}

// WithDefaults fills what the spec leaves unset.
func (s *Spec) WithDefaults() {
	if s.Candidates == 0 {
		s.Candidates = DefaultCandidates
	}
	if len(s.Schedule) == 0 {
		s.Schedule = slices.Clone(DefaultSchedule)
	}
	if s.Keep == 0 {
		s.Keep = DefaultKeep
	}
	if s.FinalReplications == 0 {
		s.FinalReplications = DefaultFinalReplications
	}
	if s.Seed == 0 {
		s.Seed = DefaultSeed
	}
}

// ParseConstraint parses "METRIC<=X" or "METRIC>=X". X is a number, a
// percentage ("1%" is 0.01) or a duration ("1.5s", read in seconds).
func ParseConstraint(source, s string) (Constraint, error) {
	fail := func(format string, args ...any) (Constraint, error) {
		return Constraint{}, fmt.Errorf("%s %q: %s", source, s, fmt.Sprintf(format, args...))
	}
	var c Constraint
	var lhs, rhs string
	switch {
	case strings.Contains(s, "<="):
		lhs, rhs, _ = strings.Cut(s, "<=")
		c.Op = AtMost
	case strings.Contains(s, ">="):
		lhs, rhs, _ = strings.Cut(s, ">=")
		c.Op = AtLeast
	default:
		return fail("expected METRIC<=X or METRIC>=X, e.g. error_rate<=0.01")
	}
	c.Metric, c.Source = strings.TrimSpace(lhs), source
	if c.Metric == "" {
		return fail("no metric before %s", c.Op)
	}
	v, err := parseBound(strings.TrimSpace(rhs))
	if err != nil {
		return fail("%v", err)
	}
	c.Bound = v
	return c, nil
}

// parseBound reads a number, a percentage or a duration in seconds.
func parseBound(s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("no bound after the comparison")
	}
	if strings.HasSuffix(s, "%") {
		return scenario.ParseFraction(s) // the one reader of fractions
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("bound %q is not a finite number", s)
		}
		return v, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d.Seconds(), nil
	}
	return 0, fmt.Errorf("bound %q is not a number, a percentage (1%%) or a duration (1.5s)", s)
}

// ParseCondition parses "NAME:PATH=VALUE[,PATH=VALUE...]" or a scenario
// file (its base name is the condition's name).
func ParseCondition(source, s string) (Condition, error) {
	name, rest, ok := strings.Cut(s, ":")
	if ok && validName(name) && strings.Contains(rest, "=") {
		c := Condition{Name: name, Source: source}
		sets, err := scenario.SplitList(rest)
		if err != nil {
			return Condition{}, fmt.Errorf("%s %q: %v", source, s, err)
		}
		for i, set := range sets {
			path, _, ok := strings.Cut(set, "=")
			if !ok || strings.TrimSpace(path) == "" {
				return Condition{}, fmt.Errorf("%s %q: override %d (%q) is not PATH=VALUE", source, s, i+1, set)
			}
			c.Sets = append(c.Sets, set)
		}
		return c, nil
	}
	if strings.TrimSpace(s) == "" {
		return Condition{}, fmt.Errorf("%s: empty condition: give NAME:PATH=VALUE,... or a scenario file", source)
	}
	if st, err := os.Stat(s); err != nil || st.IsDir() {
		return Condition{}, fmt.Errorf("%s %q: neither NAME:PATH=VALUE,... nor a readable scenario file", source, s)
	}
	base := filepath.Base(s)
	return Condition{Name: strings.TrimSuffix(base, filepath.Ext(base)), Scenario: s, Sets: []string{}, Source: source}, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ParseBudget parses "N" or "N runs" (replication runs) or a simulated
// time ("10h", "90m").
func ParseBudget(source, s string) (Budget, error) {
	t := strings.TrimSpace(s)
	n := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(t, "runs"), "run"))
	if v, err := strconv.Atoi(n); err == nil {
		if v < 1 {
			return Budget{}, fmt.Errorf("%s %q: want at least 1 run", source, s)
		}
		return Budget{Runs: v}, nil
	}
	if d, err := time.ParseDuration(t); err == nil {
		if d <= 0 {
			return Budget{}, fmt.Errorf("%s %q: want a positive simulated time", source, s)
		}
		return Budget{SimTime: d}, nil
	}
	return Budget{}, fmt.Errorf("%s %q: want a number of runs (200, \"200 runs\") or a simulated time (10h)", source, s)
}

// specFile is the YAML form of a spec. Every key is optional except what
// the flags do not give.
type specFile struct {
	Scenario          yaml.Node `yaml:"scenario"`
	Set               yaml.Node `yaml:"set"`
	Knobs             yaml.Node `yaml:"knobs"`
	Minimize          yaml.Node `yaml:"minimize"`
	Maximize          yaml.Node `yaml:"maximize"`
	Constraints       yaml.Node `yaml:"constraints"`
	Conditions        yaml.Node `yaml:"conditions"`
	Budget            yaml.Node `yaml:"budget"`
	Seed              yaml.Node `yaml:"seed"`
	Candidates        yaml.Node `yaml:"candidates"`
	Keep              yaml.Node `yaml:"keep"`
	FinalReplications yaml.Node `yaml:"final_replications"`
	Schedule          yaml.Node `yaml:"schedule"`
}

var specKeys = []string{"scenario", "set", "knobs", "minimize", "maximize", "constraints", "conditions",
	"budget", "seed", "candidates", "keep", "final_replications", "schedule"}

// LoadSpec reads a spec file. Errors are "file:line: message", one per
// problem, joined.
func LoadSpec(name string) (*Spec, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("--spec %s: no such file", name)
		}
		return nil, fmt.Errorf("--spec %s: %v", name, err)
	}
	return ParseSpec(name, data)
}

// ParseSpec is LoadSpec for a file's contents.
func ParseSpec(name string, data []byte) (*Spec, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: the spec is empty", name)
	}
	top := root.Content[0]
	at := func(n *yaml.Node) string { return fmt.Sprintf("%s:%d", name, n.Line) }
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: a spec is a mapping (knobs:, minimize:, constraints:, ...)", at(top))
	}
	var errs []error
	bad := func(n *yaml.Node, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", at(n), fmt.Sprintf(format, args...)))
	}
	fields := map[string]*yaml.Node{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		if !slices.Contains(specKeys, k.Value) {
			bad(k, "unknown key %q (known: %s)", k.Value, strings.Join(specKeys, ", "))
			continue
		}
		if _, dup := fields[k.Value]; dup {
			bad(k, "%s is given twice", k.Value)
		}
		fields[k.Value] = v
	}
	s := &Spec{}
	scalar := func(key string) (string, *yaml.Node, bool) {
		n := fields[key]
		if n == nil {
			return "", nil, false
		}
		if n.Kind != yaml.ScalarNode {
			bad(n, "%s: want a single value", key)
			return "", nil, false
		}
		return n.Value, n, true
	}
	strList := func(key string) []struct {
		v string
		n *yaml.Node
	} {
		n := fields[key]
		if n == nil {
			return nil
		}
		var out []struct {
			v string
			n *yaml.Node
		}
		switch {
		case n.Kind == yaml.ScalarNode:
			out = append(out, struct {
				v string
				n *yaml.Node
			}{n.Value, n})
		case n.Kind == yaml.SequenceNode:
			for _, c := range n.Content {
				if c.Kind != yaml.ScalarNode {
					bad(c, "%s: want a list of strings", key)
					continue
				}
				out = append(out, struct {
					v string
					n *yaml.Node
				}{c.Value, c})
			}
		default:
			bad(n, "%s: want a list", key)
		}
		return out
	}
	if v, _, ok := scalar("scenario"); ok {
		s.Scenario = v
		if !filepath.IsAbs(v) && (strings.ContainsRune(v, '/') || strings.HasSuffix(v, ".yaml") || strings.HasSuffix(v, ".yml")) {
			s.Scenario = filepath.Join(filepath.Dir(name), v)
		}
	}
	for _, e := range strList("set") {
		if !strings.Contains(e.v, "=") {
			bad(e.n, "set: %q is not PATH=VALUE", e.v)
			continue
		}
		s.Sets = append(s.Sets, e.v)
	}
	if n := fields["knobs"]; n != nil {
		if n.Kind != yaml.MappingNode {
			bad(n, "knobs: want a mapping of field path to range, e.g. payments.client.timeout: 200ms..3s")
		} else {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				text := v.Value
				if v.Kind == yaml.SequenceNode {
					var vals []string
					for _, c := range v.Content {
						vals = append(vals, c.Value)
					}
					text = strings.Join(vals, ",")
				} else if v.Kind != yaml.ScalarNode {
					bad(v, "knobs: %s: want a range (lo..hi, log:lo..hi) or a list", k.Value)
					continue
				}
				d, err := space.ParseRange(at(k), k.Value, text)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				s.Knobs = append(s.Knobs, d)
			}
		}
	}
	minV, minN, hasMin := scalar("minimize")
	maxV, maxN, hasMax := scalar("maximize")
	switch {
	case hasMin && hasMax:
		bad(maxN, "give minimize or maximize, not both")
	case hasMin:
		s.Objective = Objective{Metric: minV, Source: at(minN)}
	case hasMax:
		s.Objective = Objective{Metric: maxV, Maximize: true, Source: at(maxN)}
	}
	for _, e := range strList("constraints") {
		c, err := ParseConstraint(at(e.n), e.v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.Constraints = append(s.Constraints, c)
	}
	if n := fields["conditions"]; n != nil {
		if n.Kind != yaml.MappingNode {
			bad(n, "conditions: want a mapping of name to overrides (a list of PATH=VALUE) or a scenario file")
		} else {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				c := Condition{Name: k.Value, Source: at(k), Sets: []string{}}
				if !validName(k.Value) {
					bad(k, "conditions: name %q: use letters, digits, - and _", k.Value)
					continue
				}
				switch v.Kind {
				case yaml.ScalarNode:
					f := v.Value
					if !filepath.IsAbs(f) {
						f = filepath.Join(filepath.Dir(name), f)
					}
					if st, err := os.Stat(f); err != nil || st.IsDir() {
						bad(v, "conditions: %s: scenario file %s cannot be read", k.Value, f)
						continue
					}
					c.Scenario = f
				case yaml.SequenceNode:
					for _, e := range v.Content {
						if e.Kind != yaml.ScalarNode || !strings.Contains(e.Value, "=") {
							bad(e, "conditions: %s: want PATH=VALUE", k.Value)
							continue
						}
						c.Sets = append(c.Sets, e.Value)
					}
				case yaml.MappingNode:
					for j := 0; j+1 < len(v.Content); j += 2 {
						p, val := v.Content[j], v.Content[j+1]
						if val.Kind != yaml.ScalarNode {
							bad(val, "conditions: %s: %s: want a single value", k.Value, p.Value)
							continue
						}
						c.Sets = append(c.Sets, p.Value+"="+val.Value)
					}
				default:
					bad(v, "conditions: %s: want overrides or a scenario file", k.Value)
					continue
				}
				s.Conditions = append(s.Conditions, c)
			}
		}
	}
	if v, n, ok := scalar("budget"); ok {
		b, err := ParseBudget(at(n), v)
		if err != nil {
			errs = append(errs, err)
		}
		s.Budget = b
	}
	intField := func(key string, lo, hi int) int {
		v, n, ok := scalar(key)
		if !ok {
			return 0
		}
		x, err := strconv.Atoi(v)
		if err != nil || x < lo || x > hi {
			bad(n, "%s: want a whole number in [%d, %d], got %q", key, lo, hi, v)
			return 0
		}
		return x
	}
	if v, n, ok := scalar("seed"); ok {
		x, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			bad(n, "seed: want a non-negative whole number, got %q", v)
		}
		s.Seed = x
	}
	s.Candidates = intField("candidates", MinCandidates, MaxCandidates)
	s.Keep = intField("keep", 2, 16)
	s.FinalReplications = intField("final_replications", 2, 1000)
	if n := fields["schedule"]; n != nil {
		if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
			bad(n, "schedule: want a list of rungs, e.g. [{fraction: 0.25, replications: 1}, ...]")
		} else {
			for _, r := range n.Content {
				var rung struct {
					Fraction     float64 `yaml:"fraction"`
					Replications int     `yaml:"replications"`
				}
				if err := r.Decode(&rung); err != nil || r.Kind != yaml.MappingNode {
					bad(r, "schedule: want {fraction: F, replications: N}")
					continue
				}
				s.Schedule = append(s.Schedule, Rung{rung.Fraction, rung.Replications})
			}
			if err := checkSchedule(s.Schedule); err != nil {
				bad(n, "schedule: %v", err)
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// MaxCandidates bounds the candidates of one search.
const MaxCandidates = 4096

// checkSchedule checks that fractions grow within (0, 1] and
// replications are at least 1.
func checkSchedule(rs []Rung) error {
	for i, r := range rs {
		if !(r.Fraction > 0 && r.Fraction <= 1) {
			return fmt.Errorf("rung %d: fraction must be in (0, 1], got %g", i+1, r.Fraction)
		}
		if r.Replications < 1 || r.Replications > 1000 {
			return fmt.Errorf("rung %d: replications must be in [1, 1000], got %d", i+1, r.Replications)
		}
		if i > 0 && r.Fraction < rs[i-1].Fraction {
			return fmt.Errorf("rung %d: fraction %g is shorter than the rung before (%g)", i+1, r.Fraction, rs[i-1].Fraction)
		}
	}
	return nil
}

// ParseKnobFlag parses a --knob flag.
func ParseKnobFlag(s string) (space.Dimension, error) { return space.ParseKnob("--knob", s) }

// UnmarshalJSON reads a spec MarshalJSON wrote.
func (s *Spec) UnmarshalJSON(b []byte) error {
	type plain Spec
	var v struct {
		plain
		Knobs []knobJSON `json:"knobs"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Spec(v.plain)
	s.Knobs = nil
	for _, k := range v.Knobs {
		d, err := space.ParseRange("spec", k.Path, k.Range)
		if err != nil {
			return err
		}
		s.Knobs = append(s.Knobs, d)
	}
	return nil
}

package saved

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// IsSaved tells a saved result from a scenario reference by content: an
// existing file holding a JSON object with "format": Format (or, when it
// is not even valid JSON, that text) is one. A JSON file that checkoutsim
// wrote but that is not a saved result (run -o json, compare -o json) is
// an error saying what to save instead; anything else is a scenario.
func IsSaved(ref string) (bool, error) {
	st, err := os.Stat(ref)
	if err != nil || !st.Mode().IsRegular() {
		return false, nil
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		return false, nil // the scenario loader reports it
	}
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		return false, nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return bytes.Contains(data, []byte(`"`+Format+`"`)), nil
	}
	var format string
	if json.Unmarshal(top["format"], &format) == nil && format != "" {
		return true, nil // Read checks the value
	}
	_, summary := top["checkout"]
	_, change := top["change"]
	if summary || change {
		what := "a run summary (run -o json)"
		if change {
			what = "a comparison (compare -o json)"
		}
		return false, fmt.Errorf("%s: %s, not a saved result: it lacks the per-replication values a comparison needs; save a run with 'checkoutsim run SCENARIO --save FILE'", ref, what)
	}
	return false, nil
}

// Side is one side of a comparison: a scenario to run, or a saved result.
type Side struct {
	Ref      string // as given
	Scenario *experiments.Scenario
	YAML     string   // the scenario's source text
	Sets     []string // its overrides (--set, --duration)
	Seed     uint64
	Reps     int
	Results  []*checkout.Result // nil until Run, for a scenario
	File     *File              // the saved result; nil for a scenario
}

// Pair is A and B, loaded and checked, ready to run and compare.
type Pair struct{ A, B *Side }

// Load loads refA and refB, each a saved result or a scenario. The
// overrides' --set and --duration apply to scenarios; the seed and
// replications of the scenarios are the overrides', else the first saved
// side's (A before B), else A's own (as compare of two scenarios always
// did). Errors are bad input; both sides' are reported at once.
func Load(refA, refB string, ov experiments.Overrides) (*Pair, error) {
	p := &Pair{}
	var errA, errB error
	p.A, errA = Open(refA, experiments.Overrides{})
	p.B, errB = Open(refB, experiments.Overrides{})
	if err := errors.Join(errA, errB); err != nil {
		return nil, err
	}
	from := p.A
	if from == nil {
		from = p.B
	}
	if p.A != nil && p.B != nil {
		if overridden(ov) {
			return nil, fmt.Errorf("--set, --duration, --seed and --replications change the scenarios run, and A and B are both saved results")
		}
		return p, nil
	}
	if from != nil {
		if ov.Seed == nil {
			ov.Seed = &from.Seed
		}
		if ov.Replications == 0 {
			ov.Replications = from.Reps
		}
	}
	if p.A == nil {
		p.A, errA = Scenario(refA, ov)
	}
	if p.B == nil {
		p.B, errB = Scenario(refB, ov)
	}
	if err := errors.Join(errA, errB); err != nil {
		return nil, err
	}
	if p.A.File == nil && p.B.File == nil {
		p.B.Seed, p.B.Reps = p.A.Seed, p.A.Reps // B runs with A's, as compare always did
	}
	return p, nil
}

func overridden(ov experiments.Overrides) bool {
	return len(ov.Sets) > 0 || ov.Duration != "" || ov.Seed != nil || ov.Replications > 0
}

// Open reads ref when it is a saved result (IsSaved); it returns nil, nil
// for a scenario. A saved result is fixed: overrides are refused.
func Open(ref string, ov experiments.Overrides) (*Side, error) {
	ok, err := IsSaved(ref)
	if err != nil || !ok {
		return nil, err
	}
	if overridden(ov) {
		return nil, fmt.Errorf("%s is a saved result: --set, --duration, --seed and --replications change a scenario before it runs", ref)
	}
	s := &Side{Ref: ref}
	return s, s.loadFile()
}

// OpenSide is the saved result ref (Open) or, when ref is not one, the
// scenario ref loaded with the overrides (Scenario): `run REF`.
func OpenSide(ref string, ov experiments.Overrides) (*Side, error) {
	s, err := Open(ref, ov)
	if err == nil && s == nil {
		return Scenario(ref, ov)
	}
	return s, err
}

// Scenario loads the scenario ref with the overrides, to be run.
func Scenario(ref string, ov experiments.Overrides) (*Side, error) {
	s := &Side{Ref: ref}
	if err := s.loadScenario(ov); err != nil {
		return nil, err
	}
	return s, nil
}

// Run runs a scenario side's replications (nothing for a saved one).
func (s *Side) Run(ctx context.Context, workers int, progress experiments.Progress) error {
	if s.File != nil {
		return nil
	}
	var err error
	s.Results, err = experiments.RunReplicationsProgress(ctx, s.Scenario, s.Seed, s.Reps, workers, progress)
	return err
}

// Save writes the side's results to path as a saved result made by
// source (the file it came from, for a saved side); nothing when path is
// "" (no --save).
func (s *Side) Save(path string, source Source) error {
	if path == "" {
		return nil
	}
	f := s.File
	if f == nil {
		var err error
		if f, err = New(source, s.Ref, s.Scenario, s.Sets, s.Seed, s.Results); err != nil {
			return err
		}
	}
	return WriteFile(path, f)
}

func (s *Side) loadFile() error {
	f, err := Read(s.Ref)
	if err != nil {
		return err
	}
	sets := append(append([]string{}, f.Sets...), fmt.Sprintf("seed=%d", f.Seed), fmt.Sprintf("replications=%d", f.Replications))
	sc, err := experiments.LoadScenarioBytes(f.Ref, []byte(f.YAML), sets)
	if err != nil {
		return fmt.Errorf("%s: scenario_yaml: the saved scenario no longer loads: %w", s.Ref, err)
	}
	s.File, s.Scenario, s.YAML, s.Sets, s.Seed, s.Reps, s.Results = f, sc, f.YAML, f.Sets, f.Seed, f.Replications, f.Results
	return nil
}

func (s *Side) loadScenario(ov experiments.Overrides) error {
	sc, err := ov.Load(s.Ref)
	if err != nil {
		return err
	}
	src, err := experiments.ScenarioSource(s.Ref)
	if err != nil {
		src = []byte("# " + err.Error())
	}
	s.Scenario, s.YAML = sc, string(src)
	s.Sets = experiments.Overrides{Sets: ov.Sets, Duration: ov.Duration}.All()
	s.Seed, s.Reps = experiments.RunParams(sc)
	return nil
}

// Run runs the scenario sides, with common random numbers when both are
// scenarios (experiments.RunPair). progress (may be nil) counts their
// simulated time; nothing runs when both are saved.
func (p *Pair) Run(ctx context.Context, workers int, progress experiments.Progress) error {
	if a, b := p.A, p.B; a.File == nil && b.File == nil {
		var err error
		a.Results, b.Results, err = experiments.RunPair(ctx, a.Scenario, b.Scenario, a.Seed, a.Reps, workers, progress)
		return err
	}
	if err := p.A.Run(ctx, workers, progress); err != nil {
		return err
	}
	return p.B.Run(ctx, workers, progress)
}

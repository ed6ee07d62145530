package tune

import (
	"errors"

	"github.com/checkoutsim/checkoutsim/experiments"
)

// Flags are the command line's parts of a tuning question, as given:
// `checkoutsim tune`'s arguments and flags before they are checked.
type Flags struct {
	SpecFile    string   // --spec: a YAML file holding the question ("": none)
	Scenario    string   // the positional SCENARIO ("": the spec's)
	Sets        []string // --set, applied to every run
	Duration    string   // --duration ("": the scenario's)
	Knobs       []string // --knob PATH=RANGE
	Minimize    string   // --minimize METRIC
	Maximize    string   // --maximize METRIC
	Constraints []string // --constraint 'METRIC<=X'
	Conditions  []string // --condition
	Budget      string   // --budget
	Seed        *uint64  // --seed, when given
	Candidates  *int     // --candidates, when given
}

// Spec builds the question from --spec (when given) and the flags: flags
// add knobs, constraints and conditions, an objective flag replaces the
// file's, and --set and --duration apply after the file's sets. It returns
// every problem, one error each, so the command reports them at once.
func (f Flags) Spec() (Spec, []error) {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	spec := Spec{}
	if f.SpecFile != "" {
		s, err := LoadSpec(f.SpecFile)
		if err != nil {
			return Spec{}, []error{err}
		}
		spec = *s
	}
	if f.Scenario != "" {
		spec.Scenario = f.Scenario
	}
	if spec.Scenario == "" {
		add(errors.New("no scenario: give SCENARIO or scenario: in --spec"))
	}
	spec.Sets = append(spec.Sets, experiments.Overrides{Sets: f.Sets, Duration: f.Duration}.All()...)
	for _, k := range f.Knobs {
		d, err := ParseKnobFlag(k)
		add(err)
		if err == nil {
			spec.Knobs = append(spec.Knobs, d)
		}
	}
	switch {
	case f.Minimize != "" && f.Maximize != "":
		add(errors.New("--minimize and --maximize: give one objective"))
	case f.Minimize != "":
		spec.Objective = Objective{Metric: f.Minimize, Source: "--minimize"}
	case f.Maximize != "":
		spec.Objective = Objective{Metric: f.Maximize, Maximize: true, Source: "--maximize"}
	}
	for _, c := range f.Constraints {
		con, err := ParseConstraint("--constraint", c)
		add(err)
		if err == nil {
			spec.Constraints = append(spec.Constraints, con)
		}
	}
	for _, c := range f.Conditions {
		cond, err := ParseCondition("--condition", c)
		add(err)
		if err == nil {
			spec.Conditions = append(spec.Conditions, cond)
		}
	}
	if f.Budget != "" {
		b, err := ParseBudget("--budget", f.Budget)
		add(err)
		spec.Budget = b
	}
	if f.Seed != nil {
		spec.Seed = *f.Seed
	}
	if f.Candidates != nil {
		spec.Candidates = *f.Candidates
	}
	return spec, errs
}

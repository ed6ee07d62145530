package experiments

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/checkoutsim/checkoutsim/experiments/scenario"
)

// Overrides are a command line's changes to a scenario: the --set
// assignments, then --duration, --seed and --replications written as
// assignments after them, so each is validated like any field and the last
// word is the flag's. Every command loads its scenarios through Load.
type Overrides struct {
	Sets         []string
	Duration     string  // "" keeps the scenario's
	Seed         *uint64 // nil keeps the scenario's
	Replications int     // 0 keeps the scenario's
}

// All returns the assignments in the order they apply.
func (o Overrides) All() []string {
	sets := append([]string{}, o.Sets...)
	if o.Duration != "" {
		sets = append(sets, "duration="+o.Duration)
	}
	if o.Seed != nil {
		sets = append(sets, "seed="+strconv.FormatUint(*o.Seed, 10))
	}
	if o.Replications > 0 {
		sets = append(sets, "replications="+strconv.Itoa(o.Replications))
	}
	return sets
}

// Load loads the scenario ref (a built-in name or a YAML file) with the
// overrides. When a --duration leaves no measured time after the warm-up,
// the error adds a hint to shorten the warm-up too.
func (o Overrides) Load(ref string) (*Scenario, error) {
	sc, err := LoadScenario(ref, o.All())
	if err != nil && o.Duration != "" && hasFieldError(err, "warmup") {
		err = fmt.Errorf("%w\nhint: --duration %s is not longer than the scenario's warm-up; shorten it too, e.g. --set warmup=10s", err, o.Duration)
	}
	return sc, err
}

// RunParams are the seed and replications to run sc with: its own (after
// the overrides), DefaultReplications when it sets none.
func RunParams(sc *Scenario) (seed uint64, reps int) {
	if sc.Replications < 1 {
		return sc.Seed, DefaultReplications
	}
	return sc.Seed, sc.Replications
}

// hasFieldError reports whether err holds a scenario error at path.
func hasFieldError(err error, path string) bool {
	var list scenario.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			if e.Path == path {
				return true
			}
		}
	}
	var one *scenario.Error
	return errors.As(err, &one) && one.Path == path
}

package experiments

import "github.com/checkoutsim/checkoutsim/models/checkout"

// Scenario is one scenario file: a name, how to run it, and the checkout
// system (inlined, so its fields sit at the top level of the YAML).
type Scenario struct {
	// Name identifies the scenario in outputs; built-in scenarios are
	// addressed by it.
	Name string
	// Description is one line shown by `checkoutsim scenarios`.
	Description string
	// Seed is the default seed (--seed overrides it).
	Seed uint64
	// Replications is the default number of independent replications
	// (--replications overrides it).
	Replications int
	// Uncertain declares the inputs whose values are guesses or were
	// calibrated, each with the range it could plausibly take; sensitivity
	// and robust vary them. It does not change a plain run.
	Uncertain []Uncertain

	checkout.Config `yaml:",inline"`
}

// Uncertain is one declared uncertain input: a scenario field path, the
// range of values it could plausibly take (experiments/space syntax:
// "1s..3s", "log:0.5%..5%", "[2, 3, 4]"), and the reason.
type Uncertain struct {
	Path  string
	Range string
	Why   string
	// Source is where the entry is written ("file:line"), for errors; set
	// by the loader.
	Source string `yaml:"-"`
}

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

	checkout.Config `yaml:",inline"`
}

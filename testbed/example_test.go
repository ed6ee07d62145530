package testbed_test

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/testbed"
)

// Before a real run, list what the testbed cannot realize: testbed.Run
// refuses such a scenario unless Options.Approximate is set.
func ExampleApproximations() {
	sc, err := experiments.LoadScenario("flash-sale-before", nil)
	if err != nil {
		panic(err)
	}
	for _, a := range testbed.Approximations(sc) {
		fmt.Println(a.Field)
	}
	// Output:
	// services[1].autoscale
	// services[2].autoscale
	// database.pool_size
}

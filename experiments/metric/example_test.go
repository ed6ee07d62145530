package metric_test

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// A flag names a metric by key, path or short name; Over estimates it
// over replications.
func ExampleLookup() {
	m, err := metric.Lookup("errors")
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Key, m.Path, m.Unit, m.Better)
	results := []*checkout.Result{
		{Checkout: checkout.Counts{Attempts: 100, Failed: 2}},
		{Checkout: checkout.Counts{Attempts: 100, Failed: 4}},
		{Checkout: checkout.Counts{Attempts: 100, Failed: 3}},
	}
	mean, ci := metric.Over(results, m)
	fmt.Printf("%.3f [%.3f, %.3f]\n", mean, ci[0], ci[1])
	_, err = metric.Lookup("p99.9")
	fmt.Println(err)
	// Output:
	// error_rate checkout.error_rate fraction lower is better
	// 0.030 [0.005, 0.055]
	// unknown metric "p99.9"; did you mean latency_p99_s?
}

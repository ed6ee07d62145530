package experiments_test

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/experiments"
)

// A partial file: everything it does not set keeps the default, and a
// policy block it adds starts from the library defaults.
func ExampleLoadScenarioBytes() {
	file := []byte(`name: tuned
traffic:
  multiplier: 2
flow:
  gateway_policy:
    retry: {max_attempts: 3}
`)
	s, err := experiments.LoadScenarioBytes("tuned.yaml", file, []string{"duration=5m"})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := s.Flow.GatewayPolicy.Retry
	fmt.Println(s.Name, s.Traffic.Multiplier, s.Duration, s.Replications)
	fmt.Println(r.MaxAttempts, r.Backoff.Kind, r.Backoff.Base, r.Backoff.Jitter)
	// Output:
	// tuned 2 5m0s 5
	// 3 exponential 100ms full
}

// Every problem at once, in line order, then the --set ones.
func ExampleLoadScenarioBytes_errors() {
	file := []byte(`traffic:
  multipler: 2
database:
  pool_size: 0
  statement: lognormal(median=5ms, p99=1ms)
`)
	_, err := experiments.LoadScenarioBytes("bad.yaml", file, []string{"seed=-1"})
	fmt.Println(err)
	// Output:
	// bad.yaml:2: traffic.multipler: unknown field; did you mean "multiplier"? (valid fields: profile, multiplier, trace, browse_ratio, cohorts, cart_size, max_cart_lines, skus, sku_skew, patience, reclick)
	// bad.yaml:4: database.pool_size: must be >= 1, got 0
	// bad.yaml:5: database.statement: dist: parse "lognormal(median=5ms, p99=1ms)": at offset 0: lognormal: p99 (0.001) must be greater than median (0.005)
	// --set: seed: must not be negative, got -1
}

func ExampleBuiltinYAML() {
	data, err := experiments.BuiltinYAML("one-station")
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := experiments.LoadScenarioBytes("one-station.yaml", data, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Name, s.Services[0].Name, s.Services[0].WorkersPerInstance, s.Services[0].CPU)
	// Output: one-station station 8 exponential(mean=0.05)
}

package space_test

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/experiments/space"
)

func Example() {
	var dims []space.Dimension
	for _, k := range []string{
		"payments.client.timeout=log:200ms..3s",
		"payments.client.retry.max_attempts=1..4",
		"payments.client.retry.backoff.kind=constant,exponential",
	} {
		d, err := space.ParseKnob("--knob", k)
		if err != nil {
			fmt.Println(err)
			return
		}
		dims = append(dims, d)
	}
	s, _ := space.New(dims...)
	if err := s.Check(space.ScenarioLoader("payment-slowdown-after", nil)); err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range space.LatinHypercube(3, len(s.Dims), 1) {
		fmt.Println(s.Sets(u))
	}
	fmt.Println(s.Sets([]float64{0, 0, 0}))
	// Output:
	// [payments.client.timeout=603ms payments.client.retry.max_attempts=4 payments.client.retry.backoff.kind=exponential]
	// [payments.client.timeout=1.79s payments.client.retry.max_attempts=2 payments.client.retry.backoff.kind=constant]
	// [payments.client.timeout=239ms payments.client.retry.max_attempts=2 payments.client.retry.backoff.kind=exponential]
	// [payments.client.timeout=200ms payments.client.retry.max_attempts=1 payments.client.retry.backoff.kind=constant]
}

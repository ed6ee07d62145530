package call_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
)

// An Edge with up to 3 attempts and a constant 10 ms backoff in front of a
// server whose first two attempts fail: the call succeeds on the third
// attempt, after 1 + 10 + 1 + 10 + 1 ms. Against a server that always
// fails it gives up after 3 attempts.
func ExampleEdge_Call() {
	e := sim.New()
	edge, err := call.NewEdge(e, "checkout->payments", call.Policy{
		AttemptTimeout: 500 * sim.Millisecond,
		Retry: &policy.RetryConfig{MaxAttempts: 3, Backoff: policy.BackoffConfig{
			Kind: policy.BackoffConstant, Base: 10 * time.Millisecond, Jitter: policy.JitterNone}},
	}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	// failing returns a server that fails its first n attempts, each
	// after 1 ms of work.
	failing := func(n int) call.HandlerFunc {
		seen := 0
		return func(ctx *call.Ctx, reply func(call.Outcome)) {
			seen++
			o := policy.Success
			if seen <= n {
				o = policy.Failure
			}
			e.After(sim.Millisecond, func() { reply(o) })
		}
	}
	var tr call.Trace
	edge.Call(call.Root(nil, sim.Never, &tr), failing(2), func(o call.Outcome) {
		fmt.Printf("flaky server: %v at %v, backoff %v\n", o, e.Now(), tr.Spans[call.SpanBackoff])
	})
	e.Run()
	start := e.Now()
	edge.Call(call.Background(), failing(1000), func(o call.Outcome) {
		fmt.Printf("broken server: %v after %v\n", o, e.Now()-start)
	})
	e.Run()
	fmt.Printf("calls %d, attempts %d, amplification %.1f, failed attempts %d\n",
		edge.Calls, edge.Attempts, edge.Amplification(), edge.Outcomes[policy.Failure])
	// Output:
	// flaky server: success at 23ms, backoff 20ms
	// broken server: failure after 23ms
	// calls 2, attempts 6, amplification 3.0, failed attempts 5
}

package tune_test

import (
	"fmt"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments/tune"
	"github.com/checkoutsim/checkoutsim/policy"
)

// The best settings as a YAML fragment to paste into a scenario: nested
// mappings for key paths, a comment for a path into a list.
func ExampleYAMLFragment() {
	fmt.Print(tune.YAMLFragment([]string{
		"payments.client.timeout=982ms",
		"payments.client.retry.max_attempts=2",
		"flow.steps[4].policy.timeout=3s",
	}))
	// Output:
	// payments:
	//   client:
	//     timeout: 982ms
	//     retry:
	//       max_attempts: 2
	// # list entry: --set flow.steps[4].policy.timeout=3s
}

// A policy stack as the Go literal production code passes to policy/live.
func ExampleStackLiteral() {
	fmt.Print(tune.StackLiteral(policy.StackConfig{
		Retry: &policy.RetryConfig{MaxAttempts: 2, PerAttemptTimeout: 982 * time.Millisecond,
			Backoff: policy.BackoffConfig{Kind: policy.BackoffConstant, Base: 50 * time.Millisecond, Jitter: policy.JitterFull},
			RetryOn: []policy.Outcome{policy.Timeout}},
		TokenBucket: &policy.TokenBucketConfig{MaxTokens: 100, TokenRatio: 0.1},
	}))
	// Output:
	// policy.StackConfig{
	// 	Retry: &policy.RetryConfig{
	// 		MaxAttempts:       2,
	// 		PerAttemptTimeout: 982 * time.Millisecond,
	// 		Backoff: policy.BackoffConfig{
	// 			Kind:   policy.BackoffConstant,
	// 			Base:   50 * time.Millisecond,
	// 			Jitter: policy.JitterFull,
	// 		},
	// 		RetryOn: []policy.Outcome{policy.Timeout},
	// 	},
	// 	TokenBucket: &policy.TokenBucketConfig{
	// 		MaxTokens:  100.0,
	// 		TokenRatio: 0.1,
	// 	},
	// }
}

package policy_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/checkoutsim/checkoutsim/policy"
)

// A simulator drives a breaker in virtual time: now is time.Unix(0, v) for
// virtual nanoseconds v, and the permit joins admission to outcome.
func ExampleBreaker() {
	b, err := policy.NewBreaker(policy.BreakerConfig{
		Mode: policy.BreakerConsecutive, ConsecutiveFailures: 2,
		OpenDuration: time.Second, HalfOpenPermits: 1,
	}, nil)
	if err != nil {
		panic(err)
	}
	b.OnStateChange(func(c policy.StateChange) {
		fmt.Printf("hook %v: %v -> %v after %d failures\n", c.At.Sub(time.Unix(0, 0)), c.From, c.To, c.Counts.Failures)
	})
	v := func(ms int) time.Time { return time.Unix(0, int64(ms)*int64(time.Millisecond)) }

	slow, _ := b.Allow(v(0)) // admitted while closed, answers late
	for _, ms := range []int{10, 20} {
		p, _ := b.Allow(v(ms))
		b.Record(v(ms+5), p, policy.Failure, 5*time.Millisecond)
	}
	_, err = b.Allow(v(30))
	fmt.Println("at 30ms:", err)
	b.Record(v(40), slow, policy.Success, 40*time.Millisecond) // stale: not counted
	fmt.Println("stale records:", b.Stats().StaleRecords)
	trial, err := b.Allow(v(1025))
	fmt.Println("at 1025ms trial admitted:", err == nil)
	b.Record(v(1030), trial, policy.Success, 5*time.Millisecond)
	// Output:
	// hook 25ms: closed -> open after 2 failures
	// at 30ms: circuit breaker open
	// stale records: 1
	// hook 1.025s: open -> half_open after 0 failures
	// at 1025ms trial admitted: true
	// hook 1.03s: half_open -> closed after 0 failures
}

// Building a whole stack from configuration, as the scenario loader does,
// with a field-named error for a bad value.
func ExampleStackConfig_Build() {
	cfg := policy.StackConfig{
		Timeout: 2 * time.Second,
		Retry: &policy.RetryConfig{MaxAttempts: 3, PerAttemptTimeout: 300 * time.Millisecond,
			Backoff: policy.BackoffConfig{Kind: policy.BackoffExponential, Base: 20 * time.Millisecond, Cap: 500 * time.Millisecond, Multiplier: 2, Jitter: policy.JitterFull}},
		TokenBucket: &policy.TokenBucketConfig{MaxTokens: 10, TokenRatio: 0.1},
		Breaker: &policy.BreakerConfig{Mode: policy.BreakerCountWindow, WindowSize: 20, MinimumCalls: 10,
			FailureRateThreshold: 0.5, OpenDuration: 5 * time.Second, OpenJitter: 0.2, HalfOpenPermits: 3},
		Bulkhead: &policy.BulkheadConfig{MaxConcurrent: 32, MaxQueue: 64, MaxWait: 50 * time.Millisecond},
	}
	s, err := cfg.Build(rand.New(rand.NewPCG(1, 2)))
	fmt.Println(s, err)

	cfg.Retry.Backoff.Cap = time.Millisecond
	_, err = cfg.Build(rand.New(rand.NewPCG(1, 2)))
	fmt.Println(err)
	// Output:
	// deadline(2s) -> retry(max 3, exponential/full, token bucket) -> breaker(count_window) -> bulkhead(32+64) -> call <nil>
	// retry.backoff.cap: must be >= base (20ms), got 1ms
}

package call

import (
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
)

func TestPolicyStack(t *testing.T) {
	tb := &policy.TokenBucketConfig{MaxTokens: 10, TokenRatio: 0.1}
	cases := []struct {
		name       string
		p          Policy
		attempts   int
		perAttempt time.Duration
	}{
		{"zero policy is one attempt, no timeout", Policy{}, 1, 0},
		{"per-attempt timeout carried", Policy{AttemptTimeout: sim.Time(300 * time.Millisecond)}, 1, 300 * time.Millisecond},
		{"retry's own per-attempt timeout wins", Policy{
			AttemptTimeout: sim.Time(time.Second),
			Retry:          &policy.RetryConfig{MaxAttempts: 3, PerAttemptTimeout: 200 * time.Millisecond, Backoff: policy.BackoffConfig{Kind: policy.BackoffExponential, Base: 10 * time.Millisecond, Multiplier: 2, Cap: time.Second, Jitter: policy.JitterFull}},
			TokenBucket:    tb,
		}, 3, 200 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := c.p.Stack()
			if err := sc.Validate(); err != nil {
				t.Fatalf("invalid stack: %v", err)
			}
			if sc.Retry.MaxAttempts != c.attempts || sc.Retry.PerAttemptTimeout != c.perAttempt {
				t.Fatalf("retry = %+v, want %d attempts, %v per attempt", *sc.Retry, c.attempts, c.perAttempt)
			}
			if sc.Timeout != 0 {
				t.Fatalf("end-to-end timeout = %v, want 0 (the caller's deadline)", sc.Timeout)
			}
			if sc.TokenBucket != c.p.TokenBucket || sc.Breaker != c.p.Breaker || sc.Bulkhead != c.p.Bulkhead {
				t.Fatal("budget, breaker or bulkhead not carried over")
			}
		})
	}
}

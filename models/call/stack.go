package call

import "github.com/checkoutsim/checkoutsim/policy"

// Stack is the hop's policy stack as the deployable policy.StackConfig that
// production code passes to policy/live: one composition, two clocks. The
// simulated edge and the real testbed's clients both derive their cores from
// it, so the two cannot drift.
//
// Policy.AttemptTimeout is per attempt; it becomes the retry config's
// PerAttemptTimeout unless that is set. Policy.CallTimeout is end to end and
// becomes StackConfig.Timeout; the caller's propagated deadline, when
// earlier, bounds a call too, per request. PropagateDeadline and
// CancelOnTimeout are properties of the request path, not of the cores, and
// are not part of the result.
func (p Policy) Stack() policy.StackConfig {
	rc := policy.RetryConfig{MaxAttempts: 1, Backoff: policy.BackoffConfig{Kind: policy.BackoffConstant, Jitter: policy.JitterNone}}
	if p.Retry != nil {
		rc = *p.Retry
	}
	if rc.PerAttemptTimeout == 0 {
		rc.PerAttemptTimeout = p.AttemptTimeout.Duration()
	}
	return policy.StackConfig{
		Timeout:     p.CallTimeout.Duration(),
		Retry:       &rc,
		Throttle:    p.Throttle,
		TokenBucket: p.TokenBucket,
		RatioBudget: p.RatioBudget,
		Breaker:     p.Breaker,
		Bulkhead:    p.Bulkhead,
	}
}

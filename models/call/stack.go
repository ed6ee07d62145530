package call

import "github.com/checkoutsim/checkoutsim/policy"

// Stack is the hop's policy stack as the deployable policy.StackConfig that
// production code passes to policy/live: one composition, two clocks. The
// simulated edge and the real testbed's clients both derive their cores from
// it, so the two cannot drift.
//
// Policy.Timeout is per attempt; it becomes the retry config's
// PerAttemptTimeout unless that is set. StackConfig.Timeout (end to end) stays
// 0: the end-to-end budget is the caller's deadline, propagated per request.
// PropagateDeadline and CancelOnTimeout are properties of the request path,
// not of the cores, and are not part of the result.
func (p Policy) Stack() policy.StackConfig {
	rc := policy.RetryConfig{MaxAttempts: 1, Backoff: policy.BackoffConfig{Kind: policy.BackoffConstant, Jitter: policy.JitterNone}}
	if p.Retry != nil {
		rc = *p.Retry
	}
	if rc.PerAttemptTimeout == 0 {
		rc.PerAttemptTimeout = p.Timeout.Duration()
	}
	return policy.StackConfig{
		Retry:       &rc,
		TokenBucket: p.TokenBucket,
		RatioBudget: p.RatioBudget,
		Breaker:     p.Breaker,
		Bulkhead:    p.Bulkhead,
	}
}

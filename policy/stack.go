package policy

import (
	"fmt"
	"strings"
	"time"
)

// Layer names one layer of the policy stack.
type Layer string

const (
	LayerDeadline Layer = "deadline" // end-to-end budget; bounds every attempt
	LayerRetry    Layer = "retry"    // attempts, backoff, retry budget
	LayerThrottle Layer = "throttle" // SRE client-side adaptive throttling
	LayerBreaker  Layer = "breaker"  // circuit breaker
	LayerBulkhead Layer = "bulkhead" // concurrency limit and wait queue
	LayerCall     Layer = "call"     // the attempt itself
)

// Order is the composition order, outermost first. Each attempt of a call
// passes the layers in this order and reports its outcome in reverse:
//
//	deadline -> retry -> breaker -> throttle -> bulkhead -> call
//
// Why this order: the deadline bounds everything, including backoff waits.
// Retry is outside the breaker and bulkhead so that each attempt is
// admitted afresh (a retry must not bypass an open breaker), and a local
// rejection (Outcome Rejected) is not retried by default. The breaker comes
// before the throttle so that the throttle counts only requests that could
// reach the backend. The bulkhead is innermost so a slot is held only while
// the call really runs, never during backoff. A throttle or bulkhead
// rejection is recorded in the breaker as Rejected, which it ignores.
var Order = []Layer{LayerDeadline, LayerRetry, LayerBreaker, LayerThrottle, LayerBulkhead, LayerCall}

// StackConfig configures a whole stack for one downstream. Nil parts are
// left out. At most one of TokenBucket and RatioBudget may be set.
type StackConfig struct {
	Timeout     time.Duration // end-to-end budget per call; 0: only the caller's deadline
	Retry       *RetryConfig  // nil: one attempt
	TokenBucket *TokenBucketConfig
	RatioBudget *RatioBudgetConfig
	Throttle    *ThrottleConfig
	Breaker     *BreakerConfig
	Bulkhead    *BulkheadConfig
}

// Validate reports every invalid field, prefixed by its part ("retry.max_attempts").
func (c StackConfig) Validate() error {
	var l errList
	l.nonNegDur("timeout", c.Timeout)
	if c.Retry != nil {
		l.nested("retry", c.Retry.Validate())
	}
	if c.TokenBucket != nil {
		l.nested("token_bucket", c.TokenBucket.Validate())
	}
	if c.RatioBudget != nil {
		l.nested("ratio_budget", c.RatioBudget.Validate())
	}
	if c.TokenBucket != nil && c.RatioBudget != nil {
		l.add(fieldErr("ratio_budget", "only one of token_bucket and ratio_budget may be set"))
	}
	if c.Throttle != nil {
		l.nested("throttle", c.Throttle.Validate())
	}
	if c.Breaker != nil {
		l.nested("breaker", c.Breaker.Validate())
	}
	if c.Bulkhead != nil {
		l.nested("bulkhead", c.Bulkhead.Validate())
	}
	return l.join()
}

// Stack holds the cores of one downstream, ready for the live adapter (or
// for a simulator that wants them built in one go). The cores stay usable
// individually. Not safe for concurrent use.
type Stack struct {
	Timeout  time.Duration
	Retry    *RetryPolicy // never nil after Build
	Throttle *Throttle
	Breaker  *Breaker
	Bulkhead *Bulkhead
}

// Build validates c and builds the cores. All randomness (jitter, breaker
// open jitter, throttle draws) comes from rnd, which is required.
func (c StackConfig) Build(rnd Rand) (*Stack, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if rnd == nil {
		return nil, ErrNilRand
	}
	s := &Stack{Timeout: c.Timeout}
	var budget RetryBudget
	var err error
	if c.TokenBucket != nil {
		if budget, err = c.TokenBucket.New(); err != nil {
			return nil, err
		}
	}
	if c.RatioBudget != nil {
		if budget, err = NewRatioBudget(*c.RatioBudget); err != nil {
			return nil, err
		}
	}
	rc := RetryConfig{MaxAttempts: 1, Backoff: BackoffConfig{Kind: BackoffConstant, Jitter: JitterNone}}
	if c.Retry != nil {
		rc = *c.Retry
	}
	if s.Retry, err = NewRetryPolicy(rc, rnd, budget); err != nil {
		return nil, err
	}
	if c.Throttle != nil {
		if s.Throttle, err = NewThrottle(*c.Throttle, rnd); err != nil {
			return nil, err
		}
	}
	if c.Breaker != nil {
		if s.Breaker, err = NewBreaker(*c.Breaker, rnd); err != nil {
			return nil, err
		}
	}
	if c.Bulkhead != nil {
		if s.Bulkhead, err = NewBulkhead(*c.Bulkhead); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// String describes the stack in composition order, for logs and reports,
// e.g. "deadline(2s) -> retry(max 3, exponential/full) -> breaker(count_window) ->
// bulkhead(10+20) -> call".
func (s *Stack) String() string {
	var parts []string
	if s.Timeout > 0 {
		parts = append(parts, fmt.Sprintf("deadline(%v)", s.Timeout))
	} else {
		parts = append(parts, "deadline(caller)")
	}
	if s.Retry != nil {
		c := s.Retry.cfg
		r := fmt.Sprintf("retry(max %d, %s/%s", c.MaxAttempts, c.Backoff.Kind, c.Backoff.Jitter)
		switch s.Retry.budget.(type) {
		case *TokenBucket:
			r += ", token bucket"
		case *RatioBudget:
			r += ", ratio budget"
		}
		parts = append(parts, r+")")
	}
	if s.Breaker != nil {
		parts = append(parts, fmt.Sprintf("breaker(%s)", s.Breaker.cfg.Mode))
	}
	if s.Throttle != nil {
		parts = append(parts, fmt.Sprintf("throttle(K=%g)", s.Throttle.k))
	}
	if s.Bulkhead != nil {
		parts = append(parts, fmt.Sprintf("bulkhead(%d+%d)", s.Bulkhead.cfg.MaxConcurrent, s.Bulkhead.cfg.MaxQueue))
	}
	parts = append(parts, "call")
	return strings.Join(parts, " -> ")
}

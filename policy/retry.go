package policy

import (
	"fmt"
	"time"
)

// RetryConfig configures retries of one call.
type RetryConfig struct {
	// MaxAttempts is the total number of attempts, the first included
	// (1 = never retry).
	MaxAttempts int
	// PerAttemptTimeout bounds each attempt; 0 = only the deadline bounds it.
	PerAttemptTimeout time.Duration
	// Backoff gives the delay before each retry.
	Backoff BackoffConfig
	// RetryOn lists the retryable outcomes; empty means the default
	// {failure, timeout}. Success cannot be listed. Listing overloaded is
	// allowed (to study clients that ignore the signal) but not advised.
	RetryOn []Outcome
	// Reserve is kept back from the deadline for the caller's own work
	// after the last attempt: an attempt gets at most remaining - Reserve.
	Reserve time.Duration
	// MinAttemptTime: a retry whose attempt would get less time than this
	// (after the backoff delay and the reserve) is not started, because it
	// could not finish within the deadline. 0 = any positive time will do.
	MinAttemptTime time.Duration
}

// DefaultRetryOn is the retryable set used when RetryOn is empty.
var DefaultRetryOn = []Outcome{Failure, Timeout}

// Validate reports every invalid field, with snake_case names
// ("max_attempts", "backoff.base").
func (c RetryConfig) Validate() error {
	var l errList
	if c.MaxAttempts < 1 || c.MaxAttempts > 1000 {
		l.add(fieldErr("max_attempts", "must be in [1, 1000], got %d", c.MaxAttempts))
	}
	l.nonNegDur("per_attempt_timeout", c.PerAttemptTimeout)
	l.nested("backoff", c.Backoff.Validate())
	for i, o := range c.RetryOn {
		if o >= numOutcomes {
			l.add(fieldErr(fmt.Sprintf("retry_on[%d]", i), "unknown outcome %d", uint8(o)))
		} else if o == Success {
			l.add(fieldErr(fmt.Sprintf("retry_on[%d]", i), "success cannot be retryable"))
		}
	}
	l.nonNegDur("reserve", c.Reserve)
	l.nonNegDur("min_attempt_time", c.MinAttemptTime)
	return l.join()
}

// RetryReason says why a RetryDecision was made.
type RetryReason uint8

const (
	ReasonRetry        RetryReason = iota // retry after Delay
	ReasonSucceeded                       // the attempt succeeded; done
	ReasonNotRetryable                    // the outcome is not in RetryOn
	ReasonMaxAttempts                     // MaxAttempts reached
	ReasonDeadline                        // a retry could not finish before the deadline
	ReasonBudget                          // the retry budget refused
)

var reasonNames = [...]string{"retry", "succeeded", "not_retryable", "max_attempts", "deadline", "budget"}

func (r RetryReason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// RetryDecision is what a Retrier decided after an attempt.
type RetryDecision struct {
	Retry   bool          // start another attempt after Delay
	Delay   time.Duration // backoff before the next attempt (0 unless Retry)
	Attempt int           // number of the next attempt if Retry, else attempts made
	Reason  RetryReason
}

func (d RetryDecision) String() string {
	if d.Retry {
		return fmt.Sprintf("retry attempt %d after %v", d.Attempt, d.Delay)
	}
	return fmt.Sprintf("stop after %d attempts: %v", d.Attempt, d.Reason)
}

// RetryPolicy is the validated, shared part of a retry configuration for
// one downstream: the config, the random stream for jitter and the optional
// budget shared by all calls. Start one Retrier per call.
type RetryPolicy struct {
	cfg    RetryConfig
	on     outcomeSet
	rnd    Rand
	budget RetryBudget
}

// NewRetryPolicy validates cfg. rnd is required when the backoff has
// jitter; budget may be nil (no budget).
func NewRetryPolicy(cfg RetryConfig, rnd Rand, budget RetryBudget) (*RetryPolicy, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rnd == nil && cfg.Backoff.Jitter != JitterNone {
		return nil, ErrNilRand
	}
	on := DefaultRetryOn
	if len(cfg.RetryOn) > 0 {
		on = cfg.RetryOn
	}
	cfg.RetryOn = append([]Outcome(nil), on...)
	return &RetryPolicy{cfg: cfg, on: setOf(on), rnd: rnd, budget: budget}, nil
}

// Config returns the validated configuration.
func (p *RetryPolicy) Config() RetryConfig { return p.cfg }

// Budget returns the budget (nil if none).
func (p *RetryPolicy) Budget() RetryBudget { return p.budget }

// Retryable reports whether o is in the retryable set.
func (p *RetryPolicy) Retryable(o Outcome) bool { return p.on.has(o) }

// Start begins a call at now with the given end-to-end deadline (zero =
// none) and deposits into the budget. The Retrier is a small value with no
// heap allocation; keep it in the call's record and call Next after every
// attempt.
func (p *RetryPolicy) Start(now time.Time, deadline Deadline) Retrier {
	if p.budget != nil {
		p.budget.Deposit(now)
	}
	return Retrier{p: p, deadline: deadline, attempt: 1}
}

// NewRetrier is a shortcut for one call with neither a shared budget nor a
// deadline: NewRetryPolicy(cfg, rnd, nil) then Start(time.Time{}, NoDeadline).
// Calls to one downstream that share a budget should use one RetryPolicy
// and Start a Retrier per call instead.
func NewRetrier(cfg RetryConfig, rnd Rand) (*Retrier, error) {
	p, err := NewRetryPolicy(cfg, rnd, nil)
	if err != nil {
		return nil, err
	}
	r := p.Start(time.Time{}, NoDeadline)
	return &r, nil
}

// Retrier is the per-call retry state machine:
//
//	r := policy.Start(now, deadline)
//	for {
//	    timeout, ok := r.AttemptTimeout(now) // !ok: out of time, stop
//	    outcome := attempt(timeout)
//	    d := r.Next(now, outcome)
//	    if !d.Retry { break }
//	    wait d.Delay
//	}
type Retrier struct {
	p        *RetryPolicy
	deadline Deadline
	attempt  int // number of the attempt in progress (1-based)
	done     bool
	reason   RetryReason // why it stopped, once done
	bo       backoffState
}

// Attempt returns the number of the current attempt (1 for the first).
func (r *Retrier) Attempt() int { return r.attempt }

// Deadline returns the call's deadline.
func (r *Retrier) Deadline() Deadline { return r.deadline }

// AttemptTimeout returns the timeout for an attempt starting at now:
// min(PerAttemptTimeout, remaining - Reserve); 0 means no timeout. ok is
// false if the deadline leaves no time (the attempt must not start).
func (r *Retrier) AttemptTimeout(now time.Time) (time.Duration, bool) {
	c := &r.p.cfg
	t, ok := r.deadline.AttemptTimeout(now, c.PerAttemptTimeout, c.Reserve)
	if ok && c.MinAttemptTime > 0 && !r.deadline.IsZero() && r.deadline.Remaining(now)-c.Reserve < c.MinAttemptTime {
		return 0, false
	}
	return t, ok
}

// Next records the outcome of the current attempt, finished at now, and
// decides whether to retry. The checks run in this order: success, then
// retryable outcome, then attempts left, then the deadline (the next attempt
// must get at least max(MinAttemptTime, 1ns) after Delay and Reserve), and
// last the budget, so a budget is only charged for retries that will run.
// Every outcome is reported to the budget first. After a stop decision,
// further calls return the same stop without touching the budget.
func (r *Retrier) Next(now time.Time, o Outcome) RetryDecision {
	p := r.p
	if r.done {
		return RetryDecision{Attempt: r.attempt, Reason: r.reason}
	}
	if p.budget != nil {
		p.budget.Record(now, o)
	}
	switch {
	case o == Success:
		return r.stop(ReasonSucceeded)
	case !p.on.has(o):
		return r.stop(ReasonNotRetryable)
	case r.attempt >= p.cfg.MaxAttempts:
		return r.stop(ReasonMaxAttempts)
	}
	delay := r.bo.next(&p.cfg.Backoff, p.rnd)
	if !r.deadline.IsZero() {
		need := p.cfg.MinAttemptTime
		if need <= 0 {
			need = 1
		}
		if r.deadline.Remaining(now)-delay-p.cfg.Reserve < need {
			return r.stop(ReasonDeadline)
		}
	}
	if p.budget != nil && !p.budget.Withdraw(now) {
		return r.stop(ReasonBudget)
	}
	r.attempt++
	return RetryDecision{Retry: true, Delay: delay, Attempt: r.attempt, Reason: ReasonRetry}
}

func (r *Retrier) stop(reason RetryReason) RetryDecision {
	r.done, r.reason = true, reason
	return RetryDecision{Attempt: r.attempt, Reason: reason}
}

package policy

import (
	"math"
	"time"
)

// AIMDConfig configures an additive-increase / multiplicative-decrease
// concurrency limit, as in Netflix concurrency-limits' AIMDLimit: after a
// dropped call (Overloaded, Timeout, or an RTT above Timeout) the limit
// becomes max(MinLimit, floor(limit*BackoffRatio)); after a good call made
// while at least half the limit was in use, it grows by 1 up to MaxLimit.
// The half-limit check keeps an idle client from growing a limit it never
// tests.
type AIMDConfig struct {
	InitialLimit int           // starting limit, in [MinLimit, MaxLimit]
	MinLimit     int           // >= 1
	MaxLimit     int           // >= MinLimit
	BackoffRatio float64       // (0, 1); 0.9 in concurrency-limits
	Timeout      time.Duration // RTT above this counts as a drop; 0 disables
}

// Validate reports every invalid field.
func (c AIMDConfig) Validate() error {
	var l errList
	l.positiveInt("min_limit", c.MinLimit)
	if c.MaxLimit < c.MinLimit || c.MaxLimit < 1 {
		l.add(fieldErr("max_limit", "must be >= min_limit (%d) and >= 1, got %d", c.MinLimit, c.MaxLimit))
	}
	if c.InitialLimit < c.MinLimit || c.InitialLimit > c.MaxLimit {
		l.add(fieldErr("initial_limit", "must be in [min_limit=%d, max_limit=%d], got %d", c.MinLimit, c.MaxLimit, c.InitialLimit))
	}
	if !(c.BackoffRatio > 0 && c.BackoffRatio < 1) {
		l.add(fieldErr("backoff_ratio", "must be in (0, 1), got %g", c.BackoffRatio))
	}
	l.nonNegDur("timeout", c.Timeout)
	return l.join()
}

// AIMDLimiter is an adaptive concurrency limiter. Use it alone (Acquire /
// Record), or feed its Limit to a Bulkhead with SetLimit to get a queue.
type AIMDLimiter struct {
	cfg      AIMDConfig
	limit    int
	inFlight int
	rejected uint64
}

// LimitPermit is returned by AIMDLimiter.Acquire; it remembers the load at
// admission for the half-limit check.
type LimitPermit struct {
	inFlight int
	valid    bool
}

// NewAIMDLimiter validates c.
func NewAIMDLimiter(c AIMDConfig) (*AIMDLimiter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &AIMDLimiter{cfg: c, limit: c.InitialLimit}, nil
}

// Acquire admits a call if fewer than Limit are in flight.
func (a *AIMDLimiter) Acquire(time.Time) (LimitPermit, bool) {
	if a.inFlight >= a.limit {
		a.rejected++
		return LimitPermit{}, false
	}
	a.inFlight++
	return LimitPermit{inFlight: a.inFlight, valid: true}, true
}

// Record reports a call admitted with p and adjusts the limit. Rejected and
// Ignored outcomes free the slot without changing the limit.
func (a *AIMDLimiter) Record(_ time.Time, p LimitPermit, o Outcome, rtt time.Duration) {
	if !p.valid {
		return
	}
	if a.inFlight > 0 {
		a.inFlight--
	}
	drop := o == Overloaded || o == Timeout || (a.cfg.Timeout > 0 && rtt > a.cfg.Timeout)
	switch {
	case drop:
		a.limit = int(math.Floor(float64(a.limit) * a.cfg.BackoffRatio))
		if a.limit < a.cfg.MinLimit {
			a.limit = a.cfg.MinLimit
		}
	case o == Success || o == Failure:
		if 2*p.inFlight >= a.limit && a.limit < a.cfg.MaxLimit {
			a.limit++
		}
	}
}

// Limit returns the current limit.
func (a *AIMDLimiter) Limit() int { return a.limit }

// InFlight returns the admitted calls not yet recorded.
func (a *AIMDLimiter) InFlight() int { return a.inFlight }

// Rejected returns how many Acquire calls were refused.
func (a *AIMDLimiter) Rejected() uint64 { return a.rejected }

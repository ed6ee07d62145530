package policy

import "time"

// ThrottleConfig configures client-side adaptive throttling from "Handling
// Overload" in Site Reliability Engineering (Beyer et al., O'Reilly 2016,
// ch. 21): the client keeps, over a trailing Window, the number of requests
// it attempted and the number the backend accepted, and rejects a new
// request locally with probability
//
//	p = max(0, (requests - K*accepts) / (requests + 1))
//
// K = 2 lets the backend see up to twice the traffic it accepts; lower K is
// more aggressive. Locally rejected requests count as requests, which is
// what lets the rejection rate track the backend's acceptance.
type ThrottleConfig struct {
	K       float64       // multiplier, >= 1 (SRE book: 2)
	Window  time.Duration // trailing window; SRE book: 2 minutes
	Buckets int           // time buckets in the window, >= 1
}

// Validate reports every invalid field.
func (c ThrottleConfig) Validate() error {
	var l errList
	l.inRange("k", c.K, 1, 1e6, true)
	l.positiveDur("window", c.Window)
	l.positiveInt("buckets", c.Buckets)
	if c.Buckets > 0 && c.Window > 0 && int64(c.Window) < int64(c.Buckets) {
		l.add(fieldErr("buckets", "must be <= window in nanoseconds (%d), got %d", int64(c.Window), c.Buckets))
	}
	return l.join()
}

// Throttle is the SRE adaptive throttle.
type Throttle struct {
	k   float64
	w   window // counters: requests, accepts
	rnd Rand
}

// NewThrottle validates c; rnd is required (the rejection is random).
func NewThrottle(c ThrottleConfig, rnd Rand) (*Throttle, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if rnd == nil {
		return nil, ErrNilRand
	}
	return &Throttle{k: c.K, w: newWindow(c.Window, c.Buckets), rnd: rnd}, nil
}

// RejectProbability returns p at now without counting anything.
func (t *Throttle) RejectProbability(now time.Time) float64 {
	s := t.w.sum(now)
	req, acc := float64(s[0]), float64(s[1])
	p := (req - t.k*acc) / (req + 1)
	if p < 0 {
		return 0
	}
	return p
}

// Allow counts a request at now and decides whether to send it. A draw is
// taken from the Rand only when p > 0, so a healthy client consumes no
// randomness. A sent request must be followed by Record.
func (t *Throttle) Allow(now time.Time) bool {
	p := t.RejectProbability(now)
	t.w.add(now, 0, 1)
	return !(p > 0 && t.rnd.Float64() < p)
}

// Record notes the backend's answer to a sent request. Success and Failure
// count as accepted (the backend processed the request); Overloaded,
// Timeout, Rejected and Ignored do not.
func (t *Throttle) Record(now time.Time, o Outcome) {
	if o == Success || o == Failure {
		t.w.add(now, 1, 1)
	}
}

// Counts returns requests and accepts in the window at now.
func (t *Throttle) Counts(now time.Time) (requests, accepts int64) {
	s := t.w.sum(now)
	return s[0], s[1]
}

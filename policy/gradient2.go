package policy

import (
	"math"
	"time"
)

// Limiter is an adaptive concurrency limit: AIMDLimiter and
// Gradient2Limiter both implement it.
type Limiter interface {
	Acquire(now time.Time) (LimitPermit, bool)
	Record(now time.Time, p LimitPermit, o Outcome, rtt time.Duration)
	Limit() int
	InFlight() int
}

var (
	_ Limiter = (*AIMDLimiter)(nil)
	_ Limiter = (*Gradient2Limiter)(nil)
)

// Gradient2Config configures a latency-gradient concurrency limit after
// Netflix concurrency-limits' Gradient2Limit. It compares the latest RTT
// (short) with an exponential average of RTTs (long) and moves the limit
// toward limit*gradient + QueueSize, where
//
//	gradient = max(0.5, min(1, Tolerance * long / short))
//	limit'   = limit*(1-Smoothing) + (limit*gradient + QueueSize)*Smoothing
//
// clamped to [MinLimit, MaxLimit]. While latency is flat the limit grows by
// QueueSize*Smoothing per sample; when latency rises beyond Tolerance times
// the long average it shrinks, by at most half per step. Samples taken while
// fewer than half the limit were in flight do not change it (app-limited).
// When long > 2*short (recovery after a long overload) the long average is
// cut by 5% per sample so it catches up. Unlike the Netflix default, which
// wraps the limit in a sample window, each sample updates the limit.
type Gradient2Config struct {
	InitialLimit int     // starting limit, in [MinLimit, MaxLimit]; concurrency-limits: 20
	MinLimit     int     // >= 1; concurrency-limits: 20
	MaxLimit     int     // >= MinLimit; concurrency-limits: 200
	Smoothing    float64 // (0, 1]; concurrency-limits: 0.2
	Tolerance    float64 // >= 1; concurrency-limits: 1.5
	QueueSize    int     // >= 0; concurrency-limits: 4
	LongWindow   int     // samples in the long RTT average, >= 1; concurrency-limits: 600
}

// Validate reports every invalid field.
func (c Gradient2Config) Validate() error {
	var l errList
	l.positiveInt("min_limit", c.MinLimit)
	if c.MaxLimit < c.MinLimit || c.MaxLimit < 1 {
		l.add(fieldErr("max_limit", "must be >= min_limit (%d) and >= 1, got %d", c.MinLimit, c.MaxLimit))
	}
	if c.InitialLimit < c.MinLimit || c.InitialLimit > c.MaxLimit {
		l.add(fieldErr("initial_limit", "must be in [min_limit=%d, max_limit=%d], got %d", c.MinLimit, c.MaxLimit, c.InitialLimit))
	}
	l.inRange("smoothing", c.Smoothing, 0, 1, false)
	l.inRange("tolerance", c.Tolerance, 1, 1e3, true)
	l.nonNegInt("queue_size", c.QueueSize)
	l.positiveInt("long_window", c.LongWindow)
	return l.join()
}

// Gradient2Limiter is the gradient concurrency limit; see Gradient2Config.
type Gradient2Limiter struct {
	cfg      Gradient2Config
	estimate float64
	longRtt  float64 // ns
	samples  int
	inFlight int
	rejected uint64
}

// NewGradient2Limiter validates c.
func NewGradient2Limiter(c Gradient2Config) (*Gradient2Limiter, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Gradient2Limiter{cfg: c, estimate: float64(c.InitialLimit)}, nil
}

// Acquire admits a call if fewer than Limit are in flight.
func (g *Gradient2Limiter) Acquire(time.Time) (LimitPermit, bool) {
	if g.inFlight >= g.Limit() {
		g.rejected++
		return LimitPermit{}, false
	}
	g.inFlight++
	return LimitPermit{inFlight: g.inFlight, valid: true}, true
}

// Record reports a call admitted with p and its round-trip time. Rejected
// and Ignored outcomes, and non-positive RTTs, free the slot only.
func (g *Gradient2Limiter) Record(_ time.Time, p LimitPermit, o Outcome, rtt time.Duration) {
	if !p.valid {
		return
	}
	if g.inFlight > 0 {
		g.inFlight--
	}
	if o == Rejected || o == Ignored || rtt <= 0 {
		return
	}
	short := float64(rtt)
	// Long average: plain mean over a 10-sample warm-up, then an EMA with
	// factor 2/(LongWindow+1), as concurrency-limits' ExpAvgMeasurement.
	g.samples++
	const warmup = 10
	if g.samples <= warmup {
		g.longRtt += (short - g.longRtt) / float64(g.samples)
	} else {
		f := 2 / (float64(g.cfg.LongWindow) + 1)
		g.longRtt = g.longRtt*(1-f) + short*f
	}
	long := g.longRtt
	if long/short > 2 {
		g.longRtt *= 0.95
	}
	if float64(p.inFlight) < g.estimate/2 {
		return
	}
	gradient := math.Max(0.5, math.Min(1, g.cfg.Tolerance*long/short))
	next := g.estimate*gradient + float64(g.cfg.QueueSize)
	next = g.estimate*(1-g.cfg.Smoothing) + next*g.cfg.Smoothing
	g.estimate = math.Max(float64(g.cfg.MinLimit), math.Min(float64(g.cfg.MaxLimit), next))
}

// Limit returns the current limit (the estimate rounded down).
func (g *Gradient2Limiter) Limit() int { return int(g.estimate) }

// Estimate returns the unrounded limit estimate.
func (g *Gradient2Limiter) Estimate() float64 { return g.estimate }

// InFlight returns the admitted calls not yet recorded.
func (g *Gradient2Limiter) InFlight() int { return g.inFlight }

// Rejected returns how many Acquire calls were refused.
func (g *Gradient2Limiter) Rejected() uint64 { return g.rejected }

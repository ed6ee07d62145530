package policy

import (
	"fmt"
	"time"
)

// BreakerMode selects what trips a circuit breaker.
type BreakerMode string

const (
	// BreakerConsecutive trips after ConsecutiveFailures failures in a row
	// (the gobreaker / Polly "consecutive" style). In half-open, the first
	// failed trial reopens and HalfOpenPermits successes close.
	BreakerConsecutive BreakerMode = "consecutive"
	// BreakerCountWindow trips on the failure or slow-call rate of the last
	// WindowSize calls (Resilience4j COUNT_BASED).
	BreakerCountWindow BreakerMode = "count_window"
	// BreakerTimeWindow trips on the rates of the calls of the last
	// WindowDuration, kept in WindowBuckets buckets (Resilience4j TIME_BASED).
	BreakerTimeWindow BreakerMode = "time_window"
)

// BreakerConfig configures a circuit breaker.
type BreakerConfig struct {
	Mode BreakerMode

	// ConsecutiveFailures is the trip threshold of consecutive mode.
	ConsecutiveFailures int

	// Window modes.
	WindowSize            int           // count_window: calls in the window
	WindowDuration        time.Duration // time_window: span of the window
	WindowBuckets         int           // time_window: buckets in the span
	MinimumCalls          int           // no trip before this many calls are in the window
	FailureRateThreshold  float64       // trip when failures/calls >= this, (0, 1]
	SlowCallDuration      time.Duration // a call taking longer is slow; 0 disables slow-call tracking
	SlowCallRateThreshold float64       // trip when slow/calls >= this, (0, 1]

	// OpenDuration is how long the breaker rejects before it lets trials
	// through. OpenJitter in [0, 1) spreads it uniformly over
	// [OpenDuration*(1-j), OpenDuration*(1+j)] so that breakers of many
	// clients opened by the same incident do not probe in lock-step.
	OpenDuration time.Duration
	OpenJitter   float64

	// HalfOpenPermits trial calls are admitted in half-open; never more than
	// this many trial calls are in flight, even across generations. In window
	// modes the breaker decides when all of them have reported: it reopens if
	// their failure or slow rate reaches a threshold, else closes.
	HalfOpenPermits int

	// IgnoreOutcomes are outcomes that count neither as success nor as
	// failure (the classifier); empty means {rejected, ignored}. Success is
	// always a success and every other outcome is a failure.
	IgnoreOutcomes []Outcome
}

// DefaultIgnoreOutcomes is used when IgnoreOutcomes is empty.
var DefaultIgnoreOutcomes = []Outcome{Rejected, Ignored}

// Validate reports every invalid field.
func (c BreakerConfig) Validate() error {
	var l errList
	switch c.Mode {
	case BreakerConsecutive:
		l.positiveInt("consecutive_failures", c.ConsecutiveFailures)
	case BreakerCountWindow, BreakerTimeWindow:
		if c.Mode == BreakerCountWindow {
			l.positiveInt("window_size", c.WindowSize)
			if c.WindowSize >= 1 && (c.MinimumCalls < 1 || c.MinimumCalls > c.WindowSize) {
				l.add(fieldErr("minimum_calls", "must be in [1, window_size=%d], got %d", c.WindowSize, c.MinimumCalls))
			}
		} else {
			l.positiveDur("window_duration", c.WindowDuration)
			if c.WindowBuckets < 1 || c.WindowBuckets > 10000 {
				l.add(fieldErr("window_buckets", "must be in [1, 10000], got %d", c.WindowBuckets))
			}
			l.positiveInt("minimum_calls", c.MinimumCalls)
		}
		l.inRange("failure_rate_threshold", c.FailureRateThreshold, 0, 1, false)
		l.nonNegDur("slow_call_duration", c.SlowCallDuration)
		if c.SlowCallDuration > 0 {
			l.inRange("slow_call_rate_threshold", c.SlowCallRateThreshold, 0, 1, false)
		}
	default:
		l.add(fieldErr("mode", "must be \"consecutive\", \"count_window\" or \"time_window\", got %q", c.Mode))
	}
	l.positiveDur("open_duration", c.OpenDuration)
	if !(c.OpenJitter >= 0 && c.OpenJitter < 1) {
		l.add(fieldErr("open_jitter", "must be in [0, 1), got %g", c.OpenJitter))
	}
	l.positiveInt("half_open_permits", c.HalfOpenPermits)
	for i, o := range c.IgnoreOutcomes {
		if o == Success || o >= numOutcomes {
			l.add(fieldErr(fmt.Sprintf("ignore_outcomes[%d]", i), "cannot ignore %v", o))
		}
	}
	return l.join()
}

// BreakerState is the state of a circuit breaker.
type BreakerState uint8

const (
	Closed BreakerState = iota
	Open
	HalfOpen
)

func (s BreakerState) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half_open"
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// BreakerCounts are the counts a breaker decided on: the window (closed),
// or the trials (half-open).
type BreakerCounts struct {
	Calls, Failures, Slow int
	ConsecutiveFailures   int
}

// StateChange is passed to the state-change hook.
type StateChange struct {
	From, To   BreakerState
	At         time.Time
	Counts     BreakerCounts // the counts that caused the change
	Generation uint64        // generation entered
}

// BreakerStats are cumulative counters.
type BreakerStats struct {
	Admitted, Rejected uint64
	StaleRecords       uint64 // Record calls whose permit was from an older generation
	Transitions        uint64
}

// Permit is returned by Allow and handed back to Record. It carries the
// breaker generation at admission: every state change starts a new
// generation, and a result recorded with a permit of an older generation is
// not counted (a slow success from before the breaker opened must not close
// the new half-open state, and a failure from the old closed window must not
// count against the fresh one). The zero Permit is invalid.
type Permit struct {
	gen   uint64
	valid bool
	trial bool
}

// Generation returns the generation the permit was issued in.
func (p Permit) Generation() uint64 { return p.gen }

// Trial reports whether the permit is a half-open trial.
func (p Permit) Trial() bool { return p.trial }

type rejectError struct {
	msg    string
	parent error
}

func (e *rejectError) Error() string { return e.msg }
func (e *rejectError) Unwrap() error { return e.parent }

var (
	// ErrBreakerOpen is returned by Allow while the breaker is open.
	ErrBreakerOpen error = &rejectError{msg: "circuit breaker open"}
	// ErrBreakerTrialsBusy is returned in half-open when every trial permit
	// is in use; errors.Is(err, ErrBreakerOpen) also holds.
	ErrBreakerTrialsBusy error = &rejectError{msg: "circuit breaker half-open: trial permits in use", parent: ErrBreakerOpen}
)

// Breaker is a circuit breaker state machine. It reads no clock: Allow and
// Record take the current time. It is not safe for concurrent use.
type Breaker struct {
	cfg      BreakerConfig
	ignore   outcomeSet
	rnd      Rand
	onChange func(StateChange)

	state     BreakerState
	gen       uint64
	openUntil time.Time

	consec int // consecutive failures (closed)

	ring     []uint8 // count window: bit 0 failure, bit 1 slow
	ringPos  int
	ringLen  int
	ringFail int
	ringSlow int

	win window // time window: counters calls, failures, slow

	trialsIssued, trialsInFlight     int
	trialCalls, trialFails, trialSlo int

	stats BreakerStats
}

const (
	ringFailBit = 1
	ringSlowBit = 2
)

// NewBreaker validates cfg and returns a closed breaker. rnd is required
// when OpenJitter > 0 and unused otherwise.
func NewBreaker(cfg BreakerConfig, rnd Rand) (*Breaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.OpenJitter > 0 && rnd == nil {
		return nil, ErrNilRand
	}
	ign := DefaultIgnoreOutcomes
	if len(cfg.IgnoreOutcomes) > 0 {
		ign = cfg.IgnoreOutcomes
	}
	cfg.IgnoreOutcomes = append([]Outcome(nil), ign...)
	b := &Breaker{cfg: cfg, ignore: setOf(ign), rnd: rnd}
	switch cfg.Mode {
	case BreakerCountWindow:
		b.ring = make([]uint8, cfg.WindowSize)
	case BreakerTimeWindow:
		b.win = newWindow(cfg.WindowDuration, cfg.WindowBuckets)
	}
	return b, nil
}

// OnStateChange sets the hook called synchronously on every state change,
// inside Allow or Record. The hook must not call back into the breaker.
func (b *Breaker) OnStateChange(fn func(StateChange)) { b.onChange = fn }

// Config returns the validated configuration.
func (b *Breaker) Config() BreakerConfig { return b.cfg }

// State returns the state at now, moving open to half-open once the open
// duration has passed.
func (b *Breaker) State(now time.Time) BreakerState {
	if b.state == Open && !now.Before(b.openUntil) {
		b.transition(now, HalfOpen, BreakerCounts{})
	}
	return b.state
}

// OpenUntil returns when the current open period ends (meaningful in Open).
func (b *Breaker) OpenUntil() time.Time { return b.openUntil }

// Generation returns the current generation.
func (b *Breaker) Generation() uint64 { return b.gen }

// Stats returns the cumulative counters.
func (b *Breaker) Stats() BreakerStats { return b.stats }

// TrialsInFlight returns the half-open trial calls admitted and not yet
// recorded, across generations.
func (b *Breaker) TrialsInFlight() int { return b.trialsInFlight }

// Counts returns the counts of the current state.
func (b *Breaker) Counts(now time.Time) BreakerCounts {
	switch {
	case b.state == HalfOpen:
		return BreakerCounts{Calls: b.trialCalls, Failures: b.trialFails, Slow: b.trialSlo}
	case b.cfg.Mode == BreakerCountWindow:
		return BreakerCounts{Calls: b.ringLen, Failures: b.ringFail, Slow: b.ringSlow, ConsecutiveFailures: b.consec}
	case b.cfg.Mode == BreakerTimeWindow:
		t := b.win.sum(now)
		return BreakerCounts{Calls: int(t[0]), Failures: int(t[1]), Slow: int(t[2]), ConsecutiveFailures: b.consec}
	}
	return BreakerCounts{ConsecutiveFailures: b.consec}
}

// Allow asks to start a call at now. It returns a permit to pass to Record,
// or ErrBreakerOpen / ErrBreakerTrialsBusy.
func (b *Breaker) Allow(now time.Time) (Permit, error) {
	switch b.State(now) {
	case Closed:
		b.stats.Admitted++
		return Permit{gen: b.gen, valid: true}, nil
	case HalfOpen:
		n := b.cfg.HalfOpenPermits
		if b.trialsIssued < n && b.trialsInFlight < n {
			b.trialsIssued++
			b.trialsInFlight++
			b.stats.Admitted++
			return Permit{gen: b.gen, valid: true, trial: true}, nil
		}
		b.stats.Rejected++
		return Permit{}, ErrBreakerTrialsBusy
	}
	b.stats.Rejected++
	return Permit{}, ErrBreakerOpen
}

// Record reports the outcome and duration of a call admitted with p,
// finished at now. Every permit must be recorded exactly once; record an
// abandoned call as Ignored so its trial slot is returned. A permit of an
// older generation is not counted (see Permit) and adds to StaleRecords.
func (b *Breaker) Record(now time.Time, p Permit, o Outcome, d time.Duration) {
	if !p.valid {
		b.stats.StaleRecords++
		return
	}
	if p.trial && b.trialsInFlight > 0 {
		b.trialsInFlight--
	}
	b.State(now)
	if p.gen != b.gen {
		b.stats.StaleRecords++
		return
	}
	if b.ignore.has(o) {
		if p.trial && b.trialsIssued > 0 {
			b.trialsIssued-- // the slot goes back: an ignored trial says nothing
		}
		return
	}
	fail := o != Success
	slow := b.cfg.SlowCallDuration > 0 && d > b.cfg.SlowCallDuration && b.cfg.Mode != BreakerConsecutive
	if b.state == HalfOpen {
		b.recordTrial(now, fail, slow)
		return
	}
	b.recordClosed(now, fail, slow)
}

func (b *Breaker) recordClosed(now time.Time, fail, slow bool) {
	if fail {
		b.consec++
	} else {
		b.consec = 0
	}
	var calls, fails, slows int
	switch b.cfg.Mode {
	case BreakerConsecutive:
		if b.consec >= b.cfg.ConsecutiveFailures {
			b.transition(now, Open, BreakerCounts{Calls: b.consec, Failures: b.consec, ConsecutiveFailures: b.consec})
		}
		return
	case BreakerCountWindow:
		if b.ringLen == len(b.ring) {
			old := b.ring[b.ringPos]
			b.ringFail -= int(old & ringFailBit)
			b.ringSlow -= int(old&ringSlowBit) >> 1
		} else {
			b.ringLen++
		}
		var v uint8
		if fail {
			v |= ringFailBit
			b.ringFail++
		}
		if slow {
			v |= ringSlowBit
			b.ringSlow++
		}
		b.ring[b.ringPos] = v
		b.ringPos++
		if b.ringPos == len(b.ring) {
			b.ringPos = 0
		}
		calls, fails, slows = b.ringLen, b.ringFail, b.ringSlow
	case BreakerTimeWindow:
		b.win.add(now, 0, 1)
		if fail {
			b.win.add(now, 1, 1)
		}
		if slow {
			b.win.add(now, 2, 1)
		}
		calls, fails, slows = int(b.win.total[0]), int(b.win.total[1]), int(b.win.total[2])
	}
	if calls >= b.cfg.MinimumCalls && b.overThreshold(calls, fails, slows) {
		b.transition(now, Open, BreakerCounts{Calls: calls, Failures: fails, Slow: slows, ConsecutiveFailures: b.consec})
	}
}

func (b *Breaker) overThreshold(calls, fails, slows int) bool {
	// Compare rates by division, not threshold*calls: when the true rate
	// equals the threshold (3/30 vs 0.1) the quotient rounds to the same
	// float as the literal, while 0.1*30 rounds above 3.
	c := float64(calls)
	if float64(fails)/c >= b.cfg.FailureRateThreshold {
		return true
	}
	return b.cfg.SlowCallDuration > 0 && float64(slows)/c >= b.cfg.SlowCallRateThreshold
}

func (b *Breaker) recordTrial(now time.Time, fail, slow bool) {
	b.trialCalls++
	if fail {
		b.trialFails++
	}
	if slow {
		b.trialSlo++
	}
	counts := BreakerCounts{Calls: b.trialCalls, Failures: b.trialFails, Slow: b.trialSlo}
	if b.cfg.Mode == BreakerConsecutive {
		if fail {
			counts.ConsecutiveFailures = 1
			b.transition(now, Open, counts)
		} else if b.trialCalls >= b.cfg.HalfOpenPermits {
			b.transition(now, Closed, counts)
		}
		return
	}
	if b.trialCalls < b.cfg.HalfOpenPermits {
		return
	}
	if b.overThreshold(b.trialCalls, b.trialFails, b.trialSlo) {
		b.transition(now, Open, counts)
	} else {
		b.transition(now, Closed, counts)
	}
}

func (b *Breaker) transition(now time.Time, to BreakerState, counts BreakerCounts) {
	from := b.state
	b.state = to
	b.gen++
	b.stats.Transitions++
	switch to {
	case Open:
		d := b.cfg.OpenDuration
		if j := b.cfg.OpenJitter; j > 0 {
			d = time.Duration(float64(d) * (1 + j*(2*b.rnd.Float64()-1)))
		}
		b.openUntil = now.Add(d)
	case HalfOpen:
		b.trialsIssued, b.trialCalls, b.trialFails, b.trialSlo = 0, 0, 0, 0
	case Closed:
		b.consec = 0
		b.ringPos, b.ringLen, b.ringFail, b.ringSlow = 0, 0, 0, 0
		if b.cfg.Mode == BreakerTimeWindow {
			b.win.reset()
		}
	}
	if b.onChange != nil {
		b.onChange(StateChange{From: from, To: to, At: now, Counts: counts, Generation: b.gen})
	}
}

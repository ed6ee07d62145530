package policy

import "time"

// BackoffKind selects how the un-jittered delay grows between retries.
type BackoffKind string

const (
	// BackoffConstant waits Base before every retry.
	BackoffConstant BackoffKind = "constant"
	// BackoffExponential waits min(Cap, Base * Multiplier^(n-1)) before
	// retry n (n = 1 for the first retry).
	BackoffExponential BackoffKind = "exponential"
)

// JitterKind selects how the delay is randomised. The definitions are the
// ones in Marc Brooker, "Exponential Backoff And Jitter", AWS Architecture
// Blog, 2015, where v is the un-jittered delay of this retry:
//
//	none:         v
//	full:         U(0, v)
//	equal:        v/2 + U(0, v/2)
//	decorrelated: min(Cap, U(Base, 3*prev)), prev starting at Base
//
// Decorrelated jitter carries its own growth (from the previous delay), so
// it uses only Base and Cap and ignores Kind and Multiplier.
type JitterKind string

const (
	JitterNone         JitterKind = "none"
	JitterFull         JitterKind = "full"
	JitterEqual        JitterKind = "equal"
	JitterDecorrelated JitterKind = "decorrelated"
)

// BackoffConfig configures the delay before each retry. Every delay lies in
// [0, Cap] (for constant backoff without decorrelated jitter: [0, Base]).
type BackoffConfig struct {
	Kind       BackoffKind   // "constant" or "exponential"
	Base       time.Duration // first (un-jittered) delay
	Cap        time.Duration // largest delay; required for exponential and decorrelated
	Multiplier float64       // growth per retry for exponential, >= 1 (2 is usual)
	Jitter     JitterKind    // "none", "full", "equal" or "decorrelated"
}

// Validate reports every invalid field, with snake_case names.
func (c BackoffConfig) Validate() error {
	var l errList
	exp := c.Kind == BackoffExponential
	decor := c.Jitter == JitterDecorrelated
	switch c.Kind {
	case BackoffConstant, BackoffExponential:
	default:
		l.add(fieldErr("kind", "must be \"constant\" or \"exponential\", got %q", c.Kind))
	}
	if exp || decor {
		l.positiveDur("base", c.Base)
	} else {
		l.nonNegDur("base", c.Base)
	}
	switch {
	case (exp || decor) && c.Cap < c.Base:
		l.add(fieldErr("cap", "must be >= base (%v), got %v", c.Base, c.Cap))
	case (exp || decor) && c.Cap <= 0:
		l.add(fieldErr("cap", "must be > 0, got %v", c.Cap))
	case !exp && !decor && c.Cap != 0 && c.Cap < c.Base:
		l.add(fieldErr("cap", "must be 0 or >= base (%v), got %v", c.Base, c.Cap))
	}
	if exp && !decor && !(c.Multiplier >= 1 && c.Multiplier <= 1e6) {
		l.add(fieldErr("multiplier", "must be in [1, 1e6] for exponential backoff, got %g", c.Multiplier))
	}
	switch c.Jitter {
	case JitterNone, JitterFull, JitterEqual, JitterDecorrelated:
	default:
		l.add(fieldErr("jitter", "must be one of \"none\", \"full\", \"equal\", \"decorrelated\", got %q", c.Jitter))
	}
	return l.join()
}

// backoffState is the per-call part of a backoff sequence; it holds no
// pointers so a Retrier can live inside a simulator's call record.
type backoffState struct {
	n    int     // retries computed so far
	expo float64 // current un-jittered exponential delay, ns (capped)
	prev float64 // previous decorrelated delay, ns
}

// next returns the delay before the next retry. c must be valid.
func (s *backoffState) next(c *BackoffConfig, rnd Rand) time.Duration {
	s.n++
	base, capf := float64(c.Base), float64(c.Cap)
	if c.Jitter == JitterDecorrelated {
		if s.n == 1 {
			s.prev = base
		}
		d := uniform(rnd, base, 3*s.prev)
		if d > capf {
			d = capf
		}
		s.prev = d
		return clampDur(d, capf)
	}
	var v float64
	if c.Kind == BackoffExponential {
		if s.n == 1 {
			s.expo = base
		} else if s.expo < capf {
			s.expo *= c.Multiplier
		}
		if s.expo > capf {
			s.expo = capf
		}
		v = s.expo
	} else {
		v = base
	}
	switch c.Jitter {
	case JitterFull:
		v = uniform(rnd, 0, v)
	case JitterEqual:
		v = v/2 + uniform(rnd, 0, v/2)
	}
	return clampDur(v, v)
}

// clampDur converts ns to a Duration in [0, hi].
func clampDur(v, hi float64) time.Duration {
	if v > hi {
		v = hi
	}
	if !(v > 0) {
		return 0
	}
	return time.Duration(v)
}

// Backoff is a stand-alone backoff sequence, for callers that need delays
// without the retry decision (reconnect loops, cache refill). Use
// NewBackoff; Retrier embeds the same logic.
type Backoff struct {
	cfg BackoffConfig
	rnd Rand
	st  backoffState
}

// NewBackoff validates cfg and returns a sequence at its start. rnd is
// required when Jitter is not "none".
func NewBackoff(cfg BackoffConfig, rnd Rand) (*Backoff, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if rnd == nil && cfg.Jitter != JitterNone {
		return nil, ErrNilRand
	}
	return &Backoff{cfg: cfg, rnd: rnd}, nil
}

// Next returns the delay before the next retry (the first call gives the
// delay before retry 1).
func (b *Backoff) Next() time.Duration { return b.st.next(&b.cfg, b.rnd) }

// Reset restarts the sequence.
func (b *Backoff) Reset() { b.st = backoffState{} }

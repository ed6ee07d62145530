package sim

import (
	"math"
	"time"
)

// Time is a point on the virtual clock, or a span of virtual time, in integer
// nanoseconds since the start of a run. Integers, not floats, so that event
// ordering never depends on rounding and a trace is reproducible bit for bit.
type Time int64

// Units of virtual time.
const (
	Nanosecond  Time = 1
	Microsecond Time = 1000 * Nanosecond
	Millisecond Time = 1000 * Microsecond
	Second      Time = 1000 * Millisecond
	Minute      Time = 60 * Second
	Hour        Time = 60 * Minute
)

// Never is a time later than any event; it is used as "no deadline".
const Never Time = math.MaxInt64

// Seconds converts a float number of seconds to Time, rounding to the nearest
// nanosecond and saturating at Never (and at 0 for negative or NaN input,
// since virtual time spans are never negative).
func Seconds(s float64) Time {
	if !(s > 0) {
		return 0
	}
	ns := s * 1e9
	if ns >= float64(Never) {
		return Never
	}
	return Time(math.Round(ns))
}

// Seconds returns t as a float number of seconds.
func (t Time) Seconds() float64 { return float64(t) / 1e9 }

// Duration returns t as a time.Duration (both count nanoseconds).
func (t Time) Duration() time.Duration { return time.Duration(t) }

// FromDuration converts a time.Duration to Time.
func FromDuration(d time.Duration) Time { return Time(d) }

// String formats t like a time.Duration ("1.5s", "250ms").
func (t Time) String() string { return time.Duration(t).String() }

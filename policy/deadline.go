package policy

import "time"

// Deadline is the end-to-end expiry of a call: the instant after which no
// part of the call is worth doing. The zero Deadline means "no deadline".
//
// A deadline propagates down the layers of a call: each layer derives the
// timeout of the work it starts from what is left, keeping back a reserve
// for its own work after the child returns (formatting a response, writing
// a log line, a fallback). This is the gRPC deadline-propagation rule:
// child timeout = min(per-hop timeout, remaining - reserve).
type Deadline struct {
	at time.Time
}

// NoDeadline is the zero Deadline.
var NoDeadline Deadline

// NewDeadline returns the deadline budget after now. A budget <= 0 gives a
// deadline that has already expired (not "no deadline"), because a caller
// that was given no time must not start work.
func NewDeadline(now time.Time, budget time.Duration) Deadline {
	return Deadline{at: now.Add(budget)}
}

// DeadlineAt returns a deadline at t; the zero t means no deadline (this is
// what context.Context.Deadline returns when there is none).
func DeadlineAt(t time.Time) Deadline { return Deadline{at: t} }

// IsZero reports whether there is no deadline.
func (d Deadline) IsZero() bool { return d.at.IsZero() }

// At returns the expiry instant (the zero time if there is no deadline).
func (d Deadline) At() time.Time { return d.at }

// Remaining returns the time left at now, which may be negative. Without a
// deadline it returns the largest Duration.
func (d Deadline) Remaining(now time.Time) time.Duration {
	if d.at.IsZero() {
		return maxDuration
	}
	return d.at.Sub(now)
}

// Expired reports whether no time is left at now.
func (d Deadline) Expired(now time.Time) bool {
	return !d.at.IsZero() && !now.Before(d.at)
}

// AttemptTimeout returns the timeout for one attempt (or one hop) started at
// now: min(perHop, remaining - reserve). A perHop <= 0 means "no per-hop
// limit". The returned timeout is 0 when neither a per-hop limit nor a
// deadline applies (no timeout at all). ok is false when the deadline
// leaves no positive time after the reserve: the attempt must not start.
func (d Deadline) AttemptTimeout(now time.Time, perHop, reserve time.Duration) (timeout time.Duration, ok bool) {
	if perHop < 0 {
		perHop = 0
	}
	if d.at.IsZero() {
		return perHop, true
	}
	left := d.at.Sub(now) - reserve
	if left <= 0 {
		return 0, false
	}
	if perHop > 0 && perHop < left {
		return perHop, true
	}
	return left, true
}

// Child returns the deadline of a sub-call started at now: the parent
// deadline shortened to now + AttemptTimeout(now, perHop, reserve). It is
// never later than the parent. ok is false when no time is left.
func (d Deadline) Child(now time.Time, perHop, reserve time.Duration) (Deadline, bool) {
	t, ok := d.AttemptTimeout(now, perHop, reserve)
	if !ok {
		return Deadline{at: now}, false
	}
	if t == 0 {
		return d, true
	}
	return Deadline{at: now.Add(t)}, true
}

// Min returns the earlier of two deadlines (a zero deadline is the later).
func (d Deadline) Min(o Deadline) Deadline {
	if d.at.IsZero() || (!o.at.IsZero() && o.at.Before(d.at)) {
		return o
	}
	return d
}

const maxDuration = time.Duration(1<<63 - 1)

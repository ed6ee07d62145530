package stats

import "github.com/checkoutsim/checkoutsim/sim"

// TimeWeighted is the time average of a piecewise-constant quantity, such
// as a queue length or the number of busy servers:
//
//	mean = (1/(now - start)) ∫_start^now v(t) dt
//
// where v jumps only at Set/Add. The zero value holds 0 from time 0.
// Times passed in must not decrease; an earlier time is treated as the
// latest one seen (no negative area). Cost: a multiply-add, no allocation.
type TimeWeighted struct {
	start, last sim.Time
	v           float64
	area        float64 // ∫ v dt in value·ns since start, up to last
	max         float64
}

func (w *TimeWeighted) advance(now sim.Time) {
	if now > w.last {
		w.area += w.v * float64(now-w.last)
		w.last = now
	}
}

// Set makes the quantity v from now on.
func (w *TimeWeighted) Set(now sim.Time, v float64) {
	w.advance(now)
	w.v = v
	if v > w.max {
		w.max = v
	}
}

// Add changes the quantity by delta from now on.
func (w *TimeWeighted) Add(now sim.Time, delta float64) { w.Set(now, w.v+delta) }

// Value returns the current value.
func (w *TimeWeighted) Value() float64 { return w.v }

// Mean returns the time average over [start, now], where start is 0 or the
// last ResetAt. With now at start it returns the current value.
func (w *TimeWeighted) Mean(now sim.Time) float64 {
	area := w.area
	if now > w.last {
		area += w.v * float64(now-w.last)
	}
	if now <= w.start {
		return w.v
	}
	return area / float64(now-w.start)
}

// Max returns the largest value held since the start (or last ResetAt).
func (w *TimeWeighted) Max() float64 { return w.max }

// ResetAt discards the history before now (warm-up truncation); the current
// value carries over.
func (w *TimeWeighted) ResetAt(now sim.Time) {
	w.advance(now)
	w.start, w.last = now, max(now, w.last)
	w.area = 0
	w.max = w.v
}

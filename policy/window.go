package policy

import "time"

// window is a sliding sum over time buckets: the running totals of up to
// three counters over the last n buckets of width ns each. Adding and
// reading are O(1) amortised (advancing clears at most n buckets, and only
// when time moves), memory is n buckets regardless of traffic, and expiry
// depends only on the timestamps passed in, so it is deterministic.
//
// The window covers the current bucket and the n-1 before it, so a count
// made at time t stops counting somewhere in [t+(n-1)*width, t+n*width);
// this is the same granularity as Finagle's WindowedAdder and
// Resilience4j's time-based sliding window.
type window struct {
	width   int64
	slots   []winSlot
	total   [3]int64
	cur     int64 // epoch (bucket number) of the newest bucket
	started bool
}

type winSlot struct {
	v [3]int64
}

func newWindow(span time.Duration, buckets int) window {
	w := int64(span) / int64(buckets)
	if w < 1 {
		w = 1
	}
	return window{width: w, slots: make([]winSlot, buckets)}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// advance moves the window so its newest bucket contains now. Time that
// goes backwards is counted in the newest bucket (it never un-expires).
func (w *window) advance(now time.Time) {
	e := floorDiv(now.UnixNano(), w.width)
	if !w.started {
		w.started, w.cur = true, e
		return
	}
	if e <= w.cur {
		return
	}
	n := int64(len(w.slots))
	if e-w.cur >= n {
		for i := range w.slots {
			w.slots[i] = winSlot{}
		}
		w.total = [3]int64{}
	} else {
		for k := w.cur + 1; k <= e; k++ {
			s := &w.slots[k%n]
			w.total[0] -= s.v[0]
			w.total[1] -= s.v[1]
			w.total[2] -= s.v[2]
			*s = winSlot{}
		}
	}
	w.cur = e
}

// add adds d to counter i at now.
func (w *window) add(now time.Time, i int, d int64) {
	w.advance(now)
	w.slots[w.cur%int64(len(w.slots))].v[i] += d
	w.total[i] += d
}

// sum returns the totals of the window ending at now.
func (w *window) sum(now time.Time) [3]int64 {
	w.advance(now)
	return w.total
}

func (w *window) reset() {
	for i := range w.slots {
		w.slots[i] = winSlot{}
	}
	w.total = [3]int64{}
	w.started = false
}

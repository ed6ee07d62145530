package resource

import (
	"math"

	"github.com/checkoutsim/checkoutsim/sim"
)

// Unbounded is the QueueCap value for a queue without a length limit.
const Unbounded = -1

// NotStarted is Timing.Started for a job that never began service.
const NotStarted sim.Time = -1

// Ticket identifies one submission (or acquisition) so it can be cancelled.
// The zero Ticket refers to nothing.
type Ticket struct {
	slot int32
	gen  uint32
}

// Outcome is how a submission ended, as reported to its done callback.
type Outcome uint8

const (
	// Served: the work was done and the client was still waiting.
	Served Outcome = iota + 1
	// Rejected: the queue was full on arrival; the job never entered.
	Rejected
	// Reneged: the job waited MaxQueueTime (or its own patience) in the
	// queue without starting service and the client gave up.
	Reneged
	// Cancelled: the client cancelled a queued job with Cancel and the
	// resource removed it (CancelAbandoned).
	Cancelled
)

func (o Outcome) String() string {
	switch o {
	case Served:
		return "served"
	case Rejected:
		return "rejected"
	case Reneged:
		return "reneged"
	case Cancelled:
		return "cancelled"
	}
	return "unknown"
}

// Timing gives the life of one job on a resource.
type Timing struct {
	Arrived  sim.Time // when Submit was called
	Started  sim.Time // when service began, NotStarted if it never did
	Finished sim.Time // when done was called
}

// Wait returns the time spent queueing: until service began, or until the
// job left without service.
func (t Timing) Wait() sim.Time {
	if t.Started == NotStarted {
		return t.Finished - t.Arrived
	}
	return t.Started - t.Arrived
}

// Sojourn returns the total time from arrival to completion.
func (t Timing) Sojourn() sim.Time { return t.Finished - t.Arrived }

// level is a time-weighted accumulator of an integer level (number in
// queue, busy servers, permits in use): the integral of the level over
// time, so that mean = integral / window. It also tracks the maximum.
type level struct {
	v     int
	max   int
	last  sim.Time
	start sim.Time
	area  float64 // sum of v*dt in nanoseconds
}

func (l *level) add(now sim.Time, d int) {
	l.area += float64(l.v) * float64(now-l.last)
	l.last = now
	l.v += d
	if l.v > l.max {
		l.max = l.v
	}
}

// reset starts a new window at now, keeping the current level.
func (l *level) reset(now sim.Time) {
	l.area = 0
	l.last = now
	l.start = now
	l.max = l.v
}

// mean returns the time average over [start, now]; the current level for
// an empty window.
func (l *level) mean(now sim.Time) float64 {
	w := now - l.start
	if w <= 0 {
		return float64(l.v)
	}
	return (l.area + float64(l.v)*float64(now-l.last)) / float64(w)
}

// ref is a queue entry: a job slot and the generation it had when queued,
// so an entry whose job has left (cancelled, reneged) is recognisably stale.
type ref struct {
	slot int32
	gen  uint32
}

// fifo is a growable ring buffer of refs. Removing from the middle is done
// by the owner marking the job; stale entries are skipped when they reach
// the head and compacted away when they outnumber the live ones, so the
// buffer stays within a constant factor of the number of live waiters.
type fifo struct {
	buf  []ref
	head int
	n    int
}

func (q *fifo) len() int { return q.n }

func (q *fifo) push(r ref) {
	if q.n == len(q.buf) {
		size := 2 * len(q.buf)
		if size == 0 {
			size = 16
		}
		nb := make([]ref, size)
		for i := 0; i < q.n; i++ {
			nb[i] = q.at(i)
		}
		q.buf = nb
		q.head = 0
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = r
	q.n++
}

func (q *fifo) at(i int) ref { return q.buf[(q.head+i)&(len(q.buf)-1)] }

func (q *fifo) pop() ref {
	r := q.buf[q.head]
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return r
}

// compact keeps only the entries for which keep is true, in order.
func (q *fifo) compact(keep func(ref) bool) {
	j := 0
	for i := 0; i < q.n; i++ {
		r := q.at(i)
		if keep(r) {
			q.buf[(q.head+j)&(len(q.buf)-1)] = r
			j++
		}
	}
	q.n = j
}

// needsCompaction reports whether stale entries dominate a queue holding
// live live entries.
func (q *fifo) needsCompaction(live int) bool {
	return q.n > 64 && q.n > 2*live
}

// seconds converts a span of virtual nanoseconds to float seconds.
func seconds(t sim.Time) float64 { return float64(t) / 1e9 }

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

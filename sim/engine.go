// Package sim is checkoutsim's discrete-event engine: a virtual clock and an
// event queue. Everything that happens in a simulation is an event: a
// function to call at a virtual time. The engine pops events in (time,
// sequence) order, so events at the same instant run in the order they were
// scheduled, and a run is a pure function of its inputs.
//
// There is no goroutine per process and no interface boxing on the hot path.
// The queue has three tiers of small pointer-free entries: a FIFO for events
// due at the current instant (a third of a checkout's events are such
// notifications), a 4-ary heap for the near future, and a timer wheel for
// the far future (timeouts, most of them cancelled before they are due),
// whose buckets move into the heap as the clock reaches them. Cancelled
// timers are removed lazily (O(1) cancel) and compacted when they would
// dominate, so memory stays proportional to what is pending.
//
// Random streams live in sim/rng, distributions in sim/dist, resources
// (stations, pools, lock tables) in sim/resource and statistics in sim/stats.
package sim

import (
	"math/bits"
	"slices"
)

// Timer identifies a scheduled event so it can be cancelled. The zero Timer
// refers to no event. A Timer stays safe to use after its event has fired or
// been cancelled: Cancel then reports false and does nothing, because each
// slot carries a generation that changes every time the slot is released.
type Timer struct {
	slot int32
	gen  uint32
}

// entry is one queued event: 24 bytes, no pointers, so the queue is cheap
// to move and invisible to the garbage collector's scan.
type entry struct {
	at   Time
	seq  uint64
	slot int32
	gen  uint32
}

// Engine is a discrete-event simulation engine. The zero value is not ready
// to use; call New. An Engine is not safe for concurrent use: a simulation
// is single-threaded by design, and replications run on separate engines.
type Engine struct {
	now       Time
	seq       uint64
	heap      []entry       // events after now, by (at, seq); all those before limit
	soon      ring          // events scheduled at now, while the clock read now, in seq order
	far       wheel         // events at or after limit that the heap has not taken yet
	limit     Time          // the first instant of the wheel's first bucket
	slots     Slots[func()] // the callbacks of pending events
	dead      int           // cancelled entries still queued
	stopped   bool
	processed uint64
	trace     func(at Time, seq uint64)
}

// New returns an engine whose clock reads 0.
func New() *Engine {
	return &Engine{}
}

// Now returns the current virtual time.
func (e *Engine) Now() Time { return e.now }

// Pending returns the number of scheduled, not cancelled events.
func (e *Engine) Pending() int { return e.stored() - e.dead }

// stored returns the number of queued entries, dead ones included.
func (e *Engine) stored() int { return len(e.heap) + e.soon.n + e.far.len() }

// Processed returns how many events have fired so far.
func (e *Engine) Processed() uint64 { return e.processed }

// SetTrace installs a function called before every event fires, with the
// event's time and sequence number. Tests hash this trace to pin a run's
// exact behaviour. A nil function removes the hook.
func (e *Engine) SetTrace(fn func(at Time, seq uint64)) { e.trace = fn }

// SetWatch arranges for fn to be called with the clock once every
// `every` events (every >= 1), just before the every-th one runs, so a
// long run can report how far its virtual time has come. It is told the time and nothing else, and must
// not schedule or cancel events: a watched run fires exactly the events
// of an unwatched one. It rides on the trace hook (an unwatched run pays
// nothing), keeping any trace already set; call SetTrace first, not after
// (SetTrace replaces the hook, watch included). A nil fn adds nothing and
// removes nothing.
func (e *Engine) SetWatch(every uint64, fn func(now Time)) {
	if fn == nil {
		return
	}
	every = max(every, 1)
	prev := e.trace
	e.trace = func(at Time, seq uint64) {
		if prev != nil {
			prev(at, seq)
		}
		if e.processed%every == 0 {
			fn(at)
		}
	}
}

// At schedules fn to run at time t. A t in the past is clamped to Now, so
// the clock never runs backwards. Cost: O(1) for t <= Now and for the far
// future, O(log n) otherwise.
func (e *Engine) At(t Time, fn func()) Timer {
	s, _ := e.slots.Alloc()
	*e.slots.At(s) = fn
	gen := e.slots.Gen(s)
	e.seq++
	if t <= e.now {
		// Due at once: it sorts after every pending event due now, all of
		// which have smaller sequence numbers, so a FIFO keeps the order.
		e.soon.push(entry{at: e.now, seq: e.seq, slot: s, gen: gen})
		return Timer{slot: s, gen: gen}
	}
	x := entry{at: t, seq: e.seq, slot: s, gen: gen}
	if t >= e.limit && len(e.heap) >= wheelMinHeap {
		e.far.push(x)
		return Timer{slot: s, gen: gen}
	}
	if len(e.heap) > 0 && e.slots.Gen(e.heap[0].slot) != e.heap[0].gen {
		// The top is dead (usually the event firing now, which Step leaves
		// in place): the new entry takes its place, one sift-down instead
		// of a pop and a push.
		e.heap[0] = x
		e.dead--
		siftDown(e.heap, 0)
	} else {
		e.heap = append(e.heap, x)
		siftUp(e.heap, len(e.heap)-1)
	}
	return Timer{slot: s, gen: gen}
}

// After schedules fn to run d after the current time.
func (e *Engine) After(d Time, fn func()) Timer {
	if d < 0 {
		d = 0
	}
	return e.At(e.now+d, fn)
}

// Cancel prevents a scheduled event from firing. It reports whether the
// event was still pending. Cost: O(1); the entry is dropped when it reaches
// the top of the heap or the FIFO's head or leaves its wheel bucket, or
// earlier by a compaction when dead entries outnumber live ones two to one
// (most die in wheel buckets, where dropping them costs next to nothing).
func (e *Engine) Cancel(t Timer) bool {
	if !e.Scheduled(t) {
		return false
	}
	e.release(t.slot)
	e.dead++
	if e.dead > 1024 && e.dead > 2*(e.stored()-e.dead) {
		e.compact()
	}
	return true
}

// Scheduled reports whether the timer's event is still pending.
func (e *Engine) Scheduled(t Timer) bool {
	return e.slots.Valid(t.slot, t.gen)
}

func (e *Engine) release(s int32) {
	*e.slots.At(s) = nil
	e.slots.Release(s)
}

// Stop makes Run or RunUntil return after the current event.
func (e *Engine) Stop() { e.stopped = true }

// Step fires the next pending event and reports whether there was one.
// A fired heap entry stays on top of the heap as a dead entry while its
// callback runs, so that the callback's first At of a later time replaces
// it (most events schedule a follow-up); it is popped like any cancelled
// entry otherwise.
func (e *Engine) Step() bool { return e.stepUntil(Never) }

// stepUntil fires the next pending event if it is due at or before t, and
// reports whether it did.
//
// It first discards dead entries and moves wheel buckets into the heap
// until the earliest live event by (time, seq) is on top of the heap or at
// the head of the FIFO. Heap entries due now were scheduled before the
// clock reached now, so they precede the FIFO of events scheduled at now;
// wheel entries are all later than now. Past the FIFO, the heap's top is
// next if it is before limit, which every wheel entry is at or after.
func (e *Engine) stepUntil(t Time) bool {
	for {
		var top *entry
		if len(e.heap) > 0 {
			top = &e.heap[0]
			if e.slots.Gen(top.slot) != top.gen {
				e.pop()
				e.dead--
				continue
			}
		}
		var x entry
		switch {
		case e.soon.n > 0 && (top == nil || top.at != e.now):
			if e.now > t {
				return false
			}
			x = e.soon.pop()
			if e.slots.Gen(x.slot) != x.gen {
				e.dead--
				continue
			}
		case top != nil && (top.at < e.limit || e.soon.n > 0 || e.far.len() == 0):
			if top.at > t {
				return false
			}
			x = *top
			e.dead++ // left in place, see Step
		case e.far.len() > 0:
			e.migrate()
			continue
		default:
			return false
		}
		fn := *e.slots.At(x.slot)
		e.release(x.slot)
		e.now = x.at
		e.processed++
		if e.trace != nil {
			e.trace(x.at, x.seq)
		}
		fn()
		return true
	}
}

// migrate moves the wheel's earliest bucket into the heap, dropping its
// dead entries, and moves limit past it.
func (e *Engine) migrate() {
	for _, x := range e.far.take() {
		if !e.live(x) {
			e.dead--
			continue
		}
		e.heap = append(e.heap, x)
		siftUp(e.heap, len(e.heap)-1)
	}
	e.limit = e.far.start()
}

// Run fires events until none remain or Stop is called.
func (e *Engine) Run() {
	e.stopped = false
	for !e.stopped && e.Step() {
	}
}

// RunUntil fires every event scheduled at or before t (unless Stop is
// called first), then advances the clock to t. Events after t stay pending,
// so RunUntil can be called again to continue.
func (e *Engine) RunUntil(t Time) {
	e.stopped = false
	for !e.stopped && e.stepUntil(t) {
	}
	if !e.stopped && t > e.now {
		e.now = t
	}
}

// Every calls fn at start, start+period, start+2*period, ... until the
// returned Ticker is stopped. It is meant for periodic sampling of
// statistics into time series. The period must be positive.
func (e *Engine) Every(start, period Time, fn func(now Time)) *Ticker {
	if period <= 0 {
		panic("sim: Every needs a positive period")
	}
	tk := &Ticker{e: e, period: period, fn: fn}
	tk.fire = func() {
		tk.fn(e.now)
		if !tk.stopped {
			tk.timer = e.After(tk.period, tk.fire)
		}
	}
	tk.timer = e.At(start, tk.fire)
	return tk
}

// Ticker is a periodic event created by Engine.Every.
type Ticker struct {
	e       *Engine
	period  Time
	fn      func(now Time)
	fire    func()
	timer   Timer
	stopped bool
}

// Stop cancels the ticker's future firings.
func (t *Ticker) Stop() {
	t.stopped = true
	t.e.Cancel(t.timer)
}

func less(a, b *entry) bool { return before(a, b) != 0 }

// before is 1 if a is before b in (at, seq) order, else 0: one 128-bit
// unsigned comparison, a subtraction with borrow, with no branch to
// mispredict, so that a sift picks the least of four children with
// arithmetic. Times are never negative (the clock starts at 0 and never
// runs backwards), so comparing them unsigned is comparing them.
func before(a, b *entry) int {
	_, borrow := bits.Sub64(a.seq, b.seq, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return int(borrow)
}

// pick returns i if h[i] is before h[j], else j, without a branch.
func pick(h []entry, i, j int) int {
	return j ^ (i^j)&-before(&h[i], &h[j])
}

// The heaps are 4-ary: the children of i are 4i+1 .. 4i+4. Half the depth
// of a binary heap, and a node's children are adjacent in memory, so a
// sift-down touches fewer cache lines.
const arity = 4

func siftUp(h []entry, i int) {
	x := h[i]
	for i > 0 {
		p := (i - 1) / arity
		if !less(&x, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

func siftDown(h []entry, i int) {
	n := len(h)
	x := h[i]
	for {
		c := arity*i + 1
		var m int
		switch {
		case c+3 < n:
			m = pick(h, pick(h, c, c+1), pick(h, c+2, c+3))
		case c < n: // the last, partial group: a small heap's only one
			m = c
			for j := c + 1; j < n; j++ {
				if less(&h[j], &h[m]) {
					m = j
				}
			}
		default:
			h[i] = x
			return
		}
		if !less(&h[m], &x) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
}

// heapify makes h a heap in O(len(h)).
func heapify(h []entry) {
	if len(h) > 1 {
		for i := (len(h) - 2) / arity; i >= 0; i-- {
			siftDown(h, i)
		}
	}
}

// popHeap removes h's top and returns the shortened heap.
func popHeap(h []entry) []entry {
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	if n > 1 {
		siftDown(h, 0)
	}
	return h
}

func (e *Engine) pop() { e.heap = popHeap(e.heap) }

// compact removes cancelled entries from every tier and rebuilds the heap
// in O(n). Order is unaffected: (time, seq) is a total order, so any valid
// heap pops the same sequence, and the FIFO and the buckets keep theirs.
func (e *Engine) compact() {
	e.heap = slices.DeleteFunc(e.heap, func(x entry) bool { return !e.live(x) })
	heapify(e.heap)
	e.soon.keep(e.live)
	e.far.keep(e.live)
	e.dead = 0
}

// live reports whether x's event is still pending.
func (e *Engine) live(x entry) bool { return e.slots.Gen(x.slot) == x.gen }

// ring is a growable FIFO of entries (a power-of-two ring buffer).
type ring struct {
	buf  []entry
	head int
	n    int
}

func (q *ring) push(x entry) {
	if q.n == len(q.buf) {
		nb := make([]entry, max(2*len(q.buf), 64))
		for i := 0; i < q.n; i++ {
			nb[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = x
	q.n++
}

// keep drops the entries for which ok is false, keeping the order.
func (q *ring) keep(ok func(entry) bool) {
	j := 0
	for i := 0; i < q.n; i++ {
		x := q.buf[(q.head+i)&(len(q.buf)-1)]
		if ok(x) {
			q.buf[(q.head+j)&(len(q.buf)-1)] = x
			j++
		}
	}
	q.n = j
}

func (q *ring) first() entry { return q.buf[q.head] }

func (q *ring) pop() entry {
	x := q.buf[q.head]
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return x
}

// Package sim is checkoutsim's discrete-event engine: a virtual clock and an
// event queue. Everything that happens in a simulation is an event: a
// function to call at a virtual time. The engine pops events in (time,
// sequence) order, so events at the same instant run in the order they were
// scheduled, and a run is a pure function of its inputs.
//
// There is no goroutine per process and no interface boxing on the hot path:
// the queue is a hand-written 4-ary heap of small structs, with a FIFO in
// front of it for events due at the current instant (a third of a
// checkout's events are such notifications), and cancelled timers are
// removed lazily (O(1) cancel) and compacted when they would dominate the
// heap, so memory stays proportional to what is pending.
//
// Random streams live in sim/rng, distributions in sim/dist, resources
// (stations, pools, lock tables) in sim/resource and statistics in sim/stats.
package sim

// Timer identifies a scheduled event so it can be cancelled. The zero Timer
// refers to no event. A Timer stays safe to use after its event has fired or
// been cancelled: Cancel then reports false and does nothing, because each
// slot carries a generation that changes every time the slot is released.
type Timer struct {
	slot int32
	gen  uint32
}

// entry is one heap element: 24 bytes, no pointers, so the heap is cheap to
// move and invisible to the garbage collector's scan.
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
	heap      []entry       // events after now, by (at, seq)
	soon      ring          // events scheduled at now, while the clock read now, in seq order
	slots     Slots[func()] // the callbacks of pending events
	dead      int           // cancelled entries still in heap or soon
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
func (e *Engine) Pending() int { return len(e.heap) + e.soon.n - e.dead }

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
// the clock never runs backwards. Cost: O(1) for t <= Now, O(log n)
// otherwise.
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
	if len(e.heap) > 0 && e.slots.Gen(e.heap[0].slot) != e.heap[0].gen {
		// The top is dead (usually the event firing now, which Step leaves
		// in place): the new entry takes its place, one sift-down instead
		// of a pop and a push.
		e.heap[0] = x
		e.dead--
		e.down(0)
	} else {
		e.heap = append(e.heap, x)
		e.up(len(e.heap) - 1)
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
// event was still pending. Cost: O(1); the heap entry is dropped when it
// reaches the top, or earlier by a compaction when dead entries would be
// the majority of the heap.
func (e *Engine) Cancel(t Timer) bool {
	if !e.Scheduled(t) {
		return false
	}
	e.release(t.slot)
	e.dead++
	if e.dead > 1024 && e.dead > len(e.heap)/2 {
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
//
// The next event is the earliest by (time, sequence). Heap entries due now
// were scheduled before the clock reached now, so they precede the FIFO of
// events scheduled at now; past them, the FIFO's head is next while it has
// entries, the heap's top after. A fired heap entry stays on top of the
// heap as a dead entry while its callback runs, so that the callback's
// first At of a later time replaces it; it is popped like any cancelled
// entry otherwise.
func (e *Engine) Step() bool {
	for {
		if len(e.heap) > 0 {
			top := &e.heap[0]
			if e.slots.Gen(top.slot) != top.gen {
				e.pop()
				e.dead--
				continue
			}
			if top.at == e.now || e.soon.n == 0 {
				e.dead++ // left in place, see above
				e.fire(*top)
				return true
			}
		}
		if e.soon.n == 0 {
			return false
		}
		x := e.soon.pop()
		if e.slots.Gen(x.slot) != x.gen {
			e.dead--
			continue
		}
		e.fire(x)
		return true
	}
}

// fire runs the event of a live entry taken off the queue.
func (e *Engine) fire(x entry) {
	fn := *e.slots.At(x.slot)
	e.release(x.slot)
	e.now = x.at
	e.processed++
	if e.trace != nil {
		e.trace(x.at, x.seq)
	}
	fn()
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
	for !e.stopped {
		at, ok := e.peek()
		if !ok || at > t {
			break
		}
		e.Step()
	}
	if !e.stopped && t > e.now {
		e.now = t
	}
}

// peek returns the time of the earliest live event, discarding dead entries
// on top of the heap and at the head of the FIFO.
func (e *Engine) peek() (Time, bool) {
	for e.soon.n > 0 {
		if x := e.soon.first(); e.slots.Gen(x.slot) == x.gen {
			return e.now, true
		}
		e.soon.pop()
		e.dead--
	}
	for len(e.heap) > 0 {
		top := e.heap[0]
		if e.slots.Gen(top.slot) == top.gen {
			return top.at, true
		}
		e.pop()
		e.dead--
	}
	return 0, false
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

func less(a, b *entry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// The heap is 4-ary: the children of i are 4i+1 .. 4i+4. Half the depth of
// a binary heap, and a node's children are adjacent in memory, so a
// sift-down touches fewer cache lines.
const arity = 4

func (e *Engine) up(i int) {
	h := e.heap
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

func (e *Engine) down(i int) {
	h := e.heap
	n := len(h)
	x := h[i]
	for {
		c := arity*i + 1
		if c >= n {
			break
		}
		m := c
		for j, end := c+1, min(c+arity, n); j < end; j++ {
			if less(&h[j], &h[m]) {
				m = j
			}
		}
		if !less(&h[m], &x) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
}

func (e *Engine) pop() entry {
	h := e.heap
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	e.heap = h[:n]
	if n > 1 {
		e.down(0)
	}
	return top
}

// compact removes cancelled entries and rebuilds the heap in O(n). Order is
// unaffected: (time, seq) is a total order, so any valid heap pops the same
// sequence, and the FIFO keeps its order.
func (e *Engine) compact() {
	live := e.heap[:0]
	for _, en := range e.heap {
		if e.slots.Gen(en.slot) == en.gen {
			live = append(live, en)
		}
	}
	e.heap = live
	e.soon.keep(func(x entry) bool { return e.slots.Gen(x.slot) == x.gen })
	e.dead = 0
	if len(live) > 1 {
		for i := (len(live) - 2) / arity; i >= 0; i-- {
			e.down(i)
		}
	}
}

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

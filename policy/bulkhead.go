package policy

import "time"

// BulkheadConfig configures a concurrency limit with a bounded FIFO queue.
type BulkheadConfig struct {
	MaxConcurrent int           // calls in progress at once, >= 1
	MaxQueue      int           // waiters beyond that, >= 0 (0: reject at once)
	MaxWait       time.Duration // longest a waiter waits; > 0 when MaxQueue > 0
}

// Validate reports every invalid field.
func (c BulkheadConfig) Validate() error {
	var l errList
	l.positiveInt("max_concurrent", c.MaxConcurrent)
	l.nonNegInt("max_queue", c.MaxQueue)
	if c.MaxQueue > 0 {
		l.positiveDur("max_wait", c.MaxWait)
	} else {
		l.nonNegDur("max_wait", c.MaxWait)
	}
	return l.join()
}

// WaiterID names one caller of a bulkhead; the caller chooses it (the
// simulator uses its call number, the live adapter a counter).
type WaiterID uint64

// Admission is the answer of Bulkhead.Acquire.
type Admission uint8

const (
	BulkheadAdmitted Admission = iota // run now; call Release when done
	BulkheadQueued                    // wait: Release will return this id, or Expire / Cancel remove it
	BulkheadRejected                  // full: no slot and no queue room
)

func (a Admission) String() string {
	switch a {
	case BulkheadAdmitted:
		return "admitted"
	case BulkheadQueued:
		return "queued"
	case BulkheadRejected:
		return "rejected"
	}
	return "admission(?)"
}

// BulkheadStats are cumulative counters.
type BulkheadStats struct {
	Admitted, Queued, Rejected, Expired, Cancelled uint64
	BadReleases                                    uint64 // Release with nothing in use (a caller bug)
}

// Bulkhead is a synchronous concurrency limiter with a FIFO wait queue.
// Because the core has no timers, waiting is explicit and both the simulator
// and the live adapter drive it the same way:
//
//	switch b.Acquire(now, id) {
//	case BulkheadAdmitted: run; then next, ok := b.Release(now) and start next if ok
//	case BulkheadQueued:   schedule Expire at NextExpiry; wait to be returned by Release
//	case BulkheadRejected: fail fast with Outcome Rejected
//	}
//
// Waiters all wait at most MaxWait, so they expire in queue order and the
// head of the queue is always the next to expire. Costs: Acquire, Release,
// Expire O(1) amortised; Cancel O(queue length).
type Bulkhead struct {
	cfg   BulkheadConfig
	limit int
	inUse int
	q     []waiter // ring buffer of capacity MaxQueue
	head  int
	n     int
	stats BulkheadStats
}

type waiter struct {
	id       WaiterID
	deadline time.Time
}

// NewBulkhead validates c and returns an empty bulkhead.
func NewBulkhead(c BulkheadConfig) (*Bulkhead, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &Bulkhead{cfg: c, limit: c.MaxConcurrent, q: make([]waiter, c.MaxQueue)}, nil
}

func (b *Bulkhead) at(i int) *waiter { return &b.q[(b.head+i)%len(b.q)] }

// firstLive returns the index of the first waiter that has not expired at now.
func (b *Bulkhead) firstLive(now time.Time) int {
	k := 0
	for k < b.n && !now.Before(b.at(k).deadline) {
		k++
	}
	return k
}

// removeAt removes waiter k, keeping FIFO order.
func (b *Bulkhead) removeAt(k int) WaiterID {
	id := b.at(k).id
	for i := k; i > 0; i-- { // shift the prefix forward; k is usually 0
		*b.at(i) = *b.at(i - 1)
	}
	b.head = (b.head + 1) % len(b.q)
	b.n--
	return id
}

// Acquire asks for a slot at now for waiter id.
func (b *Bulkhead) Acquire(now time.Time, id WaiterID) Admission {
	if b.inUse < b.limit && b.firstLive(now) == b.n {
		b.inUse++
		b.stats.Admitted++
		return BulkheadAdmitted
	}
	if b.n < len(b.q) {
		*b.at(b.n) = waiter{id: id, deadline: now.Add(b.cfg.MaxWait)}
		b.n++
		b.stats.Queued++
		return BulkheadQueued
	}
	b.stats.Rejected++
	return BulkheadRejected
}

// Release frees the slot of a finished call at now. If a waiter that has
// not reached MaxWait is queued, it takes the slot: its id is returned and
// it is now running (it must call Release in turn). Waiters past MaxWait
// are left for Expire, so each waiter ends in exactly one of Release,
// Expire or Cancel.
func (b *Bulkhead) Release(now time.Time) (WaiterID, bool) {
	if b.inUse == 0 {
		b.stats.BadReleases++
		return 0, false
	}
	b.inUse--
	return b.admitNext(now)
}

func (b *Bulkhead) admitNext(now time.Time) (WaiterID, bool) {
	if b.inUse >= b.limit {
		return 0, false
	}
	k := b.firstLive(now)
	if k == b.n {
		return 0, false
	}
	b.inUse++
	b.stats.Admitted++
	return b.removeAt(k), true
}

// Expire removes the waiters whose MaxWait has passed at now and appends
// their ids to dst (pass a reused slice to avoid allocation).
func (b *Bulkhead) Expire(now time.Time, dst []WaiterID) []WaiterID {
	for b.n > 0 && !now.Before(b.at(0).deadline) {
		dst = append(dst, b.removeAt(0))
		b.stats.Expired++
	}
	return dst
}

// NextExpiry returns when the head waiter expires (ok false if none wait).
func (b *Bulkhead) NextExpiry() (time.Time, bool) {
	if b.n == 0 {
		return time.Time{}, false
	}
	return b.at(0).deadline, true
}

// Cancel removes a queued waiter (its caller gave up). It reports false if
// id is not queued (already admitted, expired or unknown).
func (b *Bulkhead) Cancel(id WaiterID) bool {
	for k := 0; k < b.n; k++ {
		if b.at(k).id == id {
			b.removeAt(k)
			b.stats.Cancelled++
			return true
		}
	}
	return false
}

// SetLimit changes the concurrency limit (for an adaptive limiter) and
// admits queued waiters into any new room, appending their ids to dst.
// A lower limit takes effect as running calls release. n < 1 is taken as 1.
func (b *Bulkhead) SetLimit(now time.Time, n int, dst []WaiterID) []WaiterID {
	if n < 1 {
		n = 1
	}
	b.limit = n
	for {
		id, ok := b.admitNext(now)
		if !ok {
			return dst
		}
		dst = append(dst, id)
	}
}

// Config returns the validated configuration.
func (b *Bulkhead) Config() BulkheadConfig { return b.cfg }

// Limit returns the current concurrency limit.
func (b *Bulkhead) Limit() int { return b.limit }

// InUse returns the running calls.
func (b *Bulkhead) InUse() int { return b.inUse }

// QueueLen returns the waiters queued (including expired ones not yet
// removed by Expire).
func (b *Bulkhead) QueueLen() int { return b.n }

// Stats returns the cumulative counters.
func (b *Bulkhead) Stats() BulkheadStats { return b.stats }

package resource

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/sim"
)

// PoolConfig configures a Pool.
type PoolConfig struct {
	Name string
	// Size is the number of permits (connections), >= 0.
	Size int
	// MaxWaiters limits the FIFO of waiting acquirers; 0 = unbounded. An
	// Acquire that would exceed it fails at once (ok=false).
	MaxWaiters int
	// AcquireTimeout is how long an acquirer waits before failing (ok=false);
	// 0 = wait forever.
	AcquireTimeout sim.Time
}

// PoolStats is the accounting of a Pool over its window.
type PoolStats struct {
	Name        string
	Window      sim.Time
	Acquires    int64   // Acquire calls
	Granted     int64   // permits handed out (ok=true)
	Immediate   int64   // of which without waiting
	TimedOut    int64   // ok=false after AcquireTimeout
	Rejected    int64   // ok=false because MaxWaiters was reached
	Cancelled   int64   // successful CancelWait calls
	WaitSum     float64 // seconds waited, summed over Granted
	MaxWait     sim.Time
	MeanInUse   float64 // time average of permits held
	MeanWaiting float64 // time average of waiters
	MaxInUse    int
	MaxWaiting  int
}

// MeanWait returns WaitSum/Granted (0 if none).
func (s PoolStats) MeanWait() float64 {
	if s.Granted == 0 {
		return 0
	}
	return s.WaitSum / float64(s.Granted)
}

type poolWaiter struct {
	state   jobState // jobWaiting or jobNotify
	ok      bool
	arrived sim.Time
	waited  sim.Time
	timer   sim.Timer
	granted func(ok bool, waited sim.Time)
	fire    func()
}

// Pool is a counting semaphore with a FIFO of waiters: a database
// connection pool. A permit is held from the moment it is granted (InUse
// counts it even before the granted callback runs) until Release.
type Pool struct {
	e       *sim.Engine
	cfg     PoolConfig
	size    int
	inUse   level
	waiting level
	q       fifo
	ws      sim.Slots[poolWaiter]
	st      PoolStats
}

// NewPool returns a pool driven by e.
func NewPool(e *sim.Engine, cfg PoolConfig) (*Pool, error) {
	if e == nil {
		return nil, fmt.Errorf("resource: pool %q: engine is nil", cfg.Name)
	}
	if cfg.Size < 0 {
		return nil, fmt.Errorf("resource: pool %q: Size = %d, want >= 0", cfg.Name, cfg.Size)
	}
	if cfg.MaxWaiters < 0 {
		return nil, fmt.Errorf("resource: pool %q: MaxWaiters = %d, want >= 0 (0 = unbounded)", cfg.Name, cfg.MaxWaiters)
	}
	if cfg.AcquireTimeout < 0 {
		return nil, fmt.Errorf("resource: pool %q: AcquireTimeout = %v, want >= 0 (0 = none)", cfg.Name, cfg.AcquireTimeout)
	}
	p := &Pool{e: e, cfg: cfg, size: cfg.Size}
	p.ResetStats()
	return p, nil
}

// InUse returns the number of permits held.
func (p *Pool) InUse() int { return p.inUse.v }

// Waiting returns the number of acquirers waiting.
func (p *Pool) Waiting() int { return p.waiting.v }

// Size returns the current number of permits.
func (p *Pool) Size() int { return p.size }

// SetSize changes the number of permits. Growing grants to waiters at
// once; shrinking takes effect as holders release.
func (p *Pool) SetSize(n int) error {
	if n < 0 {
		return fmt.Errorf("resource: pool %q: SetSize(%d), want >= 0", p.cfg.Name, n)
	}
	p.size = n
	p.grantWaiting()
	return nil
}

// Acquire asks for a permit. granted is called exactly once, always from an
// engine event (never inside Acquire): ok=true with the time waited (0 if a
// permit was free), or ok=false when MaxWaiters is exceeded (at the current
// time) or AcquireTimeout expires. The caller must Release after ok=true.
// granted is not called after a successful CancelWait. granted may be nil.
func (p *Pool) Acquire(granted func(ok bool, waited sim.Time)) Ticket {
	now := p.e.Now()
	p.st.Acquires++
	slot := p.alloc()
	w := p.ws.At(slot)
	w.arrived = now
	w.granted = granted
	t := Ticket{slot: slot, gen: p.ws.Gen(slot)}
	if p.inUse.v < p.size && p.waiting.v == 0 {
		p.st.Immediate++
		p.grant(slot)
		return t
	}
	if p.cfg.MaxWaiters > 0 && p.waiting.v >= p.cfg.MaxWaiters {
		p.st.Rejected++
		p.deliver(slot, false)
		return t
	}
	w.state = jobWaiting
	p.q.push(ref{slot: slot, gen: p.ws.Gen(slot)})
	p.waiting.add(now, 1)
	if p.cfg.AcquireTimeout > 0 {
		w.timer = p.e.After(p.cfg.AcquireTimeout, w.fire)
	}
	return t
}

// Release returns a permit and grants it to the first waiter, if any.
// Releasing more permits than are held is an error and changes nothing.
func (p *Pool) Release() error {
	if p.inUse.v == 0 {
		return fmt.Errorf("resource: pool %q: Release with no permit in use", p.cfg.Name)
	}
	p.inUse.add(p.e.Now(), -1)
	p.grantWaiting()
	return nil
}

// CancelWait withdraws an Acquire whose granted callback has not run yet.
// It reports true if it did: the acquirer leaves the queue, or, if a permit
// was already assigned but not yet delivered, the permit goes back to the
// pool. After true, granted is never called and nothing is held.
func (p *Pool) CancelWait(t Ticket) bool {
	w := p.lookup(t)
	if w == nil {
		return false
	}
	now := p.e.Now()
	p.e.Cancel(w.timer)
	p.st.Cancelled++
	switch w.state {
	case jobWaiting:
		p.waiting.add(now, -1)
		p.releaseSlot(t.slot)
		if p.q.needsCompaction(p.waiting.v) {
			p.q.compact(p.live)
		}
	case jobNotify:
		wasOK := w.ok
		p.releaseSlot(t.slot)
		if wasOK {
			p.st.Granted--
			p.inUse.add(now, -1)
			p.grantWaiting()
		} else {
			p.st.Rejected-- // counted as cancelled instead
		}
	}
	return true
}

// ResetStats starts a new statistics window at the current time.
func (p *Pool) ResetStats() {
	now := p.e.Now()
	p.st = PoolStats{Name: p.cfg.Name}
	p.inUse.reset(now)
	p.waiting.reset(now)
}

// Stats returns the accounting of the current window.
func (p *Pool) Stats() PoolStats {
	now := p.e.Now()
	st := p.st
	st.Window = now - p.inUse.start
	st.MeanInUse = p.inUse.mean(now)
	st.MeanWaiting = p.waiting.mean(now)
	st.MaxInUse = p.inUse.max
	st.MaxWaiting = p.waiting.max
	return st
}

func (p *Pool) lookup(t Ticket) *poolWaiter {
	if !p.ws.Valid(t.slot, t.gen) {
		return nil
	}
	w := p.ws.At(t.slot)
	if w.state == jobFree {
		return nil
	}
	return w
}

func (p *Pool) live(r ref) bool {
	return p.ws.Gen(r.slot) == r.gen && p.ws.At(r.slot).state == jobWaiting
}

func (p *Pool) alloc() int32 {
	slot, fresh := p.ws.Alloc()
	if fresh {
		p.ws.At(slot).fire = func() { p.onTimer(slot) }
	}
	return slot
}

func (p *Pool) releaseSlot(slot int32) {
	w := p.ws.At(slot)
	w.state = jobFree
	w.granted = nil
	w.timer = sim.Timer{}
	p.ws.Release(slot)
}

// grant assigns a permit to the acquirer in slot and schedules its callback.
func (p *Pool) grant(slot int32) {
	now := p.e.Now()
	w := p.ws.At(slot)
	p.inUse.add(now, 1)
	p.st.Granted++
	wait := now - w.arrived
	p.st.WaitSum += seconds(wait)
	if wait > p.st.MaxWait {
		p.st.MaxWait = wait
	}
	p.deliver(slot, true)
}

func (p *Pool) deliver(slot int32, ok bool) {
	w := p.ws.At(slot)
	w.state = jobNotify
	w.ok = ok
	w.waited = p.e.Now() - w.arrived
	w.timer = p.e.After(0, w.fire)
}

func (p *Pool) grantWaiting() {
	for p.inUse.v < p.size && p.waiting.v > 0 {
		r := p.q.pop()
		if !p.live(r) {
			continue
		}
		p.waiting.add(p.e.Now(), -1)
		p.e.Cancel(p.ws.At(r.slot).timer)
		p.grant(r.slot)
	}
}

func (p *Pool) onTimer(slot int32) {
	w := p.ws.At(slot)
	switch w.state {
	case jobWaiting: // AcquireTimeout expired; this is already an event
		now := p.e.Now()
		p.waiting.add(now, -1)
		p.st.TimedOut++
		granted, waited := w.granted, now-w.arrived
		p.releaseSlot(slot) // also makes the ring entry stale
		if p.q.needsCompaction(p.waiting.v) {
			p.q.compact(p.live)
		}
		if granted != nil {
			granted(false, waited)
		}
	case jobNotify:
		granted, ok, waited := w.granted, w.ok, w.waited
		p.releaseSlot(slot)
		if granted != nil {
			granted(ok, waited)
		}
	}
}

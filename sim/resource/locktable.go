package resource

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/sim"
)

// TxnID identifies a transaction holding or waiting for row locks.
type TxnID uint64

// LockResult is the result of a Lock request.
type LockResult uint8

const (
	// Granted: the transaction now holds the key (or already did).
	Granted LockResult = iota + 1
	// Timeout: the wait exceeded LockTimeout (PostgreSQL lock_timeout).
	Timeout
	// Deadlock: the wait was chosen as a deadlock victim; the caller should
	// abort the transaction with ReleaseAll.
	Deadlock
)

func (r LockResult) String() string {
	switch r {
	case Granted:
		return "granted"
	case Timeout:
		return "timeout"
	case Deadlock:
		return "deadlock"
	}
	return "unknown"
}

// LockConfig configures a LockTable. Zero durations switch a feature off.
type LockConfig struct {
	// LockTimeout fails a wait after this long (PostgreSQL lock_timeout,
	// default 0 = off).
	LockTimeout sim.Time
	// DeadlockTimeout is how long a transaction waits before it checks the
	// waits-for graph for a cycle through itself (PostgreSQL
	// deadlock_timeout, default 1 s). 0 = no deadlock detection.
	DeadlockTimeout sim.Time
}

// LockStats is the accounting of a LockTable over its window.
type LockStats struct {
	Window      sim.Time
	Locks       int64    // Lock calls
	Reentrant   int64    // of which on a key the txn already held
	Waits       int64    // of which had to wait
	Granted     int64    // waits that ended in a grant
	Timeouts    int64    // waits that ended with Timeout
	Deadlocks   int64    // waits that ended with Deadlock
	Checks      int64    // deadlock checks run
	WaitSum     float64  // seconds, over waits that ended with a result
	MaxWait     sim.Time // longest such wait
	MaxQueue    int      // longest waiter queue seen on any key
	MaxQueueKey uint64   // the key where MaxQueue was first reached
}

type lockKey struct {
	holder TxnID
	nwait  int
	q      fifo
}

type lockTxn struct {
	id      TxnID
	keys    []uint64 // held, in the order acquired
	pending int32    // waiter slot of the outstanding Lock, -1 if none
}

type lockWaiter struct {
	state    jobState // jobWaiting or jobNotify
	result   LockResult
	txn      int32 // index into txns
	key      uint64
	arrived  sim.Time
	waited   sim.Time
	timeout  sim.Timer // LockTimeout, or the notification event
	deadlock sim.Timer
	done     func(LockResult, sim.Time)
	fire     func() // timeout or notification
	check    func() // deadlock check
}

// LockTable is a table of keyed exclusive locks (row locks) held by
// transactions, with per-key FIFO waiters, lock timeouts and deadlock
// detection in the style of PostgreSQL: a waiter that has waited
// DeadlockTimeout follows the waits-for chain (its key's holder, the key
// that holder waits for, that key's holder, ...) and, if the chain comes
// back to itself, aborts its own wait with Deadlock. Only the holder of a
// key counts as the blocker (locks are exclusive); waiters ahead in the
// queue are not edges, since each of them is blocked by the same holder
// and runs its own check.
//
// Maps are used only for lookup; every order that matters (waiters,
// grants, releases) lives in slices, so runs are deterministic.
type LockTable struct {
	e     *sim.Engine
	cfg   LockConfig
	keys  map[uint64]int32
	ks    sim.Slots[lockKey]
	txns  map[TxnID]int32
	ts    sim.Slots[lockTxn]
	ws    sim.Slots[lockWaiter]
	start sim.Time
	st    LockStats
}

// NewLockTable returns an empty lock table driven by e.
func NewLockTable(e *sim.Engine, cfg LockConfig) (*LockTable, error) {
	if e == nil {
		return nil, fmt.Errorf("resource: lock table: engine is nil")
	}
	if cfg.LockTimeout < 0 {
		return nil, fmt.Errorf("resource: lock table: LockTimeout = %v, want >= 0 (0 = off)", cfg.LockTimeout)
	}
	if cfg.DeadlockTimeout < 0 {
		return nil, fmt.Errorf("resource: lock table: DeadlockTimeout = %v, want >= 0 (0 = off)", cfg.DeadlockTimeout)
	}
	lt := &LockTable{e: e, cfg: cfg, keys: map[uint64]int32{}, txns: map[TxnID]int32{}}
	lt.ResetStats()
	return lt, nil
}

// Lock asks for an exclusive lock on key for txn. done is called exactly
// once, from an engine event (never inside Lock): Granted (at the current
// time if the key is free or already held by txn), Timeout or Deadlock,
// with the time waited. A transaction has at most one outstanding Lock; a
// second Lock before done has run is an error and changes nothing.
func (lt *LockTable) Lock(txn TxnID, key uint64, done func(LockResult, sim.Time)) error {
	ti := lt.txn(txn)
	t := lt.ts.At(ti)
	if t.pending >= 0 {
		return fmt.Errorf("resource: lock table: txn %d locks key %d while its lock on key %d is pending", txn, key, lt.ws.At(t.pending).key)
	}
	lt.st.Locks++
	now := lt.e.Now()
	wi := lt.allocWaiter()
	w := lt.ws.At(wi)
	w.txn = ti
	w.key = key
	w.arrived = now
	w.done = done
	t.pending = wi
	ki, ok := lt.keys[key]
	if !ok {
		ki = lt.allocKey(key)
		k := lt.ks.At(ki)
		k.holder = txn
		t.keys = append(t.keys, key)
		lt.notify(wi, Granted)
		return nil
	}
	k := lt.ks.At(ki)
	if k.holder == txn {
		lt.st.Reentrant++
		lt.notify(wi, Granted)
		return nil
	}
	lt.st.Waits++
	w.state = jobWaiting
	k.q.push(ref{slot: wi, gen: lt.ws.Gen(wi)})
	k.nwait++
	if k.nwait > lt.st.MaxQueue {
		lt.st.MaxQueue = k.nwait
		lt.st.MaxQueueKey = key
	}
	if lt.cfg.LockTimeout > 0 {
		w.timeout = lt.e.After(lt.cfg.LockTimeout, w.fire)
	}
	if lt.cfg.DeadlockTimeout > 0 {
		w.deadlock = lt.e.After(lt.cfg.DeadlockTimeout, w.check)
	}
	return nil
}

// ReleaseAll ends txn (commit or abort): it cancels its outstanding Lock,
// if any (that done is never called), and releases every key it holds in
// the order acquired, each to the next FIFO waiter. Unknown txns are a
// no-op.
func (lt *LockTable) ReleaseAll(txn TxnID) {
	ti, ok := lt.txns[txn]
	if !ok {
		return
	}
	t := lt.ts.At(ti)
	if wi := t.pending; wi >= 0 {
		w := lt.ws.At(wi)
		lt.e.Cancel(w.timeout)
		lt.e.Cancel(w.deadlock)
		if w.state == jobWaiting {
			lt.leaveQueue(wi)
		}
		lt.freeWaiter(wi)
		t.pending = -1
	}
	for _, key := range t.keys {
		lt.handOver(key)
	}
	t.keys = t.keys[:0]
	delete(lt.txns, txn)
	lt.ts.Release(ti)
}

// Holder returns the transaction holding key, if any.
func (lt *LockTable) Holder(key uint64) (TxnID, bool) {
	ki, ok := lt.keys[key]
	if !ok {
		return 0, false
	}
	return lt.ks.At(ki).holder, true
}

// Waiters returns the number of transactions waiting for key.
func (lt *LockTable) Waiters(key uint64) int {
	ki, ok := lt.keys[key]
	if !ok {
		return 0
	}
	return lt.ks.At(ki).nwait
}

// Held returns the number of keys txn holds.
func (lt *LockTable) Held(txn TxnID) int {
	ti, ok := lt.txns[txn]
	if !ok {
		return 0
	}
	return len(lt.ts.At(ti).keys)
}

// ResetStats starts a new statistics window at the current time.
func (lt *LockTable) ResetStats() {
	lt.st = LockStats{}
	lt.start = lt.e.Now()
}

// Stats returns the accounting of the current window.
func (lt *LockTable) Stats() LockStats {
	st := lt.st
	st.Window = lt.e.Now() - lt.start
	return st
}

func (lt *LockTable) txn(id TxnID) int32 {
	if ti, ok := lt.txns[id]; ok {
		return ti
	}
	ti, _ := lt.ts.Alloc()
	t := lt.ts.At(ti)
	t.id = id
	t.pending = -1
	t.keys = t.keys[:0]
	lt.txns[id] = ti
	return ti
}

func (lt *LockTable) allocKey(key uint64) int32 {
	ki, _ := lt.ks.Alloc()
	lt.keys[key] = ki
	return ki
}

func (lt *LockTable) allocWaiter() int32 {
	wi, fresh := lt.ws.Alloc()
	if fresh {
		w := lt.ws.At(wi)
		w.fire = func() { lt.onFire(wi) }
		w.check = func() { lt.onCheck(wi) }
	}
	return wi
}

func (lt *LockTable) freeWaiter(wi int32) {
	w := lt.ws.At(wi)
	w.state = jobFree
	w.done = nil
	w.timeout = sim.Timer{}
	w.deadlock = sim.Timer{}
	lt.ws.Release(wi)
}

// notify decides a waiter's result and delivers it from an event now.
func (lt *LockTable) notify(wi int32, r LockResult) {
	w := lt.ws.At(wi)
	w.state = jobNotify
	w.result = r
	w.waited = lt.e.Now() - w.arrived
	w.timeout = lt.e.After(0, w.fire)
}

// leaveQueue takes a waiting waiter off its key's queue.
func (lt *LockTable) leaveQueue(wi int32) {
	w := lt.ws.At(wi)
	ki := lt.keys[w.key]
	k := lt.ks.At(ki)
	k.nwait--
	lt.ws.Bump(wi)      // the ring entry goes stale
	w.state = jobNotify // no longer waiting; the caller frees or finishes it
	if k.q.needsCompaction(k.nwait) {
		k.q.compact(lt.live)
	}
}

func (lt *LockTable) live(r ref) bool {
	return lt.ws.Gen(r.slot) == r.gen && lt.ws.At(r.slot).state == jobWaiting
}

// handOver releases key from its holder and grants it to the first live
// waiter, or forgets the key if nobody waits.
func (lt *LockTable) handOver(key uint64) {
	ki := lt.keys[key]
	k := lt.ks.At(ki)
	for k.nwait > 0 {
		r := k.q.pop()
		if !lt.live(r) {
			continue
		}
		k.nwait--
		w := lt.ws.At(r.slot)
		lt.e.Cancel(w.timeout)
		lt.e.Cancel(w.deadlock)
		t := lt.ts.At(w.txn)
		k.holder = t.id
		t.keys = append(t.keys, key)
		lt.endWait(r.slot, Granted)
		lt.notify(r.slot, Granted)
		return
	}
	k.q.head, k.q.n = 0, 0 // drop stale entries, keep the buffer
	k.holder = 0
	delete(lt.keys, key)
	lt.ks.Release(ki)
}

// endWait records the end of a wait in the statistics.
func (lt *LockTable) endWait(wi int32, r LockResult) {
	wait := lt.e.Now() - lt.ws.At(wi).arrived
	lt.st.WaitSum += seconds(wait)
	if wait > lt.st.MaxWait {
		lt.st.MaxWait = wait
	}
	switch r {
	case Granted:
		lt.st.Granted++
	case Timeout:
		lt.st.Timeouts++
	case Deadlock:
		lt.st.Deadlocks++
	}
}

// onFire handles LockTimeout expiry and result delivery.
func (lt *LockTable) onFire(wi int32) {
	w := lt.ws.At(wi)
	switch w.state {
	case jobWaiting:
		lt.e.Cancel(w.deadlock)
		lt.endWait(wi, Timeout)
		lt.leaveQueue(wi)
		lt.finish(wi, Timeout)
	case jobNotify:
		lt.finish(wi, w.result)
	}
}

// onCheck runs the deadlock check of a waiter that waited DeadlockTimeout.
func (lt *LockTable) onCheck(wi int32) {
	w := lt.ws.At(wi)
	if w.state != jobWaiting {
		return
	}
	lt.st.Checks++
	self := lt.ts.At(w.txn).id
	cur := wi
	// Each txn waits for at most one key and each key has one holder, so
	// the waits-for graph is a functional graph: follow it at most
	// len(txns) steps. A cycle that does not pass through self is not
	// ours to break; its members run their own checks.
	for steps := 0; steps <= len(lt.txns); steps++ {
		holder := lt.ks.At(lt.keys[lt.ws.At(cur).key]).holder
		if holder == self {
			lt.e.Cancel(w.timeout)
			lt.endWait(wi, Deadlock)
			lt.leaveQueue(wi)
			lt.finish(wi, Deadlock)
			return
		}
		hi := lt.txns[holder]
		next := lt.ts.At(hi).pending
		if next < 0 || lt.ws.At(next).state != jobWaiting {
			return // the holder is running: no deadlock
		}
		cur = next
	}
}

// finish clears the txn's pending Lock, frees the waiter and calls done.
func (lt *LockTable) finish(wi int32, r LockResult) {
	w := lt.ws.At(wi)
	done := w.done
	waited := lt.e.Now() - w.arrived
	lt.ts.At(w.txn).pending = -1
	lt.freeWaiter(wi)
	if done != nil {
		done(r, waited)
	}
}

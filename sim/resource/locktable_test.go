package resource

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
)

func newLockTable(t *testing.T, e *sim.Engine, cfg LockConfig) *LockTable {
	t.Helper()
	lt, err := NewLockTable(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return lt
}

type lockEvent struct {
	txn    TxnID
	res    LockResult
	at     sim.Time
	waited sim.Time
}

type lockLog struct {
	e   *sim.Engine
	log []lockEvent
}

func (l *lockLog) done(txn TxnID, then func()) func(LockResult, sim.Time) {
	return func(r LockResult, w sim.Time) {
		l.log = append(l.log, lockEvent{txn, r, l.e.Now(), w})
		if then != nil {
			then()
		}
	}
}

func (l *lockLog) String() string {
	var parts []string
	for _, ev := range l.log {
		parts = append(parts, fmt.Sprintf("T%d:%v@%v/%v", ev.txn, ev.res, ev.at, ev.waited))
	}
	return strings.Join(parts, " ")
}

// Three txns want key 7; each holds it for 1 s once granted.
func TestLockFIFOAndHold(t *testing.T) {
	e := sim.New()
	lt := newLockTable(t, e, LockConfig{})
	l := &lockLog{e: e}
	for txn := TxnID(1); txn <= 3; txn++ {
		txn := txn
		if err := lt.Lock(txn, 7, l.done(txn, func() { e.After(sim.Second, func() { lt.ReleaseAll(txn) }) })); err != nil {
			t.Fatal(err)
		}
	}
	if h, ok := lt.Holder(7); !ok || h != 1 || lt.Waiters(7) != 2 || len(l.log) != 0 {
		t.Fatalf("holder %d %v waiters %d callbacks %d", h, ok, lt.Waiters(7), len(l.log))
	}
	e.Run()
	want := "T1:granted@0s/0s T2:granted@1s/1s T3:granted@2s/2s"
	if got := l.String(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if _, ok := lt.Holder(7); ok || len(lt.keys) != 0 || len(lt.txns) != 0 {
		t.Fatal("table not empty after every txn released")
	}
	st := lt.Stats()
	if st.Locks != 3 || st.Waits != 2 || st.Granted != 2 || st.WaitSum != 3 || st.MaxWait != 2*sim.Second || st.MaxQueue != 2 || st.MaxQueueKey != 7 {
		t.Fatalf("stats %+v", st)
	}
}

func TestLockTimeout(t *testing.T) {
	e := sim.New()
	lt := newLockTable(t, e, LockConfig{LockTimeout: 500 * sim.Millisecond, DeadlockTimeout: sim.Second})
	l := &lockLog{e: e}
	_ = lt.Lock(1, 7, l.done(1, nil))
	_ = lt.Lock(2, 7, l.done(2, func() { lt.ReleaseAll(2) }))
	e.Run()
	if got, want := l.String(), "T1:granted@0s/0s T2:timeout@500ms/500ms"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if lt.Waiters(7) != 0 || lt.Stats().Timeouts != 1 || lt.Stats().Checks != 0 {
		t.Fatalf("waiters %d stats %+v", lt.Waiters(7), lt.Stats())
	}
}

func TestLockReentrantAndMisuse(t *testing.T) {
	e := sim.New()
	lt := newLockTable(t, e, LockConfig{})
	l := &lockLog{e: e}
	_ = lt.Lock(1, 7, l.done(1, func() {
		if err := lt.Lock(1, 7, l.done(1, nil)); err != nil {
			t.Error(err)
		}
	}))
	if err := lt.Lock(1, 8, nil); err == nil || !strings.Contains(err.Error(), "pending") {
		t.Fatalf("second Lock while pending: error %v", err)
	}
	e.Run()
	if got, want := l.String(), "T1:granted@0s/0s T1:granted@0s/0s"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if lt.Held(1) != 1 || lt.Stats().Reentrant != 1 {
		t.Fatalf("held %d stats %+v", lt.Held(1), lt.Stats())
	}
	lt.ReleaseAll(1)
	lt.ReleaseAll(1) // unknown txn: no-op
	if _, ok := lt.Holder(7); ok {
		t.Fatal("key still held")
	}
}

// T1 locks A then B, T2 locks B then A: after DeadlockTimeout exactly one
// of them (T1, whose timer fires first) is the victim and aborts; the other
// gets the lock at that moment and completes.
func TestLockDeadlockOneVictim(t *testing.T) {
	const A, B = 1, 2
	e := sim.New()
	lt := newLockTable(t, e, LockConfig{DeadlockTimeout: sim.Second})
	l := &lockLog{e: e}
	step := func(txn TxnID, first, second uint64) {
		_ = lt.Lock(txn, first, l.done(txn, func() {
			e.After(sim.Millisecond, func() {
				_ = lt.Lock(txn, second, l.done(txn, func() {
					// Victim or not, the txn ends now (abort or commit).
					lt.ReleaseAll(txn)
				}))
			})
		}))
	}
	step(1, A, B)
	step(2, B, A)
	e.Run()
	want := "T1:granted@0s/0s T2:granted@0s/0s T1:deadlock@1.001s/1s T2:granted@1.001s/1s"
	if got := l.String(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if st := lt.Stats(); st.Deadlocks != 1 || st.Checks != 1 || len(lt.keys) != 0 {
		t.Fatalf("stats %+v, keys left %d", st, len(lt.keys))
	}
}

// lockWorkload runs txns that each lock k distinct keys (in ascending order
// if sorted), holding each for a random time, then commit. A txn that gets
// Deadlock or Timeout aborts. It returns the table and how many txns
// finished (committed or aborted).
func lockWorkload(t *testing.T, seed uint64, sorted bool) (*LockTable, int, int) {
	t.Helper()
	const txns, keys, perTxn = 400, 12, 3
	e := sim.New()
	r := rand.New(rand.NewPCG(seed, 9))
	lt := newLockTable(t, e, LockConfig{DeadlockTimeout: sim.Second})
	finished, committed := 0, 0
	for i := 0; i < txns; i++ {
		id := TxnID(i + 1)
		ks := r.Perm(keys)[:perTxn]
		if sorted {
			slices.Sort(ks)
		}
		var next func(k int)
		next = func(k int) {
			if k == len(ks) {
				lt.ReleaseAll(id)
				finished++
				committed++
				return
			}
			if err := lt.Lock(id, uint64(ks[k]), func(res LockResult, _ sim.Time) {
				if res != Granted {
					lt.ReleaseAll(id)
					finished++
					return
				}
				e.After(sim.Seconds(0.01*r.ExpFloat64()), func() { next(k + 1) })
			}); err != nil {
				t.Fatal(err)
			}
		}
		e.At(sim.Seconds(float64(i)*0.005), func() { next(0) })
	}
	e.Run()
	return lt, finished, committed
}

func TestLockSortedOrderNeverDeadlocks(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		lt, finished, committed := lockWorkload(t, seed, true)
		st := lt.Stats()
		if st.Deadlocks != 0 || finished != 400 || committed != 400 {
			t.Fatalf("seed %d sorted: deadlocks %d finished %d committed %d", seed, st.Deadlocks, finished, committed)
		}
		if st.Waits == 0 {
			t.Fatalf("seed %d: no contention at all, the test proves nothing", seed)
		}
		// Random order on the same workload does deadlock, and detection
		// keeps every txn live.
		lt, finished, committed = lockWorkload(t, seed, false)
		if st := lt.Stats(); st.Deadlocks == 0 || finished != 400 || committed != 400-int(st.Deadlocks) {
			t.Fatalf("seed %d random order: deadlocks %d finished %d committed %d", seed, st.Deadlocks, finished, committed)
		}
		if len(lt.keys) != 0 || len(lt.txns) != 0 {
			t.Fatalf("seed %d: %d keys and %d txns left in the table", seed, len(lt.keys), len(lt.txns))
		}
	}
}

// One hot key, an endless queue of txns each holding it for h: throughput
// is 1/h whatever the offered load.
func TestLockHotKeyThroughput(t *testing.T) {
	const hold = 10 * sim.Millisecond
	e := sim.New()
	lt := newLockTable(t, e, LockConfig{})
	commits := 0
	var id TxnID
	var arrive func()
	arrive = func() {
		id++
		txn := id
		_ = lt.Lock(txn, 42, func(LockResult, sim.Time) {
			e.After(hold, func() {
				lt.ReleaseAll(txn)
				commits++
			})
		})
		if e.Now() < 100*sim.Second {
			e.After(5*sim.Millisecond, arrive) // offered 200/s, twice the capacity
		}
	}
	e.At(0, arrive)
	e.RunUntil(100 * sim.Second)
	want := 100 * sim.Second / hold
	if math.Abs(float64(commits)-float64(want)) > 1 {
		t.Fatalf("commits in 100 s = %d, want %d = 1/hold", commits, want)
	}
	if lt.Stats().MaxQueue < 1000 {
		t.Fatalf("max queue %d: the key should be overloaded", lt.Stats().MaxQueue)
	}
}

func TestLockConfigErrors(t *testing.T) {
	e := sim.New()
	if _, err := NewLockTable(e, LockConfig{LockTimeout: -1}); err == nil || !strings.Contains(err.Error(), "LockTimeout") {
		t.Errorf("error %v", err)
	}
	if _, err := NewLockTable(e, LockConfig{DeadlockTimeout: -1}); err == nil || !strings.Contains(err.Error(), "DeadlockTimeout") {
		t.Errorf("error %v", err)
	}
}

func ExampleLockTable() {
	e := sim.New()
	lt, _ := NewLockTable(e, LockConfig{DeadlockTimeout: sim.Second})
	report := func(txn TxnID) func(LockResult, sim.Time) {
		return func(r LockResult, waited sim.Time) {
			fmt.Printf("%v: txn %d %v after %v\n", e.Now(), txn, r, waited)
			if r != Granted {
				lt.ReleaseAll(txn) // abort
			}
		}
	}
	_ = lt.Lock(1, 100, report(1))
	_ = lt.Lock(2, 200, report(2))
	e.After(sim.Millisecond, func() {
		_ = lt.Lock(1, 200, report(1))
		_ = lt.Lock(2, 100, report(2))
	})
	e.Run()
	// Output:
	// 0s: txn 1 granted after 0s
	// 0s: txn 2 granted after 0s
	// 1.001s: txn 1 deadlock after 1s
	// 1.001s: txn 2 granted after 1s
}

// 256 workers loop lock -> hold 1 ms -> release -> think on 64 keys, with
// some contention: the steady-state path must not allocate.
func BenchmarkLockTable(b *testing.B) {
	e := sim.New()
	r := rand.New(rand.NewPCG(1, 1))
	lt, _ := NewLockTable(e, LockConfig{LockTimeout: sim.Second, DeadlockTimeout: sim.Second})
	for w := 0; w < 256; w++ {
		txn := TxnID(w + 1)
		var start, release func()
		held := func(LockResult, sim.Time) { e.After(sim.Millisecond, release) }
		release = func() {
			lt.ReleaseAll(txn)
			e.After(sim.Seconds(r.ExpFloat64()*0.05), start)
		}
		start = func() { _ = lt.Lock(txn, uint64(r.IntN(64)), held) }
		e.At(0, start)
	}
	for i := 0; i < 100000; i++ {
		e.Step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Step()
	}
	b.ReportMetric(float64(lt.Stats().Waits)/float64(lt.Stats().Locks), "wait-fraction")
}

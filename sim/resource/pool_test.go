package resource

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
)

type grant struct {
	id     int
	ok     bool
	at     sim.Time
	waited sim.Time
}

func newPool(t *testing.T, e *sim.Engine, cfg PoolConfig) *Pool {
	t.Helper()
	p, err := NewPool(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func grantLog(log []grant) string {
	var parts []string
	for _, g := range log {
		parts = append(parts, fmt.Sprintf("%d:%v@%v/%v", g.id, g.ok, g.at, g.waited))
	}
	return strings.Join(parts, " ")
}

// Each acquirer holds its permit for 1 s. Grants are FIFO and never run
// inside Acquire.
func TestPoolFIFO(t *testing.T) {
	e := sim.New()
	p := newPool(t, e, PoolConfig{Name: "db", Size: 2})
	var log []grant
	for i := 0; i < 5; i++ {
		i := i
		p.Acquire(func(ok bool, waited sim.Time) {
			log = append(log, grant{i, ok, e.Now(), waited})
			e.After(sim.Second, func() {
				if err := p.Release(); err != nil {
					t.Error(err)
				}
			})
		})
	}
	if len(log) != 0 || p.InUse() != 2 || p.Waiting() != 3 {
		t.Fatalf("after Acquire: %d callbacks, in use %d, waiting %d", len(log), p.InUse(), p.Waiting())
	}
	e.Run()
	want := "0:true@0s/0s 1:true@0s/0s 2:true@1s/1s 3:true@1s/1s 4:true@2s/2s"
	if got := grantLog(log); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	st := p.Stats()
	// In use: 2 for [0,2), 1 for [2,3) over a 3 s window.
	if st.Granted != 5 || st.Immediate != 2 || st.WaitSum != 4 || st.MaxWait != 2*sim.Second || st.MeanInUse != 5.0/3 {
		t.Fatalf("stats %+v", st)
	}
	if err := p.Release(); err == nil {
		t.Fatal("release of an idle pool accepted")
	}
}

func TestPoolTimeoutAndMaxWaiters(t *testing.T) {
	e := sim.New()
	p := newPool(t, e, PoolConfig{Name: "db", Size: 1, MaxWaiters: 1, AcquireTimeout: 3 * sim.Second})
	var log []grant
	rec := func(i int) func(bool, sim.Time) {
		return func(ok bool, w sim.Time) { log = append(log, grant{i, ok, e.Now(), w}) }
	}
	p.Acquire(rec(0)) // holds forever
	p.Acquire(rec(1)) // waits, times out at 3 s
	p.Acquire(rec(2)) // over MaxWaiters: fails at once
	e.Run()
	want := "0:true@0s/0s 2:false@0s/0s 1:false@3s/3s"
	if got := grantLog(log); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if st := p.Stats(); st.TimedOut != 1 || st.Rejected != 1 || st.Granted != 1 || p.Waiting() != 0 {
		t.Fatalf("stats %+v waiting %d", st, p.Waiting())
	}
}

func TestPoolCancelWait(t *testing.T) {
	e := sim.New()
	p := newPool(t, e, PoolConfig{Name: "db", Size: 1})
	var log []grant
	rec := func(i int) func(bool, sim.Time) {
		return func(ok bool, w sim.Time) { log = append(log, grant{i, ok, e.Now(), w}) }
	}
	first := p.Acquire(rec(0)) // permit assigned, callback pending
	second := p.Acquire(rec(1))
	p.Acquire(rec(2))
	if !p.CancelWait(second) {
		t.Fatal("could not cancel a waiter")
	}
	// Cancelling a grant that has not been delivered returns the permit,
	// which goes to waiter 2.
	if !p.CancelWait(first) {
		t.Fatal("could not cancel an undelivered grant")
	}
	if p.CancelWait(first) || p.CancelWait(Ticket{}) {
		t.Fatal("stale cancel reported true")
	}
	e.Run()
	if got, want := grantLog(log), "2:true@0s/0s"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if p.InUse() != 1 {
		t.Fatalf("in use %d, want 1", p.InUse())
	}
}

func TestPoolSetSize(t *testing.T) {
	e := sim.New()
	p := newPool(t, e, PoolConfig{Name: "db", Size: 0})
	n := 0
	for i := 0; i < 3; i++ {
		p.Acquire(func(ok bool, _ sim.Time) {
			if ok {
				n++
			}
		})
	}
	_ = p.SetSize(2)
	e.Run()
	if n != 2 || p.Waiting() != 1 {
		t.Fatalf("granted %d waiting %d, want 2 and 1", n, p.Waiting())
	}
	_ = p.SetSize(0)
	_ = p.Release()
	_ = p.Release()
	e.Run()
	if n != 2 || p.InUse() != 0 {
		t.Fatalf("after shrinking: granted %d in use %d", n, p.InUse())
	}
	if err := p.SetSize(-1); err == nil {
		t.Fatal("negative size accepted")
	}
}

func TestPoolConfigErrors(t *testing.T) {
	e := sim.New()
	for _, tc := range []struct {
		cfg   PoolConfig
		field string
	}{
		{PoolConfig{Size: -1}, "Size"},
		{PoolConfig{Size: 1, MaxWaiters: -1}, "MaxWaiters"},
		{PoolConfig{Size: 1, AcquireTimeout: -1}, "AcquireTimeout"},
	} {
		if _, err := NewPool(e, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: error %v, want one naming %s", tc.cfg, err, tc.field)
		}
	}
}

// Random acquire/hold/cancel traffic: every Acquire gets at most one
// callback, exactly one unless cancelled, permits are conserved.
func TestPoolRandomInvariants(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		e := sim.New()
		r := rand.New(rand.NewPCG(seed, 3))
		p := newPool(t, e, PoolConfig{Name: "db", Size: 3, MaxWaiters: 10, AcquireTimeout: 2 * sim.Second})
		calls := map[int]int{}
		cancelled := map[int]bool{}
		var tickets []Ticket
		n := 0
		var arrive func()
		arrive = func() {
			id := n
			n++
			tickets = append(tickets, p.Acquire(func(ok bool, _ sim.Time) {
				calls[id]++
				if ok {
					e.After(sim.Seconds(r.ExpFloat64()), func() { _ = p.Release() })
				}
			}))
			if k := r.IntN(len(tickets)); r.IntN(5) == 0 && p.CancelWait(tickets[k]) {
				cancelled[k] = true
			}
			if n < 2000 {
				e.After(sim.Seconds(r.ExpFloat64()/3), arrive)
			}
		}
		e.At(0, arrive)
		e.Run()
		for id := 0; id < n; id++ {
			want := 1
			if cancelled[id] {
				want = 0
			}
			if calls[id] != want {
				t.Fatalf("seed %d: acquirer %d got %d callbacks, want %d", seed, id, calls[id], want)
			}
		}
		if p.InUse() != 0 || p.Waiting() != 0 {
			t.Fatalf("seed %d: in use %d waiting %d at the end", seed, p.InUse(), p.Waiting())
		}
		if st := p.Stats(); st.Granted+st.TimedOut+st.Rejected+st.Cancelled != st.Acquires {
			t.Fatalf("seed %d: books do not balance %+v", seed, st)
		}
	}
}

func TestPoolCancelPendingRejection(t *testing.T) {
	e := sim.New()
	p := newPool(t, e, PoolConfig{Name: "db", Size: 1, MaxWaiters: 1})
	p.Acquire(nil)
	p.Acquire(nil)
	called := false
	rejected := p.Acquire(func(bool, sim.Time) { called = true })
	if !p.CancelWait(rejected) {
		t.Fatal("could not cancel an undelivered rejection")
	}
	e.Run()
	st := p.Stats()
	if called || st.Rejected != 0 || st.Cancelled != 1 || st.Granted+st.TimedOut+st.Rejected+st.Cancelled != st.Acquires-1 {
		t.Fatalf("called=%v stats %+v (one acquirer still waits)", called, st)
	}
}

func ExamplePool() {
	e := sim.New()
	db, _ := NewPool(e, PoolConfig{Name: "db", Size: 1, AcquireTimeout: 300 * sim.Millisecond})
	for i := 0; i < 3; i++ {
		db.Acquire(func(ok bool, waited sim.Time) {
			fmt.Printf("%v: request %d ok=%v after %v\n", e.Now(), i, ok, waited)
			if ok {
				e.After(200*sim.Millisecond, func() { _ = db.Release() })
			}
		})
	}
	e.Run()
	// Output:
	// 0s: request 0 ok=true after 0s
	// 200ms: request 1 ok=true after 200ms
	// 300ms: request 2 ok=false after 300ms
}

func BenchmarkPool(b *testing.B) {
	e := sim.New()
	r := rand.New(rand.NewPCG(1, 1))
	p, _ := NewPool(e, PoolConfig{Name: "db", Size: 10, AcquireTimeout: sim.Second})
	release := func() { _ = p.Release() }
	granted := func(ok bool, _ sim.Time) {
		if ok {
			e.After(sim.Seconds(r.ExpFloat64()*0.009), release)
		}
	}
	var arrive func()
	arrive = func() {
		p.Acquire(granted)
		e.After(sim.Seconds(r.ExpFloat64()*0.001), arrive)
	}
	e.At(0, arrive)
	for i := 0; i < 100000; i++ {
		e.Step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Step()
	}
}

package resource

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/sim"
)

type record struct {
	id int
	o  Outcome
	tm Timing
}

// recorder hands out done callbacks that append to a log.
type recorder struct{ log []record }

func (r *recorder) done(id int) func(Outcome, Timing) {
	return func(o Outcome, tm Timing) { r.log = append(r.log, record{id, o, tm}) }
}

func newStation(t *testing.T, e *sim.Engine, cfg StationConfig) *Station {
	t.Helper()
	s, err := NewStation(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStationFIFO(t *testing.T) {
	e := sim.New()
	s := newStation(t, e, StationConfig{Name: "s", Servers: 1, QueueCap: Unbounded})
	var r recorder
	for i := 0; i < 3; i++ {
		s.Submit(sim.Second, r.done(i))
	}
	if s.Busy() != 1 || s.QueueLen() != 2 {
		t.Fatalf("busy=%d queue=%d, want 1 and 2", s.Busy(), s.QueueLen())
	}
	e.Run()
	if len(r.log) != 3 {
		t.Fatalf("got %d callbacks, want 3", len(r.log))
	}
	for i, rec := range r.log {
		want := Timing{Arrived: 0, Started: sim.Time(i) * sim.Second, Finished: sim.Time(i+1) * sim.Second}
		if rec.id != i || rec.o != Served || rec.tm != want {
			t.Errorf("callback %d: %+v, want id %d served %+v", i, rec, i, want)
		}
	}
	st := s.Stats()
	if st.Served != 3 || st.Delayed != 2 || st.WaitSum != 3 || st.SojournSum != 6 || st.MaxQueue != 2 {
		t.Errorf("stats %+v", st)
	}
	// Over [0,3]: busy 1 throughout; queue 2 for 1 s, 1 for 1 s, 0 for 1 s.
	if st.MeanBusy != 1 || st.MeanQueue != 1 || st.MeanInSystem != 2 {
		t.Errorf("time averages busy=%v queue=%v system=%v, want 1, 1, 2", st.MeanBusy, st.MeanQueue, st.MeanInSystem)
	}
}

func TestStationRejectsAsynchronously(t *testing.T) {
	for _, tc := range []struct {
		name     string
		queueCap int
		accepted int
	}{
		{"loss system", 0, 2},
		{"queue of one", 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sim.New()
			s := newStation(t, e, StationConfig{Name: "s", Servers: 2, QueueCap: tc.queueCap})
			var r recorder
			for i := 0; i < 5; i++ {
				s.Submit(sim.Second, r.done(i))
			}
			if len(r.log) != 0 {
				t.Fatal("a callback ran inside Submit")
			}
			e.RunUntil(0)
			rejected := 0
			for _, rec := range r.log {
				if rec.o != Rejected || rec.tm.Started != NotStarted || rec.tm.Finished != 0 {
					t.Errorf("at t=0: %+v, want only rejections", rec)
				}
				rejected++
			}
			if rejected != 5-tc.accepted {
				t.Errorf("rejected %d, want %d", rejected, 5-tc.accepted)
			}
			e.Run()
			if st := s.Stats(); st.Served != int64(tc.accepted) || st.Rejected != int64(5-tc.accepted) || st.Departures != int64(tc.accepted) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestStationRenege(t *testing.T) {
	for _, cancel := range []bool{true, false} {
		t.Run(fmt.Sprintf("CancelAbandoned=%v", cancel), func(t *testing.T) {
			e := sim.New()
			s := newStation(t, e, StationConfig{Name: "s", Servers: 1, QueueCap: Unbounded,
				MaxQueueTime: 2 * sim.Second, CancelAbandoned: cancel})
			var r recorder
			s.Submit(5*sim.Second, r.done(0)) // occupies the server until 5 s
			s.Submit(sim.Second, r.done(1))   // reneges at 2 s
			e.Run()
			if len(r.log) != 2 || r.log[0].id != 1 || r.log[0].o != Reneged || r.log[0].tm.Finished != 2*sim.Second {
				t.Fatalf("log %+v, want job 1 reneged at 2s first", r.log)
			}
			st := s.Stats()
			if cancel {
				// The abandoned job left: the station is idle after 5 s.
				if e.Now() != 5*sim.Second || st.Zombie != 0 || st.Started != 1 {
					t.Errorf("now=%v stats %+v", e.Now(), st)
				}
			} else {
				// The zombie is served from 5 s to 6 s, nobody is told.
				if e.Now() != 6*sim.Second || st.Zombie != 1 || st.Started != 2 || st.Served != 1 {
					t.Errorf("now=%v stats %+v", e.Now(), st)
				}
			}
			if st.Reneged != 1 {
				t.Errorf("reneged %d, want 1", st.Reneged)
			}
		})
	}
}

func TestStationCancel(t *testing.T) {
	for _, abandon := range []bool{true, false} {
		t.Run(fmt.Sprintf("CancelAbandoned=%v", abandon), func(t *testing.T) {
			e := sim.New()
			s := newStation(t, e, StationConfig{Name: "s", Servers: 1, QueueCap: Unbounded, CancelAbandoned: abandon})
			var r recorder
			inService := s.Submit(sim.Second, r.done(0))
			queued := s.Submit(sim.Second, r.done(1))
			last := s.Submit(sim.Second, r.done(2))
			if s.Cancel(inService) {
				t.Error("cancelled a job in service")
			}
			if !s.Cancel(queued) {
				t.Fatal("could not cancel a queued job")
			}
			if s.Cancel(queued) {
				t.Error("second cancel reported true")
			}
			if s.Cancel(Ticket{}) {
				t.Error("zero ticket cancelled something")
			}
			e.Run()
			var ids []string
			for _, rec := range r.log {
				ids = append(ids, fmt.Sprintf("%d:%v@%v", rec.id, rec.o, rec.tm.Finished))
			}
			got := strings.Join(ids, " ")
			want := "1:cancelled@0s 0:served@1s 2:served@2s"
			if !abandon {
				// Silenced: no callback, but the work delays job 2.
				want = "0:served@1s 2:served@3s"
			}
			if got != want {
				t.Errorf("log %q, want %q", got, want)
			}
			if s.Cancel(last) {
				t.Error("cancelled a finished job")
			}
		})
	}
}

func TestStationSetServers(t *testing.T) {
	e := sim.New()
	s := newStation(t, e, StationConfig{Name: "s", Servers: 1, QueueCap: Unbounded})
	var r recorder
	for i := 0; i < 4; i++ {
		s.Submit(sim.Second, r.done(i))
	}
	if err := s.SetServers(3); err != nil {
		t.Fatal(err)
	}
	if s.Busy() != 3 || s.QueueLen() != 1 {
		t.Fatalf("after scale-up busy=%d queue=%d, want 3 and 1", s.Busy(), s.QueueLen())
	}
	if err := s.SetServers(1); err != nil {
		t.Fatal(err)
	}
	if s.Busy() != 3 {
		t.Fatal("scale-down interrupted busy servers")
	}
	e.Run()
	// Jobs 0-2 finish at 1 s; job 3 starts on the one remaining server.
	if last := r.log[3]; last.id != 3 || last.tm.Started != sim.Second || last.tm.Finished != 2*sim.Second {
		t.Errorf("last job %+v", last)
	}
	if err := s.SetServers(-1); err == nil || !strings.Contains(err.Error(), "-1") {
		t.Errorf("SetServers(-1) error %v", err)
	}
}

func TestStationConfigErrors(t *testing.T) {
	e := sim.New()
	for _, tc := range []struct {
		cfg   StationConfig
		field string
	}{
		{StationConfig{Name: "x", Servers: 0}, "Servers"},
		{StationConfig{Name: "x", Servers: 1, QueueCap: -2}, "QueueCap"},
		{StationConfig{Name: "x", Servers: 1, MaxQueueTime: -1}, "MaxQueueTime"},
	} {
		_, err := NewStation(e, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: error %v, want one naming %s", tc.cfg, err, tc.field)
		}
	}
	if _, err := NewStation(nil, StationConfig{Servers: 1}); err == nil {
		t.Error("nil engine accepted")
	}
}

// A random mix of submissions, patience, cancels and scaling: every
// submission gets exactly one callback unless it was silenced by Cancel,
// and the books balance.
func TestStationRandomOpsInvariants(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		for _, abandon := range []bool{true, false} {
			e := sim.New()
			r := rand.New(rand.NewPCG(seed, 7))
			s := newStation(t, e, StationConfig{Name: "s", Servers: 2, QueueCap: 20,
				MaxQueueTime: 3 * sim.Second, CancelAbandoned: abandon})
			calls := map[int]int{}
			silenced := map[int]bool{}
			var tickets []Ticket
			var arrive func()
			n := 0
			arrive = func() {
				id := n
				n++
				tickets = append(tickets, s.Submit(sim.Seconds(r.ExpFloat64()), func(Outcome, Timing) { calls[id]++ }))
				if k := r.IntN(len(tickets)); r.IntN(4) == 0 && s.Cancel(tickets[k]) && !abandon {
					silenced[k] = true
				}
				if r.IntN(50) == 0 {
					_ = s.SetServers(r.IntN(4))
				}
				if n < 3000 {
					e.After(sim.Seconds(r.ExpFloat64()/2.5), arrive)
				} else {
					_ = s.SetServers(2)
				}
			}
			e.At(0, arrive)
			e.Run()
			for id := 0; id < n; id++ {
				want := 1
				if silenced[id] {
					want = 0
				}
				if calls[id] != want {
					t.Fatalf("seed %d abandon %v: job %d got %d callbacks, want %d", seed, abandon, id, calls[id], want)
				}
			}
			st := s.Stats()
			if st.Arrivals != int64(n) || st.Rejected+st.Departures != st.Arrivals || s.Busy() != 0 || s.QueueLen() != 0 {
				t.Fatalf("seed %d abandon %v: books do not balance: %+v", seed, abandon, st)
			}
			if st.Served+st.Zombie != st.Started {
				t.Fatalf("seed %d: served %d + zombie %d != started %d", seed, st.Served, st.Zombie, st.Started)
			}
			if len(s.q.buf) > 256 {
				t.Fatalf("seed %d: queue buffer grew to %d for a queue capped at 20", seed, len(s.q.buf))
			}
		}
	}
}

// Little's law holds for the station's own accounting over a window that
// starts after a warm-up.
func TestStationLittlesLaw(t *testing.T) {
	e := sim.New()
	r := rand.New(rand.NewPCG(5, 5))
	s := newStation(t, e, StationConfig{Name: "mm2", Servers: 2, QueueCap: Unbounded})
	var arrive func()
	arrive = func() {
		s.Submit(sim.Seconds(r.ExpFloat64()), nil)
		e.After(sim.Seconds(r.ExpFloat64()/1.6), arrive)
	}
	e.At(0, arrive)
	e.RunUntil(1000 * sim.Second)
	s.ResetStats()
	e.RunUntil(101000 * sim.Second)
	st := s.Stats()
	lambda := float64(st.Departures) / st.Window.Seconds()
	rel := math.Abs(st.MeanInSystem-lambda*st.MeanSojourn()) / st.MeanInSystem
	if rel > 0.01 {
		t.Fatalf("L=%v lambda*W=%v (rel err %v), seed (5,5)", st.MeanInSystem, lambda*st.MeanSojourn(), rel)
	}
	// Utilisation is rho = lambda/(c mu) = 0.8: MeanBusy ~ 1.6.
	if math.Abs(st.MeanBusy-1.6) > 0.05 {
		t.Fatalf("mean busy %v, want ~1.6", st.MeanBusy)
	}
}

func TestStationSteadyStateAllocs(t *testing.T) {
	e := sim.New()
	r := rand.New(rand.NewPCG(1, 1))
	s := newStation(t, e, StationConfig{Name: "s", Servers: 2, QueueCap: Unbounded, MaxQueueTime: 5 * sim.Second, CancelAbandoned: true})
	done := func(Outcome, Timing) {}
	var arrive func()
	arrive = func() {
		s.Submit(sim.Seconds(r.ExpFloat64()), done)
		e.After(sim.Seconds(r.ExpFloat64()/1.9), arrive)
	}
	e.At(0, arrive)
	e.RunUntil(10000 * sim.Second) // grow slices to their working size
	allocs := testing.AllocsPerRun(10, func() {
		for i := 0; i < 1000; i++ {
			e.Step()
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per 1000 events in steady state, want 0", allocs)
	}
}

func BenchmarkStationMM1(b *testing.B) {
	e := sim.New()
	r := rand.New(rand.NewPCG(1, 1))
	s, _ := NewStation(e, StationConfig{Name: "s", Servers: 1, QueueCap: Unbounded})
	done := func(Outcome, Timing) {}
	var arrive func()
	arrive = func() {
		s.Submit(sim.Seconds(r.ExpFloat64()*0.9), done)
		e.After(sim.Seconds(r.ExpFloat64()), arrive)
	}
	e.At(0, arrive)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
}

func ExampleStation() {
	e := sim.New()
	s, err := NewStation(e, StationConfig{Name: "checkout", Servers: 1, QueueCap: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < 3; i++ {
		s.Submit(2*sim.Second, func(o Outcome, tm Timing) {
			fmt.Printf("job %d %v at %v after waiting %v\n", i, o, tm.Finished, tm.Wait())
		})
	}
	e.Run()
	// Output:
	// job 2 rejected at 0s after waiting 0s
	// job 0 served at 2s after waiting 0s
	// job 1 served at 4s after waiting 2s
}

// BenchmarkMM1Customers is an M/M/1 queue at utilisation 0.9 written as a
// user would, on sim.Engine and a Station, against the reference loop a
// specialist would write (one binary heap of two event kinds, a counter
// for the queue), in the same run: customers per wall second of each and
// their ratio (goal: at least 0.75).
func BenchmarkMM1Customers(b *testing.B) {
	const customers = 200_000
	var st, ref time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if n := mm1Station(customers); n < customers {
			b.Fatalf("station served %d customers", n)
		}
		st += time.Since(start)
		start = time.Now()
		if n := mm1Reference(customers); n < customers {
			b.Fatalf("reference served %d customers", n)
		}
		ref += time.Since(start)
	}
	perS := func(d time.Duration) float64 { return float64(customers*b.N) / d.Seconds() }
	b.ReportMetric(perS(st), "station-customers/s")
	b.ReportMetric(perS(ref), "reference-customers/s")
	b.ReportMetric(ref.Seconds()/st.Seconds(), "station/reference")
}

// mm1Station serves n customers through a one-server Station.
func mm1Station(n int) int {
	e := sim.New()
	r := rand.New(rand.NewPCG(1, 1))
	s, _ := NewStation(e, StationConfig{Name: "s", Servers: 1, QueueCap: Unbounded})
	served, arrived := 0, 0
	done := func(Outcome, Timing) {
		served++
		if served == n {
			e.Stop()
		}
	}
	var arrive func()
	arrive = func() {
		s.Submit(sim.Seconds(r.ExpFloat64()*0.9), done)
		if arrived++; arrived < n {
			e.After(sim.Seconds(r.ExpFloat64()), arrive)
		}
	}
	e.At(0, arrive)
	e.Run()
	return served
}

// mm1Reference serves n customers in a hand-written event loop.
func mm1Reference(n int) int {
	type ev struct {
		at     sim.Time
		seq    uint64
		depart bool
	}
	var h []ev
	var seq uint64
	less := func(a, b ev) bool { return a.at < b.at || (a.at == b.at && a.seq < b.seq) }
	push := func(x ev) {
		seq++
		x.seq = seq
		h = append(h, x)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !less(h[i], h[p]) {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
	}
	pop := func() ev {
		top := h[0]
		last := len(h) - 1
		h[0] = h[last]
		h = h[:last]
		for i := 0; ; {
			c := 2*i + 1
			if c >= last {
				break
			}
			if c+1 < last && less(h[c+1], h[c]) {
				c++
			}
			if !less(h[c], h[i]) {
				break
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
		return top
	}
	r := rand.New(rand.NewPCG(1, 1))
	served, arrived, queue, busy := 0, 0, 0, false
	push(ev{at: 0})
	for served < n && len(h) > 0 {
		x := pop()
		if x.depart {
			served++
			if queue > 0 {
				queue--
				push(ev{at: x.at + sim.Seconds(r.ExpFloat64()*0.9), depart: true})
			} else {
				busy = false
			}
			continue
		}
		if busy {
			queue++
		} else {
			busy = true
			push(ev{at: x.at + sim.Seconds(r.ExpFloat64()*0.9), depart: true})
		}
		if arrived++; arrived < n {
			push(ev{at: x.at + sim.Seconds(r.ExpFloat64())})
		}
	}
	return served
}

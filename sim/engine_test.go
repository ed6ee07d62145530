package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestEventsFireInTimeOrderWithFIFOTies(t *testing.T) {
	e := New()
	var got []int
	rec := func(i int) func() { return func() { got = append(got, i) } }
	e.At(30, rec(3))
	e.At(10, rec(1))
	e.At(20, rec(20))
	e.At(20, rec(21)) // same time: scheduled later, fires later
	e.At(20, rec(22))
	e.At(0, rec(0))
	e.Run()
	want := []int{0, 1, 20, 21, 22, 3}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if e.Now() != 30 || e.Processed() != 6 || e.Pending() != 0 {
		t.Fatalf("now=%v processed=%d pending=%d", e.Now(), e.Processed(), e.Pending())
	}
}

func TestPastTimesClampToNow(t *testing.T) {
	e := New()
	var at Time = -1
	e.At(100, func() { e.At(50, func() { at = e.Now() }) })
	e.Run()
	if at != 100 {
		t.Fatalf("event scheduled in the past ran at %v, want 100", at)
	}
}

func TestCancel(t *testing.T) {
	e := New()
	fired := map[string]bool{}
	a := e.At(10, func() { fired["a"] = true })
	b := e.At(20, func() { fired["b"] = true })
	if !e.Cancel(a) {
		t.Fatal("cancel of a pending timer reported false")
	}
	if e.Cancel(a) {
		t.Fatal("second cancel reported true")
	}
	if e.Pending() != 1 {
		t.Fatalf("pending=%d want 1", e.Pending())
	}
	// The cancelled slot is reused; the stale handle must not cancel the
	// new event.
	c := e.At(30, func() { fired["c"] = true })
	if e.Cancel(a) || !e.Scheduled(c) {
		t.Fatal("stale handle interfered with a reused slot")
	}
	e.Run()
	if fired["a"] || !fired["b"] || !fired["c"] {
		t.Fatalf("fired %v", fired)
	}
	if e.Cancel(b) || e.Scheduled(b) {
		t.Fatal("cancel after firing reported true")
	}
	if e.Cancel(Timer{}) {
		t.Fatal("zero timer cancelled something")
	}
}

// Cancelling most of a large heap compacts it, and the survivors still fire
// in order.
func TestCancelCompaction(t *testing.T) {
	e := New()
	r := rand.New(rand.NewPCG(1, 2))
	var timers []Timer
	var want []Time
	for i := 0; i < 10000; i++ {
		at := Time(r.IntN(1e6))
		timers = append(timers, e.At(at, func() {}))
		if i%10 == 0 {
			want = append(want, at)
		}
	}
	for i, tm := range timers {
		if i%10 != 0 {
			e.Cancel(tm)
		}
	}
	if e.stored() > 3*e.Pending()+1025 {
		t.Fatalf("the queue holds %d entries for %d pending: no compaction", e.stored(), e.Pending())
	}
	slices.Sort(want)
	var got []Time
	e.SetTrace(func(at Time, _ uint64) { got = append(got, at) })
	e.Run()
	if !slices.Equal(got, want) {
		t.Fatalf("after compaction %d events fired, want %d in order", len(got), len(want))
	}
}

func TestRunUntil(t *testing.T) {
	e := New()
	n := 0
	for i := 1; i <= 10; i++ {
		e.At(Time(i)*Second, func() { n++ })
	}
	e.RunUntil(5 * Second)
	if n != 5 || e.Now() != 5*Second {
		t.Fatalf("n=%d now=%v after RunUntil(5s)", n, e.Now())
	}
	e.RunUntil(5500 * Millisecond)
	if n != 5 || e.Now() != 5500*Millisecond {
		t.Fatalf("clock did not advance to the limit: now=%v", e.Now())
	}
	e.Run()
	if n != 10 {
		t.Fatalf("n=%d after Run", n)
	}
}

func TestStop(t *testing.T) {
	e := New()
	n := 0
	for i := 1; i <= 10; i++ {
		e.At(Time(i), func() {
			n++
			if n == 3 {
				e.Stop()
			}
		})
	}
	e.Run()
	if n != 3 {
		t.Fatalf("Stop: %d events ran, want 3", n)
	}
	e.Run()
	if n != 10 {
		t.Fatalf("resumed run: %d events, want 10", n)
	}
}

func TestEvery(t *testing.T) {
	e := New()
	var at []Time
	var tk *Ticker
	tk = e.Every(Second, 2*Second, func(now Time) {
		at = append(at, now)
		if len(at) == 4 {
			tk.Stop()
		}
	})
	e.RunUntil(Minute)
	want := []Time{Second, 3 * Second, 5 * Second, 7 * Second}
	if !slices.Equal(at, want) {
		t.Fatalf("ticks at %v, want %v", at, want)
	}
}

func TestSeconds(t *testing.T) {
	cases := []struct {
		in   float64
		want Time
	}{{1.5, 1500 * Millisecond}, {0, 0}, {-3, 0}, {1e300, Never}, {1e-9, 1}}
	for _, c := range cases {
		if got := Seconds(c.in); got != c.want {
			t.Errorf("Seconds(%v)=%v want %v", c.in, got, c.want)
		}
	}
	if (2500*Millisecond).Seconds() != 2.5 || (90*Second).String() != "1m30s" {
		t.Error("Time conversions")
	}
}

// A watch sees the clock every n events and changes nothing: the events
// fire in the same order, at the same times, as without it.
func TestSetWatch(t *testing.T) {
	trace := func(watch func(Time)) (fired []Time) {
		e := New()
		e.SetTrace(func(at Time, _ uint64) { fired = append(fired, at) })
		e.SetWatch(3, watch)
		var tick func()
		tick = func() {
			if e.Now() < 100*Second {
				e.After(Time(1+len(fired)%7)*Millisecond*100, tick)
			}
		}
		e.At(0, tick)
		e.RunUntil(200 * Second)
		return fired
	}
	plain := trace(nil)
	var seen []Time
	watched := trace(func(now Time) { seen = append(seen, now) })
	if !slices.Equal(plain, watched) {
		t.Fatal("a watched run fired different events")
	}
	if len(seen) != len(plain)/3 {
		t.Fatalf("watch called %d times for %d events, want every 3rd", len(seen), len(plain))
	}
	for i, at := range seen {
		if at != plain[3*i+2] {
			t.Fatalf("watch %d saw %v, want the time of event %d, %v", i, at, 3*i+2, plain[3*i+2])
		}
	}
}

// naive is a reference event queue for TestMatchesNaiveQueue: a plain
// slice searched linearly for the earliest (time, sequence), with eager
// cancellation. It is slow and obviously right.
type naive struct {
	now  Time
	seq  uint64
	evs  []naiveEvent
	done int
}

type naiveEvent struct {
	at  Time
	seq uint64
	fn  func()
}

func (q *naive) at(t Time, fn func()) uint64 {
	q.seq++
	q.evs = append(q.evs, naiveEvent{max(t, q.now), q.seq, fn})
	return q.seq
}

func (q *naive) cancel(seq uint64) bool {
	for i, ev := range q.evs {
		if ev.seq == seq {
			q.evs = slices.Delete(q.evs, i, i+1)
			return true
		}
	}
	return false
}

func (q *naive) runUntil(t Time) {
	for len(q.evs) > 0 && slices.MinFunc(q.evs, func(a, b naiveEvent) int { return int(a.at - b.at) }).at <= t {
		q.step()
	}
	q.now = max(q.now, t)
}

func (q *naive) step() bool {
	if len(q.evs) == 0 {
		return false
	}
	m := 0
	for i, ev := range q.evs {
		if ev.at < q.evs[m].at || (ev.at == q.evs[m].at && ev.seq < q.evs[m].seq) {
			m = i
		}
	}
	ev := q.evs[m]
	q.evs = slices.Delete(q.evs, m, m+1)
	q.now = ev.at
	ev.fn()
	return true
}

// when draws the times of TestMatchesNaiveQueue's events from now: ties
// and past times, spans from nanoseconds to minutes, so that events go
// through every tier of the queue (the FIFO, the heap, the wheel's buckets
// and its overflow) and the wheel jumps over empty stretches, and times on
// the boundaries of the wheel's buckets.
func when(r *rand.Rand, now Time) Time {
	switch r.IntN(6) {
	case 0:
		return now + Time(r.IntN(50)) - 5
	case 1:
		return now + Time(r.Int64N(int64(20*Millisecond)))
	case 2:
		return now + Time(r.Int64N(int64(10*Second)))
	case 3:
		return now + Time(r.Int64N(int64(3*Minute)))
	case 4:
		return (now>>wheelShift + Time(r.IntN(3))) << wheelShift
	}
	return now + Time(r.Int64N(int64(Second)))/1000*1000 // coarse: ties across the tiers
}

// The engine fires exactly the events, in exactly the order, of the naive
// queue, under a random program of schedules (with many ties), cancels
// (of pending, fired and already cancelled timers) and follow-ups
// scheduled from callbacks, enough of them to trigger compactions.
func TestMatchesNaiveQueue(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		type handle struct {
			tm  Timer
			seq uint64
		}
		run := func(useEngine bool) (fired []int, pending []int) {
			r := rand.New(rand.NewPCG(seed, 7))
			e, q := New(), &naive{}
			var handles []handle
			id := 0
			var schedule func(depth int)
			now := func() Time {
				if useEngine {
					return e.Now()
				}
				return q.now
			}
			schedule = func(depth int) {
				id++
				me := id
				fn := func() {
					fired = append(fired, me)
					for k := r.IntN(3); k > 0 && depth < 6; k-- {
						schedule(depth + 1)
					}
					if len(handles) > 0 && r.IntN(3) == 0 {
						h := handles[r.IntN(len(handles))]
						if useEngine {
							e.Cancel(h.tm)
						} else {
							q.cancel(h.seq)
						}
					}
				}
				at := when(r, now())
				if useEngine {
					handles = append(handles, handle{tm: e.At(at, fn)})
				} else {
					handles = append(handles, handle{seq: q.at(at, fn)})
				}
			}
			for i := 0; i < 3000; i++ {
				schedule(0)
			}
			for i := 0; i < 4000; i++ {
				h := handles[r.IntN(len(handles))]
				if useEngine {
					e.Cancel(h.tm)
				} else {
					q.cancel(h.seq)
				}
			}
			for until := Time(0); until < 10*Minute; until += Time(r.Int64N(int64(20 * Second))) {
				if useEngine {
					e.RunUntil(until)
					pending = append(pending, e.Pending())
				} else {
					q.runUntil(until)
					pending = append(pending, len(q.evs))
				}
			}
			if useEngine {
				e.Run()
			} else {
				for q.step() {
				}
			}
			return fired, pending
		}
		want, wantPending := run(false)
		got, gotPending := run(true)
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d: engine fired %d events, naive queue %d, or in another order", seed, len(got), len(want))
		}
		if !slices.Equal(gotPending, wantPending) {
			t.Fatalf("seed %d: pending counts %v, naive queue %v", seed, gotPending, wantPending)
		}
	}
}

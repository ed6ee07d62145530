package sim

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The hold model: N events pending; each fired event schedules one more at
// now + Exp(mean 1s). This is the classic priority-queue benchmark and
// measures the engine's cost per event at a steady queue size.
func BenchmarkHold(b *testing.B) {
	for _, n := range []int{100, 10_000, 1_000_000} {
		b.Run(fmt.Sprintf("engine/pending=%d", n), func(b *testing.B) { benchHoldEngine(b, n) })
		b.Run(fmt.Sprintf("reference/pending=%d", n), func(b *testing.B) { benchHoldReference(b, n) })
	}
}

func benchHoldEngine(b *testing.B, n int) {
	e := New()
	r := rand.New(rand.NewPCG(1, 1))
	var hold func()
	hold = func() { e.After(Time(r.ExpFloat64()*float64(Second)), hold) }
	for i := 0; i < n; i++ {
		e.At(Time(r.ExpFloat64()*float64(Second)), hold)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
}

// refEvent and refHeap are the simplest possible event loop: a binary heap
// of structs with a callback, no cancellation, no tracing. The engine is
// measured against it in the same run so the ratio is visible.
type refEvent struct {
	at  Time
	seq uint64
	fn  func()
}

type refHeap struct {
	h   []refEvent
	now Time
	seq uint64
}

func (q *refHeap) push(at Time, fn func()) {
	q.seq++
	q.h = append(q.h, refEvent{at, q.seq, fn})
	i := len(q.h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if q.h[p].at < q.h[i].at || (q.h[p].at == q.h[i].at && q.h[p].seq < q.h[i].seq) {
			break
		}
		q.h[p], q.h[i] = q.h[i], q.h[p]
		i = p
	}
}

func (q *refHeap) step() {
	top := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h = q.h[:n]
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && (q.h[c+1].at < q.h[c].at || (q.h[c+1].at == q.h[c].at && q.h[c+1].seq < q.h[c].seq)) {
			c++
		}
		if q.h[i].at < q.h[c].at || (q.h[i].at == q.h[c].at && q.h[i].seq < q.h[c].seq) {
			break
		}
		q.h[i], q.h[c] = q.h[c], q.h[i]
		i = c
	}
	q.now = top.at
	top.fn()
}

func benchHoldReference(b *testing.B, n int) {
	q := &refHeap{}
	r := rand.New(rand.NewPCG(1, 1))
	var hold func()
	hold = func() { q.push(q.now+Time(r.ExpFloat64()*float64(Second)), hold) }
	for i := 0; i < n; i++ {
		q.push(Time(r.ExpFloat64()*float64(Second)), hold)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q.step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
}

// BenchmarkMM1 runs an M/M/1 queue at utilisation 0.8 (arrival and
// departure events), reporting events per second of the whole loop.
func BenchmarkMM1(b *testing.B) {
	e := New()
	r := rand.New(rand.NewPCG(3, 4))
	const lambda, mu = 0.8, 1.0
	queue := 0
	busy := false
	var arrive, depart func()
	depart = func() {
		if queue > 0 {
			queue--
			e.After(Time(r.ExpFloat64()/mu*float64(Second)), depart)
		} else {
			busy = false
		}
	}
	arrive = func() {
		if busy {
			queue++
		} else {
			busy = true
			e.After(Time(r.ExpFloat64()/mu*float64(Second)), depart)
		}
		e.After(Time(r.ExpFloat64()/lambda*float64(Second)), arrive)
	}
	e.At(0, arrive)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Step()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
}

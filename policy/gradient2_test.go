package policy

import (
	"math"
	"testing"
	"time"
)

func TestGradient2(t *testing.T) {
	g, err := NewGradient2Limiter(Gradient2Config{InitialLimit: 10, MinLimit: 5, MaxLimit: 100, Smoothing: 0.2, Tolerance: 1.5, QueueSize: 4, LongWindow: 600})
	if err != nil {
		t.Fatal(err)
	}
	// sample acquires a full load (limit in flight) and records one call
	// of the given rtt, the others freed as ignored.
	sample := func(rtt time.Duration) {
		n := g.Limit()
		ps := make([]LimitPermit, 0, n)
		for i := 0; i < n; i++ {
			p, ok := g.Acquire(t0)
			if !ok {
				t.Fatalf("acquire %d of %d refused", i, n)
			}
			ps = append(ps, p)
		}
		if _, ok := g.Acquire(t0); ok {
			t.Fatal("admitted beyond the limit")
		}
		g.Record(t0, ps[n-1], Success, rtt)
		for _, p := range ps[:n-1] {
			g.Record(t0, p, Ignored, 0)
		}
	}
	// Flat latency: gradient 1, the estimate grows by QueueSize*Smoothing = 0.8 per sample.
	want := 10.0
	for i := 0; i < 20; i++ {
		sample(10 * time.Millisecond)
		want += 0.8
		if math.Abs(g.Estimate()-want) > 1e-9 {
			t.Fatalf("sample %d: estimate %v want %v", i, g.Estimate(), want)
		}
	}
	// Latency triples: the long EMA (factor f = 2/601) moves to
	// 10ms*(1-f) + 30ms*f, the short RTT is 30ms, and
	// gradient = max(0.5, min(1, 1.5*long/short)) just above 0.5.
	before := g.Estimate()
	sample(30 * time.Millisecond)
	f := 2.0 / 601
	long := 10e6*(1-f) + 30e6*f
	gradient := math.Max(0.5, math.Min(1, 1.5*long/30e6))
	if want := 0.8*before + 0.2*(before*gradient+4); math.Abs(g.Estimate()-want) > 1e-9 {
		t.Fatalf("after slow sample: estimate %v want %v", g.Estimate(), want)
	}
	for i := 0; i < 200; i++ {
		sample(300 * time.Millisecond)
	}
	if g.Limit() < 5 || g.Limit() > 100 || g.Estimate() >= before {
		t.Fatalf("limit %d (estimate %v) after sustained latency: want in [5, 100] and below %v", g.Limit(), g.Estimate(), before)
	}
	// App-limited samples do not move the limit.
	l := g.Estimate()
	p, _ := g.Acquire(t0)
	g.Record(t0, p, Success, time.Millisecond)
	if g.Estimate() != l {
		t.Fatalf("an app-limited sample moved the estimate %v -> %v", l, g.Estimate())
	}
}

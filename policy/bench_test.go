package policy

import (
	"testing"
	"time"
)

// Each benchmark measures one decision (or one admission + its record) on
// the hot path; all must report 0 allocs/op.

func BenchmarkRetrierNext(b *testing.B) {
	bucket, _ := NewTokenBucket(1000, 1)
	p, _ := NewRetryPolicy(RetryConfig{MaxAttempts: 3, Backoff: validBackoff()}, newRand(1), bucket)
	dl := NewDeadline(t0, time.Hour)
	b.ReportAllocs()
	r := p.Start(t0, dl)
	for i := 0; b.Loop(); i++ {
		if r.Next(t0, Failure).Retry == false {
			r = p.Start(t0, dl)
		}
		if i%8 == 0 {
			bucket.Record(t0, Success)
		}
	}
}

func BenchmarkBackoffDecorrelated(b *testing.B) {
	bo, _ := NewBackoff(BackoffConfig{Kind: BackoffExponential, Base: time.Millisecond, Cap: time.Second, Multiplier: 2, Jitter: JitterDecorrelated}, newRand(1))
	b.ReportAllocs()
	for b.Loop() {
		bo.Next()
	}
}

func BenchmarkTokenBucket(b *testing.B) {
	t, _ := NewTokenBucket(10, 0.1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t.Record(t0, Outcome(i&1))
		t.Withdraw(t0)
	}
}

func BenchmarkRatioBudget(b *testing.B) {
	rb, _ := NewRatioBudget(RatioBudgetConfig{TTL: 10 * time.Second, MinRetriesPerSec: 10, RetryRatio: 0.2, Buckets: 10})
	b.ReportAllocs()
	now := t0
	for b.Loop() {
		now = now.Add(time.Millisecond)
		rb.Deposit(now)
		rb.Withdraw(now)
	}
}

func benchBreaker(b *testing.B, cfg BreakerConfig) {
	br, _ := NewBreaker(cfg, nil)
	b.ReportAllocs()
	now := t0
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Millisecond)
		p, err := br.Allow(now)
		if err == nil {
			o := Success
			if i%16 == 0 {
				o = Failure
			}
			br.Record(now, p, o, 10*time.Millisecond)
		}
	}
}

func BenchmarkBreakerConsecutive(b *testing.B) {
	benchBreaker(b, BreakerConfig{Mode: BreakerConsecutive, ConsecutiveFailures: 5, OpenDuration: time.Second, HalfOpenPermits: 3})
}

func BenchmarkBreakerCountWindow(b *testing.B) {
	benchBreaker(b, BreakerConfig{Mode: BreakerCountWindow, WindowSize: 100, MinimumCalls: 10, FailureRateThreshold: 0.5,
		SlowCallDuration: time.Second, SlowCallRateThreshold: 0.5, OpenDuration: time.Second, HalfOpenPermits: 3})
}

func BenchmarkBreakerTimeWindow(b *testing.B) {
	benchBreaker(b, BreakerConfig{Mode: BreakerTimeWindow, WindowDuration: 10 * time.Second, WindowBuckets: 10, MinimumCalls: 10,
		FailureRateThreshold: 0.5, OpenDuration: time.Second, HalfOpenPermits: 3})
}

func BenchmarkBulkhead(b *testing.B) {
	bh, _ := NewBulkhead(BulkheadConfig{MaxConcurrent: 4, MaxQueue: 64, MaxWait: time.Second})
	var buf []WaiterID
	b.ReportAllocs()
	now := t0
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Microsecond)
		bh.Acquire(now, WaiterID(i))
		if i%2 == 1 {
			bh.Release(now)
			bh.Release(now)
		}
		buf = bh.Expire(now, buf[:0])
	}
}

func BenchmarkAIMD(b *testing.B) {
	a, _ := NewAIMDLimiter(AIMDConfig{InitialLimit: 10, MinLimit: 1, MaxLimit: 100, BackoffRatio: 0.9})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p, ok := a.Acquire(t0)
		if ok {
			a.Record(t0, p, Outcome(i%3), time.Millisecond)
		}
	}
}

func BenchmarkThrottle(b *testing.B) {
	th, _ := NewThrottle(ThrottleConfig{K: 2, Window: time.Minute, Buckets: 60}, newRand(1))
	b.ReportAllocs()
	now := t0
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Millisecond)
		if th.Allow(now) {
			th.Record(now, Outcome(i%4))
		}
	}
}

func BenchmarkCoalescer(b *testing.B) {
	c := NewCoalescer[int, int]()
	var buf []int
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ { // one leader, one follower, finish
		k := i & 7
		c.Join(k, i)
		c.Join(k, i+1)
		buf = c.Finish(k, buf[:0])
	}
}

// BenchmarkIdempotencyBeginNew: Begin of a fresh key in a store at its
// steady size (~1000 live keys), which also expires the oldest key.
func BenchmarkIdempotencyBeginNew(b *testing.B) {
	s, _ := NewIdempotencyStore[int, int](IdempotencyConfig{TTL: time.Millisecond, MaxEntries: 1 << 12})
	b.ReportAllocs()
	now := t0
	for i := 0; b.Loop(); i++ {
		now = now.Add(time.Microsecond)
		s.Begin(now, i)
	}
}

// BenchmarkIdempotencyBeginRepeat: Begin of a key already done (a retry).
func BenchmarkIdempotencyBeginRepeat(b *testing.B) {
	s, _ := NewIdempotencyStore[int, int](IdempotencyConfig{TTL: time.Hour, MaxEntries: 1 << 12})
	for k := 0; k < 1024; k++ {
		s.Begin(t0, k)
		s.Complete(t0, k, k)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Begin(t0, i&1023)
	}
}

func BenchmarkXFetch(b *testing.B) {
	r := newRand(1)
	exp := t0.Add(time.Second)
	b.ReportAllocs()
	for b.Loop() {
		XFetchShouldRefresh(t0, exp, 100*time.Millisecond, 1, r)
	}
}

func BenchmarkDeadlineAttemptTimeout(b *testing.B) {
	d := NewDeadline(t0, time.Second)
	b.ReportAllocs()
	for b.Loop() {
		d.AttemptTimeout(t0, 300*time.Millisecond, 10*time.Millisecond)
	}
}

func BenchmarkGradient2(b *testing.B) {
	g, _ := NewGradient2Limiter(Gradient2Config{InitialLimit: 20, MinLimit: 20, MaxLimit: 200, Smoothing: 0.2, Tolerance: 1.5, QueueSize: 4, LongWindow: 600})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p, ok := g.Acquire(t0)
		if ok {
			g.Record(t0, p, Success, time.Duration(1+i%7)*time.Millisecond)
		}
	}
}

//go:build !race

package policy

import (
	"testing"
	"time"
)

// TestHotPathsDoNotAllocate makes the benchmarks' 0 allocs/op a test, so a
// regression fails `go test` and not only a benchmark nobody reads. (The
// race detector allocates, hence the build tag.)
func TestHotPathsDoNotAllocate(t *testing.T) {
	rnd := newRand(1)
	bucket, _ := NewTokenBucket(1000, 1)
	pol, _ := NewRetryPolicy(RetryConfig{MaxAttempts: 3, Backoff: validBackoff()}, rnd, bucket)
	ratio, _ := NewRatioBudget(RatioBudgetConfig{TTL: time.Second, MinRetriesPerSec: 10, RetryRatio: 0.2, Buckets: 10})
	br, _ := NewBreaker(BreakerConfig{Mode: BreakerTimeWindow, WindowDuration: time.Second, WindowBuckets: 10, MinimumCalls: 5,
		FailureRateThreshold: 0.5, OpenDuration: 10 * time.Millisecond, OpenJitter: 0.1, HalfOpenPermits: 2}, rnd)
	bh, _ := NewBulkhead(BulkheadConfig{MaxConcurrent: 2, MaxQueue: 8, MaxWait: time.Millisecond})
	th, _ := NewThrottle(ThrottleConfig{K: 2, Window: time.Second, Buckets: 10}, rnd)
	idem, _ := NewIdempotencyStore[int, int](IdempotencyConfig{TTL: time.Millisecond, MaxEntries: 1 << 12})
	co := NewCoalescer[int, int]()
	buf := make([]WaiterID, 0, 16)
	wbuf := make([]int, 0, 16)
	now := t0
	i := 0
	allocs := testing.AllocsPerRun(2000, func() {
		i++
		now = now.Add(37 * time.Microsecond)
		r := pol.Start(now, NewDeadline(now, time.Second))
		for r.Next(now, Failure).Retry {
		}
		ratio.Deposit(now)
		ratio.Withdraw(now)
		if p, err := br.Allow(now); err == nil {
			br.Record(now, p, Outcome(i%3), time.Millisecond)
		}
		bh.Acquire(now, WaiterID(i))
		if i%2 == 0 {
			bh.Release(now)
		}
		buf = bh.Expire(now, buf[:0])
		if th.Allow(now) {
			th.Record(now, Outcome(i%4))
		}
		if st, _ := idem.Begin(now, i); st == IdemFirst {
			idem.Complete(now, i, i)
		}
		co.Join(i&7, i)
		co.Join(i&7, i+1)
		wbuf = co.Finish(i&7, wbuf[:0])
		XFetchShouldRefresh(now, now.Add(time.Millisecond), time.Millisecond, 1, rnd)
		JitterTTL(time.Second, 0.1, rnd)
	})
	if allocs != 0 {
		t.Fatalf("hot paths allocate %v times per run", allocs)
	}
}

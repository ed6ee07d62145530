package live

import (
	"context"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/policy"
)

// BenchmarkExecute measures the adapter's overhead per call around the
// cores (clock reads, one mutex, retry start and decision, breaker,
// bulkhead) with a call that succeeds at once.
func BenchmarkExecute(b *testing.B) {
	s, _ := policy.StackConfig{
		Timeout: time.Second,
		Retry:   retryCfg(3, time.Millisecond, 100*time.Millisecond),
		Breaker: &policy.BreakerConfig{Mode: policy.BreakerCountWindow, WindowSize: 100, MinimumCalls: 10, FailureRateThreshold: 0.5,
			OpenDuration: time.Second, HalfOpenPermits: 2},
		Bulkhead: &policy.BulkheadConfig{MaxConcurrent: 64},
	}.Build(newRand(1))
	e, _ := New(s, Options{})
	ctx := context.Background()
	ok := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Execute(ctx, ok)
	}
}

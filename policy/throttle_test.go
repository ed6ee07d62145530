package policy

import (
	"math"
	"testing"
	"time"
)

func TestThrottleProbability(t *testing.T) {
	th, _ := NewThrottle(ThrottleConfig{K: 2, Window: 10 * time.Second, Buckets: 10}, &fixedRand{v: []float64{0.99}})
	// 100 requests, 20 accepted: p = (100 - 2*20)/(100+1) = 60/101.
	for i := 0; i < 100; i++ {
		if !th.Allow(t0) { // U = 0.99 > p: all allowed
			t.Fatal("rejected with U=0.99")
		}
		if i < 20 {
			th.Record(t0, Success)
		} else {
			th.Record(t0, []Outcome{Overloaded, Timeout, Rejected}[i%3])
		}
	}
	if got, want := th.RejectProbability(t0), 60.0/101; math.Abs(got-want) > 1e-12 {
		t.Fatalf("p = %v, want %v", got, want)
	}
	req, acc := th.Counts(t0)
	if req != 100 || acc != 20 {
		t.Fatalf("counts %d %d", req, acc)
	}
	// Healthy: accepts >= requests/K gives p = 0 and no draw is consumed.
	h, _ := NewThrottle(ThrottleConfig{K: 2, Window: 10 * time.Second, Buckets: 10}, &fixedRand{v: []float64{0}})
	for i := 0; i < 10; i++ {
		if !h.Allow(t0) {
			t.Fatal("healthy client throttled")
		}
		h.Record(t0, []Outcome{Success, Failure}[i%2])
	}
	// The window forgets: after 10s the old counts are gone.
	if th.RejectProbability(at(10*time.Second)) != 0 {
		t.Fatal("window did not expire")
	}
}

// TestThrottleRejectionRate: with a backend that accepts nothing, K=2 and
// a window long enough to hold every request, the fraction rejected
// approaches the formula's fixed point. Checked here against the exact
// per-request p: the mean of the rejection indicators equals the mean of
// the p values within 4 standard errors.
func TestThrottleRejectionRate(t *testing.T) {
	const seed, n = 5, 20000
	rnd := newRand(seed)
	th, _ := NewThrottle(ThrottleConfig{K: 2, Window: time.Hour, Buckets: 60}, rnd)
	var sumP, sumVar float64
	rejected := 0
	for i := 0; i < n; i++ {
		now := at(time.Duration(i) * time.Millisecond)
		p := th.RejectProbability(now)
		sumP += p
		sumVar += p * (1 - p)
		if !th.Allow(now) {
			rejected++
			continue
		}
		if rnd.Float64() < 0.3 { // backend accepts 30%
			th.Record(now, Success)
		} else {
			th.Record(now, Overloaded)
		}
	}
	if d := math.Abs(float64(rejected) - sumP); d > 4*math.Sqrt(sumVar) {
		t.Fatalf("seed %d: %d rejected, expected %.1f +- %.1f", seed, rejected, sumP, math.Sqrt(sumVar))
	}
	if rejected == 0 {
		t.Fatal("nothing rejected")
	}
}

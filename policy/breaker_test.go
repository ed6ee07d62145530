package policy

import (
	"errors"
	"testing"
	"time"
)

func TestBreakerAllowErrors(t *testing.T) {
	b, _ := NewBreaker(BreakerConfig{Mode: BreakerConsecutive, ConsecutiveFailures: 1, OpenDuration: time.Second, HalfOpenPermits: 1}, nil)
	p, err := b.Allow(t0)
	if err != nil {
		t.Fatal(err)
	}
	b.Record(t0, p, Failure, 0)
	if _, err := b.Allow(t0); !errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("open: err = %v", err)
	}
	if _, err := b.Allow(at(time.Second)); err != nil {
		t.Fatalf("half-open first trial: %v", err)
	}
	_, err = b.Allow(at(time.Second))
	if !errors.Is(err, ErrBreakerTrialsBusy) || !errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("half-open busy: err = %v", err)
	}
	// The zero Permit is invalid and only counted.
	b.Record(t0, Permit{}, Failure, 0)
	if b.Stats().StaleRecords != 1 {
		t.Fatal("zero permit not counted as stale")
	}
}

// TestBreakerOpenJitter: open periods lie in [d(1-j), d(1+j)] and follow the draw.
func TestBreakerOpenJitter(t *testing.T) {
	for _, tc := range []struct {
		u    float64
		want time.Duration
	}{{0, 800 * time.Millisecond}, {0.5, time.Second}, {0.75, 1100 * time.Millisecond}} {
		b, _ := NewBreaker(BreakerConfig{Mode: BreakerConsecutive, ConsecutiveFailures: 1, OpenDuration: time.Second, OpenJitter: 0.2, HalfOpenPermits: 1},
			&fixedRand{v: []float64{tc.u}})
		p, _ := b.Allow(t0)
		b.Record(t0, p, Timeout, 0)
		if got := b.OpenUntil().Sub(t0); got != tc.want {
			t.Errorf("u=%v: open for %v, want %v", tc.u, got, tc.want)
		}
	}
}

// TestBreakerHalfOpenNeverExceedsPermits is a property test: random
// interleavings of admissions, late results and time steps, in every mode,
// never have more trial calls in flight than HalfOpenPermits, and the
// breaker's own count of trials in flight matches the test's.
func TestBreakerHalfOpenNeverExceedsPermits(t *testing.T) {
	modes := []BreakerConfig{
		{Mode: BreakerConsecutive, ConsecutiveFailures: 2, OpenDuration: 50 * time.Millisecond, HalfOpenPermits: 3},
		{Mode: BreakerCountWindow, WindowSize: 5, MinimumCalls: 3, FailureRateThreshold: 0.5, OpenDuration: 50 * time.Millisecond, HalfOpenPermits: 2,
			SlowCallDuration: 30 * time.Millisecond, SlowCallRateThreshold: 0.5},
		{Mode: BreakerTimeWindow, WindowDuration: time.Second, WindowBuckets: 4, MinimumCalls: 3, FailureRateThreshold: 0.4, OpenDuration: 50 * time.Millisecond,
			OpenJitter: 0.5, HalfOpenPermits: 4},
	}
	for mi, cfg := range modes {
		for seed := uint64(1); seed <= 20; seed++ {
			rnd := newRand(seed)
			b, err := NewBreaker(cfg, rnd)
			if err != nil {
				t.Fatal(err)
			}
			type call struct {
				p     Permit
				start time.Time
			}
			var out []call
			now := t0
			trials := 0
			for step := 0; step < 3000; step++ {
				now = now.Add(time.Duration(rnd.IntN(10)) * time.Millisecond)
				if rnd.IntN(2) == 0 || len(out) == 0 {
					if p, err := b.Allow(now); err == nil {
						out = append(out, call{p, now})
						if p.Trial() {
							trials++
						}
					}
				} else {
					i := rnd.IntN(len(out)) // results come back in any order
					c := out[i]
					out[i] = out[len(out)-1]
					out = out[:len(out)-1]
					o := []Outcome{Success, Success, Failure, Timeout, Ignored, Rejected}[rnd.IntN(6)]
					b.Record(now, c.p, o, now.Sub(c.start))
					if c.p.Trial() {
						trials--
					}
				}
				if trials > cfg.HalfOpenPermits || b.TrialsInFlight() != trials {
					t.Fatalf("mode %d (%s) seed %d step %d: %d trials in flight (breaker says %d), permits %d",
						mi, cfg.Mode, seed, step, trials, b.TrialsInFlight(), cfg.HalfOpenPermits)
				}
			}
			if b.Stats().Transitions == 0 {
				t.Fatalf("mode %s seed %d: the breaker never changed state; the property was not exercised", cfg.Mode, seed)
			}
		}
	}
}

func TestBreakerRateAtThresholdTrips(t *testing.T) {
	// 3 failures of 30 calls = exactly 10%: must trip at threshold 0.1
	// (0.1*30 in floating point is 3.0000000000000004).
	b, _ := NewBreaker(BreakerConfig{Mode: BreakerCountWindow, WindowSize: 30, MinimumCalls: 30, FailureRateThreshold: 0.1,
		OpenDuration: time.Second, HalfOpenPermits: 1}, nil)
	for i := 0; i < 30; i++ {
		o := Success
		if i < 3 {
			o = Failure
		}
		p, err := b.Allow(t0)
		if err != nil {
			t.Fatalf("call %d rejected", i)
		}
		b.Record(t0, p, o, 0)
	}
	if b.State(t0) != Open {
		t.Fatal("a failure rate equal to the threshold did not trip")
	}
}

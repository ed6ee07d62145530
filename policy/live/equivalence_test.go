package live

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/checkoutsim/checkoutsim/policy"
)

// scripted is one attempt of the trace: how long the server takes and what
// it answers (if the attempt's timeout does not cut it short).
type scripted struct {
	dur time.Duration
	o   policy.Outcome
}

// trace builds a deterministic trace: healthy, then an outage of slow
// failures and overloads (which trips the breaker and drains the budget),
// then recovery.
func trace(seed uint64, n int) []scripted {
	rnd := newRand(seed)
	out := make([]scripted, n)
	for i := range out {
		d := time.Duration(1+rnd.IntN(40)) * time.Millisecond
		o := policy.Success
		switch phase := i * 3 / n; {
		case phase == 1 && rnd.IntN(10) < 8:
			o = []policy.Outcome{policy.Failure, policy.Failure, policy.Overloaded}[rnd.IntN(3)]
			if rnd.IntN(4) == 0 {
				d = 300 * time.Millisecond // longer than the attempt timeout: a Timeout
			}
		case rnd.IntN(10) == 0:
			o = policy.Failure
		}
		out[i] = scripted{d, o}
	}
	return out
}

func equivConfig() policy.StackConfig {
	return policy.StackConfig{
		Timeout: time.Second,
		Retry: &policy.RetryConfig{MaxAttempts: 4, PerAttemptTimeout: 150 * time.Millisecond, Reserve: 5 * time.Millisecond,
			Backoff: policy.BackoffConfig{Kind: policy.BackoffExponential, Base: 10 * time.Millisecond, Cap: 200 * time.Millisecond, Multiplier: 2, Jitter: policy.JitterFull}},
		TokenBucket: &policy.TokenBucketConfig{MaxTokens: 10, TokenRatio: 0.2},
		Breaker: &policy.BreakerConfig{Mode: policy.BreakerCountWindow, WindowSize: 10, MinimumCalls: 5, FailureRateThreshold: 0.5,
			SlowCallDuration: 100 * time.Millisecond, SlowCallRateThreshold: 0.8, OpenDuration: 500 * time.Millisecond, OpenJitter: 0.3, HalfOpenPermits: 2},
		Throttle: &policy.ThrottleConfig{K: 1.5, Window: 5 * time.Second, Buckets: 10},
		Bulkhead: &policy.BulkheadConfig{MaxConcurrent: 2, MaxQueue: 0},
	}
}

const (
	equivSeed  = 77
	equivCalls = 120
	callGap    = 50 * time.Millisecond
)

// TestEquivalence drives one scripted trace of outcomes and timestamps
// through the live adapter under fake time (synctest) and through the bare
// cores in a hand-written loop; the decision sequences must be identical.
// TestEdgeEquivalence does the same with the simulator's call.Edge.
func TestEquivalence(t *testing.T) {
	script := trace(equivSeed, 150)
	var coreEvents []Event
	var coreStats policy.BreakerStats
	liveEvents, liveStats, _ := runLive(t, script, func(start time.Time) {
		coreEvents, coreStats = runBare(t, start, script)
	})
	if len(liveEvents) != len(coreEvents) {
		t.Fatalf("seed %d: live made %d decisions, core %d", equivSeed, len(liveEvents), len(coreEvents))
	}
	kinds := map[string]int{}
	for i := range liveEvents {
		if liveEvents[i] != coreEvents[i] {
			t.Fatalf("seed %d: decision %d differs:\nlive %v\ncore %v", equivSeed, i, liveEvents[i], coreEvents[i])
		}
		kinds[fmt.Sprintf("%v/%v", liveEvents[i].RejectedBy, liveEvents[i].Decision.Reason)]++
	}
	if liveStats != coreStats {
		t.Fatalf("breaker stats differ: live %+v core %+v", liveStats, coreStats)
	}
	// The trace must exercise the interesting paths, or the test proves little.
	for _, k := range []string{"/retry", "/succeeded", "/not_retryable", "breaker/not_retryable"} {
		if kinds[k] == 0 {
			t.Errorf("trace never produced %q (got %v)", k, kinds)
		}
	}
	t.Logf("decision kinds %v, breaker %+v", kinds, liveStats)
	if kinds["/budget"]+kinds["/max_attempts"] == 0 || liveStats.Transitions < 2 {
		t.Errorf("trace too tame: %v, transitions %d", kinds, liveStats.Transitions)
	}
}

// runLive makes the calls one after another through the live executor in
// a synctest bubble, where time is fake, and returns its decisions, its
// breaker's statistics and the bubble's start time. inside runs in the
// bubble afterwards.
func runLive(t *testing.T, script []scripted, inside func(start time.Time)) ([]Event, policy.BreakerStats, time.Time) {
	var events []Event
	var stats policy.BreakerStats
	var start time.Time
	synctest.Test(t, func(t *testing.T) {
		start = time.Now()
		s, err := equivConfig().Build(newRand(equivSeed))
		if err != nil {
			t.Fatal(err)
		}
		e, _ := New(s, Options{Observe: func(ev Event) { events = append(events, ev) }})
		k := 0
		for c := 0; c < equivCalls; c++ {
			_ = e.Execute(t.Context(), func(ctx context.Context) error {
				st := script[k%len(script)]
				k++
				select {
				case <-time.After(st.dur):
					if st.o == policy.Success {
						return nil
					}
					return &OutcomeError{Outcome: st.o}
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			time.Sleep(callGap)
		}
		stats = s.Breaker.Stats()
		if inside != nil {
			inside(start)
		}
	})
	return events, stats, start
}

// runBare is the cores alone: the same cores driven step by step with
// explicit times, in the order of policy.Order.
func runBare(t *testing.T, start time.Time, script []scripted) ([]Event, policy.BreakerStats) {
	s, err := equivConfig().Build(newRand(equivSeed))
	if err != nil {
		t.Fatal(err)
	}
	var events []Event
	now := start
	k := 0
	for c := 0; c < equivCalls; c++ {
		r := s.Retry.Start(now, policy.NewDeadline(now, s.Timeout))
		for {
			timeout, ok := r.AttemptTimeout(now)
			if !ok {
				break
			}
			out, by := policy.Rejected, policy.Layer("")
			if p, err := s.Breaker.Allow(now); err != nil {
				by = policy.LayerBreaker
			} else if !s.Throttle.Allow(now) {
				by = policy.LayerThrottle
				s.Breaker.Record(now, p, policy.Rejected, 0)
			} else if s.Bulkhead.Acquire(now, 1) != policy.BulkheadAdmitted {
				by = policy.LayerBulkhead
				s.Breaker.Record(now, p, policy.Rejected, 0)
			} else {
				st := script[k%len(script)]
				k++
				dur, o := st.dur, st.o
				if timeout > 0 && dur > timeout {
					dur, o = timeout, policy.Timeout
				}
				now = now.Add(dur)
				s.Bulkhead.Release(now)
				s.Breaker.Record(now, p, o, dur)
				s.Throttle.Record(now, o)
				out = o
			}
			d := r.Next(now, out)
			events = append(events, Event{At: now, Attempt: r.Attempt() - boolInt(d.Retry), Outcome: out, RejectedBy: by, Decision: d})
			if !d.Retry {
				break
			}
			now = now.Add(d.Delay)
		}
		now = now.Add(callGap)
	}
	return events, s.Breaker.Stats()
}

package policy

import (
	"fmt"
	"math"
	"testing"
	"time"
)

func noJitter(base time.Duration) BackoffConfig {
	return BackoffConfig{Kind: BackoffExponential, Base: base, Cap: 10 * base, Multiplier: 2, Jitter: JitterNone}
}

// step is one attempt in a retry table: the attempt ends at `at` with `o`;
// want is the decision.
type step struct {
	at   time.Duration
	o    Outcome
	want RetryDecision
}

func TestRetrierStateMachine(t *testing.T) {
	ms := time.Millisecond
	retry := func(n int, d time.Duration) RetryDecision {
		return RetryDecision{Retry: true, Delay: d, Attempt: n, Reason: ReasonRetry}
	}
	stop := func(n int, r RetryReason) RetryDecision { return RetryDecision{Attempt: n, Reason: r} }
	tests := []struct {
		name     string
		cfg      RetryConfig
		deadline time.Duration // 0: none
		budget   func() RetryBudget
		steps    []step
	}{
		{"success first", RetryConfig{MaxAttempts: 3, Backoff: noJitter(10 * ms)}, 0, nil,
			[]step{{5 * ms, Success, stop(1, ReasonSucceeded)}}},
		{"failures until max", RetryConfig{MaxAttempts: 3, Backoff: noJitter(10 * ms)}, 0, nil,
			[]step{{5 * ms, Failure, retry(2, 10*ms)}, {20 * ms, Timeout, retry(3, 20*ms)}, {45 * ms, Failure, stop(3, ReasonMaxAttempts)}}},
		{"overloaded is not retried", RetryConfig{MaxAttempts: 3, Backoff: noJitter(10 * ms)}, 0, nil,
			[]step{{5 * ms, Overloaded, stop(1, ReasonNotRetryable)}}},
		{"rejected is not retried", RetryConfig{MaxAttempts: 3, Backoff: noJitter(10 * ms)}, 0, nil,
			[]step{{0, Rejected, stop(1, ReasonNotRetryable)}}},
		{"retry_on can include overloaded", RetryConfig{MaxAttempts: 2, Backoff: noJitter(10 * ms), RetryOn: []Outcome{Overloaded}}, 0, nil,
			[]step{{5 * ms, Overloaded, retry(2, 10*ms)}, {20 * ms, Failure, stop(2, ReasonNotRetryable)}}},
		{"success after retry", RetryConfig{MaxAttempts: 5, Backoff: noJitter(10 * ms)}, 0, nil,
			[]step{{5 * ms, Failure, retry(2, 10*ms)}, {30 * ms, Success, stop(2, ReasonSucceeded)}}},
		// Deadline 100ms, reserve 10ms, min attempt 20ms: at 60ms a 20ms
		// backoff leaves 100-60-20-10 = 10ms < 20ms, so no retry.
		{"deadline stops a retry that cannot finish", RetryConfig{MaxAttempts: 5, Backoff: noJitter(10 * ms), Reserve: 10 * ms, MinAttemptTime: 20 * ms}, 100 * ms, nil,
			[]step{{20 * ms, Timeout, retry(2, 10*ms)}, {60 * ms, Timeout, stop(2, ReasonDeadline)}}},
		{"budget refuses", RetryConfig{MaxAttempts: 5, Backoff: noJitter(10 * ms)}, 0,
			func() RetryBudget { b, _ := NewTokenBucket(2, 1); return b },
			// tokens 2 -> 1 after the failure; 1 > 2/2 is false
			[]step{{5 * ms, Failure, stop(1, ReasonBudget)}}},
		{"calls after stop repeat the stop", RetryConfig{MaxAttempts: 3, Backoff: noJitter(10 * ms)}, 0, nil,
			[]step{{5 * ms, Overloaded, stop(1, ReasonNotRetryable)}, {6 * ms, Failure, stop(1, ReasonNotRetryable)}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b RetryBudget
			if tc.budget != nil {
				b = tc.budget()
			}
			p, err := NewRetryPolicy(tc.cfg, nil, b)
			if err != nil {
				t.Fatal(err)
			}
			dl := NoDeadline
			if tc.deadline > 0 {
				dl = NewDeadline(t0, tc.deadline)
			}
			r := p.Start(t0, dl)
			for i, s := range tc.steps {
				if got := r.Next(at(s.at), s.o); got != s.want {
					t.Fatalf("step %d (%v at %v): got %+v, want %+v", i, s.o, s.at, got, s.want)
				}
			}
		})
	}
}

func TestNewRetrier(t *testing.T) {
	r, err := NewRetrier(RetryConfig{MaxAttempts: 2, Backoff: noJitter(time.Millisecond)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Next(t0, Failure); !d.Retry || d.Delay != time.Millisecond {
		t.Fatalf("first: %+v", d)
	}
	if d := r.Next(t0, Failure); d.Retry || d.Reason != ReasonMaxAttempts {
		t.Fatalf("second: %+v", d)
	}
	if _, err := NewRetrier(RetryConfig{}, nil); err == nil {
		t.Fatal("invalid config accepted")
	}
}

func TestRetrierAttemptTimeout(t *testing.T) {
	ms := time.Millisecond
	p, _ := NewRetryPolicy(RetryConfig{MaxAttempts: 3, PerAttemptTimeout: 300 * ms, Backoff: noJitter(10 * ms), Reserve: 50 * ms, MinAttemptTime: 100 * ms}, nil, nil)
	r := p.Start(t0, NewDeadline(t0, time.Second))
	for _, c := range []struct {
		now  time.Duration
		want time.Duration
		ok   bool
	}{{0, 300 * ms, true}, {700 * ms, 250 * ms, true}, {800 * ms, 150 * ms, true}, {851 * ms, 0, false}} {
		got, ok := r.AttemptTimeout(at(c.now))
		if got != c.want || ok != c.ok {
			t.Errorf("AttemptTimeout at %v = %v, %v; want %v, %v", c.now, got, ok, c.want, c.ok)
		}
	}
}

// TestGRPCBucketSequence reproduces the known gRPC throttling sequence: a
// fresh bucket of 10 tokens with ratio 0.1, a total outage and 4 attempts
// allowed: the first call makes 4 attempts (tokens 10->6), every later call
// makes 1 (tokens 6->5 fails the "> 5" test, and stay <= 5 from then on).
func TestGRPCBucketSequence(t *testing.T) {
	bucket, err := NewTokenBucket(10, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := NewRetryPolicy(RetryConfig{MaxAttempts: 4, Backoff: noJitter(time.Millisecond)}, nil, bucket)
	now := t0
	for call := 1; call <= 20; call++ {
		r := p.Start(now, NoDeadline)
		attempts := 0
		for {
			attempts++
			d := r.Next(now, Failure)
			if !d.Retry {
				break
			}
			now = now.Add(d.Delay)
		}
		want := 1
		if call == 1 {
			want = 4
		}
		if attempts != want {
			t.Fatalf("call %d made %d attempts, want %d (tokens %v)", call, attempts, want, bucket.Tokens())
		}
	}
	if bucket.Tokens() != 0 {
		t.Fatalf("tokens after 23 failures = %v, want 0 (floored)", bucket.Tokens())
	}
	// Recovery: successes add 0.1 each; retries resume once tokens > 5,
	// i.e. after 51 successes (5.1 > 5), not after 50 (exactly 5).
	for i := 0; i < 50; i++ {
		bucket.Record(now, Success)
	}
	if bucket.Withdraw(now) {
		t.Fatalf("retry allowed at exactly half (tokens %v)", bucket.Tokens())
	}
	bucket.Record(now, Success)
	if !bucket.Withdraw(now) {
		t.Fatalf("retry refused above half (tokens %v)", bucket.Tokens())
	}
}

// TestMeanAttempts: with independent failures of probability p and m
// attempts, attempts per call are truncated geometric with mean
// sum_{k=0}^{m-1} p^k = (1 - p^m)/(1 - p). The empirical mean must lie
// within 4 standard errors.
func TestMeanAttempts(t *testing.T) {
	const n = 50_000
	for i, tc := range []struct {
		p float64
		m int
	}{{0.1, 3}, {0.5, 4}, {0.9, 5}, {0.3, 1}} {
		seed := uint64(7 + i)
		rnd := newRand(seed)
		pol, _ := NewRetryPolicy(RetryConfig{MaxAttempts: tc.m, Backoff: noJitter(time.Millisecond)}, nil, nil)
		var sum, sumSq float64
		for c := 0; c < n; c++ {
			r := pol.Start(t0, NoDeadline)
			k := 0
			for {
				k++
				o := Success
				if rnd.Float64() < tc.p {
					o = Failure
				}
				if !r.Next(t0, o).Retry {
					break
				}
			}
			sum += float64(k)
			sumSq += float64(k * k)
		}
		mean := sum / n
		se := math.Sqrt((sumSq/n - mean*mean) / n)
		want := (1 - math.Pow(tc.p, float64(tc.m))) / (1 - tc.p)
		if math.Abs(mean-want) > 4*se+1e-12 {
			t.Errorf("seed %d p %v m %d n %d: mean attempts %.5f, formula %.5f, se %.5f", seed, tc.p, tc.m, n, mean, want, se)
		}
	}
}

func ExampleRetrier() {
	pol, _ := NewRetryPolicy(RetryConfig{
		MaxAttempts: 4,
		Backoff:     BackoffConfig{Kind: BackoffExponential, Base: 50 * time.Millisecond, Cap: time.Second, Multiplier: 2, Jitter: JitterNone},
	}, nil, nil)
	now := time.Unix(0, 0) // the simulator's virtual time origin
	r := pol.Start(now, NewDeadline(now, 2*time.Second))
	for _, o := range []Outcome{Timeout, Failure, Success} {
		now = now.Add(100 * time.Millisecond) // the attempt took 100ms
		d := r.Next(now, o)
		fmt.Printf("%v -> %v\n", o, d)
		now = now.Add(d.Delay)
	}
	// Output:
	// timeout -> retry attempt 2 after 50ms
	// failure -> retry attempt 3 after 100ms
	// success -> stop after 3 attempts: succeeded
}

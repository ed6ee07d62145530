package live

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/checkoutsim/checkoutsim/policy"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

func retryCfg(attempts int, base, perAttempt time.Duration) *policy.RetryConfig {
	return &policy.RetryConfig{MaxAttempts: attempts, PerAttemptTimeout: perAttempt,
		Backoff: policy.BackoffConfig{Kind: policy.BackoffExponential, Base: base, Cap: 100 * base, Multiplier: 2, Jitter: policy.JitterNone}}
}

func mustExec(t *testing.T, c policy.StackConfig, o Options) *Executor {
	t.Helper()
	s, err := c.Build(newRand(1))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(s, o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestExecuteRetriesWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := mustExec(t, policy.StackConfig{Retry: retryCfg(4, 10*time.Millisecond, 0)}, Options{})
		start := time.Now()
		var calls []time.Duration
		err := e.Execute(t.Context(), func(ctx context.Context) error {
			calls = append(calls, time.Since(start))
			time.Sleep(5 * time.Millisecond)
			if len(calls) < 3 {
				return errors.New("503")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// attempt 1 at 0, fails at 5ms, waits 10ms; attempt 2 at 15ms, fails at 20ms, waits 20ms; attempt 3 at 40ms.
		want := []time.Duration{0, 15 * time.Millisecond, 40 * time.Millisecond}
		if len(calls) != 3 || calls[1] != want[1] || calls[2] != want[2] {
			t.Fatalf("attempt start times %v, want %v", calls, want)
		}
	})
}

func TestExecutePerAttemptTimeoutAndDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var events []Event
		e := mustExec(t, policy.StackConfig{Timeout: 250 * time.Millisecond, Retry: retryCfg(10, 10*time.Millisecond, 100*time.Millisecond)},
			Options{Observe: func(ev Event) { events = append(events, ev) }})
		start := time.Now()
		attempts := 0
		err := e.Execute(t.Context(), func(ctx context.Context) error {
			attempts++
			<-ctx.Done() // a hung server
			return ctx.Err()
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		// 0-100ms timeout, +10ms, 110-210ms timeout, +20ms would start at 230ms
		// with 20ms left: the attempt gets min(100ms, 20ms) and times out at 250ms.
		// Then no time is left: stop with reason deadline.
		if attempts != 3 || time.Since(start) != 250*time.Millisecond {
			t.Fatalf("attempts %d, elapsed %v", attempts, time.Since(start))
		}
		last := events[len(events)-1]
		if last.Outcome != policy.Timeout || last.Decision.Reason != policy.ReasonDeadline {
			t.Fatalf("last event %v", last)
		}
	})
}

func TestExecuteBreakerRejectsWithoutRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := mustExec(t, policy.StackConfig{Retry: retryCfg(3, time.Millisecond, 0),
			Breaker: &policy.BreakerConfig{Mode: policy.BreakerConsecutive, ConsecutiveFailures: 2, OpenDuration: time.Second, HalfOpenPermits: 1}}, Options{})
		calls := 0
		fail := func(context.Context) error { calls++; return errors.New("boom") }
		if err := e.Execute(t.Context(), fail); err == nil || calls != 2 {
			t.Fatalf("first call: err %v, calls %d (the second failure opens the breaker, the third attempt is rejected)", err, calls)
		}
		if err := e.Execute(t.Context(), fail); !errors.Is(err, policy.ErrBreakerOpen) || calls != 2 {
			t.Fatalf("second call: err %v, calls %d", err, calls)
		}
		time.Sleep(time.Second)
		if err := e.Execute(t.Context(), func(context.Context) error { return nil }); err != nil {
			t.Fatalf("half-open trial: %v", err)
		}
	})
}

func TestExecuteBulkheadQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := mustExec(t, policy.StackConfig{Bulkhead: &policy.BulkheadConfig{MaxConcurrent: 1, MaxQueue: 2, MaxWait: 30 * time.Millisecond}}, Options{})
		hold := func(d time.Duration) func(context.Context) error {
			return func(context.Context) error { time.Sleep(d); return nil }
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		ends := make([]time.Duration, 4)
		start := time.Now()
		run := func(i int, ctx context.Context, d time.Duration) {
			wg.Go(func() {
				errs[i] = e.Execute(ctx, hold(d))
				ends[i] = time.Since(start)
			})
			synctest.Wait() // deterministic arrival order
		}
		run(0, t.Context(), 20*time.Millisecond) // runs 0-20ms
		run(1, t.Context(), 10*time.Millisecond) // queued, admitted at 20ms, done at 30ms
		ctx, cancel := context.WithCancel(t.Context())
		run(2, ctx, 10*time.Millisecond) // queued behind 1
		cancel()                         // gives up while queued: leaves the queue
		synctest.Wait()
		time.Sleep(5 * time.Millisecond)
		run(3, t.Context(), 10*time.Millisecond) // queued at 5ms (max wait until 35ms), admitted at 30ms
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || errs[3] != nil || !errors.Is(errs[2], context.Canceled) {
			t.Fatalf("errs %v", errs)
		}
		if ends[1] != 30*time.Millisecond || ends[3] != 40*time.Millisecond {
			t.Fatalf("end times %v", ends)
		}
		// max_wait: a waiter behind a long call expires after 30ms.
		start = time.Now()
		run(0, t.Context(), 100*time.Millisecond)
		run(1, t.Context(), time.Millisecond)
		run(2, t.Context(), time.Millisecond)
		run(3, t.Context(), time.Millisecond) // queue of 2 is full
		wg.Wait()
		if errs[0] != nil || !errors.Is(errs[1], ErrBulkheadTimeout) || !errors.Is(errs[2], ErrBulkheadTimeout) || !errors.Is(errs[3], ErrBulkheadFull) {
			t.Fatalf("errs %v", errs)
		}
		if ends[1] != 30*time.Millisecond {
			t.Fatalf("waiter expired at %v, want 30ms", ends[1])
		}
		e.Lock()
		st := e.Stack().Bulkhead.Stats()
		e.Unlock()
		if st.Expired != 2 || st.Cancelled != 1 || st.Rejected != 1 || e.Stack().Bulkhead.InUse() != 0 {
			t.Fatalf("bulkhead stats %+v", st)
		}
	})
}

type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func resp(code int, body string) *http.Response {
	return &http.Response{StatusCode: code, Body: io.NopCloser(strings.NewReader(body)), Header: http.Header{}}
}

func TestTransport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var codes []int
		var n atomic.Int32
		base := rtFunc(func(r *http.Request) (*http.Response, error) {
			i := int(n.Add(1)) - 1
			if r.Body != nil {
				b, _ := io.ReadAll(r.Body)
				if string(b) != "cart" {
					t.Errorf("attempt %d body %q", i, b)
				}
			}
			c := codes[i%len(codes)]
			return resp(c, "reply"), nil
		})
		e := mustExec(t, policy.StackConfig{Timeout: time.Second, Retry: retryCfg(3, time.Millisecond, 100*time.Millisecond)}, Options{})
		client := &http.Client{Transport: &Transport{Base: base, Exec: e}}
		do := func(method string, key string, c ...int) (int, string) {
			codes = c
			n.Store(0)
			req, _ := http.NewRequest(method, "http://pricing/quote", strings.NewReader("cart"))
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			r, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
			time.Sleep(time.Millisecond) // the body must stay readable after RoundTrip returned
			b, err := io.ReadAll(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			return r.StatusCode, string(b)
		}
		if code, body := do("GET", "", 503, 502, 200); code != 200 || body != "reply" || n.Load() != 3 {
			t.Fatalf("GET: %d %q after %d attempts", code, body, n.Load())
		}
		if code, _ := do("GET", "", 500); code != 500 || n.Load() != 3 {
			t.Fatalf("GET all 500: %d after %d attempts", code, n.Load())
		}
		if code, _ := do("GET", "", 429, 200); code != 429 || n.Load() != 1 {
			t.Fatalf("429 must not be retried: %d after %d attempts", code, n.Load())
		}
		if code, _ := do("POST", "", 503, 200); code != 503 || n.Load() != 1 {
			t.Fatalf("POST without idempotency key must not be retried: %d after %d", code, n.Load())
		}
		if code, _ := do("POST", "order-7", 503, 200); code != 200 || n.Load() != 2 {
			t.Fatalf("POST with Idempotency-Key: %d after %d", code, n.Load())
		}
	})
}

func TestGroupLeaderCancelDoesNotFailOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGroup[string, int]()
		var runs atomic.Int32
		fn := func(ctx context.Context) (int, error) {
			runs.Add(1)
			select {
			case <-time.After(50 * time.Millisecond):
				return 42, nil
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		leaderCtx, cancelLeader := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		var leaderErr error
		results := make([]int, 3)
		errs := make([]error, 3)
		wg.Go(func() { _, leaderErr, _ = g.Do(leaderCtx, "sku", fn) })
		synctest.Wait()
		for i := range 3 {
			wg.Go(func() { results[i], errs[i], _ = g.Do(t.Context(), "sku", fn) })
		}
		synctest.Wait()
		time.Sleep(10 * time.Millisecond)
		cancelLeader() // the leader gives up mid-call
		wg.Wait()
		if !errors.Is(leaderErr, context.Canceled) {
			t.Fatalf("leader err %v", leaderErr)
		}
		for i := range 3 {
			if errs[i] != nil || results[i] != 42 {
				t.Fatalf("follower %d: %d, %v (the leader's cancellation leaked)", i, results[i], errs[i])
			}
		}
		if runs.Load() != 1 {
			t.Fatalf("%d executions, want 1", runs.Load())
		}
		// When every waiter leaves, the call is cancelled and the next caller starts afresh.
		ctx, cancel := context.WithCancel(t.Context())
		var err error
		wg.Go(func() { _, err, _ = g.Do(ctx, "sku", fn) })
		synctest.Wait()
		cancel()
		wg.Wait()
		synctest.Wait() // the cancelled call's goroutine exits
		if !errors.Is(err, context.Canceled) || runs.Load() != 2 {
			t.Fatalf("err %v runs %d", err, runs.Load())
		}
		v, err, shared := g.Do(t.Context(), "sku", fn)
		if v != 42 || err != nil || shared || runs.Load() != 3 {
			t.Fatalf("fresh call: %d %v shared=%v runs %d", v, err, shared, runs.Load())
		}
	})
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want policy.Outcome
	}{
		{nil, policy.Success},
		{errors.New("x"), policy.Failure},
		{context.DeadlineExceeded, policy.Timeout},
		{context.Canceled, policy.Ignored},
		{&OutcomeError{Outcome: policy.Overloaded, Err: errors.New("429")}, policy.Overloaded},
	} {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	for code, want := range map[int]policy.Outcome{200: policy.Success, 404: policy.Success, 429: policy.Overloaded, 500: policy.Failure, 503: policy.Failure, 504: policy.Timeout} {
		if got := ClassifyHTTP(&http.Response{StatusCode: code}, nil); got != want {
			t.Errorf("ClassifyHTTP(%d) = %v, want %v", code, got, want)
		}
	}
}

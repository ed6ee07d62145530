package testbed

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/policy/live"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

func TestStatusRoundTrip(t *testing.T) {
	for _, o := range []policy.Outcome{policy.Success, policy.Failure, policy.Timeout, policy.Overloaded} {
		if got := live.ClassifyHTTP(&http.Response{StatusCode: status(o)}, nil); got != o {
			t.Errorf("%v -> HTTP %d -> %v", o, status(o), got)
		}
	}
	if got := live.ClassifyHTTP(&http.Response{StatusCode: status(policy.Rejected)}, nil); got != policy.Failure {
		t.Errorf("rejected travels as a failure, got %v", got)
	}
}

func TestCallOutcome(t *testing.T) {
	cases := []struct {
		err  error
		want policy.Outcome
	}{
		{nil, policy.Success},
		{policy.ErrBreakerOpen, policy.Rejected},
		{context.DeadlineExceeded, policy.Timeout},
		{context.Canceled, policy.Failure},
		{errors.New("boom"), policy.Failure},
	}
	for _, c := range cases {
		if got := callOutcome(c.err); got != c.want {
			t.Errorf("callOutcome(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func constant(t *testing.T, s string) dist.Dist {
	t.Helper()
	d, err := dist.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// One worker, a 50 ms queue timeout and work that holds the worker for
// 300 ms: of three requests sent together one is served and the two
// others are shed as overloaded once they waited 50 ms.
func TestServiceWorkersAndQueueTimeout(t *testing.T) {
	cfg := service.Config{Name: "s", Instances: 1, WorkersPerInstance: 1, CPU: constant(t, "constant(0)"), QueueTimeout: 50 * sim.Millisecond}
	s := newSvc(cfg, rand.New(rand.NewPCG(1, 2)))
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.start(base, func(ctx context.Context, r *http.Request) (policy.Outcome, string) {
		_ = sleep(ctx, 300*time.Millisecond)
		return policy.Success, ""
	}); err != nil {
		t.Fatal(err)
	}
	defer s.close(context.Background())
	var codes sync.Map
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Post(s.url+"/x", "application/json", nil)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes.Store(i, resp.StatusCode)
		}()
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	n := map[int]int{}
	codes.Range(func(_, v any) bool { n[v.(int)]++; return true })
	if n[http.StatusOK] != 1 || n[http.StatusTooManyRequests] != 2 {
		t.Fatalf("status counts %v, want one 200 and two 429", n)
	}
	if s.overloaded.Load() != 2 || s.requests.Load() != 3 {
		t.Errorf("overloaded %d of %d requests, want 2 of 3", s.overloaded.Load(), s.requests.Load())
	}
}

// A propagated deadline bounds the server's work; without the cancel
// header the server keeps working after its client has gone.
func TestServerContext(t *testing.T) {
	dl := time.Now().Add(time.Hour).Truncate(time.Nanosecond)
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set(hDeadline, strconv.FormatInt(dl.UnixNano(), 10))
	cctx, ccancel := context.WithCancel(context.Background())
	r = r.WithContext(cctx)
	ctx, cancel := serverContext(context.Background(), r)
	defer cancel()
	if got, ok := ctx.Deadline(); !ok || !got.Equal(dl) {
		t.Fatalf("deadline %v %v, want %v", got, ok, dl)
	}
	ccancel()
	if ctx.Err() != nil {
		t.Fatal("the client's cancellation reached a server not asked to cancel")
	}
	r2 := httptest.NewRequest(http.MethodPost, "/", nil)
	r2.Header.Set(hCancel, "1")
	c2, cancel2 := context.WithCancel(context.Background())
	ctx2, done2 := serverContext(context.Background(), r2.WithContext(c2))
	defer done2()
	cancel2()
	if ctx2.Err() == nil {
		t.Fatal("cancel_on_timeout: the client's cancellation did not reach the server")
	}
}

// A hop built from a call.Policy retries as the policy says and counts
// calls and attempts as call.Edge does.
func TestHopRetries(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	rc := policy.RetryConfig{MaxAttempts: 3, Backoff: policy.BackoffConfig{Kind: policy.BackoffConstant, Jitter: policy.JitterNone}}
	h, err := newHop(context.Background(), "a->b", call.Policy{AttemptTimeout: sim.Seconds(1), Retry: &rc}, rand.New(rand.NewPCG(1, 1)), func() float64 { return 0 })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.post(context.Background(), newClient(), srv.URL, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	l := h.layer.result()
	if l.Calls != 1 || l.Attempts != 3 || l.Outcomes[policy.Failure] != 2 || l.Outcomes[policy.Success] != 1 {
		t.Fatalf("layer %+v, want 1 call, 3 attempts (2 failures, 1 success)", l)
	}
}

// A provider keeps working on a request its client gave up on, and counts
// the completion as zombie work.
func TestProviderZombieWork(t *testing.T) {
	p := newProvider(payment.ProviderConfig{Name: "psp", Latency: constant(t, "constant(0.15)"), LoadModel: "slowdown"},
		rand.New(rand.NewPCG(1, 1)), newClock())
	if err := p.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer p.srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, p.url+"/charge", nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("want the client to time out")
	}
	deadline := time.Now().Add(2 * time.Second)
	for p.zombies.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if p.zombies.Load() != 1 || p.requests.Load() != 1 {
		t.Fatalf("zombies %d, requests %d; want 1, 1", p.zombies.Load(), p.requests.Load())
	}
}

// Under the slowdown model a request in company of others takes longer
// than alone: seven more in flight, 20 ms each, on a 40 ms mean.
func TestProviderSlowdown(t *testing.T) {
	p := newProvider(payment.ProviderConfig{Name: "psp", Latency: constant(t, "constant(0.04)"), LoadLatency: 20 * sim.Millisecond, LoadModel: "slowdown"},
		rand.New(rand.NewPCG(1, 1)), newClock())
	if err := p.start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer p.srv.Close()
	one := func() time.Duration {
		start := time.Now()
		resp, err := http.Post(p.url, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return time.Since(start)
	}
	alone := one()
	var wg sync.WaitGroup
	var worst atomic.Int64
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := one()
			for {
				w := worst.Load()
				if int64(d) <= w || worst.CompareAndSwap(w, int64(d)) {
					return
				}
			}
		}()
	}
	wg.Wait()
	// Alone: 40 ms. Eight together: speed 40/(40+7*20) = 0.22, so about 180 ms.
	if alone > 120*time.Millisecond || time.Duration(worst.Load()) < 120*time.Millisecond {
		t.Fatalf("alone %v (want about 40 ms), slowest of 8 together %v (want about 180 ms)", alone, time.Duration(worst.Load()))
	}
}

func newClock() *runClock {
	c := &runClock{}
	c.set(time.Now())
	return c
}

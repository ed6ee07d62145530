package call

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

func retryPolicy(m int) Policy {
	return Policy{Retry: &policy.RetryConfig{MaxAttempts: m, Backoff: policy.BackoffConfig{
		Kind: policy.BackoffConstant, Base: time.Millisecond, Jitter: policy.JitterNone}}}
}

// chain builds n edges, each with m attempts, where edge k's server calls
// edge k+1 and the last edge's server fails independently with
// probability p after 1 ms. It returns the top edge's call function and a
// counter of attempts reaching the bottom.
func chain(t *testing.T, e *sim.Engine, n, m int, p float64, r *rand.Rand) (top func(done func(Outcome)), bottom *int64) {
	t.Helper()
	var hits int64
	edges := make([]*Edge, n)
	for k := range edges {
		ed, err := NewEdge(e, "layer", retryPolicy(m), r)
		if err != nil {
			t.Fatal(err)
		}
		edges[k] = ed
	}
	var server func(k int) HandlerFunc
	server = func(k int) HandlerFunc {
		if k == n-1 {
			return func(ctx *Ctx, reply func(Outcome)) {
				hits++
				fail := r.Float64() < p
				e.After(sim.Millisecond, func() {
					if fail {
						reply(policy.Failure)
					} else {
						reply(policy.Success)
					}
				})
			}
		}
		return func(ctx *Ctx, reply func(Outcome)) { edges[k+1].Call(ctx, server(k+1), reply) }
	}
	return func(done func(Outcome)) { edges[0].Call(Background(), server(0), done) }, &hits
}

// expectedBottomAttempts is the analytic mean of attempts reaching the
// bottom per top-level call, for n layers of m attempts and independent
// bottom failure probability p. One layer's call over a dependency whose
// calls fail with probability g makes (1-g^m)/(1-g) calls on average and
// fails with probability g^m; by Wald's identity the means multiply.
func expectedBottomAttempts(n, m int, p float64) float64 {
	e, g := 1.0, p
	for i := 0; i < n; i++ {
		if g == 1 {
			e *= float64(m)
		} else {
			e *= (1 - math.Pow(g, float64(m))) / (1 - g)
		}
		g = math.Pow(g, float64(m))
	}
	return e
}

func TestRetryMultiplicationAcrossLayers(t *testing.T) {
	cases := []struct {
		n, m int
		p    float64
	}{
		{1, 3, 0.3}, {2, 3, 0.5}, {3, 3, 0.5}, {3, 2, 0.8}, {3, 3, 1}, {2, 4, 1},
	}
	for _, c := range cases {
		const seed, calls = 11, 4000
		e := sim.New()
		r := rand.New(rand.NewPCG(seed, uint64(c.n*100+c.m)))
		top, bottom := chain(t, e, c.n, c.m, c.p, r)
		var per stats.Summary
		var i int
		var next func()
		next = func() {
			before := *bottom
			top(func(Outcome) {
				per.Add(float64(*bottom - before))
				i++
				if i < calls {
					next()
				}
			})
		}
		next()
		e.Run()
		want := expectedBottomAttempts(c.n, c.m, c.p)
		if c.p == 1 {
			if per.Mean() != want || per.Var() != 0 {
				t.Errorf("n=%d m=%d total failure: %v attempts per call (var %v), want exactly %v", c.n, c.m, per.Mean(), per.Var(), want)
			}
			continue
		}
		// 99.9% interval, so the fixed seed is not a coin toss across cases.
		lo, hi := per.CI(0.999)
		if want < lo || want > hi {
			t.Errorf("n=%d m=%d p=%v seed=%d: bottom attempts per call %.4f, CI99.9 [%.4f, %.4f], analytic %.4f",
				c.n, c.m, c.p, seed, per.Mean(), lo, hi, want)
		}
	}
}

func TestTimeoutAbandonsAttemptAndRetries(t *testing.T) {
	e := sim.New()
	r := rand.New(rand.NewPCG(1, 2))
	p := retryPolicy(3)
	p.AttemptTimeout = 100 * sim.Millisecond
	ed, err := NewEdge(e, "slow", p, r)
	if err != nil {
		t.Fatal(err)
	}
	var served, liveAtEnd, cancelled int
	server := HandlerFunc(func(ctx *Ctx, reply func(Outcome)) {
		e.After(time2(150), func() {
			served++
			if ctx.Live() {
				liveAtEnd++
			}
			if ctx.Cancelled() { // checked before the reply: the context is recycled after it
				cancelled++
			}
			reply(policy.Success)
		})
	})
	var got Outcome = 255
	ed.Call(Background(), server, func(o Outcome) { got = o })
	e.Run()
	if got != policy.Timeout {
		t.Fatalf("outcome %v, want timeout", got)
	}
	if ed.Attempts != 3 || served != 3 || liveAtEnd != 0 {
		t.Fatalf("attempts %d, served %d (abandoned work still runs), live at end %d", ed.Attempts, served, liveAtEnd)
	}
	if cancelled != 0 {
		t.Fatalf("%d attempts' work cancelled without CancelOnTimeout", cancelled)
	}
}

func time2(ms int) sim.Time { return sim.Time(ms) * sim.Millisecond }

func TestCancelOnTimeoutMarksWorkCancelled(t *testing.T) {
	e := sim.New()
	p := Policy{AttemptTimeout: 10 * sim.Millisecond, CancelOnTimeout: true}
	ed, err := NewEdge(e, "x", p, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var ctx *Ctx
	ed.Call(Background(), HandlerFunc(func(c *Ctx, reply func(Outcome)) { ctx = c }), func(Outcome) {})
	e.Run()
	if ctx == nil || !ctx.Cancelled() || ctx.Live() {
		t.Fatal("timed-out attempt with cancel_on_timeout is not cancelled")
	}
}

func TestDeadlinePropagationStopsRetries(t *testing.T) {
	e := sim.New()
	p := retryPolicy(10)
	p.AttemptTimeout = 100 * sim.Millisecond
	p.PropagateDeadline = true
	ed, err := NewEdge(e, "x", p, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	root := Root(&Intent{ID: 1}, 250*sim.Millisecond, &Trace{})
	var deadlines []sim.Time
	ed.Call(root, HandlerFunc(func(c *Ctx, reply func(Outcome)) { deadlines = append(deadlines, c.Deadline) }), func(Outcome) {})
	e.Run()
	// Attempts at 0, 101 ms and 202 ms; the third gets only what is left.
	if len(deadlines) != 3 {
		t.Fatalf("%d attempts within a 250 ms budget, want 3", len(deadlines))
	}
	if last := deadlines[2]; last != 250*sim.Millisecond {
		t.Fatalf("third attempt's deadline %v, want the call's 250ms", last)
	}
}

func TestBreakerRejectsWhenOpen(t *testing.T) {
	e := sim.New()
	p := Policy{Breaker: &policy.BreakerConfig{Mode: policy.BreakerConsecutive, ConsecutiveFailures: 3,
		OpenDuration: time.Second, HalfOpenPermits: 1}}
	ed, err := NewEdge(e, "x", p, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	fail := HandlerFunc(func(c *Ctx, reply func(Outcome)) { reply(policy.Failure) })
	var outs []Outcome
	for i := 0; i < 5; i++ {
		ed.Call(Background(), fail, func(o Outcome) { outs = append(outs, o) })
	}
	want := []Outcome{policy.Failure, policy.Failure, policy.Failure, policy.Rejected, policy.Rejected}
	for i := range want {
		if outs[i] != want[i] {
			t.Fatalf("outcomes %v, want %v", outs, want)
		}
	}
	if ed.Attempts != 3 || ed.BreakerFlips != 1 {
		t.Fatalf("attempts %d flips %d", ed.Attempts, ed.BreakerFlips)
	}
}

func TestBulkheadLimitsConcurrency(t *testing.T) {
	e := sim.New()
	p := Policy{Bulkhead: &policy.BulkheadConfig{MaxConcurrent: 2, MaxQueue: 1, MaxWait: 50 * time.Millisecond}}
	ed, err := NewEdge(e, "x", p, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	inFlight, peak := 0, 0
	slow := HandlerFunc(func(c *Ctx, reply func(Outcome)) {
		inFlight++
		peak = max(peak, inFlight)
		e.After(100*sim.Millisecond, func() { inFlight--; reply(policy.Success) })
	})
	var outs [8]int
	for i := 0; i < 4; i++ {
		ed.Call(Background(), slow, func(o Outcome) { outs[o]++ })
	}
	e.Run()
	// 2 run, 1 queues and expires after 50 ms, 1 is rejected at once.
	if peak != 2 || outs[policy.Success] != 2 || outs[policy.Rejected] != 2 {
		t.Fatalf("peak %d, outcomes %v", peak, outs)
	}
}

package testbed

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/policy/live"
)

// hop is one client -> server hop: a policy/live executor built from the
// hop's call.Policy.Stack(), the very StackConfig the simulator's edge
// uses, and the counters call.Edge keeps.
type hop struct {
	pol   call.Policy
	exec  *live.Executor
	layer *layer
	base  context.Context // the run's context: its end stops every call
	since func() float64  // seconds since the start of the load
}

func newHop(base context.Context, name string, p call.Policy, r *rand.Rand, since func() float64) (*hop, error) {
	stack, err := p.Stack().Build(r)
	if err != nil {
		return nil, err
	}
	l := &layer{name: name}
	if stack.Breaker != nil {
		stack.Breaker.OnStateChange(func(sc policy.StateChange) {
			l.flips.Add(1)
			l.mu.Lock()
			if len(l.changes) < call.MaxBreakerChanges {
				l.changes = append(l.changes, checkout.BreakerChange{Edge: name, AtS: since(), From: sc.From.String(), To: sc.To.String()})
			}
			l.mu.Unlock()
		})
	}
	exec, err := live.New(stack, live.Options{Observe: l.observe})
	if err != nil {
		return nil, err
	}
	return &hop{pol: p, exec: exec, layer: l, base: base, since: since}, nil
}

// detached keeps a context's values and the run's cancellation but drops
// its deadline and its own cancellation: a hop that does not propagate
// deadlines does not know the caller's.
type detached struct {
	context.Context
	run context.Context
}

func (d detached) Deadline() (time.Time, bool) { return time.Time{}, false }
func (d detached) Done() <-chan struct{}       { return d.run.Done() }
func (d detached) Err() error                  { return d.run.Err() }

// do makes one call on the hop: attempts go through the policy stack, each
// running fn with the attempt's context.
func (h *hop) do(ctx context.Context, fn func(ctx context.Context) error) error {
	h.layer.calls.Add(1)
	if !h.pol.PropagateDeadline {
		ctx = detached{Context: ctx, run: h.base}
	}
	return h.exec.Execute(ctx, fn)
}

// post makes one call on the hop to an HTTP server: the status maps to the
// outcome the policies see (live.ClassifyHTTP), the X-Cause header of the
// last answer is returned.
func (h *hop) post(ctx context.Context, client *http.Client, url string, body []byte) (cause string, err error) {
	err = h.do(ctx, func(actx context.Context) error {
		req, err := http.NewRequestWithContext(actx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		if h.pol.PropagateDeadline {
			if dl, ok := actx.Deadline(); ok {
				req.Header.Set(hDeadline, strconv.FormatInt(dl.UnixNano(), 10))
			}
		}
		if h.pol.CancelOnTimeout {
			req.Header.Set(hCancel, "1")
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if c := resp.Header.Get(hCause); c != "" {
			cause = c
		}
		if o := live.ClassifyHTTP(resp, nil); o != policy.Success {
			return &live.OutcomeError{Outcome: o}
		}
		return nil
	})
	return cause, err
}

// newClient is an HTTP client for loopback hops: connections are kept and
// reused, as between services in production.
func newClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns: 4096, MaxIdleConnsPerHost: 1024, IdleConnTimeout: 90 * time.Second,
		DisableCompression: true, ForceAttemptHTTP2: false,
	}}
}

package testbed

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
)

// provider is a payment provider as an HTTP server on 127.0.0.1. Its
// latency is drawn from the scenario's distribution (times any running
// episode's factor) and slowed by the requests in flight: with the
// "slowdown" model every request progresses at speed m / (m + k(n-1)) with
// n in flight (m the mean latency, k load_latency), re-evaluated as n
// changes; with "linear" a request's latency is fixed when it starts. A
// request whose client gave up is worked on to the end (zombie work).
type provider struct {
	cfg      payment.ProviderConfig
	r        *lockedRand
	clock    *runClock
	sem      chan struct{} // concurrency cap, nil for none
	srv      *http.Server
	url      string
	layer    *layer
	hop      *hop
	inFlight atomic.Int64

	requests, errors, zombies atomic.Int64
}

// tick bounds how long a slowed request goes without re-reading the load.
const tick = 5 * time.Millisecond

func (p *provider) start(base context.Context) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	p.url = "http://" + ln.Addr().String()
	if p.cfg.Concurrency > 0 {
		p.sem = make(chan struct{}, p.cfg.Concurrency)
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), BaseContext: func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return nil
}

func (p *provider) degradation(t sim.Time) (factor, errAdd float64) {
	factor = 1
	for _, ep := range p.cfg.Episodes {
		if t >= ep.Start && t < ep.End {
			factor *= ep.LatencyFactor
			errAdd += ep.ErrorRateAdd
		}
	}
	return factor, errAdd
}

func (p *provider) serve(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	factor, errAdd := p.degradation(p.clock.since())
	base := time.Duration(float64(p.r.sample(p.cfg.Latency)) * factor)
	fail := p.r.Float64() < p.cfg.ErrorRate+errAdd
	run := context.WithoutCancel(r.Context()) // the provider does not stop when the client leaves
	if p.sem != nil {
		p.sem <- struct{}{}
		defer func() { <-p.sem }()
	}
	n := p.inFlight.Add(1)
	k := p.cfg.LoadLatency.Duration()
	if p.cfg.LoadModel == payment.LoadLinear {
		_ = sleep(run, base+time.Duration(n-1)*k)
	} else {
		ref := max(time.Duration(p.cfg.Latency.Mean()*1e9), time.Microsecond)
		remaining := float64(base) // work left, in time units at full speed
		for remaining > 0 {
			speed := float64(ref) / float64(ref+time.Duration(p.inFlight.Load()-1)*k)
			wall := time.Duration(remaining / speed)
			step := min(wall, tick)
			start := time.Now()
			if sleep(run, step) != nil {
				break
			}
			remaining -= float64(time.Since(start)) * speed
		}
	}
	p.inFlight.Add(-1)
	if r.Context().Err() != nil {
		p.zombies.Add(1)
	}
	if fail {
		p.errors.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// payer charges a checkout: the first provider through its client hop
// and, with fallback, the next ones while calls fail.
type payer struct {
	cfg       payment.Config
	providers []*provider
	client    *http.Client
	payments  atomic.Int64
	fallbacks atomic.Int64
}

func newProvider(pc payment.ProviderConfig, r *rand.Rand, clock *runClock) *provider {
	return &provider{cfg: pc, r: &lockedRand{r: r}, clock: clock}
}

func (py *payer) pay(ctx context.Context, body []byte) policy.Outcome {
	py.payments.Add(1)
	for i, p := range py.providers {
		_, err := p.hop.post(ctx, py.client, p.url+"/charge", body)
		o := callOutcome(err)
		if o != policy.Success && py.cfg.FallsBackOn(o) && i+1 < len(py.providers) && ctx.Err() == nil {
			py.fallbacks.Add(1)
			continue
		}
		return o
	}
	return policy.Failure
}

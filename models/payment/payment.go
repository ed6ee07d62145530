// Package payment models the payment providers and the client that calls
// them. A provider is a load-dependent server: its latency is a base
// distribution times any degradation factor, plus a fixed increment per
// request already in flight (so it slows as it is loaded, including by
// retries and by work its clients abandoned), with an optional concurrency
// limit and an error rate. Degradation episodes make it slow, not down.
//
// The client calls the first provider through its policy stack (timeout,
// retry, budget, breaker, bulkhead: the policy package's real code) and,
// with fallback, the next provider when the first call fails or its
// breaker is open.
package payment

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/resource"
)

// ProviderConfig describes one payment provider.
type ProviderConfig struct {
	Name string
	// Latency is the provider's base latency, in seconds.
	Latency dist.Dist
	// LoadLatency is the latency added per request already in flight.
	LoadLatency sim.Time
	// LoadModel is how load slows the provider: "slowdown" (the default,
	// also when empty: every request in flight slows as more arrive, as on
	// a shared backend) or "linear" (a request's latency is fixed by the
	// load when it starts).
	LoadModel LoadModel
	// Concurrency caps the requests the provider works on at once (0: no
	// cap); more wait in its queue.
	Concurrency int
	// ErrorRate is the probability that a request fails.
	ErrorRate float64
	// Episodes are scheduled degradations.
	Episodes []Episode
}

// LoadModel is how load slows a provider.
type LoadModel string

// The load models.
const (
	LoadSlowdown LoadModel = "slowdown" // every request in flight slows as more arrive (also "")
	LoadLinear   LoadModel = "linear"   // a request's latency is fixed by the load when it starts
)

// Episode is a period during which the provider is degraded.
type Episode struct {
	Start, End sim.Time
	// LatencyFactor multiplies the base latency (1: unchanged).
	LatencyFactor float64
	// ErrorRateAdd is added to the error rate.
	ErrorRateAdd float64
}

// Config describes the payment step's dependencies.
type Config struct {
	Providers []ProviderConfig
	// Client is the policy stack on each provider call.
	Client call.Policy
	// Fallback tries the next provider when a call to one fails.
	Fallback bool
	// FallbackOn lists the call outcomes that send a charge to the next
	// provider (empty: any failure). Falling back only on [rejected,
	// timeout] keeps a charge the provider answered with an error (which
	// may be card-specific, or may have gone through) from being sent to a
	// second provider.
	FallbackOn []policy.Outcome
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Providers) == 0 {
		errs = append(errs, check.Field("providers", "at least one provider is required"))
	}
	for i, p := range c.Providers {
		f := func(name string) string { return fmt.Sprintf("providers[%d].%s", i, name) }
		if p.Name == "" {
			errs = append(errs, check.Field(f("name"), "must not be empty"))
		}
		if p.Latency == nil {
			errs = append(errs, check.Field(f("latency"), "a distribution is required"))
		}
		if p.LoadLatency < 0 {
			errs = append(errs, check.Field(f("load_latency"), "must be >= 0, got %v", p.LoadLatency))
		}
		if p.LoadModel != "" && p.LoadModel != LoadSlowdown && p.LoadModel != LoadLinear {
			errs = append(errs, check.Field(f("load_model"), `must be "slowdown" or "linear", got %q`, p.LoadModel))
		}
		if p.Concurrency < 0 {
			errs = append(errs, check.Field(f("concurrency"), "must be >= 0, got %d", p.Concurrency))
		}
		if !(p.ErrorRate >= 0 && p.ErrorRate <= 1) {
			errs = append(errs, check.Field(f("error_rate"), "must be in [0, 1], got %v", p.ErrorRate))
		}
		for j, ep := range p.Episodes {
			g := func(name string) string { return fmt.Sprintf("providers[%d].episodes[%d].%s", i, j, name) }
			if ep.End <= ep.Start {
				errs = append(errs, check.Field(g("end"), "must be after start (%v), got %v", ep.Start, ep.End))
			}
			if !(ep.LatencyFactor > 0) {
				errs = append(errs, check.Field(g("latency_factor"), "must be > 0, got %v", ep.LatencyFactor))
			}
			if !(ep.ErrorRateAdd >= 0 && ep.ErrorRateAdd <= 1) {
				errs = append(errs, check.Field(g("error_rate_add"), "must be in [0, 1], got %v", ep.ErrorRateAdd))
			}
		}
	}
	if c.Fallback && len(c.Providers) < 2 {
		errs = append(errs, check.Field("fallback", "needs at least two providers"))
	}
	for i, o := range c.FallbackOn {
		if o == policy.Success {
			errs = append(errs, check.Field(fmt.Sprintf("fallback_on[%d]", i), "success cannot trigger a fallback"))
		}
	}
	return check.Join(errs...)
}

// Provider is one payment provider in a simulation.
type Provider struct {
	cfg    ProviderConfig
	eng    *sim.Engine
	r      *rand.Rand
	server *resource.LoadServer
	edge   *call.Edge

	Requests int64
	Errors   int64
	// Zombies are attempts the provider completed after the client had
	// stopped waiting for them (a timed-out or abandoned attempt): work,
	// and possibly a charge, nobody receives.
	Zombies int64

	free sim.FreeList[request] // recycled requests
}

// factor returns the latency factor and extra error rate at now.
func (p *Provider) degradation(now sim.Time) (factor, errAdd float64) {
	factor = 1
	for _, ep := range p.cfg.Episodes {
		if now >= ep.Start && now < ep.End {
			factor *= ep.LatencyFactor
			errAdd += ep.ErrorRateAdd
		}
	}
	return factor, errAdd
}

// request is one provider attempt being served: a recycled record.
type request struct {
	p      *Provider
	ctx    *call.Ctx
	fail   bool
	reply  call.Reply
	served func(resource.Outcome, resource.Timing) // bound once: r.onServed
}

// Serve is the provider side of one attempt.
func (p *Provider) Serve(ctx *call.Ctx, reply call.Reply) {
	p.Requests++
	now := p.eng.Now()
	factor, errAdd := p.degradation(now)
	base := sim.Seconds(p.cfg.Latency.Sample(p.r) * factor)
	r := p.free.Get(p.freshRequest)
	r.ctx, r.reply = ctx, reply
	r.fail = p.r.Float64() < p.cfg.ErrorRate+errAdd
	p.server.Submit(base, r.served)
}

func (p *Provider) freshRequest() *request {
	r := &request{p: p}
	r.served = r.onServed
	return r
}

func (r *request) onServed(_ resource.Outcome, t resource.Timing) {
	p, reply, fail := r.p, r.reply, r.fail
	r.ctx.Record(call.SpanProvider, t.Sojourn())
	if !r.ctx.Live() {
		p.Zombies++
	}
	r.ctx, r.reply = nil, nil
	p.free.Put(r)
	if fail {
		p.Errors++
		reply(policy.Failure)
		return
	}
	reply(policy.Success)
}

// Edge returns the client edge to this provider.
func (p *Provider) Edge() *call.Edge { return p.edge }

// InFlight returns the requests the provider is working on.
func (p *Provider) InFlight() int { return p.server.InFlight() }

// Payer makes payments.
type Payer struct {
	cfg       Config
	Providers []*Provider

	Payments  int64
	Fallbacks int64

	free sim.FreeList[charge] // recycled payments
}

// New builds the providers and their client edges. Each provider draws from
// its own stream so adding one leaves the others' draws unchanged.
func New(e *sim.Engine, cfg Config, stream func(name string) *rand.Rand) (*Payer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("payments: %w", err)
	}
	py := &Payer{cfg: cfg}
	for _, pc := range cfg.Providers {
		lc := resource.LoadServerConfig{Name: pc.Name, Mode: resource.Linear, K: pc.LoadLatency,
			MaxConcurrent: pc.Concurrency, QueueCap: resource.Unbounded}
		if pc.LoadModel != LoadLinear {
			// K is stated for a request of the provider's mean size.
			lc.Mode, lc.Reference = resource.Slowdown, max(sim.Seconds(pc.Latency.Mean()), sim.Microsecond)
		}
		ls, err := resource.NewLoadServer(e, lc)
		if err != nil {
			return nil, err
		}
		edge, err := call.NewEdge(e, "payment->"+pc.Name, cfg.Client, stream("payment-client/"+pc.Name))
		if err != nil {
			return nil, err
		}
		edge.TimeoutSpan = call.SpanProvider // a timed-out provider call is time lost to the provider
		py.Providers = append(py.Providers, &Provider{cfg: pc, eng: e, r: stream("provider/" + pc.Name), server: ls, edge: edge})
	}
	return py, nil
}

// charge is one payment: the provider being called and the caller's
// continuation. A recycled record; its reply is bound once.
type charge struct {
	py     *Payer
	ctx    *call.Ctx
	i      int
	done   call.Reply
	called call.Reply // bound once: ch.onCall
}

// Pay charges the checkout of ctx: the first provider, then with fallback
// the next ones in turn while calls fail.
func (py *Payer) Pay(ctx *call.Ctx, done call.Reply) {
	py.Payments++
	ch := py.free.Get(py.freshCharge)
	ch.ctx, ch.i, ch.done = ctx, 0, done
	ch.call()
}

func (py *Payer) freshCharge() *charge {
	ch := &charge{py: py}
	ch.called = ch.onCall
	return ch
}

func (ch *charge) call() {
	p := ch.py.Providers[ch.i]
	p.edge.Call(ch.ctx, p, ch.called)
}

func (ch *charge) onCall(o call.Outcome) {
	py := ch.py
	if o != policy.Success && py.cfg.FallsBackOn(o) && ch.i+1 < len(py.Providers) && !ch.ctx.Cancelled() {
		py.Fallbacks++
		ch.i++
		ch.call()
		return
	}
	done := ch.done
	ch.ctx, ch.done = nil, nil
	py.free.Put(ch)
	done(o)
}

// FallsBackOn reports whether a payment whose provider call ended with o
// goes on to the next provider. The simulated payer and the real testbed's
// client both decide by it.
func (c Config) FallsBackOn(o policy.Outcome) bool {
	if !c.Fallback {
		return false
	}
	if len(c.FallbackOn) == 0 {
		return true
	}
	return slices.Contains(c.FallbackOn, o)
}

// Attempts returns the provider attempts made so far, over all providers.
func (py *Payer) Attempts() int64 {
	var n int64
	for _, p := range py.Providers {
		n += p.edge.Attempts
	}
	return n
}

// Name returns the provider's name.
func (p *Provider) Name() string { return p.cfg.Name }

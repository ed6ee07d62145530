package checkout

import (
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/models/pricing"
	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/models/traffic"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/rng"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// System is one replication of the checkout system on its own engine.
type System struct {
	cfg      *Config
	eng      *sim.Engine
	streams  rng.Streams
	services []*service.Service
	byName   map[string]*service.Service // lookup only; never iterated
	db       *database.DB
	cache    *cache.Cache
	reserver *inventory.Reserver
	pricer   *pricing.Pricer
	payer    *payment.Payer
	source   *traffic.Source
	gateway  *service.Service // nil: none
	orch     *service.Service
	gwEdge   *call.Edge
	steps    []*stepRT
	browse   browseRT
	rRTT     *rand.Rand
	rReclick *rand.Rand
	nextID   uint64
	inFlight int // checkout intents not yet resolved
	arriving bool
	rec      *recorder
	skuIDs   traffic.SKUIDs // promotions touch the most popular ranks
}

// stepRT is a flow step at run time.
type stepRT struct {
	cfg     *Step
	svc     *service.Service // nil: in-process in the orchestrator
	edge    *call.Edge
	r       *rand.Rand
	latency *stats.Histogram
}

type browseRT struct {
	svc      *service.Service
	edge     *call.Edge
	arrivals *traffic.Poisson
	r        *rand.Rand
	latency  *stats.Histogram
	requests int64
	failed   int64
}

// New builds a system for replication rep of a run with the given seed.
func New(cfg *Config, seed uint64, rep int) (*System, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := sim.New()
	st := rng.New(seed, rep)
	s := &System{cfg: cfg, eng: e, streams: st, byName: map[string]*service.Service{},
		rRTT: st.Stream("user/rtt"), rReclick: st.Stream("user/reclick")}
	for _, sc := range cfg.Services {
		svc, err := service.New(e, sc, st.Stream("service/"+sc.Name))
		if err != nil {
			return nil, err
		}
		s.services = append(s.services, svc)
		s.byName[sc.Name] = svc
	}
	var err error
	if s.db, err = database.New(e, cfg.Database, st.Stream("database")); err != nil {
		return nil, err
	}
	if s.cache, err = cache.New(e, cfg.Cache, cfg.Traffic.SKUs, s.db, st.Stream("cache")); err != nil {
		return nil, err
	}
	if s.reserver, err = inventory.New(e, cfg.Inventory, s.db); err != nil {
		return nil, err
	}
	if s.pricer, err = pricing.New(e, cfg.Pricing, s.db, s.cache, s.promoted, st.Stream("pricing")); err != nil {
		return nil, err
	}
	if s.payer, err = payment.New(e, cfg.Payments, st.Stream); err != nil {
		return nil, err
	}
	if s.source, err = traffic.NewSource(&cfg.Traffic, st.Stream); err != nil {
		return nil, err
	}
	f := &cfg.Flow
	s.gateway = s.byName[f.Gateway]
	s.orch = s.byName[f.Orchestrator]
	if s.gwEdge, err = call.NewEdge(e, "gateway->"+f.Orchestrator, f.GatewayPolicy, st.Stream("edge/gateway")); err != nil {
		return nil, err
	}
	for i := range f.Steps {
		sc := &f.Steps[i]
		rt := &stepRT{cfg: sc, r: st.Stream("step/" + sc.Name), latency: new(stats.Histogram)}
		if sc.Service != "" && sc.Service != f.Orchestrator {
			rt.svc = s.byName[sc.Service]
		}
		if rt.edge, err = call.NewEdge(e, f.Orchestrator+"->"+sc.Name, sc.Policy, st.Stream("edge/step/"+sc.Name)); err != nil {
			return nil, err
		}
		s.steps = append(s.steps, rt)
	}
	if f.Browse.Service != "" && cfg.Traffic.BrowseRatio > 0 && cfg.Traffic.Trace == "" {
		b := &s.browse
		b.svc = s.byName[f.Browse.Service]
		if b.edge, err = call.NewEdge(e, "gateway->"+f.Browse.Service, f.Browse.Policy, st.Stream("edge/browse")); err != nil {
			return nil, err
		}
		b.arrivals = traffic.NewPoisson(cfg.Traffic.Profile, cfg.Traffic.Multiplier*cfg.Traffic.BrowseRatio, st.Stream("traffic/browse"))
		b.r = st.Stream("traffic/browse-sku")
		b.latency = new(stats.Histogram)
	}
	s.skuIDs = traffic.NewSKUIDs(cfg.Traffic.SKUs)
	s.rec = newRecorder(s)
	return s, nil
}

// promoted reports whether a SKU is in a campaign that has started.
func (s *System) promoted(sku uint32) bool {
	now := s.eng.Now()
	for _, ev := range s.cfg.Cache.Events {
		if now >= ev.At && float64(s.skuIDs.Rank(sku)) < ev.Fraction*float64(s.cfg.Traffic.SKUs) {
			return true
		}
	}
	return false
}

// Run simulates one replication and returns its result.
func Run(cfg *Config, seed uint64, rep int) (*Result, error) {
	s, err := New(cfg, seed, rep)
	if err != nil {
		return nil, err
	}
	return s.Run(), nil
}

// Run runs the system to the end of its duration plus drain.
func (s *System) Run() *Result {
	s.arriving = true
	s.scheduleArrival()
	if s.browse.arrivals != nil {
		s.scheduleBrowse()
	}
	s.rec.start()
	s.eng.RunUntil(s.cfg.Duration)
	s.arriving = false
	if s.inFlight > 0 {
		s.eng.RunUntil(s.cfg.Duration + s.cfg.Drain)
	}
	return s.rec.result()
}

func (s *System) scheduleArrival() {
	co := s.source.Next()
	if co.At >= s.cfg.Duration {
		return
	}
	s.eng.At(co.At, func() {
		s.arrive(co)
		s.scheduleArrival()
	})
}

// intent is one checkout intent across its clicks.
type intent struct {
	call.Intent
	co       traffic.Checkout
	arrived  sim.Time
	clicks   int
	measured bool
	paying   bool // reached the payment code at least once
}

// click is one "pay" click: a request through the gateway.
type click struct {
	in       *intent
	start    sim.Time
	trace    call.Trace
	ctx      *call.Ctx
	patience sim.Timer
	answered bool
	cause    string
}

func (s *System) arrive(co traffic.Checkout) {
	s.nextID++
	now := s.eng.Now()
	in := &intent{co: co, arrived: now, measured: now >= s.cfg.Warmup}
	in.ID = s.nextID
	s.inFlight++
	s.rec.arrived(in)
	s.click(in)
}

// click sends one request: half the user's round trip to reach the
// gateway, the gateway and the flow, half the round trip back.
func (s *System) click(in *intent) {
	in.clicks++
	now := s.eng.Now()
	c := &click{in: in, start: now}
	deadline := sim.Never
	if s.cfg.Flow.Budget > 0 {
		deadline = now + s.cfg.Flow.Budget
	}
	c.ctx = call.Root(&in.Intent, deadline, &c.trace)
	if in.co.Patience != sim.Never {
		c.patience = s.eng.After(in.co.Patience, func() { s.abandon(c) })
	}
	var rtt sim.Time
	if d := s.cfg.Traffic.Cohorts[in.co.Cohort].RTT; d != nil {
		rtt = sim.Seconds(d.Sample(s.rRTT))
	}
	c.ctx.Record(call.SpanNetwork, rtt)
	s.eng.After(rtt/2, func() {
		s.enter(c.ctx, s.orchestrate(c), func(o call.Outcome) {
			s.eng.After(rtt-rtt/2, func() { s.respond(c, o) })
		})
	})
}

// enter passes a request through the gateway service (if any) and its
// edge to server.
func (s *System) enter(ctx *call.Ctx, server call.Server, reply func(call.Outcome)) {
	if s.gateway == nil {
		s.gwEdge.Call(ctx, server, reply)
		return
	}
	s.gateway.Handle(ctx, func(ctx *call.Ctx, done func(call.Outcome)) {
		s.gwEdge.Call(ctx, server, done)
	}, reply)
}

// abandon is the user giving up on a click: the server is not told.
func (s *System) abandon(c *click) {
	if c.answered {
		return
	}
	c.answered = true
	s.rec.abandonedClick(c)
	c.ctx.Abandon(false)
	s.resolve(c.in, resultAbandoned, "")
}

// respond delivers a click's response to the user.
func (s *System) respond(c *click, o call.Outcome) {
	if c.answered {
		return
	}
	c.answered = true
	s.eng.Cancel(c.patience)
	s.rec.clicked(c, o)
	in := c.in
	if o == policy.Success {
		s.resolve(in, resultSucceeded, "")
		return
	}
	rc := &s.cfg.Traffic.Reclick
	if in.clicks <= rc.Max && s.rReclick.Float64() < rc.Probability {
		think := sim.Seconds(rc.Think.Sample(s.rReclick))
		s.eng.After(think, func() { s.click(in) })
		return
	}
	cause := c.cause
	if cause == "" {
		cause = "gateway:" + o.String()
	}
	s.resolve(in, resultFailed, cause)
}

func (s *System) resolve(in *intent, r result, cause string) {
	s.inFlight--
	s.rec.resolved(in, r, cause)
	if !s.arriving && s.inFlight == 0 {
		s.eng.Stop()
	}
}

// orchestrate returns the server side of a gateway -> orchestrator call
// for click c: a worker of the orchestrator runs the steps.
func (s *System) orchestrate(c *click) call.Server {
	return func(ctx *call.Ctx, reply func(call.Outcome)) {
		s.orch.Handle(ctx, func(ctx *call.Ctx, done func(call.Outcome)) {
			fs := &flowState{c: c, ctx: ctx}
			s.step(fs, 0, done)
		}, reply)
	}
}

// flowState is one run of the steps (one orchestrator attempt).
type flowState struct {
	c        *click
	ctx      *call.Ctx
	txn      *inventory.Txn // reservation held open across steps
	reserved bool           // a committed reservation to give back on failure
}

// step runs step i and the ones after it.
func (s *System) step(fs *flowState, i int, done func(call.Outcome)) {
	if i == len(s.steps) {
		if fs.txn != nil { // hold_until named the last step: commit now
			t := fs.txn
			fs.txn = nil
			t.Commit(func() { done(policy.Success) })
			return
		}
		done(policy.Success)
		return
	}
	if fs.ctx.Cancelled() {
		s.abort(fs, func() { done(policy.Failure) })
		return
	}
	st := s.steps[i]
	start := s.eng.Now()
	s.runStep(fs, st, func(o call.Outcome) {
		if fs.ctx.Live() {
			st.latency.Record(int64(s.eng.Now() - start))
		}
		if o != policy.Success {
			fs.c.cause = st.cfg.Name + ":" + o.String()
			if o != policy.Overloaded {
				o = policy.Failure
			}
			s.abort(fs, func() { done(o) })
			return
		}
		if fs.txn != nil && s.reserver.HoldsAcross(st.cfg.Name) {
			t := fs.txn
			fs.txn = nil
			fs.reserved = true
			t.Commit(func() { s.step(fs, i+1, done) })
			return
		}
		s.step(fs, i+1, done)
	})
}

// abort undoes a failed checkout's reservation: an open transaction rolls
// back, a committed one is given back with a compensating write.
func (s *System) abort(fs *flowState, then func()) {
	switch {
	case fs.txn != nil:
		fs.txn.Rollback()
		fs.txn = nil
		then()
	case fs.reserved:
		fs.reserved = false
		s.reserver.Release(fs.ctx, then)
	default:
		then()
	}
}

// runStep makes the step's calls, one after another.
func (s *System) runStep(fs *flowState, st *stepRT, done func(call.Outcome)) {
	items := fs.c.in.co.Items
	if st.cfg.Kind == KindConfirm {
		s.publish(st)
		done(policy.Success)
		return
	}
	switch st.cfg.Calls {
	case "per_item":
		s.callGroups(fs, st, items, 1, done)
	case "per_batch":
		s.callGroups(fs, st, items, st.cfg.BatchSize, done)
	default:
		s.callGroups(fs, st, items, len(items), done)
	}
}

// callGroups calls the step once per group of size lines.
func (s *System) callGroups(fs *flowState, st *stepRT, items []inventory.Item, size int, done func(call.Outcome)) {
	if len(items) == 0 {
		done(policy.Success)
		return
	}
	size = max(size, 1)
	group := items[:min(size, len(items))]
	rest := items[len(group):]
	server := func(ctx *call.Ctx, reply func(call.Outcome)) {
		work := func(ctx *call.Ctx, d func(call.Outcome)) { s.work(fs, st, ctx, group, d) }
		if st.svc == nil {
			work(ctx, reply)
			return
		}
		st.svc.Handle(ctx, work, reply)
	}
	st.edge.Call(fs.ctx, server, func(o call.Outcome) {
		if o != policy.Success {
			done(o)
			return
		}
		s.callGroups(fs, st, rest, size, done)
	})
}

// work is the server side of one step call.
func (s *System) work(fs *flowState, st *stepRT, ctx *call.Ctx, group []inventory.Item, done func(call.Outcome)) {
	if st.cfg.CPU != nil {
		cpu := sim.Seconds(st.cfg.CPU.Sample(st.r))
		s.eng.After(cpu, func() {
			ctx.Record(call.SpanCPU, cpu)
			s.kindWork(fs, st, ctx, group, done)
		})
		return
	}
	s.kindWork(fs, st, ctx, group, done)
}

func (s *System) kindWork(fs *flowState, st *stepRT, ctx *call.Ctx, group []inventory.Item, done func(call.Outcome)) {
	switch st.cfg.Kind {
	case KindPricing:
		s.pricer.Price(ctx, group, done)
	case KindInventory:
		hold := s.cfg.Inventory.HoldUntil != ""
		s.reserver.Reserve(ctx, group, hold, func(o call.Outcome, t *inventory.Txn) {
			if o == policy.Success {
				if t != nil {
					fs.txn = t
				} else {
					fs.reserved = true
				}
			}
			done(o)
		})
	case KindPayment:
		s.rec.paying(fs.c.in)
		s.payer.Pay(ctx, done)
	case KindCart:
		if !s.cfg.Traffic.Cohorts[fs.c.in.co.Cohort].ColdCache {
			done(policy.Success)
			return
		}
		s.statementsIn(fs, ctx, st, done)
	default: // generic, order
		s.statementsIn(fs, ctx, st, done)
	}
}

func (s *System) statements(ctx *call.Ctx, st *stepRT, done func(call.Outcome)) {
	s.statementsIn(nil, ctx, st, done)
}

// statementsIn runs the step's statements: inside the open reservation
// transaction when the step runs in the orchestrator while one is held
// (the transaction spans this step), otherwise on a connection of its own.
func (s *System) statementsIn(fs *flowState, ctx *call.Ctx, st *stepRT, done func(call.Outcome)) {
	if st.cfg.Statements == 0 {
		done(policy.Success)
		return
	}
	if fs != nil && fs.txn != nil && st.svc == nil {
		fs.txn.Exec(ctx, st.cfg.Statements, func() { done(policy.Success) })
		return
	}
	s.db.Query(ctx, st.cfg.Statements, call.SpanDB, done)
}

// publish hands a confirmation to the asynchronous consumer: its service's
// worker queue is the message backlog.
func (s *System) publish(st *stepRT) {
	s.rec.published++
	if st.svc == nil {
		return
	}
	st.svc.Handle(call.Background(), func(ctx *call.Ctx, done func(call.Outcome)) {
		s.statements(ctx, st, done)
	}, func(o call.Outcome) {
		if o == policy.Success {
			s.rec.confirmed++
		}
	})
}

func (s *System) scheduleBrowse() {
	at := s.browse.arrivals.Next()
	if at >= s.cfg.Duration {
		return
	}
	s.eng.At(at, func() {
		s.browseOnce()
		s.scheduleBrowse()
	})
}

// browseOnce is one product page view: gateway, catalog service, a price
// read from the cache (a miss reads the database).
func (s *System) browseOnce() {
	b := &s.browse
	start := s.eng.Now()
	measured := start >= s.cfg.Warmup
	sku := s.source.SKU(b.r)
	server := func(ctx *call.Ctx, reply func(call.Outcome)) {
		b.svc.Handle(ctx, func(ctx *call.Ctx, done func(call.Outcome)) {
			s.cache.Get(ctx, s.cache.Key(cache.Price, sku), done)
		}, reply)
	}
	ctx := call.Root(nil, sim.Never, nil)
	respond := func(o call.Outcome) {
		if !measured {
			return
		}
		b.requests++
		if o != policy.Success {
			b.failed++
		}
		b.latency.Record(int64(s.eng.Now() - start))
	}
	if s.gateway == nil {
		b.edge.Call(ctx, server, respond)
		return
	}
	s.gateway.Handle(ctx, func(ctx *call.Ctx, done func(call.Outcome)) { b.edge.Call(ctx, server, done) }, respond)
}

// Engine returns the system's engine, for instrumentation (benchmarks
// sampling memory); models never need it from outside.
func (s *System) Engine() *sim.Engine { return s.eng }

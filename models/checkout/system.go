package checkout

import (
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/models/host"
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
	host     *host.Host // nil: not modelled
	cache    *cache.Cache
	reserver *inventory.Reserver
	pricer   *pricing.Pricer
	payer    *payment.Payer
	source   *traffic.Source
	gateway  *service.Service // nil: none
	orch     *service.Service
	gwEdge   *call.Edge
	entry    call.Handler // a click's path: gateway service -> gateway edge -> orchestrator service -> flow
	steps    []*stepRT
	browse   browseRT
	bg       *call.Ctx // the context of work nobody waits on
	rRTT     *rand.Rand
	rReclick *rand.Rand
	nextID   uint64
	inFlight int // checkout intents not yet resolved
	arriving bool
	rec      *recorder
	skuIDs   traffic.SKUIDs // promotions touch the most popular ranks

	next      traffic.Checkout // the scheduled arrival
	arrival   func()           // bound once: s.onArrival
	confirmed call.Reply       // bound once: s.onConfirmed
	free      freeLists
}

type browseRT struct {
	svc      *service.Service
	edge     *call.Edge
	entry    call.Handler // gateway service -> browse edge -> catalog service -> cache read
	arrivals *traffic.Poisson
	r        *rand.Rand
	latency  *stats.Histogram
	requests int64
	failed   int64
	next     func() // bound once: s.onBrowse
}

// New builds a system for replication rep of a run with the given seed.
func New(cfg *Config, seed uint64, rep int) (*System, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := sim.New()
	st := rng.New(seed, rep)
	s := &System{cfg: cfg, eng: e, streams: st, byName: map[string]*service.Service{},
		rRTT: st.Stream("user/rtt"), rReclick: st.Stream("user/reclick"), bg: call.Background()}
	s.arrival, s.confirmed, s.browse.next = s.onArrival, s.onConfirmed, s.onBrowse
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
	if cfg.Host.Enabled() { // its own stream, so a run without it draws exactly what it did
		if s.host, err = host.New(e, cfg.Host, st.Stream("host")); err != nil {
			return nil, err
		}
		s.db.SetHost(s.host)
		for _, svc := range s.services {
			svc.SetHost(s.host)
		}
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
		rt, err := s.newStep(&f.Steps[i])
		if err != nil {
			return nil, err
		}
		s.steps = append(s.steps, rt)
	}
	s.entry = s.gwEdge.Wrap(s.orch.Serve(call.HandlerFunc(s.serveFlow)))
	if s.gateway != nil {
		s.entry = s.gateway.Serve(s.entry)
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
		b.entry = b.edge.Wrap(b.svc.Serve(call.HandlerFunc(s.serveBrowse)))
		if s.gateway != nil {
			b.entry = s.gateway.Serve(b.entry)
		}
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
	return RunWatched(cfg, seed, rep, nil)
}

// watchEvery is how many events pass between calls of RunWatched's
// watch: at the engine's 5-20 M events/s, a few hundred calls a second.
const watchEvery = 1 << 15

// RunWatched is Run telling watch (if not nil) the virtual time every
// watchEvery events, for progress: the result is Run's, event for event
// (sim.Engine.SetWatch).
func RunWatched(cfg *Config, seed uint64, rep int, watch func(now sim.Time)) (*Result, error) {
	s, err := New(cfg, seed, rep)
	if err != nil {
		return nil, err
	}
	if watch != nil {
		s.eng.SetWatch(watchEvery, watch)
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
	s.next = s.source.Next()
	if s.next.At >= s.cfg.Duration {
		return
	}
	s.eng.At(s.next.At, s.arrival)
}

func (s *System) onArrival() {
	s.arrive(s.next)
	s.scheduleArrival()
}

// intent is one checkout intent across its clicks.
type intent struct {
	call.Intent
	co       traffic.Checkout
	arrived  sim.Time
	clicks   int
	measured bool
}

func (s *System) arrive(co traffic.Checkout) {
	s.nextID++
	now := s.eng.Now()
	in := &intent{co: co, arrived: now, measured: now >= s.cfg.Warmup}
	in.ID, in.Items, in.Cohort = s.nextID, co.Items, co.Cohort
	s.inFlight++
	s.rec.arrived(in)
	s.click(in)
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
	cause := "gateway:" + o.String()
	if c.trace.FailedAt != "" {
		cause = c.trace.FailedAt + ":" + c.trace.FailedWith.String()
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

func (s *System) scheduleBrowse() {
	at := s.browse.arrivals.Next()
	if at >= s.cfg.Duration {
		return
	}
	s.eng.At(at, s.browse.next)
}

func (s *System) onBrowse() {
	s.browseOnce()
	s.scheduleBrowse()
}

// Engine returns the system's engine, for instrumentation (benchmarks
// sampling memory); models never need it from outside.
func (s *System) Engine() *sim.Engine { return s.eng }

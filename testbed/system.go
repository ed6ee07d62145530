package testbed

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/models/pricing"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/policy/live"
	"github.com/checkoutsim/checkoutsim/sim/rng"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// System is the real checkout system of one run.
type System struct {
	sc       *experiments.Scenario
	base     context.Context
	streams  rng.Streams
	rec      *recorder
	db       *db
	cache    *rcache
	payer    *payer
	services []*svc
	byName   map[string]*svc
	gateway  *svc // nil: users call the orchestrator directly
	orch     *svc
	gwHop    *hop
	steps    []*step
	browse   *hop
	client   *http.Client
	intents  sync.Map // checkout id -> *queryCounter
	pricingR *lockedRand
	wg       sync.WaitGroup // background work: confirmations, late zombies
}

// step is a flow step at run time.
type step struct {
	cfg     *checkout.Step
	svc     *svc // nil: in-process in the orchestrator
	hop     *hop
	r       *lockedRand
	layer   *layer
	mu      sync.Mutex
	latency *stats.Histogram
}

// checkoutReq is the body of every checkout hop.
type checkoutReq struct {
	ID     uint64           `json:"id"`
	Cohort int              `json:"cohort"`
	Items  []inventory.Item `json:"items"`
	Step   int              `json:"step,omitempty"`
	SKU    uint32           `json:"sku,omitempty"` // browse
}

// layers are the client hops in the simulator's order.
func (s *System) layers() []*layer {
	out := []*layer{s.gwHop.layer}
	for _, st := range s.steps {
		if st.cfg.Kind != checkout.KindConfirm {
			out = append(out, st.layer)
		}
	}
	for _, p := range s.payer.providers {
		out = append(out, p.layer)
	}
	if s.browse != nil {
		out = append(out, s.browse.layer)
	}
	return out
}

// build creates the services, hops, cache and providers (not started).
func (s *System) build() error {
	cfg := &s.sc.Config
	since := func() float64 { return s.rec.clock.since().Seconds() }
	s.byName = map[string]*svc{}
	for _, sc := range cfg.Services {
		v := newSvc(sc, s.streams.Stream("service/"+sc.Name))
		s.services = append(s.services, v)
		s.byName[sc.Name] = v
	}
	f := &cfg.Flow
	s.gateway = s.byName[f.Gateway]
	s.orch = s.byName[f.Orchestrator]
	var err error
	if s.gwHop, err = newHop(s.base, "gateway->"+f.Orchestrator, f.GatewayPolicy, s.streams.Stream("edge/gateway"), since); err != nil {
		return err
	}
	for i := range f.Steps {
		sc := &f.Steps[i]
		st := &step{cfg: sc, r: &lockedRand{r: s.streams.Stream("step/" + sc.Name)}, latency: new(stats.Histogram)}
		if sc.Service != "" && sc.Service != f.Orchestrator {
			st.svc = s.byName[sc.Service]
		}
		if st.hop, err = newHop(s.base, f.Orchestrator+"->"+sc.Name, sc.Policy, s.streams.Stream("edge/step/"+sc.Name), since); err != nil {
			return err
		}
		st.layer = st.hop.layer
		s.steps = append(s.steps, st)
	}
	if f.Browse.Service != "" && cfg.Traffic.BrowseRatio > 0 && cfg.Traffic.Trace == "" {
		if s.browse, err = newHop(s.base, "gateway->"+f.Browse.Service, f.Browse.Policy, s.streams.Stream("edge/browse"), since); err != nil {
			return err
		}
	}
	s.payer = &payer{cfg: cfg.Payments, client: s.client}
	for _, pc := range cfg.Payments.Providers {
		p := newProvider(pc, s.streams.Stream("provider/"+pc.Name), s.rec.clock)
		if p.hop, err = newHop(s.base, "payment->"+pc.Name, cfg.Payments.Client, s.streams.Stream("payment-client/"+pc.Name), since); err != nil {
			return err
		}
		p.layer = p.hop.layer
		s.payer.providers = append(s.payer.providers, p)
	}
	s.pricingR = &lockedRand{r: s.streams.Stream("pricing")}
	return nil
}

// start starts every server.
func (s *System) start() error {
	for _, v := range s.services {
		var w work
		switch {
		case v == s.gateway:
			w = s.serveGateway
		case v == s.orch:
			w = s.orchestrate
		default:
			w = s.serveStep
		}
		if err := v.start(s.base, w); err != nil {
			return err
		}
	}
	for _, p := range s.payer.providers {
		if err := p.start(s.base); err != nil {
			return err
		}
	}
	return nil
}

// stop shuts every server down, waiting at most until ctx ends.
func (s *System) stop(ctx context.Context) {
	for _, v := range s.services {
		v.close(ctx)
	}
	for _, p := range s.payer.providers {
		if err := p.srv.Shutdown(ctx); err != nil {
			_ = p.srv.Close()
		}
	}
}

func decode(r *http.Request) (checkoutReq, error) {
	var req checkoutReq
	err := json.NewDecoder(r.Body).Decode(&req)
	return req, err
}

// serveGateway passes a checkout (or a browse) to its service through the
// gateway's hop.
func (s *System) serveGateway(ctx context.Context, r *http.Request) (policy.Outcome, string) {
	req, err := decode(r)
	if err != nil {
		return policy.Failure, "gateway:bad_request"
	}
	body, _ := json.Marshal(req)
	if r.URL.Path == "/browse" {
		_, err := s.browse.post(ctx, s.client, s.byName[s.sc.Flow.Browse.Service].url+"/browse", body)
		return callOutcome(err), ""
	}
	cause, err := s.gwHop.post(ctx, s.client, s.orch.url+"/checkout", body)
	return callOutcome(err), cause
}

// serveStep is a step's own service (or the browse service, or the
// confirmation consumer) doing the step's work for one call.
func (s *System) serveStep(ctx context.Context, r *http.Request) (policy.Outcome, string) {
	req, err := decode(r)
	if err != nil {
		return policy.Failure, ""
	}
	if r.URL.Path == "/browse" {
		return callOutcome(s.cache.get(ctx, s.cache.keyOf(cache.Price, req.SKU))), ""
	}
	if req.Step < 0 || req.Step >= len(s.steps) {
		return policy.Failure, ""
	}
	st := s.steps[req.Step]
	if st.cfg.Kind == checkout.KindConfirm {
		// The consumer works for no checkout (as the model's background
		// context): its statements are not the checkout's queries.
		err := s.db.query(ctx, st.cfg.Statements, int(req.ID)%s.db.skus)
		if err == nil {
			s.rec.confirmed.Add(1)
		}
		return callOutcome(err), ""
	}
	_, err = s.kindWork(s.withIntent(ctx, req.ID), nil, st, req, req.Items)
	return callOutcome(err), ""
}

func (s *System) withIntent(ctx context.Context, id uint64) context.Context {
	if q, ok := s.intents.Load(id); ok {
		return withIntent(ctx, q.(*queryCounter))
	}
	return ctx
}

// flowState is one run of the steps (one orchestrator attempt).
type flowState struct {
	mu       sync.Mutex
	txn      *txn // reservation held open across steps
	reserved bool // a committed reservation to give back on failure
}

// orchestrate runs the flow's steps in order on one orchestrator worker.
func (s *System) orchestrate(ctx context.Context, r *http.Request) (policy.Outcome, string) {
	req, err := decode(r)
	if err != nil {
		return policy.Failure, ""
	}
	ctx = s.withIntent(ctx, req.ID)
	fs := &flowState{}
	for _, st := range s.steps {
		if ctx.Err() != nil {
			s.abort(ctx, fs, req)
			return policy.Failure, ""
		}
		start := time.Now()
		o := s.runStep(ctx, fs, st, req)
		st.mu.Lock()
		st.latency.Record(int64(time.Since(start)))
		st.mu.Unlock()
		if o != policy.Success {
			cause := st.cfg.Name + ":" + o.String()
			if o != policy.Overloaded {
				o = policy.Failure
			}
			s.abort(ctx, fs, req)
			return o, cause
		}
		if fs.txn != nil && s.sc.Inventory.HoldUntil == st.cfg.Name {
			t := fs.txn
			fs.txn = nil
			if err := s.db.commit(ctx, t); err != nil {
				return policy.Failure, st.cfg.Name + ":" + policy.Failure.String()
			}
			fs.reserved = true
		}
	}
	if fs.txn != nil {
		t := fs.txn
		fs.txn = nil
		if err := s.db.commit(ctx, t); err != nil {
			return policy.Failure, "commit:" + policy.Failure.String()
		}
	}
	return policy.Success, ""
}

// abort undoes a failed checkout's reservation.
func (s *System) abort(ctx context.Context, fs *flowState, req checkoutReq) {
	switch {
	case fs.txn != nil:
		s.db.rollback(ctx, fs.txn) // and deletes the key's row
		fs.txn = nil
	case fs.reserved:
		fs.reserved = false
		s.db.release(ctx, req.ID, req.Items)
	}
}

// runStep makes the step's calls, one after another.
func (s *System) runStep(ctx context.Context, fs *flowState, st *step, req checkoutReq) policy.Outcome {
	if st.cfg.Kind == checkout.KindConfirm {
		s.publish(ctx, st, req)
		return policy.Success
	}
	items := req.Items
	size := len(items)
	switch st.cfg.Calls {
	case checkout.CallsPerItem:
		size = 1
	case checkout.CallsPerBatch:
		size = st.cfg.BatchSize
	}
	size = max(size, 1)
	for len(items) > 0 {
		group := items[:min(size, len(items))]
		items = items[len(group):]
		var err error
		if st.svc != nil {
			body, _ := json.Marshal(checkoutReq{ID: req.ID, Cohort: req.Cohort, Items: group, Step: s.stepIndex(st)})
			_, err = st.hop.post(ctx, s.client, st.svc.url+"/step", body)
		} else {
			err = st.hop.do(ctx, func(actx context.Context) error { return s.local(actx, fs, st, req, group) })
		}
		if o := callOutcome(err); o != policy.Success {
			return o
		}
		if st.cfg.Kind == checkout.KindInventory && st.svc != nil {
			fs.reserved = true
		}
	}
	return policy.Success
}

func (s *System) stepIndex(st *step) int {
	for i, x := range s.steps {
		if x == st {
			return i
		}
	}
	return -1
}

// local runs an in-process step attempt. Unless the hop cancels on
// timeout, the work goes on when the attempt times out (as a remote server
// would): a reservation finished late is committed, as in the model.
func (s *System) local(actx context.Context, fs *flowState, st *step, req checkoutReq, group []inventory.Item) error {
	if st.hop.pol.CancelOnTimeout {
		t, err := s.kindWork(actx, fs, st, req, group)
		s.adopt(fs, st, t, err)
		return err
	}
	type res struct {
		t   *txn
		err error
	}
	done := make(chan res, 1)
	wctx := detached{Context: actx, run: s.base}
	go func() {
		t, err := s.kindWork(wctx, fs, st, req, group)
		done <- res{t, err}
	}()
	select {
	case r := <-done:
		s.adopt(fs, st, r.t, r.err)
		return r.err
	case <-actx.Done():
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if r := <-done; r.t != nil {
				_ = s.db.commit(context.Background(), r.t)
			}
		}()
		return actx.Err()
	}
}

// adopt records what an in-process step left for the flow.
func (s *System) adopt(fs *flowState, st *step, t *txn, err error) {
	if err != nil || st.cfg.Kind != checkout.KindInventory {
		return
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if t != nil {
		fs.txn = t
	} else {
		fs.reserved = true
	}
}

// kindWork is the server side of one step call. fs is nil when the step
// runs in its own service.
func (s *System) kindWork(ctx context.Context, fs *flowState, st *step, req checkoutReq, group []inventory.Item) (*txn, error) {
	if st.cfg.CPU != nil {
		if err := sleep(ctx, st.r.sample(st.cfg.CPU)); err != nil {
			return nil, err
		}
	}
	switch st.cfg.Kind {
	case checkout.KindPricing:
		return nil, s.price(ctx, group)
	case checkout.KindInventory:
		hold := s.sc.Inventory.HoldUntil != "" && fs != nil
		return s.db.reserve(ctx, req.ID, group, hold)
	case checkout.KindPayment:
		body, _ := json.Marshal(checkoutReq{ID: req.ID})
		if o := s.payer.pay(ctx, body); o != policy.Success {
			return nil, &live.OutcomeError{Outcome: o}
		}
		return nil, nil
	case checkout.KindCart:
		if !s.sc.Traffic.Cohorts[req.Cohort].ColdCache {
			return nil, nil
		}
		return nil, s.stmts(ctx, fs, st, s.db.q.cart, int64(req.ID))
	case checkout.KindOrder:
		return nil, s.stmts(ctx, fs, st, s.db.q.order, int64(req.ID), len(req.Items))
	}
	return nil, s.stmts(ctx, fs, st, "")
}

// stmts runs a step's statements: inside the open reservation transaction
// when one is held and the step runs in the orchestrator, otherwise on a
// connection of its own.
func (s *System) stmts(ctx context.Context, fs *flowState, st *step, first string, args ...any) error {
	n := st.cfg.Statements
	if n == 0 {
		return nil
	}
	if fs != nil {
		fs.mu.Lock()
		t := fs.txn
		fs.mu.Unlock()
		if t != nil && st.svc == nil {
			return s.db.statementsOn(ctx, t.tx, n, first, args...)
		}
	}
	c, err := s.db.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	return s.db.statementsOn(ctx, c, n, first, args...)
}

// publish hands a confirmation to its consumer service, asynchronously.
func (s *System) publish(ctx context.Context, st *step, req checkoutReq) {
	s.rec.published.Add(1)
	if st.svc == nil {
		return
	}
	body, _ := json.Marshal(checkoutReq{ID: req.ID, Step: s.stepIndex(st)})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		req, err := http.NewRequestWithContext(s.base, http.MethodPost, st.svc.url+"/confirm", bytesReader(body))
		if err != nil {
			return
		}
		resp, err := s.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
	}()
}

// price prices a cart: price entries from the cache, then base prices and
// promotion rules from PostgreSQL, batched or one lookup per line (N+1),
// then the per-line computation.
func (s *System) price(ctx context.Context, items []inventory.Item) error {
	cfg := &s.sc.Pricing
	if cfg.PriceReads {
		for _, it := range items {
			if err := s.cache.get(ctx, s.cache.keyOf(cache.Price, it.SKU)); err != nil {
				return err
			}
		}
	}
	skus := make([]int32, len(items))
	for i, it := range items {
		skus[i] = int32(it.SKU)
	}
	one := func(sql string, args ...any) error {
		c, err := s.db.acquire(ctx)
		if err != nil {
			return err
		}
		defer c.Release()
		return s.db.exec(ctx, c, sql, args...)
	}
	if cfg.RuleLookup == pricing.LookupBatched {
		if err := one(s.db.q.pricedRules, skus); err != nil {
			return err
		}
	} else {
		if err := one(s.db.q.priceMany, skus); err != nil {
			return err
		}
		now := s.rec.now()
		for _, it := range items {
			if cfg.Precomputed && s.cache.version(int(it.SKU), now) > 0 {
				continue
			}
			if ctx.Err() != nil {
				break
			}
			var err error
			if cfg.RuleCache {
				err = s.cache.get(ctx, s.cache.keyOf(cache.Rule, it.SKU))
			} else {
				err = one(s.db.q.rule, int(it.SKU))
			}
			if err != nil {
				return err
			}
		}
	}
	var cpu time.Duration
	for range items {
		cpu += s.pricingR.sample(cfg.CPUPerItem)
	}
	return sleep(ctx, cpu)
}

package checkout

import (
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/cart"
	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// The path of one checkout is a chain of recycled records, each with its
// continuations bound once (no closure per hop):
//
//	click -> [gateway service -> gateway edge -> orchestrator service] ->
//	flow (one per orchestrator attempt) -> stepCall (one per call of a
//	step) -> [step edge -> step service] -> work (one per server attempt)
//
// The bracketed chains are call.Handlers built once in New. Each record
// owns a call.Ctx whose holds keep it (and its ancestors) out of the free
// lists while anything under it runs, so the late work of an attempt the
// client gave up on never meets a reused record.

// freeLists holds the recycled records of one system.
type freeLists struct {
	clicks sim.FreeList[click]
	flows  sim.FreeList[flow]
	calls  sim.FreeList[stepCall]
	works  sim.FreeList[work]
	views  sim.FreeList[view]
}

// click is one "pay" click: a request through the gateway.
type click struct {
	s        *System
	in       *intent
	start    sim.Time
	rtt      sim.Time
	trace    call.Trace
	ctx      call.Ctx // the root of the click's contexts
	patience sim.Timer
	answered bool
	outcome  call.Outcome

	entered func()     // bound once: c.enter
	replied call.Reply // bound once: c.onReply
	back    func()     // bound once: c.deliver
	gaveUp  func()     // bound once: c.abandon
}

// Recycle returns the click to the free list once nothing under it runs.
func (c *click) Recycle() {
	s := c.s
	*c = click{s: s, entered: c.entered, replied: c.replied, back: c.back, gaveUp: c.gaveUp}
	s.free.clicks.Put(c)
}

// click sends one request: half the user's round trip to reach the
// gateway, the gateway and the flow, half the round trip back.
func (s *System) click(in *intent) {
	in.clicks++
	now := s.eng.Now()
	c := s.free.clicks.Get(s.freshClick)
	c.in, c.start = in, now
	deadline := sim.Never
	if s.cfg.Flow.Budget > 0 {
		deadline = now + s.cfg.Flow.Budget
	}
	c.ctx.InitRoot(&in.Intent, deadline, &c.trace, c)
	if in.co.Patience != sim.Never {
		c.patience = s.eng.After(in.co.Patience, c.gaveUp)
	}
	if d := s.cfg.Traffic.Cohorts[in.co.Cohort].RTT; d != nil {
		c.rtt = sim.Seconds(d.Sample(s.rRTT))
	}
	c.ctx.Record(call.SpanNetwork, c.rtt)
	s.eng.After(c.rtt/2, c.entered)
}

func (s *System) freshClick() *click {
	c := &click{s: s}
	c.entered, c.replied, c.back, c.gaveUp = c.enter, c.onReply, c.deliver, c.abandon
	return c
}

func (c *click) enter()                 { c.s.entry.Serve(&c.ctx, c.replied) }
func (c *click) abandon()               { c.s.abandon(c) }
func (c *click) onReply(o call.Outcome) { c.outcome = o; c.s.eng.After(c.rtt-c.rtt/2, c.back) }

// deliver is the response reaching the user; the click's own hold on its
// context ends here.
func (c *click) deliver() {
	c.s.respond(c, c.outcome)
	c.ctx.Release()
}

// reservation is what a flow holds of the cart's stock.
type reservation uint8

const (
	reservedNone      reservation = iota
	reservedOpen                  // a long transaction left open until a later step (flow.txn)
	reservedCommitted             // committed: given back with a compensating write on failure
)

// flow is one orchestrator attempt: the steps, in order, on one worker.
type flow struct {
	s       *System
	ctx     call.Ctx // a child of the orchestrator request's context
	reply   call.Reply
	res     reservation
	txn     *inventory.Txn // when res is reservedOpen
	i       int            // the step running
	start   sim.Time       // when step i started
	outcome call.Outcome   // the outcome an abort reports
	groups  call.Seq       // step i's calls

	stepped  call.Reply // bound once: f.onStep
	advance  func()     // bound once: f.nextStep
	ended    func()     // bound once: f.endAborted
	released call.Reply // bound once: f.onReleased
}

// Recycle returns the flow to the free list once nothing under it runs.
func (f *flow) Recycle() {
	s := f.s
	f.reply, f.txn, f.res = nil, nil, reservedNone
	s.free.flows.Put(f)
}

// serveFlow is the orchestrator's work for one gateway attempt.
func (s *System) serveFlow(ctx *call.Ctx, reply call.Reply) {
	f := s.free.flows.Get(s.freshFlow)
	f.ctx.InitInner(ctx, ctx.Deadline, f)
	f.ctx.Req = f
	f.reply, f.i = reply, 0
	f.step()
}

func (s *System) freshFlow() *flow {
	f := &flow{s: s}
	f.groups.Bind(f.callGroup)
	f.stepped, f.advance, f.ended, f.released = f.onStep, f.nextStep, f.endAborted, f.onReleased
	return f
}

// step runs step f.i, or ends the flow after the last one.
func (f *flow) step() {
	s := f.s
	if f.i == len(s.steps) {
		if f.res == reservedOpen { // hold_until named the last step: commit now
			t := f.txn
			f.txn, f.res, f.outcome = nil, reservedCommitted, policy.Success
			t.Commit(f.ended)
			return
		}
		f.end(policy.Success)
		return
	}
	if f.ctx.Cancelled() {
		f.abort(policy.Failure)
		return
	}
	st := s.steps[f.i]
	f.start = s.eng.Now()
	st.run(f, st)
}

// runCalls makes the step's calls, one group of lines after another.
func (f *flow) runCalls(st *stepRT) {
	n := len(f.ctx.Intent.Items)
	size := n
	if st.size > 0 {
		size = st.size
	}
	size = max(size, 1)
	f.groups.Start((n+size-1)/size, f.stepped)
}

// runConfirm publishes the confirmation and moves on at once.
func (f *flow) runConfirm(st *stepRT) {
	f.s.publish(st)
	f.onStep(policy.Success)
}

// onStep is step f.i's outcome.
func (f *flow) onStep(o call.Outcome) {
	s, st := f.s, f.s.steps[f.i]
	if f.ctx.Live() {
		st.latency.Record(int64(s.eng.Now() - f.start))
	}
	if o != policy.Success {
		f.ctx.Fail(st.cfg.Name, o)
		if o != policy.Overloaded {
			o = policy.Failure
		}
		f.abort(o)
		return
	}
	if f.res == reservedOpen && st.commits {
		t := f.txn
		f.txn, f.res = nil, reservedCommitted
		t.Commit(f.advance)
		return
	}
	f.nextStep()
}

func (f *flow) nextStep() {
	f.i++
	f.step()
}

// abort undoes a failed checkout's reservation (an open transaction rolls
// back, a committed one is given back with a compensating write), then
// replies o.
func (f *flow) abort(o call.Outcome) {
	f.outcome = o
	switch f.res {
	case reservedOpen:
		f.txn.Rollback()
		f.txn, f.res = nil, reservedNone
		f.endAborted()
	case reservedCommitted:
		f.res = reservedNone
		f.s.reserver.Release(&f.ctx, f.released)
	default:
		f.endAborted()
	}
}

func (f *flow) onReleased(call.Outcome) { f.endAborted() }
func (f *flow) endAborted()             { f.end(f.outcome) }

// end replies to the orchestrator request; the flow is recycled when
// nothing under it runs any more.
func (f *flow) end(o call.Outcome) {
	reply := f.reply
	f.ctx.Release()
	reply(o)
}

// reserved records a successful reservation: an open transaction, or a
// committed one. A committed one arriving while a transaction is open
// (an abandoned attempt's) leaves the open one in charge.
func (f *flow) reserved(t *inventory.Txn) {
	switch {
	case t != nil:
		f.txn, f.res = t, reservedOpen
	case f.res == reservedNone:
		f.res = reservedCommitted
	}
}

// stepRT is a flow step at run time, with its work chosen once.
type stepRT struct {
	cfg     *Step
	svc     *service.Service // nil: in-process in the orchestrator
	edge    *call.Edge
	call    call.Handler // step edge -> step service (if any) -> the step's work
	run     func(f *flow, st *stepRT)
	work    func(w *work)
	size    int  // lines per call; 0: the whole cart
	commits bool // an open reservation commits after this step (hold_until)
	r       *rand.Rand
	latency *stats.Histogram
	drain   call.Handler // confirm: the consumer service running the statements
}

func (s *System) newStep(sc *Step) (*stepRT, error) {
	f := &s.cfg.Flow
	st := &stepRT{cfg: sc, r: s.streams.Stream("step/" + sc.Name), latency: new(stats.Histogram),
		run: (*flow).runCalls, commits: s.reserver.HoldsAcross(sc.Name)}
	if sc.Service != "" && sc.Service != f.Orchestrator {
		st.svc = s.byName[sc.Service]
	}
	var err error
	if st.edge, err = call.NewEdge(s.eng, f.Orchestrator+"->"+sc.Name, sc.Policy, s.streams.Stream("edge/step/"+sc.Name)); err != nil {
		return nil, err
	}
	switch sc.Calls {
	case CallsPerItem:
		st.size = 1
	case CallsPerBatch:
		st.size = sc.BatchSize
	}
	switch sc.Kind {
	case KindPricing:
		st.work = (*work).price
	case KindInventory:
		st.work = (*work).reserve
	case KindPayment:
		st.work = (*work).pay
	case KindCart:
		st.work = (*work).loadCart
	case KindConfirm:
		st.run = (*flow).runConfirm
		if st.svc != nil {
			st.drain = st.svc.Serve(call.HandlerFunc(func(ctx *call.Ctx, reply call.Reply) { s.statements(ctx, st, reply) }))
		}
	default: // generic, order
		st.work = (*work).statements
	}
	var h call.Handler = stepWork{st}
	if st.svc != nil {
		h = st.svc.Serve(h)
	}
	st.call = st.edge.Wrap(h)
	return st, nil
}

// stepCall is one call of a step, for one group of lines. Its context,
// a child of the flow's, carries it to the work at the end of the chain.
type stepCall struct {
	f      *flow
	st     *stepRT
	ctx    call.Ctx
	group  []cart.Item
	next   call.Reply
	called call.Reply // bound once: sc.onCalled
}

// Recycle returns the call to the free list once nothing under it runs.
func (sc *stepCall) Recycle() {
	s := sc.f.s
	sc.f, sc.st, sc.group, sc.next = nil, nil, nil, nil
	s.free.calls.Put(sc)
}

// callGroup makes step f.i's call for group g of the cart's lines.
func (f *flow) callGroup(g int, next call.Reply) {
	s, st := f.s, f.s.steps[f.i]
	items := f.ctx.Intent.Items
	size := len(items)
	if st.size > 0 {
		size = st.size
	}
	size = max(size, 1)
	sc := s.free.calls.Get(freshStepCall)
	sc.f, sc.st, sc.next = f, st, next
	sc.group = items[g*size : min((g+1)*size, len(items))]
	sc.ctx.InitInner(&f.ctx, f.ctx.Deadline, sc)
	sc.ctx.Req = sc
	st.call.Serve(&sc.ctx, sc.called)
}

func freshStepCall() *stepCall {
	sc := &stepCall{}
	sc.called = sc.onCalled
	return sc
}

func (sc *stepCall) onCalled(o call.Outcome) {
	next := sc.next
	sc.ctx.Release()
	next(o)
}

// stepWork is the server side of a step's calls: the step's work, after
// its CPU time, for the call its context carries.
type stepWork struct{ st *stepRT }

func (h stepWork) Serve(ctx *call.Ctx, reply call.Reply) {
	st := h.st
	sc := ctx.Req.(*stepCall)
	s := sc.f.s
	w := s.free.works.Get(freshWork)
	w.sc, w.ctx, w.done = sc, ctx, reply
	if st.cfg.CPU != nil {
		w.cpu = sim.Seconds(st.cfg.CPU.Sample(st.r))
		s.eng.After(w.cpu, w.cpuDone)
		return
	}
	st.work(w)
}

// work is one server attempt of a step call.
type work struct {
	sc   *stepCall
	ctx  *call.Ctx
	done call.Reply
	cpu  sim.Time

	cpuDone    func()                             // bound once: w.onCPU
	reservedFn func(call.Outcome, *inventory.Txn) // bound once: w.onReserved
	ran        func()                             // bound once: w.onStatements
}

func freshWork() *work {
	w := &work{}
	w.cpuDone, w.reservedFn, w.ran = w.onCPU, w.onReserved, w.onStatements
	return w
}

// finish recycles the work, then replies.
func (w *work) finish(o call.Outcome) {
	s, done := w.sc.f.s, w.done
	w.sc, w.ctx, w.done = nil, nil, nil
	s.free.works.Put(w)
	done(o)
}

func (w *work) onCPU() {
	w.ctx.Record(call.SpanCPU, w.cpu)
	w.sc.st.work(w)
}

func (w *work) price() {
	s, ctx, group, done := w.sc.f.s, w.ctx, w.sc.group, w.done
	w.recycle()
	s.pricer.Price(ctx, group, done)
}

func (w *work) pay() {
	s, ctx, done := w.sc.f.s, w.ctx, w.done
	w.recycle()
	s.rec.paying(ctx.Intent)
	s.payer.Pay(ctx, done)
}

func (w *work) reserve() {
	s := w.sc.f.s
	s.reserver.Reserve(w.ctx, w.sc.group, s.cfg.Inventory.HoldUntil != "", w.reservedFn)
}

func (w *work) onReserved(o call.Outcome, t *inventory.Txn) {
	if o == policy.Success {
		w.sc.f.reserved(t)
	}
	w.finish(o)
}

func (w *work) loadCart() {
	s := w.sc.f.s
	if !s.cfg.Traffic.Cohorts[w.ctx.Intent.Cohort].ColdCache {
		w.finish(policy.Success)
		return
	}
	w.statements()
}

// statements runs the step's statements: inside the open reservation
// transaction when the step runs in the orchestrator while one is held
// (the transaction spans this step), otherwise on a connection of its own.
func (w *work) statements() {
	st, f := w.sc.st, w.sc.f
	if st.cfg.Statements == 0 {
		w.finish(policy.Success)
		return
	}
	if f.res == reservedOpen && st.svc == nil {
		f.txn.Exec(w.ctx, st.cfg.Statements, w.ran)
		return
	}
	s, ctx, done := f.s, w.ctx, w.done
	w.recycle()
	s.db.Query(ctx, st.cfg.Statements, call.SpanDB, done)
}

func (w *work) onStatements() { w.finish(policy.Success) }

// recycle returns the work to the free list without replying: the caller
// passed its reply on.
func (w *work) recycle() {
	s := w.sc.f.s
	w.sc, w.ctx, w.done = nil, nil, nil
	s.free.works.Put(w)
}

// statements runs a confirm step's statements for its consumer.
func (s *System) statements(ctx *call.Ctx, st *stepRT, done call.Reply) {
	if st.cfg.Statements == 0 {
		done(policy.Success)
		return
	}
	s.db.Query(ctx, st.cfg.Statements, call.SpanDB, done)
}

// publish hands a confirmation to the asynchronous consumer: its service's
// worker queue is the message backlog.
func (s *System) publish(st *stepRT) {
	s.rec.published++
	if st.drain == nil {
		return
	}
	st.drain.Serve(s.bg, s.confirmed)
}

func (s *System) onConfirmed(o call.Outcome) {
	if o == policy.Success {
		s.rec.confirmed++
	}
}

// view is one product page view: gateway, catalog service, a price read
// from the cache (a miss reads the database).
type view struct {
	s        *System
	ctx      call.Ctx
	sku      uint32
	start    sim.Time
	measured bool
	replied  call.Reply // bound once: v.onReply
}

// Recycle returns the view to the free list once nothing under it runs.
func (v *view) Recycle() { v.s.free.views.Put(v) }

func (s *System) browseOnce() {
	v := s.free.views.Get(s.freshView)
	v.start = s.eng.Now()
	v.measured = v.start >= s.cfg.Warmup
	v.sku = s.source.SKU(s.browse.r)
	v.ctx.InitRoot(nil, sim.Never, nil, v)
	v.ctx.Req = v
	s.browse.entry.Serve(&v.ctx, v.replied)
}

func (s *System) freshView() *view {
	v := &view{s: s}
	v.replied = v.onReply
	return v
}

// serveBrowse is the catalog service's work: the price read.
func (s *System) serveBrowse(ctx *call.Ctx, reply call.Reply) {
	v := ctx.Req.(*view)
	s.cache.Get(ctx, s.cache.Key(cache.Price, v.sku), reply)
}

func (v *view) onReply(o call.Outcome) {
	b := &v.s.browse
	if v.measured {
		b.requests++
		if o != policy.Success {
			b.failed++
		}
		b.latency.Record(int64(v.s.eng.Now() - v.start))
	}
	v.ctx.Release()
}

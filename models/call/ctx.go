// Package call is the client side of every hop in the checkout model: the
// context an attempt carries (deadline, abandonment, attribution) and the
// Edge that drives one call through the real policy cores (deadline ->
// retry -> breaker -> bulkhead -> the call) in virtual time.
//
// Retry multiplication across layers is never computed here: each layer is
// an Edge with its own retrier, and the calls that reach the bottom are
// simply counted.
package call

import (
	"time"

	"github.com/checkoutsim/checkoutsim/models/cart"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
)

// Outcome is the result of an attempt or a call, as the policy package
// classifies it.
type Outcome = policy.Outcome

// Span is a category of time in the latency attribution of a checkout.
type Span int

// The attribution categories. They are exclusive: each moment of a
// checkout's live path is recorded under one of them by the leaf operation
// that spends it; the remainder of the latency is "other".
const (
	SpanQueue     Span = iota // waiting for a service worker
	SpanCPU                   // service CPU time
	SpanPoolWait              // waiting for a database connection
	SpanLockWait              // waiting for an inventory row lock
	SpanDB                    // running database statements
	SpanCacheMiss             // database work to refill a cache miss
	SpanPricing               // pricing work (its CPU and rule lookups)
	SpanProvider              // waiting on the payment provider
	SpanBackoff               // sleeping between retries
	SpanNetwork               // client network round trips
	SpanTimedOut              // waiting on attempts that then timed out (beyond the spans inside them)
	NumSpans
)

var spanNames = [NumSpans]string{
	"queueing", "cpu", "pool_wait", "lock_wait", "db", "cache_miss",
	"pricing", "provider", "backoff", "network", "timed_out_wait",
}

// String returns the span's name as used in reports.
func (s Span) String() string {
	if s < 0 || s >= NumSpans {
		return "other"
	}
	return spanNames[s]
}

// Trace accumulates the time spans of one user request.
type Trace struct {
	Spans [NumSpans]sim.Time
	total sim.Time // sum of Spans
	// FailedAt and FailedWith are the last step failure recorded for the
	// request (Ctx.Fail): the step's name and the call's outcome.
	FailedAt   string
	FailedWith Outcome
}

// Total returns the time recorded so far, all spans together.
func (t *Trace) Total() sim.Time { return t.total }

// Intent is what one checkout (a user's intent to buy, across re-clicks and
// retries) accumulates wherever its work runs, live or abandoned.
type Intent struct {
	ID           uint64      // the checkout ID: idempotency key
	Items        []cart.Item // the cart
	Cohort       int         // the user's cohort (index into the traffic config)
	Queries      int         // database statements run on its behalf
	Reservations int         // committed, not yet released stock reservations
	// Paying is set while the checkout is in flight once it has reached
	// the payment code (the recorder counts it once).
	Paying bool
}

// Reply receives the outcome of a call, an attempt or a piece of work,
// exactly once. Records bind their Reply methods once, so passing one
// allocates nothing.
type Reply = func(Outcome)

// Handler serves one request: it does the work for ctx and replies once.
// Chains of handlers (a service in front of an edge in front of a service)
// are built once, as net/http handlers are; what differs per request
// travels in the context.
type Handler interface {
	Serve(ctx *Ctx, reply Reply)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx *Ctx, reply Reply)

// Serve calls f.
func (f HandlerFunc) Serve(ctx *Ctx, reply Reply) { f(ctx, reply) }

// Recycler is a record that owns a context and goes back to its free list
// once nothing can reach the context any more (see Ctx.Release).
type Recycler interface {
	Recycle()
}

// Ctx is the server-side context of one attempt. Contexts form a chain:
// a call made while serving an attempt gets a child context. When a client
// stops waiting (timeout, user abandonment) its attempt is "gone"; with
// cancellation the work below it is also abandoned at the next step
// boundary, without it the server keeps working for nobody.
//
// A context that lives in a recycled record (Init) counts its holds: one
// for its owner, one for each live child and one for each other holder
// (Hold). The last Release recycles the owner and releases the parent, so
// a zombie attempt's late work never sees a context that was reused: the
// records under it stay out of the free lists until it is done.
type Ctx struct {
	parent   *Ctx
	up       *Ctx // the nearest ancestor that can be abandoned (Live and Cancelled walk these)
	trace    *Trace
	Intent   *Intent  // nil for background work
	Req      any      // the request record the handler at the end of a chain serves; inherited
	owner    Recycler // nil: not recycled (Root, Background, Child)
	refs     int32
	Deadline sim.Time // absolute; sim.Never when none propagates
	Tag      Span     // when SpanPricing, CPU and DB time count as pricing
	gone     bool
	cancel   bool
	inner    bool // never abandoned itself (InitInner): descendants skip it when walking up
}

// Root returns a context for a new user request (one click) of intent in,
// recording its time spans into tr.
func Root(in *Intent, deadline sim.Time, tr *Trace) *Ctx {
	return &Ctx{trace: tr, Intent: in, Deadline: deadline, Tag: -1}
}

// InitRoot makes c a root context owned by owner, with one hold for the
// owner.
func (c *Ctx) InitRoot(in *Intent, deadline sim.Time, tr *Trace, owner Recycler) {
	*c = Ctx{trace: tr, Intent: in, Deadline: deadline, Tag: -1, owner: owner, refs: 1}
}

// Background returns a context for work nobody waits on (refreshes,
// pre-warming, asynchronous consumers).
func Background() *Ctx { return &Ctx{Deadline: sim.Never, Tag: -1} }

// Child returns a context for work done on behalf of c with the given
// deadline (sim.Never when none propagates). It is not recycled and holds
// nothing: use it only under a context that outlives it.
func (c *Ctx) Child(deadline sim.Time) *Ctx {
	x := Ctx{parent: c, up: c.walk(), trace: c.trace, Intent: c.Intent, Req: c.Req, Deadline: deadline, Tag: c.Tag}
	return &x
}

// Init makes c a child of parent owned by owner, with one hold for the
// owner; it holds parent until c is recycled.
func (c *Ctx) Init(parent *Ctx, deadline sim.Time, owner Recycler) {
	*c = Ctx{parent: parent, up: parent.walk(), trace: parent.trace, Intent: parent.Intent, Req: parent.Req,
		Deadline: deadline, Tag: parent.Tag, owner: owner, refs: 1}
	parent.Hold()
}

// InitInner is Init for a context that is never abandoned itself (a
// flow, a step call, a pricing job: records inside one attempt's work).
// Its descendants skip it when they look for abandoned ancestors.
func (c *Ctx) InitInner(parent *Ctx, deadline sim.Time, owner Recycler) {
	c.Init(parent, deadline, owner)
	c.inner = true
}

// walk returns where a child's walk up the abandonable ancestors starts.
func (c *Ctx) walk() *Ctx {
	if c.inner {
		return c.up
	}
	return c
}

// Hold keeps c, and so its ancestors, from being recycled until Release.
func (c *Ctx) Hold() {
	if c.owner != nil {
		c.refs++
	}
}

// Release drops one hold on c. The last one recycles c's owner and then
// releases c's parent.
func (c *Ctx) Release() {
	if c.owner == nil {
		return
	}
	c.refs--
	if c.refs > 0 {
		return
	}
	if c.refs < 0 {
		panic("call: context released more often than held")
	}
	parent, owner := c.parent, c.owner
	c.parent, c.up, c.owner, c.trace, c.Intent, c.Req = nil, nil, nil, nil, nil, nil
	c.inner = false
	owner.Recycle()
	if parent != nil {
		parent.Release()
	}
}

// Abandon marks c as no longer awaited; with cancel the work under it is
// to be dropped at its next step boundary.
func (c *Ctx) Abandon(cancel bool) {
	if c.inner {
		panic("call: an inner context cannot be abandoned")
	}
	c.gone = true
	c.cancel = cancel
}

// Cancelled reports whether the work under c should stop: c or one of its
// ancestors was abandoned with cancellation.
func (c *Ctx) Cancelled() bool {
	for x := c; x != nil; x = x.up {
		if x.gone && x.cancel {
			return true
		}
	}
	return false
}

// Live reports whether anybody still waits on c: neither c nor an ancestor
// was abandoned. Only live work is attributed to the request.
func (c *Ctx) Live() bool {
	for x := c; x != nil; x = x.up {
		if x.gone {
			return false
		}
	}
	return true
}

// Expired reports whether the propagated deadline has passed.
func (c *Ctx) Expired(now sim.Time) bool { return now >= c.Deadline }

// Record attributes d of the request's live path to span s. CPU and DB
// time under a pricing tag count as pricing.
func (c *Ctx) Record(s Span, d sim.Time) {
	if c.trace == nil || d <= 0 || !c.Live() {
		return
	}
	if c.Tag == SpanPricing && (s == SpanCPU || s == SpanDB) {
		s = SpanPricing
	}
	c.trace.Spans[s] += d
	c.trace.total += d
}

// recorded returns the trace's total so far (0 without a trace).
func (c *Ctx) recorded() sim.Time {
	if c.trace == nil {
		return 0
	}
	return c.trace.total
}

// Fail records that step where failed with outcome o, for the request's
// failure cause.
func (c *Ctx) Fail(where string, o Outcome) {
	if c.trace != nil {
		c.trace.FailedAt, c.trace.FailedWith = where, o
	}
}

// CountQueries adds n database statements to the intent's count.
func (c *Ctx) CountQueries(n int) {
	if c.Intent != nil {
		c.Intent.Queries += n
	}
}

// Wall converts virtual time to the time.Time the policy cores take. The
// epoch is arbitrary; only differences matter to the policies.
func Wall(t sim.Time) time.Time { return time.Unix(0, int64(t)) }

// Seq runs one step per index, in sequence, then replies: the loop of
// "for each item (or group, or line), one after another, then done". A
// step that replies other than Success ends the loop with that outcome.
// Embed it in a recycled record and call Bind once; Start allocates
// nothing.
type Seq struct {
	n, i int
	step func(i int, next Reply)
	done Reply
	next Reply // bound once: s.onNext
}

// Bind sets the step run for each index; call it once per record.
func (s *Seq) Bind(step func(i int, next Reply)) {
	s.step, s.next = step, s.onNext
}

// Start runs the steps for indices 0 .. n-1, then done(Success).
func (s *Seq) Start(n int, done Reply) {
	s.n, s.i, s.done = n, 0, done
	s.run()
}

// Stop ends the loop early with outcome o, from a step that does not call
// its next.
func (s *Seq) Stop(o Outcome) {
	done := s.done
	s.done = nil
	done(o)
}

func (s *Seq) run() {
	if s.i == s.n {
		s.Stop(policy.Success)
		return
	}
	s.step(s.i, s.next)
}

func (s *Seq) onNext(o Outcome) {
	if o != policy.Success {
		s.Stop(o)
		return
	}
	s.i++
	s.run()
}

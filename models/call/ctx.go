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
}

// Total returns the time recorded so far, all spans together.
func (t *Trace) Total() sim.Time { return t.total }

// Intent is what one checkout (a user's intent to buy, across re-clicks and
// retries) accumulates wherever its work runs, live or abandoned.
type Intent struct {
	ID           uint64 // the checkout ID: idempotency key
	Queries      int    // database statements run on its behalf
	Reservations int    // committed, not yet released stock reservations
}

// Ctx is the server-side context of one attempt. Contexts form a chain:
// a call made while serving an attempt gets a child context. When a client
// stops waiting (timeout, user abandonment) its attempt is "gone"; with
// cancellation the work below it is also abandoned at the next step
// boundary, without it the server keeps working for nobody.
type Ctx struct {
	parent   *Ctx
	trace    *Trace
	Intent   *Intent  // nil for background work
	Deadline sim.Time // absolute; sim.Never when none propagates
	Tag      Span     // when SpanPricing, CPU and DB time count as pricing
	gone     bool
	cancel   bool
}

// Root returns a context for a new user request (one click) of intent in,
// recording its time spans into tr.
func Root(in *Intent, deadline sim.Time, tr *Trace) *Ctx {
	return &Ctx{trace: tr, Intent: in, Deadline: deadline, Tag: -1}
}

// Background returns a context for work nobody waits on (refreshes,
// pre-warming, asynchronous consumers).
func Background() *Ctx { return &Ctx{Deadline: sim.Never, Tag: -1} }

// Child returns a context for work done on behalf of c with the given
// deadline (sim.Never when none propagates).
func (c *Ctx) Child(deadline sim.Time) *Ctx {
	x := c.child(deadline)
	return &x
}

// child is Child by value, for callers that embed the context.
func (c *Ctx) child(deadline sim.Time) Ctx {
	return Ctx{parent: c, trace: c.trace, Intent: c.Intent, Deadline: deadline, Tag: c.Tag}
}

// Abandon marks c as no longer awaited; with cancel the work under it is
// to be dropped at its next step boundary.
func (c *Ctx) Abandon(cancel bool) {
	c.gone = true
	c.cancel = cancel
}

// Cancelled reports whether the work under c should stop: c or one of its
// ancestors was abandoned with cancellation.
func (c *Ctx) Cancelled() bool {
	for x := c; x != nil; x = x.parent {
		if x.gone && x.cancel {
			return true
		}
	}
	return false
}

// Live reports whether anybody still waits on c: neither c nor an ancestor
// was abandoned. Only live work is attributed to the request.
func (c *Ctx) Live() bool {
	for x := c; x != nil; x = x.parent {
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

// CountQueries adds n database statements to the intent's count.
func (c *Ctx) CountQueries(n int) {
	if c.Intent != nil {
		c.Intent.Queries += n
	}
}

// Wall converts virtual time to the time.Time the policy cores take. The
// epoch is arbitrary; only differences matter to the policies.
func Wall(t sim.Time) time.Time { return time.Unix(0, int64(t)) }

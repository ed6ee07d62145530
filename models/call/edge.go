package call

import (
	"fmt"
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
)

// Policy is the policy stack on one call edge, applied in the order of
// policy.Order: deadline -> retry (with its budget) -> breaker -> throttle
// -> bulkhead -> the call. Every field is optional; the zero Policy is one
// attempt with no timeout.
type Policy struct {
	// AttemptTimeout bounds each attempt (0: none); YAML "timeout". A
	// retry config's own per_attempt_timeout, when set, takes precedence.
	AttemptTimeout sim.Time `yaml:"timeout"`
	// CallTimeout bounds the whole call, every attempt and backoff
	// included (0: only the caller's propagated deadline, if any).
	CallTimeout sim.Time
	// Retry retries failed attempts; nil means a single attempt.
	Retry *policy.RetryConfig
	// TokenBucket is a gRPC-style retry budget shared by all calls on the edge.
	TokenBucket *policy.TokenBucketConfig
	// RatioBudget is a Finagle-style retry budget shared by all calls.
	RatioBudget *policy.RatioBudgetConfig
	// Breaker is a circuit breaker shared by all calls on the edge.
	Breaker *policy.BreakerConfig
	// Throttle is SRE client-side adaptive throttling shared by all calls.
	Throttle *policy.ThrottleConfig
	// Bulkhead limits the calls in flight on the edge.
	Bulkhead *policy.BulkheadConfig
	// PropagateDeadline passes the caller's remaining deadline (and the
	// attempt timeout) down, so attempts that cannot finish are not
	// started and deadline-aware servers drop expired work.
	PropagateDeadline bool
	// CancelOnTimeout cancels the server-side work of an attempt the
	// client gave up on. Without it the work continues for nobody.
	CancelOnTimeout bool
}

// Validate checks the policy stack.
func (p *Policy) Validate() error {
	var errs []error
	if p.AttemptTimeout < 0 {
		errs = append(errs, check.Field("timeout", "must be >= 0, got %v", p.AttemptTimeout))
	}
	if p.CallTimeout < 0 {
		errs = append(errs, check.Field("call_timeout", "must be >= 0, got %v", p.CallTimeout))
	}
	if p.TokenBucket != nil && p.RatioBudget != nil {
		errs = append(errs, check.Field("ratio_budget", "choose one retry budget: token_bucket or ratio_budget"))
	}
	if (p.TokenBucket != nil || p.RatioBudget != nil) && p.Retry == nil {
		errs = append(errs, check.Field("retry", "a retry budget needs a retry policy"))
	}
	return check.Join(errs...)
}

// Edge is one caller -> callee hop with its policy stack. Its retry budget,
// breaker and bulkhead are shared by every call made on it, as they would
// be in one client process.
type Edge struct {
	Name     string
	eng      *sim.Engine
	pol      Policy
	stack    *policy.Stack
	retry    *policy.RetryPolicy
	breaker  *policy.Breaker
	throttle *policy.Throttle
	bulkhead *policy.Bulkhead
	waiting  map[policy.WaiterID]*attempt // queued at the bulkhead (lookup only)
	expiry   sim.Timer
	nextID   policy.WaiterID
	expired  []policy.WaiterID
	direct   bool // no timeout, retry, breaker or bulkhead: call the server as is

	freeCalls    sim.FreeList[callState] // recycled; as many as were ever in flight
	freeAttempts sim.FreeList[attempt]

	Calls        int64    // calls made (first attempts)
	Attempts     int64    // attempts that reached the server
	Outcomes     [8]int64 // attempt outcomes by policy.Outcome
	CallOutcomes [8]int64 // final call outcomes
	// TimeoutSpan is where the wait on an attempt that timed out is
	// attributed (SpanTimedOut unless the edge's server is a leaf
	// dependency such as a payment provider).
	TimeoutSpan Span

	BreakerChanges []policy.StateChange // the first MaxBreakerChanges, in time order
	BreakerFlips   int64                // all state changes

	// Observe, when set, is called with every retry decision, after each
	// attempt (tests compare them with policy/live's).
	Observe func(Decision)
}

// Decision is one attempt's outcome (Rejected if a layer refused it,
// naming the layer) and the retry decision taken after it: the same record
// as policy/live's Event, in virtual time.
type Decision struct {
	At         sim.Time
	Attempt    int
	Outcome    Outcome
	RejectedBy policy.Layer // "" unless a layer refused the attempt
	Decision   policy.RetryDecision
}

// MaxBreakerChanges bounds the breaker changes an edge keeps, so a
// flapping breaker cannot make memory grow with the length of a run.
const MaxBreakerChanges = 1000

// NewEdge builds an edge on engine e; r draws jitter. Its cores are built
// from p.Stack(), the composition production clients use.
func NewEdge(e *sim.Engine, name string, p Policy, r *rand.Rand) (*Edge, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	st, err := p.Stack().Build(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ed := &Edge{Name: name, eng: e, pol: p, stack: st, retry: st.Retry, breaker: st.Breaker, throttle: st.Throttle,
		bulkhead: st.Bulkhead, TimeoutSpan: SpanTimedOut}
	ed.direct = p.AttemptTimeout == 0 && p.CallTimeout == 0 && p.Retry == nil && p.Breaker == nil &&
		p.Throttle == nil && p.Bulkhead == nil && !p.PropagateDeadline
	if ed.breaker != nil {
		ed.breaker.OnStateChange(func(sc policy.StateChange) {
			ed.BreakerFlips++
			if len(ed.BreakerChanges) < MaxBreakerChanges {
				ed.BreakerChanges = append(ed.BreakerChanges, sc)
			}
		})
	}
	if ed.bulkhead != nil {
		ed.waiting = make(map[policy.WaiterID]*attempt)
	}
	return ed, nil
}

// Breaker returns the edge's breaker, or nil.
func (ed *Edge) Breaker() *policy.Breaker { return ed.breaker }

// Wrap returns a handler that calls next through the edge: the client side
// of the hop in front of its server side, built once.
func (ed *Edge) Wrap(next Handler) Handler { return wrapped{ed, next} }

type wrapped struct {
	ed   *Edge
	next Handler
}

func (w wrapped) Serve(ctx *Ctx, reply Reply) { w.ed.Call(ctx, w.next, reply) }

// callState is one call: its retrier and the caller's continuation. It is
// recycled when the call finishes: no event or attempt refers to it then.
type callState struct {
	ed       *Edge
	parent   *Ctx
	next     Handler
	done     Reply
	r        policy.Retrier
	deadline sim.Time // the call's: the caller's (when propagated) or CallTimeout's, whichever is first
	try      func()   // bound once: c.tryNext
	direct   Reply    // bound once: c.onDirect
}

// attempt is one attempt of a call. It is recycled when it is decided
// (reply, timeout or rejection) and its server has replied (Recycle, through
// its context's last Release), so a late reply finds it marked finished.
type attempt struct {
	ed       *Edge
	c        *callState // nil once the attempt is decided
	ctx      Ctx        // the attempt's context, allocated with the attempt
	timeout  sim.Time
	timer    sim.Timer
	permit   policy.Permit
	start    sim.Time
	recorded sim.Time // the trace's total when the attempt started
	finished bool
	ran      bool  // reached the server
	bulk     bool  // holds a bulkhead slot
	reply    Reply // bound once: a.onReply
	expire   func()
}

func (ed *Edge) newCall() *callState { return ed.freeCalls.Get(ed.freshCall) }

func (ed *Edge) freshCall() *callState {
	c := &callState{ed: ed}
	c.try, c.direct = c.tryNext, c.onDirect
	return c
}

func (ed *Edge) newAttempt(c *callState, timeout sim.Time) *attempt {
	a := ed.freeAttempts.Get(ed.freshAttempt)
	a.c, a.timeout = c, timeout
	return a
}

func (ed *Edge) freshAttempt() *attempt {
	a := &attempt{ed: ed}
	a.reply, a.expire = a.onReply, a.onTimeout
	return a
}

// Recycle returns the attempt to its edge's free list.
func (a *attempt) Recycle() {
	ed := a.ed
	*a = attempt{ed: ed, reply: a.reply, expire: a.expire}
	ed.freeAttempts.Put(a)
}

// Call makes one call on the edge on behalf of parent: attempts go through
// the policy stack to next, and done receives the call's final outcome.
func (ed *Edge) Call(parent *Ctx, next Handler, done Reply) {
	ed.Calls++
	c := ed.newCall()
	c.parent, c.next, c.done = parent, next, done
	if ed.direct {
		// Nothing can abandon or repeat the attempt, so it needs no state
		// of its own: the server works in the caller's context.
		ed.Attempts++
		next.Serve(parent, c.direct)
		return
	}
	now := ed.eng.Now()
	c.deadline = sim.Never
	if ed.pol.PropagateDeadline {
		c.deadline = parent.Deadline
	}
	if t := ed.pol.CallTimeout; t > 0 && now+t < c.deadline {
		c.deadline = now + t
	}
	dl := policy.NoDeadline
	if c.deadline != sim.Never {
		dl = policy.DeadlineAt(Wall(c.deadline))
	}
	c.r = ed.retry.Start(Wall(now), dl)
	c.tryNext()
}

func (c *callState) onDirect(o Outcome) {
	c.ed.Outcomes[o]++
	c.finish(o)
}

// tryNext starts the next attempt, if the deadline leaves time for it.
func (c *callState) tryNext() {
	ed := c.ed
	now := ed.eng.Now()
	timeout, ok := c.r.AttemptTimeout(Wall(now))
	if !ok {
		c.finish(policy.Timeout)
		return
	}
	a := ed.newAttempt(c, sim.FromDuration(timeout))
	if ed.breaker != nil {
		p, err := ed.breaker.Allow(Wall(now))
		if err != nil {
			a.Recycle()
			c.settle(policy.Rejected, policy.LayerBreaker)
			return
		}
		a.permit = p
	}
	if ed.throttle != nil && !ed.throttle.Allow(Wall(now)) {
		a.reject(policy.LayerThrottle)
		return
	}
	if ed.bulkhead != nil {
		ed.nextID++
		id := ed.nextID
		switch ed.bulkhead.Acquire(Wall(now), id) {
		case policy.BulkheadRejected:
			a.reject(policy.LayerBulkhead)
			return
		case policy.BulkheadQueued:
			ed.waiting[id] = a
			ed.scheduleExpiry()
			return
		}
		a.bulk = true
	}
	a.run()
}

// run sends the attempt to the server with its timeout.
func (a *attempt) run() {
	c, ed := a.c, a.ed
	now := ed.eng.Now()
	a.start = now
	a.recorded = c.parent.recorded()
	deadline := sim.Never
	if ed.pol.PropagateDeadline {
		deadline = c.deadline
		if a.timeout > 0 && now+a.timeout < deadline {
			deadline = now + a.timeout
		}
	}
	a.ctx.Init(c.parent, deadline, a)
	if a.timeout > 0 {
		a.timer = ed.eng.After(a.timeout, a.expire)
	}
	ed.Attempts++
	a.ran = true
	c.next.Serve(&a.ctx, a.reply)
}

// onReply is the server's reply. The server is done with the attempt's
// context either way; a reply to an attempt the client gave up on changes
// nothing else.
func (a *attempt) onReply(o Outcome) {
	if a.finished {
		a.ctx.Release()
		return
	}
	a.finished = true
	a.ed.eng.Cancel(a.timer)
	a.release(o)
	c := a.c
	a.c = nil
	a.ctx.Release()
	c.settle(o, "")
}

func (a *attempt) onTimeout() {
	if a.finished {
		return
	}
	a.finished = true
	// The client waited the whole timeout; what live work inside the
	// attempt has not already recorded is attributed to the edge's span.
	ed, c := a.ed, a.c
	waited := ed.eng.Now() - a.start - (c.parent.recorded() - a.recorded)
	c.parent.Record(ed.TimeoutSpan, waited)
	a.ctx.Abandon(ed.pol.CancelOnTimeout)
	a.release(policy.Timeout)
	a.c = nil
	c.settle(policy.Timeout, "")
}

// reject ends an attempt a layer refused before it ran: the breaker hears
// Rejected (which it ignores).
func (a *attempt) reject(by policy.Layer) {
	c := a.c
	a.release(policy.Rejected)
	a.Recycle()
	c.settle(policy.Rejected, by)
}

// release reports to the breaker and throttle and frees the bulkhead slot.
func (a *attempt) release(o Outcome) {
	ed := a.ed
	now := ed.eng.Now()
	if ed.breaker != nil && a.permit != (policy.Permit{}) {
		ed.breaker.Record(Wall(now), a.permit, o, (now - a.start).Duration())
	}
	if ed.throttle != nil && a.ran { // only attempts that reached the server
		ed.throttle.Record(Wall(now), o)
	}
	if a.bulk {
		a.bulk = false
		if id, ok := ed.bulkhead.Release(Wall(now)); ok {
			ed.admit(id)
		}
	}
}

// settle counts an attempt outcome (by: the layer that refused it, if
// one did) and retries or finishes the call.
func (c *callState) settle(o Outcome, by policy.Layer) {
	ed := c.ed
	ed.Outcomes[o]++
	now := ed.eng.Now()
	d := c.r.Next(Wall(now), o)
	if ed.Observe != nil {
		attempt := c.r.Attempt()
		if d.Retry {
			attempt--
		}
		ed.Observe(Decision{At: now, Attempt: attempt, Outcome: o, RejectedBy: by, Decision: d})
	}
	if !d.Retry {
		c.finish(o)
		return
	}
	delay := sim.FromDuration(d.Delay)
	c.parent.Record(SpanBackoff, delay)
	ed.eng.After(delay, c.try)
}

// finish recycles the call, then hands its outcome to the caller.
func (c *callState) finish(o Outcome) {
	ed := c.ed
	ed.CallOutcomes[o]++
	done := c.done
	c.parent, c.next, c.done, c.r = nil, nil, nil, policy.Retrier{}
	ed.freeCalls.Put(c)
	done(o)
}

// admit starts a queued attempt that the bulkhead just admitted.
func (ed *Edge) admit(id policy.WaiterID) {
	a := ed.waiting[id]
	delete(ed.waiting, id)
	a.bulk = true
	a.run()
}

// scheduleExpiry makes sure a timer fires when the head bulkhead waiter
// reaches its maximum wait.
func (ed *Edge) scheduleExpiry() {
	if ed.eng.Scheduled(ed.expiry) {
		return
	}
	at, ok := ed.bulkhead.NextExpiry()
	if !ok {
		return
	}
	ed.expiry = ed.eng.At(sim.Time(at.UnixNano()), ed.expire)
}

func (ed *Edge) expire() {
	ed.expired = ed.bulkhead.Expire(Wall(ed.eng.Now()), ed.expired[:0])
	for _, id := range ed.expired {
		a := ed.waiting[id]
		delete(ed.waiting, id)
		a.reject(policy.LayerBulkhead)
	}
	ed.scheduleExpiry()
}

// Amplification returns attempts per call on this edge.
func (ed *Edge) Amplification() float64 {
	if ed.Calls == 0 {
		return 0
	}
	return float64(ed.Attempts) / float64(ed.Calls)
}

// Package live runs the policy cores of package policy in a real Go
// service: it reads the real clock, waits with real timers, honours
// context cancellation and serialises access to the (single-threaded)
// cores with one mutex per Executor. It is the only code of the policy
// tree that touches real time.
//
// The decisions are the cores' own: an Executor does nothing but feed them
// time.Now() and the outcome of each attempt and carry out what they
// decide, so a trace of outcomes and timestamps gives the same decisions
// here as in the simulator (see TestEquivalence).
package live

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/checkoutsim/checkoutsim/policy"
)

// Rejection errors returned when a layer refuses an attempt. The breaker's
// are policy.ErrBreakerOpen and policy.ErrBreakerTrialsBusy.
var (
	ErrThrottled       = errors.New("rejected by adaptive throttle")
	ErrBulkheadFull    = errors.New("rejected: bulkhead full")
	ErrBulkheadTimeout = errors.New("rejected: bulkhead wait exceeded max_wait")
)

// OutcomeError tags an error with the outcome the policies should see.
// Return one from the call to classify precisely (for example an HTTP 429
// as policy.Overloaded).
type OutcomeError struct {
	Outcome policy.Outcome
	Err     error
}

func (e *OutcomeError) Error() string {
	if e.Err == nil {
		return e.Outcome.String()
	}
	return e.Outcome.String() + ": " + e.Err.Error()
}

func (e *OutcomeError) Unwrap() error { return e.Err }

// Classify maps a call's error to an outcome: nil is Success; an
// *OutcomeError gives its Outcome; context.DeadlineExceeded is Timeout;
// context.Canceled is Ignored (the caller gave up, which says nothing about
// the server); anything else is Failure.
func Classify(err error) policy.Outcome {
	if err == nil {
		return policy.Success
	}
	var oe *OutcomeError
	switch {
	case errors.As(err, &oe):
		return oe.Outcome
	case errors.Is(err, context.DeadlineExceeded):
		return policy.Timeout
	case errors.Is(err, context.Canceled):
		return policy.Ignored
	}
	return policy.Failure
}

// Event records one attempt: its outcome (Rejected if a layer refused it,
// naming the layer) and the retry decision taken after it.
type Event struct {
	At         time.Time // when the decision was taken
	Attempt    int
	Outcome    policy.Outcome
	RejectedBy policy.Layer // "" unless a layer refused the attempt
	Decision   policy.RetryDecision
}

func (e Event) String() string {
	s := fmt.Sprintf("%s attempt %d %v", e.At.Format("15:04:05.000000"), e.Attempt, e.Outcome)
	if e.RejectedBy != "" {
		s += " by " + string(e.RejectedBy)
	}
	return s + ": " + e.Decision.String()
}

// Options tune an Executor.
type Options struct {
	// Classify maps errors to outcomes; nil means the package's Classify.
	Classify func(error) policy.Outcome
	// Observe, if set, is called after every attempt, outside the lock.
	Observe func(Event)
}

// Executor runs calls through a policy.Stack in the order of policy.Order.
// It is safe for concurrent use.
type Executor struct {
	mu       sync.Mutex
	s        *policy.Stack
	classify func(error) policy.Outcome
	observe  func(Event)
	nextID   policy.WaiterID
	waiters  map[policy.WaiterID]chan bool // queued in the bulkhead: true = admitted, false = expired
	buf      []policy.WaiterID
}

// New returns an Executor over s. s must not be used elsewhere afterwards
// except under the same discipline (the Executor owns its lock).
func New(s *policy.Stack, o Options) (*Executor, error) {
	if s == nil || s.Retry == nil {
		return nil, errors.New("live.New: stack must be built with policy.StackConfig.Build")
	}
	e := &Executor{s: s, classify: o.Classify, observe: o.Observe, waiters: make(map[policy.WaiterID]chan bool)}
	if e.classify == nil {
		e.classify = Classify
	}
	return e, nil
}

// Stack returns the cores (lock with Lock/Unlock before touching them
// while calls run).
func (e *Executor) Stack() *policy.Stack { return e.s }

// Lock and Unlock give access to the cores (for metrics) while calls run.
func (e *Executor) Lock()   { e.mu.Lock() }
func (e *Executor) Unlock() { e.mu.Unlock() }

// Execute runs fn with retries and admission control until it succeeds,
// the retry policy stops, ctx is done or a layer rejects. fn receives a
// context bounded by the attempt timeout. The error is fn's last error, a
// rejection error, or ctx's error.
func (e *Executor) Execute(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, cancel := e.callContext(ctx)
	defer cancel()
	return e.run(ctx, true, func(ctx context.Context, cancel context.CancelFunc) error {
		defer cancel()
		return fn(ctx)
	})
}

// attemptFunc runs one attempt; it must call cancel when it no longer needs
// ctx (the HTTP transport defers that until the response body is closed).
type attemptFunc func(ctx context.Context, cancel context.CancelFunc) error

// callContext applies the stack's end-to-end Timeout, if any.
func (e *Executor) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if e.s.Timeout > 0 {
		return context.WithTimeout(ctx, e.s.Timeout)
	}
	return ctx, func() {}
}

// run drives the retrier; ctx already carries the end-to-end deadline.
func (e *Executor) run(ctx context.Context, retry bool, fn attemptFunc) error {
	dl, _ := ctx.Deadline()
	e.mu.Lock()
	r := e.s.Retry.Start(time.Now(), policy.DeadlineAt(dl))
	e.mu.Unlock()
	for {
		timeout, ok := r.AttemptTimeout(time.Now())
		if !ok {
			return context.DeadlineExceeded
		}
		out, by, err := e.attempt(ctx, timeout, fn)
		now := time.Now()
		var d policy.RetryDecision
		if retry {
			e.mu.Lock()
			d = r.Next(now, out)
			e.mu.Unlock()
		} else {
			// One attempt only (a request that cannot be replayed); the
			// budget still hears the outcome, as gRPC counts every failure.
			if b := e.s.Retry.Budget(); b != nil {
				e.mu.Lock()
				b.Record(now, out)
				e.mu.Unlock()
			}
			d = policy.RetryDecision{Attempt: r.Attempt(), Reason: policy.ReasonMaxAttempts}
			if out == policy.Success {
				d.Reason = policy.ReasonSucceeded
			}
		}
		if e.observe != nil {
			e.observe(Event{At: now, Attempt: r.Attempt() - boolInt(d.Retry), Outcome: out, RejectedBy: by, Decision: d})
		}
		if !d.Retry {
			return err
		}
		if cerr := sleep(ctx, d.Delay); cerr != nil {
			return cerr
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// attempt passes one attempt through breaker, throttle and bulkhead, runs
// it and reports its outcome to them.
func (e *Executor) attempt(ctx context.Context, timeout time.Duration, fn attemptFunc) (policy.Outcome, policy.Layer, error) {
	s := e.s
	e.mu.Lock()
	now := time.Now()
	var permit policy.Permit
	if s.Breaker != nil {
		p, err := s.Breaker.Allow(now)
		if err != nil {
			e.mu.Unlock()
			return policy.Rejected, policy.LayerBreaker, err
		}
		permit = p
	}
	reject := func(now time.Time, layer policy.Layer, err error) (policy.Outcome, policy.Layer, error) {
		if s.Breaker != nil {
			s.Breaker.Record(now, permit, policy.Rejected, 0)
		}
		return policy.Rejected, layer, err
	}
	if s.Throttle != nil && !s.Throttle.Allow(now) {
		defer e.mu.Unlock()
		return reject(now, policy.LayerThrottle, ErrThrottled)
	}
	if s.Bulkhead != nil {
		e.nextID++
		id := e.nextID
		switch s.Bulkhead.Acquire(now, id) {
		case policy.BulkheadRejected:
			defer e.mu.Unlock()
			return reject(now, policy.LayerBulkhead, ErrBulkheadFull)
		case policy.BulkheadQueued:
			if err := e.wait(ctx, id); err != nil { // unlocks while waiting, returns locked
				defer e.mu.Unlock()
				return reject(time.Now(), policy.LayerBulkhead, err)
			}
		}
	}
	e.mu.Unlock()

	actx, cancel := ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, timeout)
	}
	start := time.Now()
	err := fn(actx, cancel)
	dur := time.Since(start)
	out := e.classify(err)
	if err != nil && out == policy.Failure && actx.Err() == context.DeadlineExceeded {
		out = policy.Timeout // the attempt's own timeout, whatever error fn wrapped it in
	}

	e.mu.Lock()
	now = time.Now()
	if s.Bulkhead != nil {
		if next, ok := s.Bulkhead.Release(now); ok {
			e.signal(next, true)
		}
	}
	if s.Breaker != nil {
		s.Breaker.Record(now, permit, out, dur)
	}
	if s.Throttle != nil {
		s.Throttle.Record(now, out)
	}
	e.mu.Unlock()
	return out, "", err
}

// signal wakes a queued waiter. Called with e.mu held.
func (e *Executor) signal(id policy.WaiterID, admitted bool) {
	if ch, ok := e.waiters[id]; ok {
		delete(e.waiters, id)
		ch <- admitted
	}
}

// wait blocks a queued waiter until the bulkhead admits it, its max_wait
// expires, or ctx is done. Called and returns with e.mu held.
func (e *Executor) wait(ctx context.Context, id policy.WaiterID) error {
	ch := make(chan bool, 1)
	e.waiters[id] = ch
	maxWait := e.s.Bulkhead.Config().MaxWait
	t := time.AfterFunc(maxWait, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.buf = e.s.Bulkhead.Expire(time.Now(), e.buf[:0])
		for _, x := range e.buf {
			e.signal(x, false)
		}
		if e.s.Bulkhead.Cancel(id) { // clock granularity: never leave this waiter behind
			e.signal(id, false)
		}
	})
	defer t.Stop()
	e.mu.Unlock()
	select {
	case ok := <-ch:
		e.mu.Lock()
		if ok {
			return nil
		}
		return ErrBulkheadTimeout
	case <-ctx.Done():
		e.mu.Lock()
		if e.s.Bulkhead.Cancel(id) {
			delete(e.waiters, id)
			return ctx.Err()
		}
		// Admitted or expired at the same moment: the answer is in ch.
		if <-ch {
			if next, ok := e.s.Bulkhead.Release(time.Now()); ok {
				e.signal(next, true)
			}
		}
		return ctx.Err()
	}
}

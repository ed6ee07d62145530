// Package policy holds checkoutsim's resilience policies: deadlines,
// retries with backoff and jitter, retry budgets, circuit breakers,
// bulkheads and adaptive concurrency limits, client-side adaptive
// throttling, request coalescing, idempotency keys and cache helpers.
//
// It is the same code a Go checkout service deploys and the simulator runs
// in virtual time. That is possible because every policy here is a plain
// synchronous state machine:
//
//   - No goroutines, no timers, no time.Now: every method whose answer
//     depends on time takes now time.Time. The simulator passes
//     time.Unix(0, virtualNanos); the live adapter (package policy/live)
//     passes time.Now().
//   - No global randomness: every random choice draws from a Rand passed
//     in (a *math/rand/v2.Rand satisfies it); constructors that need one
//     and get nil fail with ErrNilRand rather than fall back to a global.
//   - Decisions come back as values: a RetryDecision ("retry attempt 3
//     after 340ms", "stop: budget"), a Permit or ErrBreakerOpen, an
//     Admission (admitted, queued, rejected), a bool for the throttle.
//   - Nothing is safe for concurrent use; the live adapter serialises.
//   - The package imports nothing of this module, so a service can import
//     it alone.
//
// # Permits and generations
//
// Admission and outcome are separate calls: Breaker.Allow returns a Permit
// and Breaker.Record takes it back with the outcome. Each state change of a
// breaker starts a new generation, and the permit carries the generation it
// was issued in. A result that arrives after the state changed (a slow call
// admitted while closed that completes after the breaker opened, or a
// half-open trial that completes after another trial reopened it) is
// recognised as stale, not counted, and reported in Stats().StaleRecords.
// Without this, late results from a previous regime corrupt the counts of
// the new one: a slow success could close a breaker whose trials are
// failing. Half-open trial slots are tracked across generations, so no more
// than HalfOpenPermits trial calls are ever in flight.
//
// # Composition
//
// Policies compose in the fixed order of Order, outermost first:
//
//	deadline -> retry -> breaker -> throttle -> bulkhead -> call
//
// The Deadline bounds the whole call, backoff included, and gives each
// attempt min(per-attempt timeout, remaining - reserve); an attempt that
// cannot finish in time is not started. Retry wraps admission so every
// attempt is admitted afresh and a local rejection is not retried. The
// bulkhead is innermost so a slot is held only while the call runs.
// StackConfig.Build builds all cores of one downstream; the live adapter
// drives them in this order, and the simulator drives the same cores step
// by step in virtual time.
//
// # Configuration
//
// Every config is a plain struct with Validate() error. Invalid values give
// *FieldError values (joined with errors.Join) whose Field() is the
// snake_case path of the field as written in a scenario file, for example
// "retry.backoff.cap", and whose message includes the value.
//
// # Sources
//
// Jitter: M. Brooker, "Exponential Backoff And Jitter", AWS Architecture
// Blog, 2015. Token bucket: gRPC gRFC A6 "Client Retries", retry
// throttling. Ratio budget: Finagle's RetryBudget. Breaker windows:
// Resilience4j CircuitBreaker. AIMD: Netflix concurrency-limits. Adaptive
// throttling: Site Reliability Engineering (O'Reilly, 2016), ch. 21.
// XFetch: Vattani et al., "Optimal Probabilistic Cache Stampede
// Prevention", VLDB 2015.
package policy

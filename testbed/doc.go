// Package testbed stands up a real checkout system on this machine from a
// scenario and runs the scenario's traffic against it: PostgreSQL (through
// a pgx pool) for stock, orders, prices and promotion rules, Redis for the
// catalog and pricing cache, the scenario's services as HTTP servers on
// 127.0.0.1, the payment providers as HTTP servers, and an open-loop load
// generator that draws the very arrival stream, carts, cohorts, patience and
// re-clicks the simulator draws (models/traffic, same seed).
//
// Every client hop goes through policy/live built from the hop's
// call.Policy.Stack(): the same policy.StackConfig the simulator's edge is
// derived from, so the two cannot drift (one composition, two clocks).
//
// A run fills the simulator's checkout.Result, so experiments' summaries,
// JSON, CSV, tables, plots and compare accept a real run as they accept a
// simulated one.
//
// What is real and what is emulated:
//   - real: PostgreSQL row locks, lock_timeout, deadlock detection, the
//     connection pool and its acquire timeout, statement latency; Redis
//     round trips, TTLs and purges; HTTP hops, their connection handling,
//     timeouts, retries, breakers and bulkheads; worker pools and queue
//     timeouts; client abandonment and zombie work.
//   - emulated: a service's CPU per request is a timed hold of one of its
//     workers (a sleep). This machine has two cores shared with PostgreSQL,
//     Redis and the load generator; burning the scenario's CPU for real
//     would make the machine's cores the bottleneck instead of the
//     mechanisms under test (locks, pools, cache, queues, timeouts,
//     retries). Payment providers are emulated the same way: their latency
//     is drawn from the scenario's distribution and slowed by the requests
//     in flight.
//
// Fields the testbed cannot realize (autoscaling, say) are refused, one
// line each naming the field, unless the caller accepts approximations.
package testbed

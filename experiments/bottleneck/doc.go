// Package bottleneck answers "where is the bottleneck?" for a run: it
// summarises the load on each constraint of the checkout (every service's
// workers, the database connection pool, the inventory's row locks and
// each payment provider) and names the saturated one in a one-line
// verdict, e.g.
//
//	bottleneck: checkout-api (utilisation 99.9%, backlog 192); also saturated: gateway
//
// # Saturated
//
// A constraint is saturated when it is busy nearly all the time and work
// waits for it (see Saturation):
//
//   - a service: utilisation in the measured window >= 90% and a mean
//     queue of at least one request waiting for a worker (or requests
//     rejected for want of one);
//   - the DB pool: connections in use >= 90% of the pool and requests
//     waiting for one (or acquire timeouts);
//   - the hot rows: lock timeouts or deadlocks, or a lock wait P99 of a
//     second or more;
//   - a provider with a concurrency cap: in flight >= 90% of the cap.
//     A provider without a cap is never saturated; it slows down instead
//     (its in-flight count and timeouts are shown).
//
// # The verdict
//
// A thread-per-request service holds its worker while it waits on what it
// calls, so when one constraint saturates, every service upstream of it
// saturates too, as a victim: the gateway's queue is often the longest.
// The verdict therefore names the deepest saturated constraint on the
// checkout's path (gateway, then the orchestrator and the browse service,
// then the step services and the confirmation consumer, then the DB pool,
// then the row locks, which hold a connection while they wait, then the
// providers, which the payment step waits on), and lists the other
// saturated constraints, usually the victims upstream of it. Among
// constraints equally deep the busier wins, then the longer backlog, then
// the first in the scenario. When nothing is saturated it says so and
// names the busiest service.
//
// Utilisation is the measured window's (busy worker-seconds over
// available worker-seconds from the first sample at or after the warm-up
// to the duration), so a long drain does not dilute it; queue, in-flight
// and instance means are means of the samples taken in that window, and
// maxima are over every sample. Values are means over replications,
// maxima over all of them, counts totals.
//
// It may import models/checkout, sim/stats and experiments/output; the
// core (the run summary and its tables), report and sweep import it.
package bottleneck

// Package recovery is the metastability verdict: after a scheduled
// disturbance (a provider degradation episode) ends, did each replication
// return to its goodput and P99 from before it, and how long did that
// take? A system that stays degraded after its trigger is gone is
// metastable. Summarize reads the replications' time series; the run
// summary carries its result.
//
// It may import models/checkout and experiments/output; the core and chart
// import it.
package recovery

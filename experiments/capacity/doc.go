// Package capacity finds a scenario's capacity: the largest traffic
// multiplier at which a P99 latency and error-rate SLO still holds
// (Search: bracket by doubling or halving, then bisect, every multiplier
// run with common random numbers), and writes the result as a table, JSON
// or CSV.
//
// It may import experiments (scenarios, the runner), experiments/metric
// and experiments/output; ablation, chart and cmd import it.
package capacity

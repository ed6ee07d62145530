// Package capacity finds a scenario's capacity: the largest traffic
// multiplier at which a P99 latency and error-rate SLO still holds
// (Search: bracket by doubling or halving, then bisect, every multiplier
// run with common random numbers), gives the answer (the knee) a 95%
// interval by a bootstrap over replications and warns when it should not
// be trusted (knee.go), and writes the result as a table, JSON or CSV.
//
// It may import experiments (scenarios, the runner), experiments/metric,
// experiments/output and sim/rng (the bootstrap's seeded stream);
// ablation, chart and cmd import it.
package capacity

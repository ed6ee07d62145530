// Package report builds the evidence report of `checkoutsim report A B`:
// one self-contained HTML file (the template report.html is embedded, the
// charts are inline SVG from experiments/chart, their font a data: URL)
// with the before/after table, latency distributions, signals over time,
// the make-up of the P99, the ablation and the cohorts. Its numbers are
// compare's: the same metric registry and paired changes.
//
// It may import experiments, experiments/chart, experiments/metric and
// experiments/output, and models/checkout; only cmd imports it.
package report

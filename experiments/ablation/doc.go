// Package ablation measures what each group of fixes contributes: it
// builds variants of a "before" scenario with some groups of fields taken
// from an "after" scenario (each group alone, then cumulatively; the field
// copying is experiments/scenario's CopyPath), runs them with common
// random numbers, compares each with before and, with an SLO, finds each
// variant's sustainable throughput (experiments/capacity).
//
// It may import experiments, experiments/capacity, experiments/metric,
// experiments/output and experiments/scenario; report and cmd import it.
package ablation

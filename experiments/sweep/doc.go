// Package sweep runs a scenario over a grid of parameter values (one
// variant per combination of --param values, each run with the same seed:
// common random numbers), shards the grid across processes, checkpoints
// and resumes, merges part files back into the bytes an unsharded run
// writes, and prints the result as a table, CSV or JSON.
//
// It may import experiments (scenarios, the runner), experiments/metric,
// experiments/output, experiments/scenario and experiments/shard; chart
// and cmd import it.
package sweep

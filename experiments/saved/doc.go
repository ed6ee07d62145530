// Package saved is "compare later": a run's results written to a file
// (checkoutsim run --save FILE, testbed run --save FILE) that compare,
// report and run read back in place of a scenario, without simulating
// again.
//
// A saved result holds what a comparison needs and nothing it would have
// to guess: the scenario's source text, its overrides and their SHA-256,
// the seed, the replications, each replication's raw results (histograms
// kept exactly, so a comparison of two saved results equals one run
// afresh, byte for byte) and, for readers outside checkoutsim, each
// headline metric per replication. The format and its version are fields
// of the file, which is told from a scenario by its content
// (docs/output.md#saved-results).
//
// Pairing: two sides made with the same seed and replications share
// their random numbers replication by replication, and are compared with
// paired intervals (experiments.CompareResults); otherwise the intervals
// are Welch's (stats.Unpaired) and the output says "unpaired" and why. A
// scenario compared with a saved result runs with the saved one's seed and
// replications unless --seed or --replications say otherwise.
//
// It imports the core and its leaves; only cmd imports it.
package saved

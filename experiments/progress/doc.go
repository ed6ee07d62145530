// Package progress draws how far a long command is on stderr: a bar
// redrawn in place on a terminal, plain lines every few seconds when
// stderr is a pipe or a file (notebooks, CI logs), nothing with --quiet.
// Each line gives the share done, the step under way and the time left,
// estimated from the time taken so far.
//
// A Display's Update is an experiments.Progress (the runner counts
// simulated milliseconds, so the share advances within a replication).
// It reads the wall clock, which is fine here: it only decides when to
// draw and never touches a result. The clock is injectable for tests.
//
// It imports nothing of ours; only cmd uses it.
package progress

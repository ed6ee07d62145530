// Package verify is the engine's analytic validation, `checkoutsim
// verify`: it runs sim/queueing's validation grid (queueing.RunAll) and
// writes the cases, analytic against simulated, as a table or JSON.
//
// It may import sim/queueing and experiments/output; only cmd imports it.
// (The grid and the simulation of each case live in sim/queueing; only
// the report is here, because its ordered JSON is experiments/output's.)
package verify

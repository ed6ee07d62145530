// Package fit is the file side of `checkoutsim fit`: it reads one column
// of observed durations from a CSV file (in the units Units names, their
// seconds from sim/dist's unit table), and prints the fits of
// dist.FitSamples as a table or JSON with the line to paste into a
// scenario.
//
// It may import sim/dist and experiments/output; only cmd imports it.
package fit

// Package queueing holds analytic queueing formulas and the validation
// cases that check checkoutsim's engine and resources against them.
//
// The formulas are the textbook steady-state results for the simplest
// models a checkout system is built from: M/M/c (Erlang C), M/G/1
// (Pollaczek-Khinchine), M/M/c+M (Erlang A, customers with exponential
// patience) and Little's law. The validation cases (Cases, Run, RunAll)
// simulate the same models with sim/resource.Station on a fresh engine per
// replication and compare the replication mean, with its confidence
// interval, with the formula. If the engine, the random streams or the
// Station accounting were wrong, these cases would fail.
package queueing

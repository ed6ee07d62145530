// Package purity holds the guard that keeps the simulator and the models
// pure functions of their inputs: no wall clock, no goroutines, no global
// randomness, no map iteration where order matters. It has no code of its
// own; its test parses every non-test file of sim/ and models/.
package purity

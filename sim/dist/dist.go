// Package dist provides the probability distributions of checkoutsim as
// values that draw from a caller-supplied random stream.
//
// Every distribution implements Dist. Sample takes a *rand.Rand from
// math/rand/v2 (in checkoutsim always a named stream from sim/rng), never a
// global generator, and allocates nothing, so a model can draw millions of
// service times per second. Values are in natural units: time-valued
// distributions are in seconds as float64, and models convert them to
// virtual time with sim.Seconds.
//
// Each distribution has a compact text form, returned by String and read
// back by Parse, used by scenario files:
//
//	lognormal(median=300ms, p99=2s)
//	exponential(mean=50ms)
//	mixture(0.9*lognormal(median=80ms, p99=400ms), 0.1*constant(3s))
//	discrete(1:30, 2:25, 3:20, 5:15, 10:10)
//	zipf(n=10000, s=1.1)
//	empirical(file=latencies.csv, column=latency_ms, unit=ms)
//
// Durations in a spec (ns, us, µs, ms, s, m, h) are converted to seconds;
// String prints plain numbers of seconds, with the shortest decimal that
// reads back to the same float64, so String -> Parse -> String is the
// identity and Parse(d.String()) is equal to d.
//
// Constructors check their parameters and return an error naming the
// parameter and its value; nothing in this package panics on bad input.
package dist

import (
	"math/rand/v2"
	"strconv"
)

// Dist is a probability distribution over float64 values.
type Dist interface {
	// Sample draws one value using r. It allocates nothing.
	Sample(r *rand.Rand) float64
	// Mean is the analytic mean, math.Inf(1) if it is infinite.
	Mean() float64
	// String is the compact form, which Parse reads back to an equal
	// distribution.
	String() string
}

// Quantiler is implemented by distributions whose quantile function is
// available analytically (or exactly from stored data).
type Quantiler interface {
	// Quantile returns the smallest x with P(X <= x) >= p, for p in [0, 1].
	// Out-of-range p is clamped to [0, 1].
	Quantile(p float64) float64
}

// num formats a float64 with the fewest digits that parse back to the same
// value, so String output round-trips exactly.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// clampP clamps a probability into [0, 1] (NaN becomes 0).
func clampP(p float64) float64 {
	if !(p > 0) {
		return 0
	}
	if p > 1 {
		return 1
	}
	return p
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return v-v == 0 }

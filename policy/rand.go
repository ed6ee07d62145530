package policy

// Rand is the only source of randomness the policies use. *rand.Rand from
// math/rand/v2 satisfies it, and so does the simulator's named stream.
// Float64 must return a value in [0, 1).
//
// Policies never fall back to a global generator: a constructor that needs
// randomness and gets a nil Rand returns ErrNilRand.
type Rand interface {
	Float64() float64
}

// uniform returns a draw in [lo, hi) as a duration.
func uniform(r Rand, lo, hi float64) float64 {
	return lo + (hi-lo)*r.Float64()
}

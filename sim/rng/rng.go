// Package rng derives independent random streams for a simulation run.
//
// Every stochastic component draws from its own named stream, seeded from
// (scenario seed, replication index, stream name) through a hash, never from
// the order in which streams are created. So adding a component, or a new
// stream to a component, leaves the draws of every existing stream
// unchanged. This is what makes common random numbers work: two
// configurations compared with the same seed see the same arrivals, cart
// sizes and service times wherever their structure allows.
//
// Streams are PCG generators from math/rand/v2. There is no global
// generator anywhere in checkoutsim.
package rng

import "math/rand/v2"

// Streams hands out the random streams of one replication.
type Streams struct {
	seed        uint64
	replication uint64
}

// New returns the stream factory for replication rep of a run with the
// given scenario seed.
func New(seed uint64, rep int) Streams {
	return Streams{seed: seed, replication: uint64(rep)}
}

// Seed returns the scenario seed.
func (s Streams) Seed() uint64 { return s.seed }

// Replication returns the replication index.
func (s Streams) Replication() int { return int(s.replication) }

// Stream returns a new generator for the named stream. Calling Stream twice
// with the same name gives two generators that produce the same sequence;
// components should ask once and keep the generator.
func (s Streams) Stream(name string) *rand.Rand {
	return rand.New(s.Source(name))
}

// Source returns the PCG source behind Stream(name), for APIs that take a
// rand.Source (gonum's distuv, for example).
func (s Streams) Source(name string) *rand.PCG {
	h := fnv1a(name)
	s1 := splitmix(s.seed ^ splitmix(s.replication^0x9e3779b97f4a7c15))
	s2 := splitmix(h ^ splitmix(s1))
	return rand.NewPCG(s1, s2)
}

// fnv1a is the 64-bit FNV-1a hash of a string.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// splitmix is the SplitMix64 finaliser: a bijective mix of 64 bits, so
// nearby inputs (replication 0, 1, 2, ...) give unrelated seeds.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

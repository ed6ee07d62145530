package space

import (
	"fmt"
	"math"

	"github.com/checkoutsim/checkoutsim/sim/rng"
)

// LatinHypercube returns n points of [0,1)^d such that, in every
// dimension, each of the n strata [i/n, (i+1)/n) holds exactly one point.
// Of 16 such designs drawn from seed's stream it keeps the one whose
// closest two points are farthest apart (maximin), so the points also
// spread in more than one dimension at a time. The same (n, d, seed)
// always gives the same points; nothing reads a global source.
func LatinHypercube(n, d int, seed uint64) [][]float64 {
	if n <= 0 || d <= 0 {
		return nil
	}
	r := rng.New(seed, 0).Stream("space/latin-hypercube")
	var best [][]float64
	bestDist := -1.0
	for range 16 {
		pts := make([][]float64, n)
		for i := range pts {
			pts[i] = make([]float64, d)
		}
		for k := range d {
			for i, s := range r.Perm(n) {
				pts[i][k] = (float64(s) + r.Float64()) / float64(n)
			}
		}
		if dist := minDistance(pts); dist > bestDist {
			best, bestDist = pts, dist
		}
	}
	return best
}

// minDistance is the smallest squared distance between two points.
func minDistance(pts [][]float64) float64 {
	m := math.Inf(1)
	for i := range pts {
		for j := i + 1; j < len(pts); j++ {
			s := 0.0
			for k := range pts[i] {
				dx := pts[i][k] - pts[j][k]
				s += dx * dx
			}
			m = min(m, s)
		}
	}
	return m
}

// SobolMaxDims is the most dimensions Sobol supports.
const SobolMaxDims = 10

// sobolInit are the primitive polynomials (degree s, coefficients a) and
// initial direction numbers m of dimensions 2..10 from Joe and Kuo's
// new-joe-kuo-6.21201 table (S. Joe and F. Y. Kuo, "Constructing Sobol
// sequences with better two-dimensional projections", SIAM J. Sci.
// Comput. 30, 2008). Dimension 1 is the van der Corput sequence.
var sobolInit = []struct {
	s, a uint32
	m    []uint32
}{
	{1, 0, []uint32{1}},
	{2, 1, []uint32{1, 3}},
	{3, 1, []uint32{1, 3, 1}},
	{3, 2, []uint32{1, 1, 1}},
	{4, 1, []uint32{1, 1, 3, 3}},
	{4, 4, []uint32{1, 3, 5, 13}},
	{5, 2, []uint32{1, 1, 5, 5, 17}},
	{5, 4, []uint32{1, 1, 5, 5, 5}},
	{5, 7, []uint32{1, 1, 7, 11, 19}},
}

const sobolBits = 32

// sobolDirections returns the direction numbers v[k][i] (scaled to 32
// bits) of dimension k.
func sobolDirections(d int) [][sobolBits]uint32 {
	v := make([][sobolBits]uint32, d)
	for i := range sobolBits {
		v[0][i] = 1 << (sobolBits - 1 - i)
	}
	for k := 1; k < d; k++ {
		in := sobolInit[k-1]
		s := int(in.s)
		for i := 0; i < s && i < sobolBits; i++ {
			v[k][i] = in.m[i] << (sobolBits - 1 - i)
		}
		for i := s; i < sobolBits; i++ {
			x := v[k][i-s] ^ (v[k][i-s] >> s)
			for j := 1; j < s; j++ {
				x ^= ((in.a >> (s - 1 - j)) & 1) * v[k][i-j]
			}
			v[k][i] = x
		}
	}
	return v
}

// Sobol returns the first n points of the d-dimensional Sobol sequence
// (Gray-code order, Joe-Kuo direction numbers), each point XORed with one
// random digital shift drawn from seed's stream, so the design differs
// between seeds, does not start at the origin, and keeps its
// stratification: for n a power of two, each of the n strata of every
// dimension holds exactly one point. seed 0 gives the unshifted sequence.
// d is at most SobolMaxDims. With few points some pairs of dimensions
// are covered unevenly (at 64 points, dimensions 2 and 8 fill only half
// of the 4x4 cells of their square), which a Latin hypercube with the
// maximin choice avoids; tune uses the Latin hypercube by default.
func Sobol(n, d int, seed uint64) ([][]float64, error) {
	if d > SobolMaxDims {
		return nil, fmt.Errorf("a Sobol design supports at most %d knobs, got %d: use a Latin hypercube", SobolMaxDims, d)
	}
	if n <= 0 || d <= 0 {
		return nil, nil
	}
	if n > 1<<30 {
		return nil, fmt.Errorf("a Sobol design supports at most 2^30 points, got %d", n)
	}
	v := sobolDirections(d)
	shift := make([]uint32, d)
	if seed != 0 {
		r := rng.New(seed, 0).Stream("space/sobol-shift")
		for k := range shift {
			shift[k] = r.Uint32()
		}
	}
	x := make([]uint32, d)
	pts := make([][]float64, n)
	for i := range n {
		if i > 0 {
			c := trailingOnes(uint32(i - 1))
			for k := range d {
				x[k] ^= v[k][c]
			}
		}
		p := make([]float64, d)
		for k := range d {
			p[k] = float64(x[k]^shift[k]) / (1 << sobolBits)
		}
		pts[i] = p
	}
	return pts, nil
}

// trailingOnes is the index of the lowest zero bit of i.
func trailingOnes(i uint32) int {
	c := 0
	for i&1 == 1 {
		i >>= 1
		c++
	}
	return c
}

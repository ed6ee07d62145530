package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// MaxZipfN bounds the number of Zipf items (Mean costs O(N) once, at
// construction).
const MaxZipfN = 10_000_000

// Zipf is the Zipf distribution over N items, item k (0-based) having
// probability (k+1)^-s / H(N,s) with H(N,s) = Σ_{j=1..N} j^-s: item 0 is
// the most popular. Written zipf(n=N, s=s). Sample returns the item index
// as a float64; Int returns it as an int.
//
// Draws use rejection-inversion (W. Hörmann and G. Derflinger, "Rejection-
// inversion to generate variates from monotone discrete distributions",
// ACM TOMACS 6(3), 1996), as in Apache Commons RNG's
// RejectionInversionZipfSampler: O(1) expected time per draw, no table, so
// N = 1e6 costs no memory, and any s > 0 (including s = 1) works.
type Zipf struct {
	n              int
	s              float64
	hX1, hN, thres float64
	norm           float64 // H(N,s)
	mean           float64
}

// NewZipf returns the Zipf distribution over n items (1 <= n <= MaxZipfN)
// with exponent s > 0.
func NewZipf(n int, s float64) (*Zipf, error) {
	if n < 1 || n > MaxZipfN {
		return nil, fmt.Errorf("zipf: n (%d) must be in [1, %d]", n, MaxZipfN)
	}
	if !finite(s) || !(s > 0) || s > 100 {
		return nil, fmt.Errorf("zipf: s (%v) must be in (0, 100]", s)
	}
	z := &Zipf{n: n, s: s}
	z.hX1 = z.hIntegral(1.5) - 1
	z.hN = z.hIntegral(float64(n) + 0.5)
	z.thres = 2 - z.hIntegralInv(z.hIntegral(2.5)-z.h(2))
	// Mean of the 0-based index: (Σ k^(1-s) - Σ k^-s) / Σ k^-s.
	z.norm = powerSum(-s, n)
	z.mean = (powerSum(1-s, n) - z.norm) / z.norm
	return z, nil
}

// N returns the number of items.
func (z *Zipf) N() int { return z.n }

// S returns the exponent.
func (z *Zipf) S() float64 { return z.s }

// Int draws an item index in [0, N), 0 the most popular.
func (z *Zipf) Int(r *rand.Rand) int {
	for {
		u := z.hN + r.Float64()*(z.hX1-z.hN)
		x := z.hIntegralInv(u)
		k := math.Floor(x + 0.5)
		if k < 1 {
			k = 1
		} else if k > float64(z.n) {
			k = float64(z.n)
		}
		if k-x <= z.thres || u >= z.hIntegral(k+0.5)-z.h(k) {
			return int(k) - 1
		}
	}
}

// Sample returns float64(Int(r)).
func (z *Zipf) Sample(r *rand.Rand) float64 { return float64(z.Int(r)) }

// Mean returns the mean item index Σ (k-1) k^-s / H(N,s).
func (z *Zipf) Mean() float64 { return z.mean }

// Prob returns the probability (k+1)^-s / H(N,s) of item k (0-based).
func (z *Zipf) Prob(k int) float64 {
	if k < 0 || k >= z.n {
		return 0
	}
	return math.Pow(float64(k+1), -z.s) / z.norm
}

// emCut is where powerSum switches from exact summation to the
// Euler-Maclaurin tail.
const emCut = 1000

// powerSum returns Σ_{k=1..n} k^e. Terms up to emCut are summed exactly
// (smallest first); the rest, a = emCut+1 .. n, by the Euler-Maclaurin
// formula (Abramowitz & Stegun 23.1.30):
//
//	Σ f(k) ≈ ∫_a^n f + (f(a)+f(n))/2 + (f'(n)-f'(a))/12 - (f'''(n)-f'''(a))/720
//
// with f(x) = x^e. The next term is of order f⁽⁵⁾(a)/30240 ≈ 1e-20 of the
// sum for the exponents Zipf uses, so the result is exact to rounding and
// costs O(1) even for N = 1e7.
func powerSum(e float64, n int) float64 {
	m := min(n, emCut)
	sum := 0.0
	for k := m; k >= 1; k-- {
		sum += math.Pow(float64(k), e)
	}
	if n <= emCut {
		return sum
	}
	a, b := float64(emCut+1), float64(n)
	f := func(x float64) float64 { return math.Pow(x, e) }
	d1 := func(x float64) float64 { return e * math.Pow(x, e-1) }
	d3 := func(x float64) float64 { return e * (e - 1) * (e - 2) * math.Pow(x, e-3) }
	// ∫_a^b x^e dx = a^(e+1) (exp((e+1) ln(b/a)) - 1)/(e+1), via helper2
	// so that e = -1 (and e near -1) is exact.
	l := math.Log(b / a)
	integral := math.Pow(a, e+1) * helper2((e+1)*l) * l
	return sum + integral + (f(a)+f(b))/2 + (d1(b)-d1(a))/12 - (d3(b)-d3(a))/720
}

func (z *Zipf) String() string {
	return "zipf(n=" + strconv.Itoa(z.n) + ", s=" + num(z.s) + ")"
}

// h is the unnormalised density x^-s.
func (z *Zipf) h(x float64) float64 { return math.Exp(-z.s * math.Log(x)) }

// hIntegral is ∫_1^x t^-s dt = (x^(1-s) - 1)/(1-s), or ln x for s = 1,
// computed stably through helper2.
func (z *Zipf) hIntegral(x float64) float64 {
	lx := math.Log(x)
	return helper2((1-z.s)*lx) * lx
}

// hIntegralInv inverts hIntegral.
func (z *Zipf) hIntegralInv(x float64) float64 {
	t := x * (1 - z.s)
	if t < -1 {
		t = -1 // numerical guard, as in Apache Commons
	}
	return math.Exp(helper1(t) * x)
}

// helper1 is log1p(x)/x, continuous at 0.
func helper1(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Log1p(x) / x
	}
	return 1 - x*(0.5-x*(1.0/3-0.25*x))
}

// helper2 is expm1(x)/x, continuous at 0.
func helper2(x float64) float64 {
	if math.Abs(x) > 1e-8 {
		return math.Expm1(x) / x
	}
	return 1 + x*0.5*(1+x/3*(1+0.25*x))
}

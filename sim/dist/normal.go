package dist

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// Normal is the normal distribution N(Mu, Sigma²) truncated to [0, ∞):
// service times cannot be negative. Written normal(mean=μ, sd=σ), where μ
// and σ are the parameters of the untruncated normal.
//
// Sampling: when μ >= 0 the acceptance probability Φ(μ/σ) is at least 1/2,
// so Sample draws N(μ, σ²) and resamples negatives (exact, and usually a
// single draw). When μ < 0 rejection would be slow, so Sample inverts the
// CDF of the upper tail: x = μ - σ Φ⁻¹(U·Φ(μ/σ)), with U in (0, 1].
//
// Mean is that of the truncated distribution (Johnson, Kotz & Balakrishnan,
// Continuous Univariate Distributions vol. 1, 2nd ed., §13.10.1):
// E[X] = μ + σ φ(μ/σ)/Φ(μ/σ).
type Normal struct {
	mu, sigma float64
	pAccept   float64 // Φ(μ/σ): probability mass kept by the truncation
	mean      float64
}

// NewNormal returns N(mean, sd²) truncated at 0. The truncated mass must not
// be overwhelming: mean/sd >= -30.
func NewNormal(mean, sd float64) (*Normal, error) {
	if !finite(mean) {
		return nil, fmt.Errorf("normal: mean (%v) must be finite", mean)
	}
	if !finite(sd) || !(sd > 0) {
		return nil, fmt.Errorf("normal: sd (%v) must be finite and positive", sd)
	}
	a := mean / sd
	if a < -30 {
		return nil, fmt.Errorf("normal: mean (%v) must be at least -30 sd (%v): almost all mass would lie below the truncation at 0", mean, sd)
	}
	p := distuv.UnitNormal.CDF(a)
	return &Normal{mu: mean, sigma: sd, pAccept: p, mean: mean + sd*distuv.UnitNormal.Prob(a)/p}, nil
}

// Sample draws from the truncated normal (see the type comment).
func (n *Normal) Sample(r *rand.Rand) float64 {
	if n.mu >= 0 {
		for {
			x := n.mu + n.sigma*r.NormFloat64()
			if x >= 0 {
				return x
			}
		}
	}
	u := 1 - r.Float64() // (0, 1]
	return n.quantileUpper(u)
}

// quantileUpper returns the value whose probability of being exceeded, given
// X >= 0, is u: μ - σ Φ⁻¹(u Φ(μ/σ)). Computing from the upper tail keeps
// precision when Φ(-μ/σ) is close to 1.
func (n *Normal) quantileUpper(u float64) float64 {
	x := n.mu - n.sigma*distuv.UnitNormal.Quantile(u*n.pAccept)
	if x < 0 {
		return 0
	}
	return x
}

// Mean returns μ + σ φ(μ/σ)/Φ(μ/σ), the mean after truncation.
func (n *Normal) Mean() float64 { return n.mean }

// Quantile returns the p-quantile of the truncated distribution.
func (n *Normal) Quantile(p float64) float64 {
	p = clampP(p)
	if p == 1 {
		return math.Inf(1)
	}
	return n.quantileUpper(1 - p)
}

func (n *Normal) String() string { return "normal(mean=" + num(n.mu) + ", sd=" + num(n.sigma) + ")" }

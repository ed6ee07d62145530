package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Exponential is the exponential distribution, the inter-arrival time of a
// Poisson process. Written exponential(mean=m) or exponential(rate=λ),
// keeping the form it was built with.
type Exponential struct {
	mean   float64
	byRate bool
	rate   float64
}

// NewExponential returns the exponential distribution with the given mean
// (> 0).
func NewExponential(mean float64) (*Exponential, error) {
	if !finite(mean) || !(mean > 0) {
		return nil, fmt.Errorf("exponential: mean (%v) must be finite and positive", mean)
	}
	return &Exponential{mean: mean, rate: 1 / mean}, nil
}

// NewExponentialRate returns the exponential distribution with rate λ > 0
// (mean 1/λ).
func NewExponentialRate(rate float64) (*Exponential, error) {
	if !finite(rate) || !(rate > 0) || !finite(1/rate) {
		return nil, fmt.Errorf("exponential: rate (%v) must be finite and positive", rate)
	}
	return &Exponential{mean: 1 / rate, byRate: true, rate: rate}, nil
}

// Sample uses the ziggurat method of math/rand/v2 (ExpFloat64) scaled by
// the mean.
func (e *Exponential) Sample(r *rand.Rand) float64 { return r.ExpFloat64() * e.mean }

// Mean returns the mean 1/λ.
func (e *Exponential) Mean() float64 { return e.mean }

// Quantile returns -mean*ln(1-p).
func (e *Exponential) Quantile(p float64) float64 { return -e.mean * math.Log1p(-clampP(p)) }

func (e *Exponential) String() string {
	if e.byRate {
		return "exponential(rate=" + num(e.rate) + ")"
	}
	return "exponential(mean=" + num(e.mean) + ")"
}

package dist

import (
	"fmt"
	"math/rand/v2"
)

// Scaled multiplies every sample of D by Factor: used for latency
// degradation episodes ("the payment provider is 3x slower for ten
// minutes"). Written scale(factor=f, dist=...). Mean and quantiles scale by
// the same factor.
type Scaled struct {
	D      Dist
	Factor float64
}

// Scale returns d with samples multiplied by factor (finite, >= 0).
func Scale(d Dist, factor float64) (Dist, error) { return NewScaled(d, factor) }

// NewScaled is Scale returning the concrete type.
func NewScaled(d Dist, factor float64) (*Scaled, error) {
	if d == nil {
		return nil, fmt.Errorf("scale: dist is nil")
	}
	if !finite(factor) || factor < 0 {
		return nil, fmt.Errorf("scale: factor (%v) must be finite and non-negative", factor)
	}
	return &Scaled{D: d, Factor: factor}, nil
}

// Sample returns Factor times a sample of D.
func (s *Scaled) Sample(r *rand.Rand) float64 { return s.Factor * s.D.Sample(r) }

// Mean returns Factor times the mean of D (0 if Factor is 0).
func (s *Scaled) Mean() float64 {
	if s.Factor == 0 {
		return 0
	}
	return s.Factor * s.D.Mean()
}

// Quantile returns Factor times the quantile of D; D must be a Quantiler
// (check with QuantileOf).
func (s *Scaled) Quantile(p float64) float64 {
	q, ok := QuantileOf(s.D, p)
	if !ok {
		return 0
	}
	return s.Factor * q
}

func (s *Scaled) String() string {
	return "scale(factor=" + num(s.Factor) + ", dist=" + s.D.String() + ")"
}

// QuantileOf returns d's p-quantile and true if d has an analytic quantile
// (implements Quantiler and, for wrappers such as Scaled, so does what it
// wraps); otherwise 0, false.
func QuantileOf(d Dist, p float64) (float64, bool) {
	switch v := d.(type) {
	case *Scaled:
		q, ok := QuantileOf(v.D, p)
		return v.Factor * q, ok
	case Quantiler:
		return v.Quantile(p), true
	}
	return 0, false
}

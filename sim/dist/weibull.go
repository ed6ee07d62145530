package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Weibull is the Weibull distribution with shape k and scale λ:
// P(X > x) = exp(-(x/λ)^k), mean λΓ(1+1/k). Written weibull(shape=k,
// scale=λ).
type Weibull struct{ shape, scale, invShape float64 }

// NewWeibull returns the Weibull distribution with shape > 0, scale > 0.
func NewWeibull(shape, scale float64) (*Weibull, error) {
	if !finite(shape) || !(shape > 0) {
		return nil, fmt.Errorf("weibull: shape (%v) must be finite and positive", shape)
	}
	if !finite(scale) || !(scale > 0) {
		return nil, fmt.Errorf("weibull: scale (%v) must be finite and positive", scale)
	}
	return &Weibull{shape: shape, scale: scale, invShape: 1 / shape}, nil
}

// Sample inverts the survival function: λ·E^(1/k) with E ~ Exp(1).
func (w *Weibull) Sample(r *rand.Rand) float64 {
	return w.scale * math.Pow(r.ExpFloat64(), w.invShape)
}

// Mean returns λΓ(1+1/k).
func (w *Weibull) Mean() float64 { return w.scale * math.Gamma(1+w.invShape) }

// Quantile returns λ(-ln(1-p))^(1/k).
func (w *Weibull) Quantile(p float64) float64 {
	return w.scale * math.Pow(-math.Log1p(-clampP(p)), w.invShape)
}

func (w *Weibull) String() string {
	return "weibull(shape=" + num(w.shape) + ", scale=" + num(w.scale) + ")"
}

package dist

import (
	"fmt"
	"math/rand/v2"
)

// Uniform is the continuous uniform distribution on [Min, Max).
// Written uniform(min=a, max=b).
type Uniform struct{ Min, Max float64 }

// NewUniform returns the uniform distribution on [min, max); min < max.
func NewUniform(min, max float64) (*Uniform, error) {
	if !finite(min) {
		return nil, fmt.Errorf("uniform: min (%v) must be finite", min)
	}
	if !finite(max) || !(max > min) {
		return nil, fmt.Errorf("uniform: max (%v) must be finite and greater than min (%v)", max, min)
	}
	return &Uniform{Min: min, Max: max}, nil
}

// Sample returns Min + U*(Max-Min).
func (u *Uniform) Sample(r *rand.Rand) float64 { return u.Min + r.Float64()*(u.Max-u.Min) }

// Mean returns (Min+Max)/2.
func (u *Uniform) Mean() float64 { return (u.Min + u.Max) / 2 }

// Quantile returns Min + p*(Max-Min).
func (u *Uniform) Quantile(p float64) float64 { return u.Min + clampP(p)*(u.Max-u.Min) }

func (u *Uniform) String() string { return "uniform(min=" + num(u.Min) + ", max=" + num(u.Max) + ")" }

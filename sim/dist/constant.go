package dist

import (
	"fmt"
	"math/rand/v2"
)

// Constant always returns the same value. Written constant(v).
type Constant struct{ V float64 }

// NewConstant returns the distribution concentrated on v.
func NewConstant(v float64) (*Constant, error) {
	if !finite(v) {
		return nil, fmt.Errorf("constant: value (%v) must be finite", v)
	}
	return &Constant{V: v}, nil
}

// Sample returns V without consuming randomness.
func (c *Constant) Sample(*rand.Rand) float64 { return c.V }

// Mean returns V.
func (c *Constant) Mean() float64 { return c.V }

// Quantile returns V for every p.
func (c *Constant) Quantile(float64) float64 { return c.V }

func (c *Constant) String() string { return "constant(" + num(c.V) + ")" }

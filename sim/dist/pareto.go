package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Pareto is the Pareto (type I) distribution with minimum xm and tail index
// α: P(X > x) = (xm/x)^α for x >= xm. Heavy tailed: the mean αxm/(α-1) is
// infinite for α <= 1 and the variance for α <= 2. Written
// pareto(xm=x, alpha=α).
type Pareto struct{ xm, alpha float64 }

// NewPareto returns the Pareto distribution with xm > 0 and alpha > 0.
func NewPareto(xm, alpha float64) (*Pareto, error) {
	if !finite(xm) || !(xm > 0) {
		return nil, fmt.Errorf("pareto: xm (%v) must be finite and positive", xm)
	}
	if !finite(alpha) || !(alpha > 0) {
		return nil, fmt.Errorf("pareto: alpha (%v) must be finite and positive", alpha)
	}
	return &Pareto{xm: xm, alpha: alpha}, nil
}

// Sample inverts the survival function: xm·exp(E/α) with E ~ Exp(1).
func (p *Pareto) Sample(r *rand.Rand) float64 { return p.xm * math.Exp(r.ExpFloat64()/p.alpha) }

// Mean returns αxm/(α-1), or +Inf for α <= 1.
func (p *Pareto) Mean() float64 {
	if p.alpha <= 1 {
		return math.Inf(1)
	}
	return p.alpha * p.xm / (p.alpha - 1)
}

// Quantile returns xm·(1-q)^(-1/α).
func (p *Pareto) Quantile(q float64) float64 {
	return p.xm * math.Exp(-math.Log1p(-clampP(q))/p.alpha)
}

func (p *Pareto) String() string {
	return "pareto(xm=" + num(p.xm) + ", alpha=" + num(p.alpha) + ")"
}

package dist

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Mixture draws from component i with probability w_i/Σw. Written
// mixture(0.9*lognormal(median=80ms, p99=400ms), 0.1*constant(3s)); the
// weights are printed as given, not normalised, so String round-trips
// exactly. Mean is Σ w_i·mean_i / Σw.
type Mixture struct {
	weights []float64 // as given
	comps   []Dist
	cum     []float64 // normalised cumulative weights, cum[len-1] == 1
}

// NewMixture returns the mixture of comps with the given positive weights
// (normalised internally).
func NewMixture(weights []float64, comps []Dist) (*Mixture, error) {
	if len(comps) == 0 {
		return nil, fmt.Errorf("mixture: needs at least one component")
	}
	if len(weights) != len(comps) {
		return nil, fmt.Errorf("mixture: %d weights for %d components", len(weights), len(comps))
	}
	cum, err := cumulative("mixture", weights)
	if err != nil {
		return nil, err
	}
	for i, c := range comps {
		if c == nil {
			return nil, fmt.Errorf("mixture: component %d is nil", i+1)
		}
	}
	return &Mixture{
		weights: append([]float64(nil), weights...),
		comps:   append([]Dist(nil), comps...),
		cum:     cum,
	}, nil
}

// cumulative validates weights (finite, > 0, finite sum) and returns their
// normalised cumulative sums with the last one exactly 1.
func cumulative(kind string, w []float64) ([]float64, error) {
	sum := 0.0
	for i, x := range w {
		if !finite(x) || !(x > 0) {
			return nil, fmt.Errorf("%s: weight %d (%v) must be finite and positive", kind, i+1, x)
		}
		sum += x
	}
	if !finite(sum) {
		return nil, fmt.Errorf("%s: sum of weights (%v) must be finite", kind, sum)
	}
	cum := make([]float64, len(w))
	acc := 0.0
	for i, x := range w {
		acc += x
		cum[i] = acc / sum
	}
	cum[len(cum)-1] = 1
	return cum, nil
}

// pick returns the index i with cum[i-1] <= u < cum[i] by binary search.
func pick(cum []float64, u float64) int {
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if u < cum[m] {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// Sample picks a component (one uniform) and samples it.
func (m *Mixture) Sample(r *rand.Rand) float64 {
	return m.comps[pick(m.cum, r.Float64())].Sample(r)
}

// Mean returns Σ w_i·mean_i / Σw.
func (m *Mixture) Mean() float64 {
	mean, prev := 0.0, 0.0
	for i, c := range m.comps {
		mean += (m.cum[i] - prev) * c.Mean()
		prev = m.cum[i]
	}
	return mean
}

// Components returns the normalised weights and the components.
func (m *Mixture) Components() ([]float64, []Dist) {
	w := make([]float64, len(m.cum))
	prev := 0.0
	for i, c := range m.cum {
		w[i], prev = c-prev, c
	}
	return w, append([]Dist(nil), m.comps...)
}

func (m *Mixture) String() string {
	var b strings.Builder
	b.WriteString("mixture(")
	for i, c := range m.comps {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(num(m.weights[i]))
		b.WriteByte('*')
		b.WriteString(c.String())
	}
	b.WriteByte(')')
	return b.String()
}

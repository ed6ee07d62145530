package dist

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Discrete takes value v_i with probability w_i/Σw, for cart sizes and
// similar small categorical quantities. Written
// discrete(1:30, 2:25, 3:20, 5:15, 10:10) as value:weight pairs, printed
// in the order and with the weights given.
type Discrete struct {
	values, weights  []float64
	cum              []float64
	sortedV, sortedC []float64 // values ascending with their cumulative probability, for Quantile
}

// NewDiscrete returns the distribution taking values[i] with probability
// weights[i]/Σweights. Weights must be positive and finite, values finite.
func NewDiscrete(values, weights []float64) (*Discrete, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("discrete: needs at least one value:weight pair")
	}
	if len(values) != len(weights) {
		return nil, fmt.Errorf("discrete: %d values for %d weights", len(values), len(weights))
	}
	for i, v := range values {
		if !finite(v) {
			return nil, fmt.Errorf("discrete: value %d (%v) must be finite", i+1, v)
		}
	}
	cum, err := cumulative("discrete", weights)
	if err != nil {
		return nil, err
	}
	d := &Discrete{values: append([]float64(nil), values...), weights: append([]float64(nil), weights...), cum: cum}
	idx := make([]int, len(values))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return values[idx[a]] < values[idx[b]] })
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	acc := 0.0
	for _, i := range idx {
		acc += weights[i]
		d.sortedV = append(d.sortedV, values[i])
		d.sortedC = append(d.sortedC, acc/sum)
	}
	d.sortedC[len(d.sortedC)-1] = 1
	return d, nil
}

// Sample draws one uniform and finds its value by binary search
// (O(log n)).
func (d *Discrete) Sample(r *rand.Rand) float64 { return d.values[pick(d.cum, r.Float64())] }

// Mean returns Σ v_i w_i / Σw.
func (d *Discrete) Mean() float64 {
	mean, prev := 0.0, 0.0
	for i, v := range d.values {
		mean += (d.cum[i] - prev) * v
		prev = d.cum[i]
	}
	return mean
}

// Quantile returns the smallest value v with P(X <= v) >= p.
func (d *Discrete) Quantile(p float64) float64 {
	p = clampP(p)
	for i, c := range d.sortedC {
		if c >= p {
			return d.sortedV[i]
		}
	}
	return d.sortedV[len(d.sortedV)-1]
}

func (d *Discrete) String() string {
	var b strings.Builder
	b.WriteString("discrete(")
	for i, v := range d.values {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(num(v))
		b.WriteByte(':')
		b.WriteString(num(d.weights[i]))
	}
	b.WriteByte(')')
	return b.String()
}

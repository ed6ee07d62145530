package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestMSER5StepTransient(t *testing.T) {
	// One batch of 100s, then a flat series with a tiny alternation: after
	// dropping that first batch the remaining batch means are all 1 ± 0.02,
	// so d = 1 batch (5 values) minimises MSER.
	s := []float64{100, 100, 100, 100, 100}
	for i := 0; i < 200; i++ {
		s = append(s, 1+0.1*float64(i%2*2-1))
	}
	if got := MSER5(s); got != 5 {
		t.Fatalf("MSER5 = %d, want 5", got)
	}
}

func TestMSER5ExponentialTransient(t *testing.T) {
	// x_t = 10·exp(-t/50) + N(0,1): the bias is 10 at t=0, 0.7 at t=133
	// and below 0.07 after t=250. The truncation must remove the bulk of
	// the transient but not most of the run.
	const seed = 20261127
	r := rand.New(rand.NewPCG(seed, 5))
	s := make([]float64, 2000)
	for i := range s {
		s[i] = 10*math.Exp(-float64(i)/50) + r.NormFloat64()
	}
	got := MSER5(s)
	if got < 100 || got > 500 || got%5 != 0 {
		t.Fatalf("seed %d: MSER5 = %d, want a multiple of 5 in [100, 500]", seed, got)
	}
}

func TestMSER5Short(t *testing.T) {
	for _, s := range [][]float64{nil, {1, 2, 3}, {5, 5, 5, 5, 5, 1, 1, 1, 1}} {
		if got := MSER5(s); got != 0 {
			t.Errorf("MSER5(%v) = %d, want 0", s, got)
		}
	}
	// The search stops at half the batches even if the tail looks better.
	s := make([]float64, 100)
	for i := range s {
		s[i] = float64(100 - i)
	}
	if got := MSER5(s); got > 50 {
		t.Errorf("MSER5 of a ramp = %d, beyond the first half", got)
	}
}

package stats

import (
	"math"
	"testing"
)

func TestSummaryMeanVarCI(t *testing.T) {
	var s Summary
	for _, x := range []float64{2, 4, 4, 4, 5, 5, 7, 9} {
		s.Add(x)
	}
	if s.N() != 8 || s.Mean() != 5 {
		t.Fatalf("n=%d mean=%v, want 8 and 5", s.N(), s.Mean())
	}
	// Sum of squared deviations is 32, so the unbiased variance is 32/7.
	if got := s.Var(); math.Abs(got-32.0/7) > 1e-12 {
		t.Fatalf("var=%v want %v", got, 32.0/7)
	}
	lo, hi := s.CI95()
	// t(0.975, 7) = 2.364624 (standard table value).
	half := 2.364624 * math.Sqrt(32.0/7/8)
	if math.Abs(lo-(5-half)) > 1e-5 || math.Abs(hi-(5+half)) > 1e-5 {
		t.Fatalf("CI95 = [%v, %v], want 5 -/+ %v", lo, hi, half)
	}
}

func TestSummaryFewObservations(t *testing.T) {
	var s Summary
	s.Add(3)
	lo, hi := s.CI95()
	if !math.IsInf(lo, -1) || !math.IsInf(hi, 1) || s.Var() != 0 {
		t.Fatalf("one observation: CI [%v,%v] var %v", lo, hi, s.Var())
	}
}

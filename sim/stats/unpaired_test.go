package stats

import (
	"math"
	"testing"
)

func unpaired(a, b []float64) *Unpaired {
	var u Unpaired
	for _, x := range a {
		u.A.Add(x)
	}
	for _, x := range b {
		u.B.Add(x)
	}
	return &u
}

func near(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y)) }

// With one side constant, Welch's interval is the other side's Student-t
// interval (n-1 degrees of freedom), shifted or scaled.
func TestUnpairedReducesToOneSample(t *testing.T) {
	b := []float64{2, 4, 7, 8, 9}
	var sb Summary
	for _, x := range b {
		sb.Add(x)
	}
	lo, hi := sb.CI(0.95)
	u := unpaired([]float64{3, 3, 3}, b)
	d := u.Diff()
	if !near(d.Estimate, sb.Mean()-3) || !near(d.Lo, lo-3) || !near(d.Hi, hi-3) {
		t.Errorf("diff %+v, want b's interval [%g, %g] minus 3", d, lo, hi)
	}
	r := u.Ratio()
	if !near(r.Estimate, sb.Mean()/3) || !near(r.Lo, lo/3) || !near(r.Hi, hi/3) {
		t.Errorf("ratio %+v, want b's interval [%g, %g] over 3", r, lo, hi)
	}
}

// Welch's interval is wider than the pooled one when the spreads differ,
// contains the estimate, and is infinite or undefined where it must be.
func TestUnpairedEdges(t *testing.T) {
	u := unpaired([]float64{1, 2, 3, 4, 5}, []float64{2, 4, 6, 8})
	d := u.Diff()
	if d.Estimate != 2 || !(d.Lo < 2 && d.Hi > 2) || !near(d.Hi-2, 2-d.Lo) {
		t.Errorf("diff %+v: want 2 at the centre of its interval", d)
	}
	// t at 4.75 degrees of freedom lies between t_4 and t_5.
	se := math.Sqrt(2.5/5 + (20.0/3)/4)
	if h := d.Hi - 2; !(h > TQuantile(0.95, 5)*se && h < TQuantile(0.95, 4)*se) {
		t.Errorf("half width %g, want between t5·se %g and t4·se %g", h, TQuantile(0.95, 5)*se, TQuantile(0.95, 4)*se)
	}
	if one := unpaired([]float64{1}, []float64{2, 3}).Diff(); !math.IsInf(one.Lo, -1) || !math.IsInf(one.Hi, 1) {
		t.Errorf("one value in a: %+v, want an infinite interval", one)
	}
	if zero := unpaired([]float64{0, 0}, []float64{1, 2}).Ratio(); !math.IsNaN(zero.Estimate) {
		t.Errorf("ratio over a mean of 0: %+v, want NaN", zero)
	}
	if same := unpaired([]float64{2, 2}, []float64{3, 3}).Diff(); same != (Interval{1, 1, 1}) {
		t.Errorf("constant samples: %+v, want a zero-width interval at 1", same)
	}
}

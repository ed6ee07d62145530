package stats

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPairedAgainstDirect compares the streaming results with two-pass
// computations on the same data.
func TestPairedAgainstDirect(t *testing.T) {
	a := []float64{10, 12, 9, 11, 14, 10.5}
	b := []float64{12, 15, 10, 13, 18, 12}
	var p Paired
	var d Summary
	for i := range a {
		p.Add(a[i], b[i])
		d.Add(b[i] - a[i])
	}
	lo, hi := d.CI95()
	if iv := p.Diff(); math.Abs(iv.Estimate-d.Mean()) > 1e-12 || math.Abs(iv.Lo-lo) > 1e-9 || math.Abs(iv.Hi-hi) > 1e-9 {
		t.Fatalf("Diff = %+v, Summary of differences gives %v [%v, %v]", iv, d.Mean(), lo, hi)
	}
	sa, sb := 0.0, 0.0
	for i := range a {
		sa += a[i]
		sb += b[i]
	}
	n := float64(len(a))
	r := sb / sa
	s2 := 0.0
	for i := range a {
		e := b[i] - r*a[i]
		s2 += e * e
	}
	s2 /= n - 1
	half := TQuantile(0.95, len(a)-1) * math.Sqrt(s2/n) / (sa / n)
	iv := p.Ratio()
	if math.Abs(iv.Estimate-r) > 1e-12 || math.Abs(iv.Hi-iv.Estimate-half) > 1e-9 || math.Abs(iv.Estimate-iv.Lo-half) > 1e-9 {
		t.Fatalf("Ratio = %+v, want %v ± %v", iv, r, half)
	}
}

// TestPairedCoverage runs 400 synthetic experiments of 20 paired
// replications with known true difference and ratio and checks that the
// nominal 95% intervals cover them 90-99% of the time.
func TestPairedCoverage(t *testing.T) {
	const (
		seed      = 20261127
		exps      = 400
		reps      = 20
		meanA     = 10.0
		trueRatio = 1.25
	)
	type gen struct {
		name string
		a    func(r *rand.Rand) float64
	}
	for _, g := range []gen{
		{"normal a", func(r *rand.Rand) float64 { return meanA + 2*r.NormFloat64() }},
		// Skewed: a exponential with mean 10.
		{"exponential a", func(r *rand.Rand) float64 { return meanA * r.ExpFloat64() }},
	} {
		r := rand.New(rand.NewPCG(seed, 1))
		coverR, coverD := 0, 0
		for e := 0; e < exps; e++ {
			var p Paired
			for i := 0; i < reps; i++ {
				a := g.a(r)
				// Common random numbers: b moves with a, plus its own noise.
				b := trueRatio*a + r.NormFloat64()
				p.Add(a, b)
			}
			if p.Ratio().Contains(trueRatio) {
				coverR++
			}
			if p.Diff().Contains((trueRatio - 1) * meanA) {
				coverD++
			}
		}
		for _, c := range []struct {
			what  string
			cover int
		}{{"ratio", coverR}, {"diff", coverD}} {
			f := float64(c.cover) / exps
			if f < 0.90 || f > 0.99 {
				t.Errorf("%s, seed %d, %d experiments of %d pairs: 95%% %s CI covered the truth %.3f of the time, want 0.90-0.99", g.name, seed, exps, reps, c.what, f)
			}
		}
	}
}

func TestPairedDegenerate(t *testing.T) {
	var p Paired
	if iv := p.Ratio(); !math.IsNaN(iv.Estimate) || !math.IsInf(iv.Hi, 1) {
		t.Fatalf("empty Ratio = %+v", iv)
	}
	p.Add(2, 3)
	if iv := p.Diff(); iv.Estimate != 1 || !math.IsInf(iv.Lo, -1) {
		t.Fatalf("one-pair Diff = %+v, want 1 with an infinite interval", iv)
	}
	if iv := p.Ratio(); iv.Estimate != 1.5 || !math.IsInf(iv.Hi, 1) {
		t.Fatalf("one-pair Ratio = %+v, want 1.5 with an infinite interval", iv)
	}
}

package dist

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// draw returns n samples of d from a PCG stream seeded with seed.
func fitDraw(d Dist, n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = d.Sample(r)
	}
	return xs
}

func fitParamOf(f Fit, name string) float64 {
	for _, p := range f.Params {
		if p.Name == name {
			return p.Value
		}
	}
	return math.NaN()
}

func fitOf(r *FitResult, family string) Fit {
	for _, f := range r.Fits {
		if f.Family == family {
			return f
		}
	}
	return Fit{}
}

// Samples from a known family: the MLE recovers its parameters, and that
// family has the smallest KS statistic. With n = 20000 the MLEs' standard
// errors are about 1% of the parameters (lognormal σ/√(2n) = 0.5%; gamma
// and Weibull shapes about 1%: Johnson, Kotz & Balakrishnan vol. 1, §17.7
// and §21.4), so a 4% tolerance is four standard errors.
func TestFitRecoversKnownFamilies(t *testing.T) {
	const n, tol = 20000, 0.04
	for _, tc := range []struct {
		family string
		d      Dist
		want   map[string]float64
	}{
		{FamilyLognormal, fitMust(NewLognormal(-1.6, 0.5)), map[string]float64{"mu": -1.6, "sigma": 0.5}},
		{FamilyGamma, fitMust(NewGamma(1.3, 0.08)), map[string]float64{"shape": 1.3, "scale": 0.08}},
		{FamilyGamma, fitMust(NewGamma(9, 0.02)), map[string]float64{"shape": 9, "scale": 0.02}},
		{FamilyWeibull, fitMust(NewWeibull(0.8, 0.3)), map[string]float64{"shape": 0.8, "scale": 0.3}},
		{FamilyWeibull, fitMust(NewWeibull(3.5, 0.2)), map[string]float64{"shape": 3.5, "scale": 0.2}},
	} {
		for _, seed := range []uint64{1, 2} {
			xs := fitDraw(tc.d, n, seed)
			r, err := FitSamples(xs, "")
			if err != nil {
				t.Fatalf("%s seed %d: %v", tc.d, seed, err)
			}
			got := fitOf(r, tc.family)
			for name, want := range tc.want {
				v := fitParamOf(got, name)
				if math.Abs(v-want) > tol*math.Abs(want) {
					t.Errorf("%s seed %d n %d: fitted %s = %v, want %v within %.0f%%", tc.d, seed, n, name, v, want, tol*100)
				}
			}
			if r.Best().Family != tc.family {
				t.Errorf("%s seed %d n %d: best fit %s (D %.4f), want %s (D %.4f)", tc.d, seed, n,
					r.Best().Family, r.Best().KS, tc.family, got.KS)
			}
			// A true model's D is of order 1/√n: P(√n D > 1.95) < 0.001.
			if got.KS*math.Sqrt(n) > 1.95 {
				t.Errorf("%s seed %d: D of the true family %.4f, want below 1.95/√n = %.4f", tc.d, seed, got.KS, 1.95/math.Sqrt(n))
			}
			if last := r.Fits[len(r.Fits)-1]; last.Family != FamilyEmpirical || !math.IsNaN(last.PValue) {
				t.Errorf("%s: last fit %s p %v, want empirical without p-value", tc.d, last.Family, last.PValue)
			}
		}
	}
}

func fitMust[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// The MLE is a stationary point of the log-likelihood: for the gamma
// shape, ln k - ψ(k) = ln(mean) - mean(ln x) (checked before rounding by
// perturbing: the rounded shape's likelihood beats ±1% around it).
func TestFitGammaIsLikelihoodMaximum(t *testing.T) {
	xs := fitDraw(fitMust(NewGamma(2.2, 0.1)), 5000, 3)
	slices.Sort(xs)
	f, err := fitGamma(xs)
	if err != nil {
		t.Fatal(err)
	}
	k := fitParamOf(f, "shape")
	ll := func(k float64) float64 {
		// Profile likelihood with the scale at its MLE mean/k.
		mean, sum := 0.0, 0.0
		for _, v := range xs {
			mean += v
		}
		mean /= float64(len(xs))
		g := distuv.Gamma{Alpha: k, Beta: k / mean}
		for _, v := range xs {
			sum += g.LogProb(v)
		}
		return sum
	}
	for _, dk := range []float64{0.99, 1.01} {
		if ll(k*dk) >= ll(k) {
			t.Errorf("gamma shape %v: likelihood at %v×shape (%v) not below the fit's (%v)", k, dk, ll(k*dk), ll(k))
		}
	}
}

// trigamma against exact values: ψ'(1) = π²/6, ψ'(1/2) = π²/2,
// ψ'(n+1) = π²/6 - Σ_{j=1..n} 1/j².
func TestTrigamma(t *testing.T) {
	p2 := math.Pi * math.Pi
	h := 0.0
	for j := 1; j <= 10; j++ {
		h += 1 / float64(j*j)
	}
	for _, tc := range []struct{ x, want float64 }{
		{1, p2 / 6}, {0.5, p2 / 2}, {11, p2/6 - h}, {0.01, 1/(0.01*0.01) + 1.6449340668 + 0.01*(-2*1.2020569)},
	} {
		got := trigamma(tc.x)
		if math.Abs(got-tc.want) > 1e-6*tc.want {
			t.Errorf("trigamma(%v) = %v, want %v", tc.x, got, tc.want)
		}
	}
}

// KS against a sample placed at the quantiles (i - 1/2)/n of F: every
// |F_n - F| gap is exactly 1/(2n), so D = 1/(2n).
func TestKSStatisticOfQuantileSample(t *testing.T) {
	for _, n := range []int{1, 10, 1000} {
		u := distuv.Uniform{Min: 0, Max: 1}
		x := make([]float64, n)
		for i := range x {
			x[i] = (float64(i) + 0.5) / float64(n)
		}
		if d := KSStatistic(x, u.CDF); math.Abs(d-0.5/float64(n)) > 1e-12 {
			t.Errorf("n %d: D = %v, want 1/(2n) = %v", n, d, 0.5/float64(n))
		}
	}
	// All samples below F's support: D = 1.
	if d := KSStatistic([]float64{-3, -2}, distuv.Uniform{Min: 0, Max: 1}.CDF); d != 1 {
		t.Errorf("D of samples outside the support = %v, want 1", d)
	}
}

// The Kolmogorov tail at the classical critical values: λ = 1.3581 is the
// 5% point and 1.6276 the 1% point (Smirnov 1948, Table 1); λ→0 gives 1.
func TestKolmogorovQ(t *testing.T) {
	for _, tc := range []struct{ lambda, want, tol float64 }{
		{1.3581, 0.05, 2e-4}, {1.6276, 0.01, 1e-4}, {0.1, 1, 0}, {5, 0, 1e-20},
	} {
		if got := kolmogorovQ(tc.lambda); math.Abs(got-tc.want) > tc.tol {
			t.Errorf("Q(%v) = %v, want %v ± %v", tc.lambda, got, tc.want, tc.tol)
		}
	}
	// Stephens' correction makes KSPValue(1.3581/√n-ish, n) ≈ 0.05.
	n := 400
	d := 1.3581 / (math.Sqrt(float64(n)) + 0.12 + 0.11/math.Sqrt(float64(n)))
	if p := KSPValue(d, n); math.Abs(p-0.05) > 2e-4 {
		t.Errorf("KSPValue(%v, %d) = %v, want 0.05", d, n, p)
	}
}

func TestFitSamplesErrors(t *testing.T) {
	for _, tc := range []struct {
		xs   []float64
		want string
	}{
		{[]float64{1}, "need at least 2 samples, got 1"},
		{[]float64{0.2, 0.2, 0.2}, "all 3 samples are equal (0.2 s)"},
		{[]float64{0.2, -1}, "must be finite and positive"},
		{[]float64{0.2, math.Inf(1)}, "must be finite and positive"},
	} {
		_, err := FitSamples(tc.xs, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.xs, err, tc.want)
		}
	}
}

func BenchmarkFitSamples10k(b *testing.B) {
	xs := fitDraw(fitMust(NewLognormal(-1.5, 0.6)), 10000, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitSamples(xs, ""); err != nil {
			b.Fatal(err)
		}
	}
}

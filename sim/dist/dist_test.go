package dist

import (
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

const (
	testSeed = 20261127
	nDraws   = 200_000
	z999     = 3.2905 // two-sided 99.9% standard normal critical value (table)
	z99table = 2.3263478740408408
)

// phi and bigPhi are the standard normal density and CDF, written out here
// so the tests do not reuse the package's own gonum calls.
func phi(x float64) float64    { return math.Exp(-x*x/2) / math.Sqrt(2*math.Pi) }
func bigPhi(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

func zipfMean(n int, s float64) float64 {
	num, den := 0.0, 0.0
	for k := n; k >= 1; k-- {
		p := math.Pow(float64(k), -s)
		num += float64(k-1) * p
		den += p
	}
	return num / den
}

// meanCases pairs a spec with its analytic mean computed from the textbook
// formula.
var meanCases = []struct {
	spec string
	mean float64
}{
	{"constant(2ms)", 0.002},
	{"uniform(min=1, max=3)", 2},
	{"exponential(mean=50ms)", 0.05},
	{"exponential(rate=20)", 0.05},
	{"normal(mean=1, sd=0.5)", 1 + 0.5*phi(2)/bigPhi(2)},
	{"normal(mean=-1, sd=1)", -1 + phi(-1)/bigPhi(-1)},
	{"lognormal(median=300ms, p99=2s)", math.Exp(math.Log(0.3) + math.Pow(math.Log(2/0.3)/z99table, 2)/2)},
	{"lognormal(mu=0, sigma=0.5)", math.Exp(0.125)},
	{"lognormal(mean=1, sd=2)", 1},
	{"gamma(shape=2, scale=10ms)", 0.02},
	{"gamma(shape=0.5, scale=2)", 1},
	{"erlang(k=3, mean=30ms)", 0.03},
	{"pareto(xm=1, alpha=3.5)", 3.5 / 2.5},
	{"weibull(shape=1.5, scale=2)", 2 * math.Gamma(1+1/1.5)},
	{"empirical(samples=[0.1, 0.2, 0.35, 1])", ((0.1+0.2)/2 + (0.2+0.35)/2 + (0.35+1)/2) / 3},
	{"mixture(0.9*exponential(mean=1), 0.1*constant(3))", 0.9*1 + 0.1*3},
	{"discrete(1:30, 2:25, 3:20, 5:15, 10:10)", (1*30 + 2*25 + 3*20 + 5*15 + 10*10) / 100.0},
	{"zipf(n=100, s=1.1)", zipfMean(100, 1.1)},
	{"scale(factor=3, dist=exponential(mean=1))", 3},
}

func draw(d Dist, seed uint64, n int) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = d.Sample(r)
	}
	return xs
}

func meanSD(xs []float64) (float64, float64) {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return m, math.Sqrt(v / float64(len(xs)-1))
}

func TestAnalyticMean(t *testing.T) {
	for _, c := range meanCases {
		d, err := Parse(c.spec)
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.spec, err)
		}
		if got := d.Mean(); math.Abs(got-c.mean) > 1e-9*math.Max(1, math.Abs(c.mean)) {
			t.Errorf("%s: Mean() = %v, formula gives %v", c.spec, got, c.mean)
		}
	}
}

// TestSampleMean checks that the sample mean of 200k draws lies within the
// 99.9% confidence bound of the analytic mean.
func TestSampleMean(t *testing.T) {
	for i, c := range meanCases {
		d, _ := Parse(c.spec)
		seed := uint64(testSeed + i)
		m, sd := meanSD(draw(d, seed, nDraws))
		half := z999 * sd / math.Sqrt(nDraws)
		if math.Abs(m-c.mean) > half+1e-12 {
			t.Errorf("%s (seed %d, n %d): sample mean %v, analytic %v, 99.9%% bound ±%v", c.spec, seed, nDraws, m, c.mean, half)
		}
	}
}

// TestSampleQuantiles checks, for every distribution with a quantile
// function, that the fraction of draws at or below Quantile(p) is within
// the 99.9% binomial bound of p.
func TestSampleQuantiles(t *testing.T) {
	for i, c := range meanCases {
		d, _ := Parse(c.spec)
		if _, ok := d.(*Discrete); ok {
			continue // atoms: P(X <= q) jumps past p
		}
		if _, ok := d.(*Constant); ok {
			continue
		}
		if _, ok := QuantileOf(d, 0.5); !ok {
			continue
		}
		seed := uint64(testSeed + 100 + i)
		xs := draw(d, seed, nDraws)
		sort.Float64s(xs)
		for _, p := range []float64{0.1, 0.5, 0.9, 0.99} {
			q, _ := QuantileOf(d, p)
			frac := float64(sort.Search(len(xs), func(j int) bool { return xs[j] > q })) / nDraws
			half := z999 * math.Sqrt(p*(1-p)/nDraws)
			if math.Abs(frac-p) > half {
				t.Errorf("%s (seed %d): P(X <= Q(%v)=%v) = %v, want %v ± %v", c.spec, seed, p, q, frac, p, half)
			}
		}
	}
}

func TestLognormalMedianP99(t *testing.T) {
	d, err := NewLognormalMedianP99(0.3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if q := d.Quantile(0.5); math.Abs(q-0.3) > 1e-12 {
		t.Errorf("Quantile(0.5) = %v, want 0.3", q)
	}
	if q := d.Quantile(0.99); math.Abs(q-2) > 1e-9 {
		t.Errorf("Quantile(0.99) = %v, want 2", q)
	}
	xs := draw(d, testSeed, nDraws)
	sort.Float64s(xs)
	med, p99 := xs[nDraws/2], xs[nDraws*99/100]
	// Empirical quantiles of 200k draws: the order-statistic spread at p99
	// is about sqrt(p(1-p)/n)/f(q) ≈ 2% of q here; allow 4x that.
	if math.Abs(med/0.3-1) > 0.02 || math.Abs(p99/2-1) > 0.08 {
		t.Errorf("seed %d: empirical median %v (want 0.3), p99 %v (want 2)", testSeed, med, p99)
	}
}

// TestZipfFrequencies is a chi-square goodness-of-fit test of item counts
// against (k+1)^-s / H(N,s), at the 99.9% level.
func TestZipfFrequencies(t *testing.T) {
	for _, s := range []float64{0.6, 1, 1.1, 2} {
		const n = 200
		z, err := NewZipf(n, s)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(testSeed, uint64(s*10)))
		counts := make([]float64, n)
		for i := 0; i < nDraws; i++ {
			k := z.Int(r)
			if k < 0 || k >= n {
				t.Fatalf("s=%v: Int = %d out of [0,%d)", s, k, n)
			}
			counts[k]++
		}
		h := 0.0
		for k := 1; k <= n; k++ {
			h += math.Pow(float64(k), -s)
		}
		chi2 := 0.0
		for k := 0; k < n; k++ {
			e := nDraws * math.Pow(float64(k+1), -s) / h
			chi2 += (counts[k] - e) * (counts[k] - e) / e
		}
		crit := distuv.ChiSquared{K: n - 1}.Quantile(0.999)
		if chi2 > crit {
			t.Errorf("zipf(n=%d, s=%v) seed %d: chi-square %v > 99.9%% critical %v", n, s, testSeed, chi2, crit)
		}
	}
}

// TestZipfMeanLargeN checks the Euler-Maclaurin normaliser and mean against
// brute-force sums.
func TestZipfMeanLargeN(t *testing.T) {
	for _, c := range []struct {
		n int
		s float64
	}{{1001, 1}, {5000, 0.5}, {1_000_000, 1.1}, {1_000_000, 1}, {200_000, 0.99999}, {300_000, 2.5}} {
		z, err := NewZipf(c.n, c.s)
		if err != nil {
			t.Fatal(err)
		}
		want := zipfMean(c.n, c.s)
		if got := z.Mean(); math.Abs(got/want-1) > 1e-10 {
			t.Errorf("zipf(n=%d, s=%v).Mean() = %v, brute force %v", c.n, c.s, got, want)
		}
		h := 0.0
		for k := c.n; k >= 1; k-- {
			h += math.Pow(float64(k), -c.s)
		}
		if got := z.Prob(0); math.Abs(got*h-1) > 1e-10 {
			t.Errorf("zipf(n=%d, s=%v).Prob(0) = %v, want %v", c.n, c.s, got, 1/h)
		}
	}
}

func TestZipfLargeNTopRanks(t *testing.T) {
	const n, s = 1_000_000, 1.1
	z, err := NewZipf(n, s)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(testSeed, 7))
	counts := make([]int, 5)
	for i := 0; i < nDraws; i++ {
		if k := z.Int(r); k < len(counts) {
			counts[k]++
		}
	}
	for k, c := range counts {
		p := z.Prob(k)
		half := z999 * math.Sqrt(p*(1-p)/nDraws)
		if f := float64(c) / nDraws; math.Abs(f-p) > half {
			t.Errorf("zipf(n=%d, s=%v) seed %d rank %d: frequency %v, want %v ± %v", n, s, testSeed, k, f, p, half)
		}
	}
}

// TestKS applies the Kolmogorov-Smirnov test at the 0.1% level: the
// asymptotic critical value of sqrt(n)·D is 1.9495 (Smirnov's table).
func TestKS(t *testing.T) {
	cases := []struct {
		spec string
		cdf  func(x float64) float64
	}{
		{"exponential(mean=2)", func(x float64) float64 { return 1 - math.Exp(-x/2) }},
		{"gamma(shape=2.5, scale=1)", distuv.Gamma{Alpha: 2.5, Beta: 1}.CDF},
		{"gamma(shape=0.3, scale=1)", distuv.Gamma{Alpha: 0.3, Beta: 1}.CDF},
		{"weibull(shape=0.7, scale=1)", func(x float64) float64 { return 1 - math.Exp(-math.Pow(x, 0.7)) }},
		{"normal(mean=-1, sd=1)", func(x float64) float64 { return 1 - bigPhi(-1-x)/bigPhi(-1) }},
	}
	for i, c := range cases {
		const n = 50_000
		seed := uint64(testSeed + 200 + i)
		xs := draw(MustParse(c.spec), seed, n)
		sort.Float64s(xs)
		dmax := 0.0
		for j, x := range xs {
			f := c.cdf(x)
			dmax = math.Max(dmax, math.Max(math.Abs(float64(j+1)/n-f), math.Abs(f-float64(j)/n)))
		}
		if crit := 1.9495 / math.Sqrt(n); dmax > crit {
			t.Errorf("%s seed %d n %d: KS D = %v > %v", c.spec, seed, n, dmax, crit)
		}
	}
}

func TestEmpiricalInterpolation(t *testing.T) {
	e, err := NewEmpirical([]float64{3, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {0.25, 1.5}, {0.5, 2}, {0.75, 2.5}, {1, 3}} {
		if got := e.Quantile(c.p); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", c.p, got, c.want)
		}
	}
	xs := draw(e, testSeed, 1000)
	for _, x := range xs {
		if x < 1 || x > 3 {
			t.Fatalf("sample %v outside [1, 3]", x)
		}
	}
}

func TestScaleQuantile(t *testing.T) {
	base, _ := NewExponential(1)
	s, err := Scale(base, 3)
	if err != nil {
		t.Fatal(err)
	}
	q, ok := QuantileOf(s, 0.5)
	if want := 3 * math.Ln2; !ok || math.Abs(q-want) > 1e-12 {
		t.Errorf("QuantileOf(scale 3 exp(1), 0.5) = %v, %v; want %v", q, ok, want)
	}
	if _, err := Scale(base, -1); err == nil {
		t.Error("Scale(-1): no error")
	}
	if _, err := Scale(nil, 2); err == nil {
		t.Error("Scale(nil): no error")
	}
	m, _ := NewMixture([]float64{1}, []Dist{base})
	s2, _ := Scale(m, 2)
	if _, ok := QuantileOf(s2, 0.5); ok {
		t.Error("QuantileOf(scaled mixture) claims an analytic quantile")
	}
}

// TestSampleIsDeterministic pins that two streams with the same seed give
// the same draws for every kind.
func TestSampleIsDeterministic(t *testing.T) {
	for _, c := range meanCases {
		d := MustParse(c.spec)
		a, b := draw(d, 42, 100), draw(d, 42, 100)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: same seed, different draws", c.spec)
		}
	}
}

func TestConstructorErrors(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"constant nan", func() error { _, e := NewConstant(nan); return e }, "constant: value (NaN)"},
		{"uniform", func() error { _, e := NewUniform(2, 1); return e }, "uniform: max (1) must be finite and greater than min (2)"},
		{"exp mean", func() error { _, e := NewExponential(0); return e }, "exponential: mean (0)"},
		{"exp rate", func() error { _, e := NewExponentialRate(-1); return e }, "exponential: rate (-1)"},
		{"normal sd", func() error { _, e := NewNormal(1, 0); return e }, "normal: sd (0)"},
		{"normal far", func() error { _, e := NewNormal(-100, 1); return e }, "normal: mean (-100)"},
		{"lognormal p99", func() error { _, e := NewLognormalMedianP99(0.3, 0.2); return e }, "lognormal: p99 (0.2) must be greater than median (0.3)"},
		{"lognormal sigma", func() error { _, e := NewLognormal(0, -1); return e }, "lognormal: sigma (-1)"},
		{"lognormal sd", func() error { _, e := NewLognormalMeanSD(1, 0); return e }, "lognormal: sd (0)"},
		{"gamma shape", func() error { _, e := NewGamma(0, 1); return e }, "gamma: shape (0)"},
		{"erlang k", func() error { _, e := NewErlang(0, 1); return e }, "erlang: k (0)"},
		{"pareto alpha", func() error { _, e := NewPareto(1, 0); return e }, "pareto: alpha (0)"},
		{"weibull scale", func() error { _, e := NewWeibull(1, math.Inf(1)); return e }, "weibull: scale (+Inf)"},
		{"empirical empty", func() error { _, e := NewEmpirical(nil); return e }, "empirical: samples must not be empty"},
		{"empirical neg", func() error { _, e := NewEmpirical([]float64{1, -2}); return e }, "empirical: sample 2 (-2)"},
		{"mixture weight", func() error { _, e := NewMixture([]float64{1, 0}, []Dist{&Constant{1}, &Constant{2}}); return e }, "mixture: weight 2 (0)"},
		{"discrete len", func() error { _, e := NewDiscrete([]float64{1}, []float64{1, 2}); return e }, "discrete: 1 values for 2 weights"},
		{"zipf n", func() error { _, e := NewZipf(0, 1); return e }, "zipf: n (0)"},
		{"zipf s", func() error { _, e := NewZipf(10, 0); return e }, "zipf: s (0)"},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

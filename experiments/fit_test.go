package experiments

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// draw returns n samples of d from a PCG stream seeded with seed.
func fitDraw(d dist.Dist, n int, seed uint64) []float64 {
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
		d      dist.Dist
		want   map[string]float64
	}{
		{FamilyLognormal, fitMust(dist.NewLognormal(-1.6, 0.5)), map[string]float64{"mu": -1.6, "sigma": 0.5}},
		{FamilyGamma, fitMust(dist.NewGamma(1.3, 0.08)), map[string]float64{"shape": 1.3, "scale": 0.08}},
		{FamilyGamma, fitMust(dist.NewGamma(9, 0.02)), map[string]float64{"shape": 9, "scale": 0.02}},
		{FamilyWeibull, fitMust(dist.NewWeibull(0.8, 0.3)), map[string]float64{"shape": 0.8, "scale": 0.3}},
		{FamilyWeibull, fitMust(dist.NewWeibull(3.5, 0.2)), map[string]float64{"shape": 3.5, "scale": 0.2}},
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
	xs := fitDraw(fitMust(dist.NewGamma(2.2, 0.1)), 5000, 3)
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

// Every printed line parses back with dist.Parse to the distribution that
// was fitted and scored, and the empirical line loads every sample.
func TestFitLinesParseBack(t *testing.T) {
	xs := fitDraw(fitMust(dist.NewLognormalMedianP99(0.2, 0.8)), 3000, 5)
	dir := t.TempDir()
	path := filepath.Join(dir, "lat, ms.csv") // a name that needs quoting
	var b strings.Builder
	b.WriteString("latency_ms\n")
	for _, v := range xs {
		b.WriteString(strconv.FormatFloat(v*1000, 'g', -1, 64) + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	samples, err := ReadSamplesCSV(path, "latency_ms", "ms")
	if err != nil {
		t.Fatal(err)
	}
	r, err := FitSamples(samples, EmpiricalSpec(path, "latency_ms", "ms"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Fits) != 4 {
		t.Fatalf("%d fits, want 4", len(r.Fits))
	}
	for _, f := range r.Fits {
		line := FitScenarioLine(f)
		spec, ok := strings.CutPrefix(line, "latency: ")
		if !ok {
			t.Fatalf("%s: line %q does not start with latency:", f.Family, line)
		}
		d, err := dist.Parse(spec)
		if err != nil {
			t.Fatalf("%s: %q does not parse: %v", f.Family, spec, err)
		}
		if d.String() != spec {
			t.Errorf("%s: %q parses to %q", f.Family, spec, d.String())
		}
		if f.Family == FamilyEmpirical {
			if d.(*dist.Empirical).Len() != len(xs) {
				t.Errorf("empirical line loads %d samples, want %d", d.(*dist.Empirical).Len(), len(xs))
			}
			continue
		}
		// The parsed distribution is the fitted one (the one D was
		// computed for), not a re-rounded neighbour.
		if d.Mean() != f.Dist.Mean() {
			t.Errorf("%s: parsed mean %v, fitted %v", f.Family, d.Mean(), f.Dist.Mean())
		}
	}
}

// Bad input: each error names the file, line and column, or says what is
// missing.
func TestReadSamplesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, column, unit, want string
	}{
		{"empty", "", "0", "s", "x.csv: no data rows in column 0 (the file is empty or has only a header)"},
		{"header only", "latency_ms\n", "latency_ms", "ms", "x.csv: no data rows in column latency_ms"},
		{"not a number", "latency_ms\n12\nabc\n", "latency_ms", "ms", `x.csv:3:1: column latency_ms: "abc" is not a finite number`},
		{"second column", "ts,lat\n1,12\n2,fast\n", "lat", "ms", `x.csv:3:3: column lat: "fast" is not a finite number`},
		{"negative", "0.1\n-0.2\n", "0", "s", "x.csv:2:1: column 0: -0.2 is not positive"},
		{"zero", "0.1\n0\n", "0", "s", "x.csv:2:1: column 0: 0 is not positive"},
		{"infinite", "0.1\ninf\n", "0", "s", `x.csv:2:1: column 0: "inf" is not a finite number`},
		{"short row", "a,b\n1,2\n3\n", "1", "s", "x.csv:3: the row has 1 fields, no column 2 (1)"},
		{"missing column", "ts,lat\n1,2\n", "latency", "s", `x.csv:1: column "latency" not in the header "ts,lat"`},
		{"bad quote", "lat\n\"12\n", "lat", "s", "x.csv:2:"},
		{"bad unit", "1\n", "0", "min", `unit "min": want s, ms or us`},
		{"empty column", "1\n", "", "s", "column: give a header name or a 0-based index"},
	} {
		_, err := readSamples(strings.NewReader(tc.text), "x.csv", tc.column, tc.unit)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

// Good input: headers optional with an index, units converted, spaces and
// CRLF tolerated.
func TestReadSamples(t *testing.T) {
	for _, tc := range []struct {
		name, text, column, unit string
		want                     []float64
	}{
		{"no header", "0.5\n1.5\n", "0", "s", []float64{0.5, 1.5}},
		{"header by index", "lat\n500\n1500\n", "0", "ms", []float64{0.5, 1.5}},
		{"header by name", "ts, lat\r\n1, 250\r\n2, 750\r\n", "lat", "us", []float64{250e-6, 750e-6}},
		{"index into second", "5,200\n6,400\n", "1", "ms", []float64{0.2, 0.4}},
		// As in dist.LoadEmpiricalCSV (so the empirical line reads the same
		// samples): a first-row field equal to the column is its header.
		{"index that names a field", "7,1\n8,400\n", "1", "ms", []float64{0.4}},
	} {
		got, err := readSamples(strings.NewReader(tc.text), "x.csv", tc.column, tc.unit)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-15 {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
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

// The output is a function of the samples alone: the same input gives
// byte-identical table and JSON, whatever the order of the samples.
func TestFitOutputDeterministic(t *testing.T) {
	xs := fitDraw(fitMust(dist.NewWeibull(1.4, 0.25)), 500, 9)
	rev := slices.Clone(xs)
	slices.Reverse(rev)
	src := FitSource{File: "x.csv", Column: "0", Unit: "s"}
	out := func(xs []float64) string {
		r, err := FitSamples(xs, "")
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteFitTable(&b, src, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteFitJSON(&b, src, r); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b := out(xs), out(rev)
	if a != b {
		t.Errorf("output depends on sample order:\n%s\n---\n%s", a, b)
	}
	// The JSON parses and lists the fits in the table's order.
	i := strings.Index(a, "{")
	var j struct {
		Best string `json:"best"`
		Fits []struct {
			Family string   `json:"family"`
			KS     float64  `json:"ks_d"`
			P      *float64 `json:"ks_p_value"`
			Dist   string   `json:"dist"`
		} `json:"fits"`
	}
	if err := json.Unmarshal([]byte(a[i:]), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Fits) != 4 || j.Fits[0].Family != j.Best || j.Fits[3].Family != FamilyEmpirical || j.Fits[3].P != nil {
		t.Errorf("JSON fits %+v best %s: want 4, best first, empirical last with null p-value", j.Fits, j.Best)
	}
	for k := 1; k < 3; k++ {
		if j.Fits[k].KS < j.Fits[k-1].KS {
			t.Errorf("JSON fits not sorted by D: %+v", j.Fits)
		}
	}
}

func FuzzReadSamples(f *testing.F) {
	f.Add("latency_ms\n12\n13.5\n", "latency_ms")
	f.Add("1,2\n3,4\n", "1")
	f.Add("\"a\nb\",1\n", "0")
	f.Add("", "0")
	f.Fuzz(func(t *testing.T, text, column string) {
		xs, err := readSamples(strings.NewReader(text), "f.csv", column, "ms")
		if err != nil {
			return
		}
		for _, v := range xs {
			if !(v > 0) || math.IsInf(v, 0) {
				t.Fatalf("accepted sample %v from %q", v, text)
			}
		}
		if len(xs) >= 2 {
			if _, err := FitSamples(xs, ""); err != nil && !strings.Contains(err.Error(), "equal") &&
				!strings.Contains(err.Error(), "weibull") && !strings.Contains(err.Error(), "gamma") {
				t.Fatalf("FitSamples(%v): %v", xs, err)
			}
		}
	})
}

func BenchmarkFitSamples10k(b *testing.B) {
	xs := fitDraw(fitMust(dist.NewLognormal(-1.5, 0.6)), 10000, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FitSamples(xs, ""); err != nil {
			b.Fatal(err)
		}
	}
}

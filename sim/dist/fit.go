package dist

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// Fit families, in the order used to break ties in D.
const (
	FamilyLognormal = "lognormal"
	FamilyGamma     = "gamma"
	FamilyWeibull   = "weibull"
	FamilyEmpirical = "empirical"
)

// fitDigits is the number of significant digits of the printed parameters.
// Four digits move a fitted quantile by at most 0.05%, far below the
// sampling error of any latency sample a planner has, and keep the line
// readable. D and the p-value are computed for the rounded distribution, so
// they describe exactly the line that is pasted.
const fitDigits = 4

// FitParam is one named parameter of a fitted distribution.
type FitParam struct {
	Name  string
	Value float64
}

// Fit is one candidate distribution fitted to the samples.
type Fit struct {
	Family string
	// Params are the fitted parameters (rounded to 4 significant digits),
	// in the order of the family's usual form: lognormal mu, sigma (of
	// ln seconds); gamma shape, scale (s); Weibull shape, scale (s); none
	// for the empirical distribution.
	Params []FitParam
	// Dist is the fitted distribution. Dist.String() is the scenario
	// syntax (lognormal by median and p99, in seconds).
	Dist Dist
	// KS is the Kolmogorov-Smirnov statistic D = sup |F_n(x) - F(x)|
	// between the samples' empirical CDF and the fitted CDF.
	KS float64
	// PValue is the asymptotic KS p-value (NaN for the empirical fit, where
	// it means nothing). It assumes F was fixed in advance; with parameters
	// fitted to the same samples the true p-value is smaller (Lilliefors,
	// JASA 62, 1967), so read it as an upper bound.
	PValue float64
	cdf    func(float64) float64
}

// FitResult is the outcome of fitting every family to one sample.
type FitResult struct {
	N int
	// Min, Median, Mean, P99, Max summarise the samples in seconds
	// (median and P99 by linear interpolation between order statistics).
	Min, Median, Mean, P99, Max float64
	// Fits are the parametric fits sorted by D (ties in family order),
	// then the empirical fit, whose D is near 0 by construction (a few
	// 1/n with tied samples) and is not a test of anything.
	Fits []Fit
}

// Best returns the parametric fit with the smallest D.
func (r *FitResult) Best() Fit { return r.Fits[0] }

// FitSamples fits the lognormal, gamma and Weibull families by maximum
// likelihood to xs (seconds, each > 0, at least two distinct values) and
// ranks them by their Kolmogorov-Smirnov statistic. empiricalSpec, if not
// empty, is the compact form of the empirical distribution to report for
// the samples (usually empirical(file=..., column=..., unit=...), which
// reads the same file); otherwise the samples are written inline.
func FitSamples(xs []float64, empiricalSpec string) (*FitResult, error) {
	if len(xs) < 2 {
		return nil, fmt.Errorf("fit: need at least 2 samples, got %d", len(xs))
	}
	x := slices.Clone(xs)
	slices.Sort(x)
	for i, v := range x {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("fit: sample %d (%v) must be finite and positive", i+1, v)
		}
	}
	if x[0] == x[len(x)-1] {
		return nil, fmt.Errorf("fit: all %d samples are equal (%v s): nothing to fit but constant(%v)", len(x), x[0], x[0])
	}
	res := &FitResult{N: len(x), Min: x[0], Max: x[len(x)-1], Median: sortedQuantile(x, 0.5), P99: sortedQuantile(x, 0.99)}
	sum := 0.0
	for _, v := range x {
		sum += v
	}
	res.Mean = sum / float64(len(x))

	var fits []Fit
	for _, f := range []func([]float64) (Fit, error){fitLognormal, fitGamma, fitWeibull} {
		fit, err := f(x)
		if err != nil {
			return nil, err
		}
		fit.KS = KSStatistic(x, fit.cdf)
		fit.PValue = KSPValue(fit.KS, len(x))
		fits = append(fits, fit)
	}
	// Stable: equal D keeps the family order above.
	slices.SortStableFunc(fits, func(a, b Fit) int {
		switch {
		case a.KS < b.KS:
			return -1
		case a.KS > b.KS:
			return 1
		}
		return 0
	})
	emp, err := fitEmpirical(x, empiricalSpec)
	if err != nil {
		return nil, err
	}
	res.Fits = append(fits, emp)
	return res, nil
}

// round rounds v to fitDigits significant digits.
func roundFit(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', fitDigits, 64), 64)
	return r
}

// fitLognormal is the lognormal MLE: μ = mean(ln x), σ² = mean((ln x - μ)²)
// (divisor n, the MLE; Johnson, Kotz & Balakrishnan vol. 1, §14.4), written
// by median e^μ and p99 e^{μ + 2.3263σ}, rounded.
func fitLognormal(x []float64) (Fit, error) {
	n := float64(len(x))
	mu := 0.0
	for _, v := range x {
		mu += math.Log(v)
	}
	mu /= n
	ss := 0.0
	for _, v := range x {
		d := math.Log(v) - mu
		ss += d * d
	}
	sigma := math.Sqrt(ss / n)
	median, p99 := roundFit(math.Exp(mu)), roundFit(math.Exp(mu+sigma*distuv.UnitNormal.Quantile(0.99)))
	l, err := NewLognormalMedianP99(median, p99)
	if err != nil {
		return Fit{}, fmt.Errorf("fit: lognormal: %w", err)
	}
	ln := distuv.LogNormal{Mu: l.Mu(), Sigma: l.Sigma()}
	return Fit{Family: FamilyLognormal, Dist: l, cdf: ln.CDF,
		Params: []FitParam{{"mu", roundFit(l.Mu())}, {"sigma", roundFit(l.Sigma())}}}, nil
}

// fitGamma is the gamma MLE. With s = ln(mean x) - mean(ln x) > 0 (AM-GM),
// the shape k solves ln k - ψ(k) = s and the scale is mean/k. Newton's
// method on f(k) = ln k - ψ(k) - s, f'(k) = 1/k - ψ'(k), from Minka's
// closed-form start k0 = (3 - s + √((s-3)² + 24s)) / (12s) (Minka,
// "Estimating a Gamma distribution", 2002, which is within 1.5% of the
// root), steps halved to keep k > 0. f is decreasing and convex in k, so
// Newton from either side converges.
func fitGamma(x []float64) (Fit, error) {
	n := float64(len(x))
	mean, meanLog := 0.0, 0.0
	for _, v := range x {
		mean += v
		meanLog += math.Log(v)
	}
	mean /= n
	meanLog /= n
	s := math.Log(mean) - meanLog
	if !(s > 0) {
		return Fit{}, fmt.Errorf("fit: gamma: ln(mean) - mean(ln x) = %v, want > 0 (are the samples nearly constant?)", s)
	}
	k := (3 - s + math.Sqrt((s-3)*(s-3)+24*s)) / (12 * s)
	converged := false
	for range 100 {
		f := math.Log(k) - mathext.Digamma(k) - s
		df := 1/k - trigamma(k)
		step := f / df
		next := k - step
		for next <= 0 {
			step /= 2
			next = k - step
		}
		if math.Abs(next-k) <= 1e-12*k {
			k, converged = next, true
			break
		}
		k = next
	}
	if !converged || !(k > 0) || math.IsInf(k, 0) {
		return Fit{}, fmt.Errorf("fit: gamma: Newton's method on the shape did not converge (s = %v)", s)
	}
	shape, scale := roundFit(k), roundFit(mean/k)
	g, err := NewGamma(shape, scale)
	if err != nil {
		return Fit{}, fmt.Errorf("fit: gamma: %w", err)
	}
	gd := distuv.Gamma{Alpha: shape, Beta: 1 / scale}
	return Fit{Family: FamilyGamma, Dist: g, cdf: gd.CDF,
		Params: []FitParam{{"shape", shape}, {"scale", scale}}}, nil
}

// trigamma is ψ'(x) for x > 0: the recurrence ψ'(x) = ψ'(x+1) + 1/x² up to
// x >= 6, then the asymptotic series 1/x + 1/(2x²) + 1/(6x³) - 1/(30x⁵)
// + 1/(42x⁷) - 1/(30x⁹) (Abramowitz & Stegun 6.4.12), whose error there is
// below 1e-9 relative.
func trigamma(x float64) float64 {
	acc := 0.0
	for x < 6 {
		acc += 1 / (x * x)
		x++
	}
	z := 1 / (x * x)
	return acc + 1/x + z/2 + z/x*(1.0/6+z*(-1.0/30+z*(1.0/42-z/30)))
}

// fitWeibull is the Weibull MLE. The shape k solves
//
//	g(k) = Σ y^k ln y / Σ y^k - 1/k - mean(ln y) = 0
//
// (Cohen, Technometrics 7(4), 1965), and the scale is (mean y^k)^{1/k}.
// The samples are divided by their geometric mean first (y = x/gm, so
// mean(ln y) = 0 and y^k neither overflows nor underflows for sane k), the
// scale multiplied back. g is increasing in k, so the root is bracketed by
// doubling, then found by Newton steps that fall back to bisection when
// they leave the bracket, with
// g'(k) = Σy^k ln²y/Σy^k - (Σy^k ln y/Σy^k)² + 1/k².
func fitWeibull(x []float64) (Fit, error) {
	n := float64(len(x))
	gm := 0.0
	for _, v := range x {
		gm += math.Log(v)
	}
	gm = math.Exp(gm / n)
	ly := make([]float64, len(x))
	for i, v := range x {
		ly[i] = math.Log(v / gm)
	}
	g := func(k float64) (val, der, meanYk float64) {
		s0, s1, s2 := 0.0, 0.0, 0.0
		for _, l := range ly {
			w := math.Exp(k * l)
			s0 += w
			s1 += w * l
			s2 += w * l * l
		}
		a := s1 / s0
		return a - 1/k, s2/s0 - a*a + 1/(k*k), s0 / n
	}
	lo, hi := 1.0, 1.0
	for v, _, _ := g(lo); v > 0; v, _, _ = g(lo) {
		lo /= 2
		if lo < 1e-6 {
			return Fit{}, fmt.Errorf("fit: weibull: no shape above 1e-6 fits (the samples span too many decades)")
		}
	}
	for v, _, _ := g(hi); v < 0; v, _, _ = g(hi) {
		hi *= 2
		if hi > 1e4 {
			return Fit{}, fmt.Errorf("fit: weibull: no shape below 1e4 fits (the samples are nearly constant)")
		}
	}
	k := (lo + hi) / 2
	for range 200 {
		v, d, _ := g(k)
		if v < 0 {
			lo = k
		} else {
			hi = k
		}
		next := k - v/d
		if !(next > lo && next < hi) {
			next = (lo + hi) / 2
		}
		if math.Abs(next-k) <= 1e-12*k || hi-lo <= 1e-12*lo {
			k = next
			break
		}
		k = next
	}
	_, _, meanYk := g(k)
	shape, scale := roundFit(k), roundFit(gm*math.Pow(meanYk, 1/k))
	w, err := NewWeibull(shape, scale)
	if err != nil {
		return Fit{}, fmt.Errorf("fit: weibull: %w", err)
	}
	wd := distuv.Weibull{K: shape, Lambda: scale}
	return Fit{Family: FamilyWeibull, Dist: w, cdf: wd.CDF,
		Params: []FitParam{{"shape", shape}, {"scale", scale}}}, nil
}

// fitEmpirical is the distribution checkoutsim's empirical(...) samples
// from: linear interpolation between the sorted samples x_0..x_{n-1}, CDF
// (i + (x - x_i)/(x_{i+1} - x_i))/(n-1) on [x_i, x_{i+1}].
func fitEmpirical(x []float64, spec string) (Fit, error) {
	var d Dist
	var err error
	if spec != "" {
		d, err = Parse(spec)
	} else {
		d, err = NewEmpirical(x)
	}
	if err != nil {
		return Fit{}, fmt.Errorf("fit: empirical: %w", err)
	}
	n := len(x)
	cdf := func(v float64) float64 {
		if v < x[0] {
			return 0
		}
		if v >= x[n-1] {
			return 1
		}
		// Largest i with x_i <= v (i < n-1 here).
		i, found := slices.BinarySearch(x, v)
		for found && i+1 < n && x[i+1] == v {
			i++
		}
		if !found {
			i--
		}
		f := 0.0
		if x[i+1] > x[i] {
			f = (v - x[i]) / (x[i+1] - x[i])
		}
		return (float64(i) + f) / float64(n-1)
	}
	fit := Fit{Family: FamilyEmpirical, Dist: d, cdf: cdf, PValue: math.NaN()}
	fit.KS = KSStatistic(x, cdf)
	return fit, nil
}

// KSStatistic returns the one-sample Kolmogorov-Smirnov statistic of the
// sorted samples x against the continuous CDF F:
//
//	D = max_i max(i/n - F(x_i), F(x_i) - (i-1)/n),  i = 1..n
//
// (the supremum of |F_n - F| is reached at a jump of F_n; Conover,
// Practical Nonparametric Statistics, 3rd ed., §6.1). x must be sorted.
func KSStatistic(x []float64, cdf func(float64) float64) float64 {
	n := float64(len(x))
	d := 0.0
	for i, v := range x {
		f := cdf(v)
		d = max(d, float64(i+1)/n-f, f-float64(i)/n)
	}
	return d
}

// KSPValue is the asymptotic p-value of D for n samples, Q(λ) with
// λ = (√n + 0.12 + 0.11/√n)·D (Stephens' small-sample correction,
// JRSS B 32, 1970) and the Kolmogorov tail
// Q(λ) = 2 Σ_{j>=1} (-1)^{j-1} e^{-2j²λ²} (Numerical Recipes, 3rd ed.,
// §14.3.3), clamped to [0, 1].
func KSPValue(d float64, n int) float64 {
	sn := math.Sqrt(float64(n))
	return kolmogorovQ((sn + 0.12 + 0.11/sn) * d)
}

// kolmogorovQ is the Kolmogorov distribution's survival function.
func kolmogorovQ(lambda float64) float64 {
	if lambda < 0.2 {
		return 1 // the series converges slowly here; Q > 0.9999999
	}
	sum, sign := 0.0, 1.0
	for j := 1; j <= 100; j++ {
		term := sign * math.Exp(-2*float64(j*j)*lambda*lambda)
		sum += term
		if math.Abs(term) < 1e-16 {
			break
		}
		sign = -sign
	}
	return min(1, max(0, 2*sum))
}

// sortedQuantile is the p-quantile of sorted x by linear interpolation
// between order statistics (the same rule as Empirical).
func sortedQuantile(x []float64, p float64) float64 {
	pos := p * float64(len(x)-1)
	i := int(pos)
	if i >= len(x)-1 {
		return x[len(x)-1]
	}
	return x[i] + (pos-float64(i))*(x[i+1]-x[i])
}

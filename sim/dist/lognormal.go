package dist

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"
)

// z99 is the 0.99 quantile of the standard normal, Φ⁻¹(0.99) ≈ 2.3263.
var z99 = distuv.UnitNormal.Quantile(0.99)

// lognormal parameter forms, kept so String prints what the user wrote.
const (
	lnMuSigma = iota
	lnMedianP99
	lnMeanSD
)

// Lognormal is the distribution of exp(μ + σZ), Z standard normal: the
// usual shape of service latencies. It can be built three ways, and String
// prints the form it was built with:
//
//	lognormal(median=m, p99=q): μ = ln m, σ = ln(q/m)/Φ⁻¹(0.99)
//	lognormal(mu=μ, sigma=σ)
//	lognormal(mean=a, sd=s):    σ² = ln(1 + s²/a²), μ = ln a - σ²/2
//
// (moments: Johnson, Kotz & Balakrishnan vol. 1, §14.3: mean
// exp(μ+σ²/2), variance (e^{σ²}-1) e^{2μ+σ²}).
type Lognormal struct {
	mu, sigma float64
	form      int
	a, b      float64 // the parameters as written (median,p99 / mean,sd)
}

// NewLognormal returns the lognormal with log-mean mu and log-sd sigma > 0.
func NewLognormal(mu, sigma float64) (*Lognormal, error) {
	if !finite(mu) {
		return nil, fmt.Errorf("lognormal: mu (%v) must be finite", mu)
	}
	if !finite(sigma) || !(sigma > 0) {
		return nil, fmt.Errorf("lognormal: sigma (%v) must be finite and positive", sigma)
	}
	return &Lognormal{mu: mu, sigma: sigma, form: lnMuSigma}, nil
}

// NewLognormalMedianP99 returns the lognormal with the given median and 99th
// percentile, 0 < median < p99.
func NewLognormalMedianP99(median, p99 float64) (*Lognormal, error) {
	if !finite(median) || !(median > 0) {
		return nil, fmt.Errorf("lognormal: median (%v) must be finite and positive", median)
	}
	if !finite(p99) || !(p99 > median) {
		return nil, fmt.Errorf("lognormal: p99 (%v) must be greater than median (%v)", p99, median)
	}
	return &Lognormal{mu: math.Log(median), sigma: math.Log(p99/median) / z99, form: lnMedianP99, a: median, b: p99}, nil
}

// NewLognormalMeanSD returns the lognormal with the given mean and standard
// deviation, both > 0.
func NewLognormalMeanSD(mean, sd float64) (*Lognormal, error) {
	if !finite(mean) || !(mean > 0) {
		return nil, fmt.Errorf("lognormal: mean (%v) must be finite and positive", mean)
	}
	if !finite(sd) || !(sd > 0) {
		return nil, fmt.Errorf("lognormal: sd (%v) must be finite and positive", sd)
	}
	s2 := math.Log1p((sd / mean) * (sd / mean))
	if !(s2 > 0) || !finite(s2) {
		return nil, fmt.Errorf("lognormal: sd (%v) relative to mean (%v) gives no usable sigma", sd, mean)
	}
	return &Lognormal{mu: math.Log(mean) - s2/2, sigma: math.Sqrt(s2), form: lnMeanSD, a: mean, b: sd}, nil
}

// Mu returns the mean of ln X.
func (l *Lognormal) Mu() float64 { return l.mu }

// Sigma returns the standard deviation of ln X.
func (l *Lognormal) Sigma() float64 { return l.sigma }

// Sample returns exp(μ + σZ).
func (l *Lognormal) Sample(r *rand.Rand) float64 { return math.Exp(l.mu + l.sigma*r.NormFloat64()) }

// Mean returns exp(μ + σ²/2).
func (l *Lognormal) Mean() float64 { return math.Exp(l.mu + l.sigma*l.sigma/2) }

// Quantile returns exp(μ + σ Φ⁻¹(p)).
func (l *Lognormal) Quantile(p float64) float64 {
	return math.Exp(l.mu + l.sigma*distuv.UnitNormal.Quantile(clampP(p)))
}

func (l *Lognormal) String() string {
	switch l.form {
	case lnMedianP99:
		return "lognormal(median=" + num(l.a) + ", p99=" + num(l.b) + ")"
	case lnMeanSD:
		return "lognormal(mean=" + num(l.a) + ", sd=" + num(l.b) + ")"
	}
	return "lognormal(mu=" + num(l.mu) + ", sigma=" + num(l.sigma) + ")"
}

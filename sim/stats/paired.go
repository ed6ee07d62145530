package stats

import "math"

// Interval is an estimate with a two-sided confidence interval.
type Interval struct {
	Estimate, Lo, Hi float64
}

// Contains reports whether x lies in [Lo, Hi].
func (iv Interval) Contains(x float64) bool { return iv.Lo <= x && x <= iv.Hi }

// Paired compares two configurations A and B run with common random
// numbers: replication i gives the pair (a_i, b_i) from the same seed, so
// their difference has much less variance than two independent samples.
// Co-moments are accumulated with Welford's algorithm. The zero value is
// ready to use.
type Paired struct {
	n             int
	ma, mb        float64 // means
	caa, cbb, cab float64 // sums of centred squares and products
}

// Add records one replication's pair (a from configuration A, b from B).
func (p *Paired) Add(a, b float64) {
	p.n++
	n := float64(p.n)
	da := a - p.ma
	p.ma += da / n
	db := b - p.mb
	p.mb += db / n
	p.caa += da * (a - p.ma)
	p.cbb += db * (b - p.mb)
	p.cab += da * (b - p.mb)
}

// N returns the number of pairs.
func (p *Paired) N() int { return p.n }

// MeanA returns the mean of the a values.
func (p *Paired) MeanA() float64 { return p.ma }

// MeanB returns the mean of the b values.
func (p *Paired) MeanB() float64 { return p.mb }

// Diff is DiffCI(0.95).
func (p *Paired) Diff() Interval { return p.DiffCI(0.95) }

// DiffCI returns the mean of b_i - a_i with the paired Student-t interval
// (n-1 degrees of freedom): d̄ ± t·s_d/√n, s_d² = var(a) + var(b) -
// 2cov(a, b). With fewer than 2 pairs the interval is infinite.
func (p *Paired) DiffCI(level float64) Interval {
	d := p.mb - p.ma
	if p.n < 2 {
		return Interval{d, math.Inf(-1), math.Inf(1)}
	}
	v := math.Max(0, (p.caa+p.cbb-2*p.cab)/float64(p.n-1))
	h := TQuantile(level, p.n-1) * math.Sqrt(v/float64(p.n))
	return Interval{d, d - h, d + h}
}

// Ratio is RatioCI(0.95).
func (p *Paired) Ratio() Interval { return p.RatioCI(0.95) }

// RatioCI returns R = mean(b)/mean(a), the ratio of means, with a
// delta-method (linearisation) interval:
//
//	se(R)² = s²/(n·ā²),  s² = Σ (b_i - R a_i)² / (n-1)
//	       = (S_bb - 2R S_ab + R² S_aa)/(n-1)   (S: centred sums)
//	CI = R ± t_{n-1} se(R)
//
// This is the classical variance estimator of the ratio estimator (W. G.
// Cochran, Sampling Techniques, 3rd ed., Wiley 1977, §6.4, without the
// finite-population correction), the first-order Taylor expansion of b̄/ā
// around the true means. It needs ā well away from 0 relative to its
// standard error. If mean(a) is 0 the estimate is NaN and the interval
// infinite; with fewer than 2 pairs the interval is infinite.
func (p *Paired) RatioCI(level float64) Interval {
	if p.ma == 0 {
		return Interval{math.NaN(), math.Inf(-1), math.Inf(1)}
	}
	r := p.mb / p.ma
	if p.n < 2 {
		return Interval{r, math.Inf(-1), math.Inf(1)}
	}
	s2 := math.Max(0, (p.cbb-2*r*p.cab+r*r*p.caa)/float64(p.n-1))
	se := math.Sqrt(s2/float64(p.n)) / math.Abs(p.ma)
	h := TQuantile(level, p.n-1) * se
	return Interval{r, r - h, r + h}
}

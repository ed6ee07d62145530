package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Unpaired compares the means of two independent samples a and b (two
// runs made with different seeds or replication counts, so replication i
// of one has no partner in the other). The zero value is ready to use.
type Unpaired struct {
	A, B Summary
}

// MeanA and MeanB are the sample means.
func (u *Unpaired) MeanA() float64 { return u.A.Mean() }
func (u *Unpaired) MeanB() float64 { return u.B.Mean() }

// Diff returns mean(b) - mean(a) with Welch's 95% interval:
//
//	se² = s_a²/n_a + s_b²/n_b,  CI = D ± t_ν se,
//	ν = se⁴ / ((s_a²/n_a)²/(n_a-1) + (s_b²/n_b)²/(n_b-1))   (Welch-Satterthwaite)
//
// (B. L. Welch, Biometrika 34, 1947). With fewer than 2 values on either
// side the interval is infinite.
func (u *Unpaired) Diff() Interval {
	d := u.B.Mean() - u.A.Mean()
	va, vb := u.terms()
	return u.around(d, va+vb, va, vb)
}

// Ratio returns R = mean(b)/mean(a) with a delta-method interval for
// independent means, se(R)² = (s_b²/n_b + R² s_a²/n_a)/ā², and the
// Welch-Satterthwaite degrees of freedom of those two terms. As
// Paired.RatioCI it needs ā well away from 0; if it is 0 the estimate is
// NaN and the interval infinite.
func (u *Unpaired) Ratio() Interval {
	ma := u.A.Mean()
	if ma == 0 {
		return Interval{math.NaN(), math.Inf(-1), math.Inf(1)}
	}
	r := u.B.Mean() / ma
	va, vb := u.terms()
	va, vb = r*r*va/(ma*ma), vb/(ma*ma)
	return u.around(r, va+vb, va, vb)
}

// terms are s_a²/n_a and s_b²/n_b.
func (u *Unpaired) terms() (va, vb float64) {
	return u.A.Var() / float64(max(u.A.N(), 1)), u.B.Var() / float64(max(u.B.N(), 1))
}

// around is est ± t_ν √se2, ν the Welch-Satterthwaite degrees of freedom
// of the variance terms va (n_a - 1) and vb (n_b - 1).
func (u *Unpaired) around(est, se2, va, vb float64) Interval {
	if u.A.N() < 2 || u.B.N() < 2 {
		return Interval{est, math.Inf(-1), math.Inf(1)}
	}
	if se2 == 0 {
		return Interval{est, est, est}
	}
	nu := se2 * se2 / (va*va/float64(u.A.N()-1) + vb*vb/float64(u.B.N()-1))
	h := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: nu}.Quantile(0.975) * math.Sqrt(se2)
	return Interval{est, est - h, est + h}
}

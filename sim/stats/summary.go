// Package stats holds checkoutsim's statistics: per-run accumulators
// (latency histograms, counters, time-weighted averages, time series) and
// the aggregation of replications into means with confidence intervals.
package stats

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Summary accumulates independent observations (typically one value per
// replication) with Welford's algorithm and reports their mean with a
// Student-t confidence interval. The zero value is ready to use.
type Summary struct {
	n    int
	mean float64
	m2   float64
}

// Add records one observation.
func (s *Summary) Add(x float64) {
	s.n++
	d := x - s.mean
	s.mean += d / float64(s.n)
	s.m2 += d * (x - s.mean)
}

// N returns the number of observations.
func (s *Summary) N() int { return s.n }

// Mean returns the sample mean (0 with no observations).
func (s *Summary) Mean() float64 { return s.mean }

// Var returns the unbiased sample variance (0 with fewer than 2 observations).
func (s *Summary) Var() float64 {
	if s.n < 2 {
		return 0
	}
	return s.m2 / float64(s.n-1)
}

// StdErr returns the standard error of the mean.
func (s *Summary) StdErr() float64 {
	if s.n < 2 {
		return 0
	}
	return math.Sqrt(s.Var() / float64(s.n))
}

// CI returns the two-sided confidence interval for the mean at the given
// level (0.95 for 95%), using Student's t with n-1 degrees of freedom.
// With fewer than 2 observations the interval is infinitely wide.
func (s *Summary) CI(level float64) (lo, hi float64) {
	if s.n < 2 {
		return math.Inf(-1), math.Inf(1)
	}
	h := TQuantile(level, s.n-1) * s.StdErr()
	return s.mean - h, s.mean + h
}

// CI95 is CI(0.95).
func (s *Summary) CI95() (lo, hi float64) { return s.CI(0.95) }

// TQuantile returns the two-sided critical value of Student's t
// distribution: the t with P(|T| <= t) = level for df degrees of freedom.
func TQuantile(level float64, df int) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.5 + level/2)
}

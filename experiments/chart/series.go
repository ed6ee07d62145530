package chart

// This file reads the time series of replication results for the charts:
// the point-wise mean over replications and the time axis in minutes.

import (
	"math"
	"slices"
	"strings"

	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// meanSeries is the point-wise mean over results of the named series
// (point k is averaged over the replications that have a point k), with
// its unit. ok is false when no result has the series.
func meanSeries(results []*checkout.Result, name string) (vals []float64, unit string, ok bool) {
	return meanSeriesIf(results, name, func(float64) bool { return true })
}

// meanLatencySeries is meanSeries for a per-interval latency percentile,
// which the recorder sets to 0 for an interval in which no click was
// answered: such points are left out of the mean, and a point no
// replication defines is NaN, a gap in the chart, rather than a false
// "0 s".
func meanLatencySeries(results []*checkout.Result, name string) []float64 {
	v, _, _ := meanSeriesIf(results, name, func(x float64) bool { return x > 0 })
	return v
}

// meanSeriesIf averages the points for which keep is true; NaN where
// there is none.
func meanSeriesIf(results []*checkout.Result, name string, keep func(float64) bool) (vals []float64, unit string, ok bool) {
	var sums []float64
	var counts []int
	for _, r := range results {
		if r == nil {
			continue
		}
		for _, s := range r.Series {
			if s.Name != name {
				continue
			}
			ok, unit = true, s.Unit
			for len(sums) < len(s.Values) {
				sums, counts = append(sums, 0), append(counts, 0)
			}
			for k, v := range s.Values {
				if keep(v) {
					sums[k] += v
					counts[k]++
				}
			}
		}
	}
	vals = make([]float64, len(sums))
	for k := range sums {
		vals[k] = math.NaN()
		if counts[k] > 0 {
			vals[k] = sums[k] / float64(counts[k])
		}
	}
	return vals, unit, ok
}

// sumSeries is the point-wise sum of several mean series (the total
// backlog of all services), with the unit of the first.
func sumSeries(results []*checkout.Result, names []string) (vals []float64, unit string, ok bool) {
	for _, n := range names {
		v, u, found := meanSeries(results, n)
		if !found {
			continue
		}
		if !ok {
			unit, ok = u, true
		}
		for len(vals) < len(v) {
			vals = append(vals, 0)
		}
		for k := range v {
			vals[k] += v[k]
		}
	}
	return vals, unit, ok
}

// seriesWithPrefix lists the names of the series that start with prefix
// (checkout.SeriesBacklog), in the order they first appear in results.
func seriesWithPrefix(results []*checkout.Result, prefix string) []string {
	var names []string
	for _, r := range results {
		if r == nil {
			continue
		}
		for _, s := range r.Series {
			if strings.HasPrefix(s.Name, prefix) && !slices.Contains(names, s.Name) {
				names = append(names, s.Name)
			}
		}
	}
	return names
}

// sampleInterval is the series spacing in seconds of the first result
// that has one (0 when none has).
func sampleInterval(results []*checkout.Result) float64 {
	for _, r := range results {
		if r != nil && r.Interval > 0 {
			return r.Interval.Seconds()
		}
	}
	return 0
}

// minutes is the time axis of n samples spaced intervalS seconds apart:
// sample k summarises the interval that ends at (k+1)·intervalS, so it is
// drawn there, in minutes of simulated time.
func minutes(n int, intervalS float64) []float64 {
	xs := make([]float64, n)
	for k := range xs {
		xs[k] = float64(k+1) * intervalS / 60
	}
	return xs
}

// warmupMinutes is the warm-up excluded from the statistics, in minutes,
// read from the results: the run's duration (samples × interval) minus
// the measured window. 0 when it cannot be told.
func warmupMinutes(results []*checkout.Result, samples int, intervalS float64) float64 {
	for _, r := range results {
		if r == nil || r.Measured <= 0 {
			continue
		}
		w := float64(samples)*intervalS - r.Measured.Seconds()
		if w > 0 {
			return w / 60
		}
		return 0
	}
	return 0
}

// maxAbs is the largest absolute finite value of vs (0 when none).
func maxAbs(vs ...[]float64) float64 {
	m := 0.0
	for _, v := range vs {
		for _, x := range v {
			if isFinite(x) {
				m = math.Max(m, math.Abs(x))
			}
		}
	}
	return m
}

// scaled returns vs multiplied by f (a new slice).
func scaled(vs []float64, f float64) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = v * f
	}
	return out
}

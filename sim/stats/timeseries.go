package stats

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/sim"
)

// MaxSeriesBuckets bounds the memory of a TimeSeries.
const MaxSeriesBuckets = 10_000_000

// TimeSeries accumulates values into fixed-interval buckets of virtual time
// from a start time, for plots of throughput, latency or errors over a
// run: bucket i covers [start + i·interval, start + (i+1)·interval).
// Memory is one sum and one count per bucket, ceil((end-start)/interval).
type TimeSeries struct {
	start, end, interval sim.Time
	sum                  []float64
	count                []int64
	outside              int64
}

// NewTimeSeries returns a series over [start, end) with the given bucket
// interval (> 0, at most MaxSeriesBuckets buckets).
func NewTimeSeries(start, end, interval sim.Time) (*TimeSeries, error) {
	if interval <= 0 {
		return nil, fmt.Errorf("stats: time series interval (%v) must be positive", interval)
	}
	if end <= start {
		return nil, fmt.Errorf("stats: time series end (%v) must be after start (%v)", end, start)
	}
	n := (end - start + interval - 1) / interval
	if end-start > sim.Never-interval || n > MaxSeriesBuckets {
		return nil, fmt.Errorf("stats: time series from %v to %v every %v needs more than %d buckets", start, end, interval, MaxSeriesBuckets)
	}
	return &TimeSeries{start: start, end: end, interval: interval,
		sum: make([]float64, n), count: make([]int64, n)}, nil
}

// Add adds v to the bucket holding now. Times outside [start, end) are
// counted (Outside) and otherwise ignored. Cost: O(1), no allocation.
func (s *TimeSeries) Add(now sim.Time, v float64) {
	if now < s.start || now >= s.end {
		s.outside++
		return
	}
	i := (now - s.start) / s.interval
	s.sum[i] += v
	s.count[i]++
}

// Outside returns how many Adds fell outside [start, end).
func (s *TimeSeries) Outside() int64 { return s.outside }

// Interval returns the bucket width.
func (s *TimeSeries) Interval() sim.Time { return s.interval }

// SeriesPoint is one bucket: T is its start in seconds, Mean is Sum/Count
// (0 for an empty bucket, so the points encode as JSON).
type SeriesPoint struct {
	T     float64
	Sum   float64
	Count int64
	Mean  float64
}

// Points returns every bucket in time order.
func (s *TimeSeries) Points() []SeriesPoint {
	pts := make([]SeriesPoint, len(s.sum))
	for i := range pts {
		p := SeriesPoint{T: (s.start + sim.Time(i)*s.interval).Seconds(), Sum: s.sum[i], Count: s.count[i]}
		if p.Count > 0 {
			p.Mean = p.Sum / float64(p.Count)
		}
		pts[i] = p
	}
	return pts
}

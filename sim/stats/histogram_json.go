package stats

import (
	"encoding/json"
	"fmt"
	"math"
)

// histogramJSON is a Histogram as JSON, exactly: its non-empty buckets as
// [index, count] pairs (a run's histogram fills a few hundred of its 2,368
// buckets), the count, the 128-bit sum and the extremes in nanoseconds.
// Saved results (checkoutsim run --save) keep histograms this way so that
// a comparison read back from them equals one run afresh.
type histogramJSON struct {
	N       int64      `json:"n"`
	SumHi   uint64     `json:"sum_hi,omitempty"`
	SumLo   uint64     `json:"sum_lo"`
	MinNs   int64      `json:"min_ns"`
	MaxNs   int64      `json:"max_ns"`
	Under   int64      `json:"under,omitempty"`
	Over    int64      `json:"over,omitempty"`
	Buckets [][2]int64 `json:"buckets"`
}

// MarshalJSON writes the histogram exactly (see histogramJSON).
func (h *Histogram) MarshalJSON() ([]byte, error) {
	j := histogramJSON{N: h.n, SumHi: h.sumHi, SumLo: h.sumLo, MinNs: h.min, MaxNs: h.max, Under: h.under, Over: h.over, Buckets: [][2]int64{}}
	for i, c := range h.counts {
		if c != 0 {
			j.Buckets = append(j.Buckets, [2]int64{int64(i), c})
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes, refusing a histogram that
// cannot be one: a bucket out of range, out of order or empty, counts
// that do not add up to n, extremes out of order or range.
func (h *Histogram) UnmarshalJSON(data []byte) error {
	var j histogramJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	var g Histogram
	var total int64
	last := -1
	for _, b := range j.Buckets {
		i, c := int(b[0]), b[1]
		if b[0] < 0 || b[0] >= histBuckets || i <= last || c <= 0 {
			return fmt.Errorf("histogram bucket [%d, %d]: want an index in 0..%d after the previous one and a count > 0", b[0], c, histBuckets-1)
		}
		if c > math.MaxInt64-total {
			return fmt.Errorf("histogram: bucket counts overflow")
		}
		g.counts[i], last, total = c, i, total+c
	}
	switch {
	case total != j.N:
		return fmt.Errorf("histogram: buckets hold %d values, n is %d", total, j.N)
	case j.N > 0 && !(0 <= j.MinNs && j.MinNs <= j.MaxNs && j.MaxNs <= HistogramMaxNs):
		return fmt.Errorf("histogram: min_ns %d and max_ns %d: want 0 <= min <= max <= %d", j.MinNs, j.MaxNs, int64(HistogramMaxNs))
	case j.N == 0 && (j.MinNs != 0 || j.MaxNs != 0 || j.SumLo != 0 || j.SumHi != 0):
		return fmt.Errorf("histogram: empty, yet min, max or sum not 0")
	case j.Under < 0 || j.Over < 0 || j.Under+j.Over > j.N:
		return fmt.Errorf("histogram: under %d and over %d: want >= 0 and at most n %d together", j.Under, j.Over, j.N)
	}
	g.n, g.sumHi, g.sumLo, g.min, g.max, g.under, g.over = j.N, j.SumHi, j.SumLo, j.MinNs, j.MaxNs, j.Under, j.Over
	*h = g
	return nil
}

package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
)

const histSeed = 20261127

// lognormalNs draws n lognormal latencies in ns with median 50 ms and
// sigma 1.2 (p99 about 0.8 s).
func lognormalNs(seed uint64, n int) []int64 {
	r := rand.New(rand.NewPCG(seed, 3))
	xs := make([]int64, n)
	for i := range xs {
		xs[i] = int64(math.Round(5e7 * math.Exp(1.2*r.NormFloat64())))
	}
	return xs
}

func TestHistogramQuantileError(t *testing.T) {
	const n = 1_000_000
	xs := lognormalNs(histSeed, n)
	var h Histogram
	for _, x := range xs {
		h.Record(x)
	}
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	for _, q := range []float64{0.001, 0.1, 0.5, 0.9, 0.99, 0.999, 0.9999} {
		exact := float64(sorted[int(math.Ceil(q*n))-1]) / 1e9
		got := h.Quantile(q)
		if rel := math.Abs(got-exact) / exact; rel > 0.01 {
			t.Errorf("seed %d n %d: Quantile(%v) = %v, exact %v, relative error %.4f > 1%%", histSeed, n, q, got, exact, rel)
		}
	}
	if h.Quantile(0) != float64(sorted[0])/1e9 || h.Quantile(1) != float64(sorted[n-1])/1e9 {
		t.Errorf("Quantile(0), Quantile(1) = %v, %v; want min %v, max %v", h.Quantile(0), h.Quantile(1), sorted[0], sorted[n-1])
	}
	sum := 0.0
	for _, x := range xs {
		sum += float64(x)
	}
	if m := h.Mean(); math.Abs(m-sum/n/1e9) > 1e-12*m {
		t.Errorf("Mean = %v, want %v", m, sum/n/1e9)
	}
	if h.Count() != n || h.Min() != float64(sorted[0])/1e9 || h.Max() != float64(sorted[n-1])/1e9 {
		t.Errorf("Count/Min/Max = %d/%v/%v", h.Count(), h.Min(), h.Max())
	}
}

// TestHistogramBucketBound checks the worst case of the layout directly:
// every value in 1 ns .. 73 min reports within 1/128 of itself.
func TestHistogramBucketBound(t *testing.T) {
	r := rand.New(rand.NewPCG(histSeed, 9))
	for i := 0; i < 200_000; i++ {
		v := int64(math.Exp(r.Float64() * math.Log(HistogramMaxNs)))
		var h Histogram
		h.Record(v)
		h.Record(HistogramMaxNs) // so Quantile(0.5) is not clamped to v
		h.Record(0)
		got := h.Quantile(0.5) * 1e9
		if rel := math.Abs(got-float64(v)) / float64(v); rel > 1.0/128+1e-12 {
			t.Fatalf("value %d ns reported as %v: relative error %v > 1/128", v, got, rel)
		}
	}
	for i := 0; i < histBuckets; i++ {
		lo, w := histBounds(i)
		if histIndex(lo) != i || histIndex(lo+w-1) != i || (i+1 < histBuckets && histIndex(lo+w) != i+1) {
			t.Fatalf("bucket %d [%d, %d] does not round-trip through histIndex", i, lo, lo+w-1)
		}
	}
}

func TestHistogramMergeExact(t *testing.T) {
	xs := lognormalNs(histSeed+1, 200_000)
	var whole, a, b Histogram
	for i, x := range xs {
		whole.Record(x)
		if i%2 == 0 {
			a.Record(x)
		} else {
			b.Record(x)
		}
	}
	a.Record(-5)
	b.Record(HistogramMaxNs + 10)
	whole.Record(-5)
	whole.Record(HistogramMaxNs + 10)
	a.Merge(&b)
	if a != whole {
		t.Fatalf("merge of halves differs from the whole: count %d vs %d, mean %v vs %v", a.Count(), whole.Count(), a.Mean(), whole.Mean())
	}
	var empty Histogram
	a.Merge(&empty)
	empty.Merge(&whole)
	if a != whole || empty != whole {
		t.Fatal("merging with an empty histogram changed the result")
	}
}

func TestHistogramClampAndReset(t *testing.T) {
	var h Histogram
	h.Record(-1)
	h.Record(2 * int64(sim.Hour))
	h.RecordTime(3 * sim.Millisecond)
	below, above := h.Clamped()
	if below != 1 || above != 1 || h.Count() != 3 {
		t.Fatalf("Clamped = %d, %d, Count %d; want 1, 1, 3", below, above, h.Count())
	}
	if h.Min() != 0 || h.Max() != float64(HistogramMaxNs)/1e9 {
		t.Fatalf("Min/Max = %v/%v, want 0 and %v", h.Min(), h.Max(), float64(HistogramMaxNs)/1e9)
	}
	h.Reset()
	if h.Count() != 0 || h.Quantile(0.5) != 0 || h.Mean() != 0 || h.CDF() != nil {
		t.Fatal("Reset did not empty the histogram")
	}
}

func TestHistogramCDF(t *testing.T) {
	var h Histogram
	for _, v := range []int64{10, 10, 20, 1000, 1_000_000} {
		h.Record(v)
	}
	pts := h.CDF()
	last := pts[len(pts)-1]
	if last.Fraction != 1 || last.Seconds != 1e-3 {
		t.Fatalf("last CDF point %+v, want (0.001, 1)", last)
	}
	if pts[0].Seconds != 10e-9 || pts[0].Fraction != 0.4 {
		t.Fatalf("first CDF point %+v, want (1e-8, 0.4)", pts[0])
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Seconds <= pts[i-1].Seconds || pts[i].Fraction <= pts[i-1].Fraction {
			t.Fatalf("CDF not increasing at %d: %+v %+v", i, pts[i-1], pts[i])
		}
	}
	if len(pts) != 4 {
		t.Fatalf("%d points for 4 distinct buckets", len(pts))
	}
	var big Histogram
	for _, x := range lognormalNs(histSeed, 100_000) {
		big.Record(x)
	}
	if n := len(big.CDF()); n > histBuckets {
		t.Fatalf("CDF has %d points, more than %d buckets", n, histBuckets)
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	xs := lognormalNs(histSeed, 1<<16)
	var h Histogram
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		h.Record(xs[i&(1<<16-1)])
		i++
	}
}

func BenchmarkHistogramQuantile(b *testing.B) {
	var h Histogram
	for _, x := range lognormalNs(histSeed, 100_000) {
		h.Record(x)
	}
	b.ReportAllocs()
	for b.Loop() {
		sinkF = h.Quantile(0.99)
	}
}

var sinkF float64

func TestHistogramRecordAllocs(t *testing.T) {
	h := new(Histogram)
	if a := testing.AllocsPerRun(1000, func() { h.Record(12345) }); a != 0 {
		t.Fatalf("Record allocates %v times", a)
	}
}

// BucketOf bounds the bucket a quantile near v falls in: it holds v, it
// is at most 1/64 of its start wide (the layout's resolution), and the
// quantile of values all in one bucket lies in it.
func TestBucketOf(t *testing.T) {
	for _, v := range []float64{0, 50e-9, 0.4, 1.5, 4.66, 3000} {
		lo, hi := BucketOf(v)
		if !(lo <= v && v < hi) || (v >= 128e-9 && hi-lo > lo/64+1e-12) {
			t.Errorf("BucketOf(%v) = [%v, %v): does not hold it or is too wide", v, lo, hi)
		}
		var h Histogram
		for i := 0; i < 100; i++ {
			h.Record(int64(v * 1e9))
		}
		if q := h.Quantile(0.95); !(lo <= q && q < hi) {
			t.Errorf("p95 %v of values all %v outside BucketOf = [%v, %v)", q, v, lo, hi)
		}
	}
}

package checkout

import (
	"runtime"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/traffic"
	"github.com/checkoutsim/checkoutsim/sim"
)

// peak is the default system at a flash-sale peak of 2,000 checkouts/s,
// scaled so that it stays healthy (the benchmark measures the simulator,
// not a collapse), without browsing traffic.
func peak(d sim.Time) *Config {
	c := Default()
	c.Duration = d
	c.Warmup = 0
	c.Drain = 0
	c.Traffic.Profile = traffic.Profile{{At: 0, Rate: 2000}}
	c.Traffic.BrowseRatio = 0
	c.Flow.Browse.Service = ""
	for i := range c.Services {
		c.Services[i].Instances *= 20
	}
	c.Database.PoolSize = 4000
	c.Database.Cores = 640
	for i := range c.Payments.Providers {
		c.Payments.Providers[i].LoadLatency = 20 * sim.Microsecond // a large PSP: 2000/s barely moves it
	}
	return c
}

// BenchmarkPeakHour simulates one minute of the peak per iteration and
// reports the wall time one simulated hour at 2,000 checkouts/s takes
// (goal: at most 60 s on one core), the checkouts simulated per wall second,
// and the peak heap in use, sampled every simulated 10 s. Run a whole hour
// with -benchtime=60x, or compare memory of 1 vs 2 simulated hours with
// BenchmarkPeakMemory.
func BenchmarkPeakHour(b *testing.B) {
	cfg := peak(sim.Minute)
	var checkouts int64
	var peakHeap uint64
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		s, err := New(cfg, 1, i)
		if err != nil {
			b.Fatal(err)
		}
		s.Engine().Every(10*sim.Second, 10*sim.Second, func(sim.Time) { peakHeap = max(peakHeap, heapInUse()) })
		r := s.Run()
		checkouts += r.Checkout.Attempts
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(sec/float64(b.N)*60, "wall-s/sim-hour")
	b.ReportMetric(float64(checkouts)/sec, "checkouts/s")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
}

// BenchmarkPeakMemory runs 1 and 2 simulated hours of the peak and reports
// the peak heap of each: memory must be bounded by what is in flight, so
// the two should be about equal.
func BenchmarkPeakMemory(b *testing.B) {
	for _, hours := range []int{1, 2} {
		b.Run(map[int]string{1: "1h", 2: "2h"}[hours], func(b *testing.B) {
			var peakHeap uint64
			for i := 0; i < b.N; i++ {
				s, err := New(peak(sim.Time(hours)*sim.Hour), 1, 0)
				if err != nil {
					b.Fatal(err)
				}
				s.Engine().Every(sim.Minute, sim.Minute, func(sim.Time) { peakHeap = max(peakHeap, heapInUse()) })
				s.Run()
			}
			b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/float64(hours), "wall-s/sim-hour")
		})
	}
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

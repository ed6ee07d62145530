package checkout

import (
	"runtime"
	"sync"
	"testing"
	"time"

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
// (goal: at most 30 s on one core: run it with -cpu 1), the allocations per
// checkout (goal: at most 10), the checkouts simulated per wall second, and
// the peak heap in use, sampled every simulated 10 s. Run a whole hour with
// -benchtime=60x, or compare memory of 1 vs 2 simulated hours with
// BenchmarkPeakMemory.
func BenchmarkPeakHour(b *testing.B) {
	cfg := peak(sim.Minute)
	var checkouts int64
	var events uint64
	var peakHeap uint64
	b.ReportAllocs()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	defer func() {
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(checkouts), "allocs/checkout")
	}()
	for i := 0; i < b.N; i++ {
		s, err := New(cfg, 1, i)
		if err != nil {
			b.Fatal(err)
		}
		s.Engine().Every(10*sim.Second, 10*sim.Second, func(sim.Time) { peakHeap = max(peakHeap, heapInUse()) })
		r := s.Run()
		checkouts += r.Checkout.Attempts
		events += s.Engine().Processed()
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(sec/float64(b.N)*60, "wall-s/sim-hour")
	b.ReportMetric(float64(checkouts)/sec, "checkouts/s")
	b.ReportMetric(float64(events)/float64(checkouts), "events/checkout")
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

// BenchmarkReplications runs the same replications of the peak (20
// simulated seconds each) one after another on one goroutine and then
// spread over two, in one run, and reports the speed-up (goal: at least
// 1.8 on two idle cores). Replications share nothing, so the speed-up
// measures only what the machine gives.
func BenchmarkReplications(b *testing.B) {
	cfg := peak(20 * sim.Second)
	const reps = 4
	run := func(workers int) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		next := make(chan int)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for rep := range next {
					if _, err := Run(cfg, 1, rep); err != nil {
						b.Error(err)
					}
				}
			}()
		}
		for rep := 0; rep < reps; rep++ {
			next <- rep
		}
		close(next)
		wg.Wait()
		return time.Since(start)
	}
	var one, two time.Duration
	for i := 0; i < b.N; i++ {
		one += run(1)
		two += run(2)
	}
	b.ReportMetric(one.Seconds()/float64(b.N), "s/1-core")
	b.ReportMetric(two.Seconds()/float64(b.N), "s/2-cores")
	b.ReportMetric(one.Seconds()/two.Seconds(), "speedup")
}

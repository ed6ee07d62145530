// Package synth makes small replication results with known values for
// the tests of the packages that draw and report results (chart, report),
// so they need not simulate. It imports models/checkout, sim and
// sim/stats only, and only tests import it.
package synth

import (
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Result is a small replication result with known series: n samples
// 10 s apart, a 20 s warm-up, latencies 1..1000 ms times scale, and every
// series the run charts read, value = base + k for sample k.
func Result(rep int, n int, scale, base float64) *checkout.Result {
	r := &checkout.Result{
		Replication: rep, Interval: 10 * sim.Second, Measured: sim.Time(n)*10*sim.Second - 20*sim.Second,
		Latency: new(stats.Histogram), Checkout: checkout.Counts{Attempts: 1000, Succeeded: 980, Failed: 20},
	}
	for i := 1; i <= 1000; i++ {
		r.Latency.Record(int64(float64(i) * 1e6 * scale))
	}
	add := func(name, unit string, f func(k int) float64) {
		s := checkout.Series{Name: name, Unit: unit}
		for k := range n {
			s.Values = append(s.Values, f(k))
		}
		r.Series = append(r.Series, s)
	}
	lin := func(k int) float64 { return base + float64(k) }
	for _, name := range []string{checkout.SeriesArrivals, checkout.SeriesSucceeded, checkout.SeriesFailed, checkout.SeriesAbandoned, checkout.SeriesDBStatements, checkout.SeriesGatewayAttempts, checkout.SeriesPaymentAttempts} {
		add(name, "1/s", lin)
	}
	for _, name := range []string{checkout.SeriesLatencyP50, checkout.SeriesLatencyP95, checkout.SeriesLatencyP99, checkout.SeriesLockWaitMean} {
		add(name, "s", func(k int) float64 { return scale * (0.1 + 0.01*float64(k)) })
	}
	add(checkout.SeriesCacheHitRatio, "fraction", func(k int) float64 { return 0.95 - 0.01*float64(k%3) })
	add(checkout.SeriesDBPoolInUse, "connections", lin)
	add(checkout.SeriesDBPoolWaiting, "requests", lin)
	add("breaker_open/psp-a", "0 closed, 0.5 half-open, 1 open", func(k int) float64 { return float64(k % 2) })
	for _, svc := range []string{"gateway", "checkout-api"} {
		add(checkout.SeriesBacklog+svc, "requests", lin)
		add(checkout.SeriesInstances+svc, "instances", func(int) float64 { return 2 })
	}
	return r
}

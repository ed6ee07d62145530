package experiments

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
)

// WarmupSeries are the time series whose transient the warm-up must cover:
// the checkout latency (per-interval median) and the cache hit ratio.
var WarmupSeries = []string{checkout.SeriesLatencyP50, checkout.SeriesCacheHitRatio}

// WarmupWarnings checks the configured warm-up against MSER-5's truncation
// point of each WarmupSeries, taking the latest over the replications: a
// warning for each series whose transient lasts beyond the warm-up (its
// early values then bias the statistics). A scenario whose load changes
// by design (a campaign spike) may be flagged too: the series is not
// stationary, and the warning says so.
func WarmupWarnings(sc *Scenario, results []*checkout.Result) []string {
	var out []string
	for _, name := range WarmupSeries {
		var worst sim.Time
		found := false
		for _, r := range results {
			if at, ok := r.MSERTruncation(name); ok {
				found = true
				worst = max(worst, at)
			}
		}
		if found && worst > sc.Warmup {
			out = append(out, fmt.Sprintf("warm-up %v is shorter than MSER-5's truncation point of %s (%v): the early transient, or a load that is not stationary, is in the statistics; consider --set warmup=%v",
				sc.Warmup.Duration(), name, worst.Duration(), worst.Duration()))
		}
	}
	return out
}

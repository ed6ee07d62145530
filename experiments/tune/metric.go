package tune

import "github.com/checkoutsim/checkoutsim/experiments/metric"

// LookupMetric finds a metric of the registry by key (latency_p99_s),
// path in `run -o json` (checkout.latency_s.p99) or short name (p99).
func LookupMetric(name string) (*metric.Metric, error) { return metric.Lookup(name) }

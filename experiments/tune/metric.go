package tune

import (
	"fmt"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// Metric is a registry metric as tune uses it: a name to print, which
// direction is better, and its value in one replication.
type Metric struct {
	// Key is the registry key ("latency_p99_s").
	Key string
	// LowerIsBetter is the metric's own direction.
	LowerIsBetter bool
	// Value is the metric in one replication; ok is false when the
	// replication does not define it.
	Value func(*checkout.Result) (float64, bool)
}

// metricNames maps the names tune accepts to registry keys, until the
// registry (experiments/metric) is on this branch.
var metricNames = []struct {
	key, path, short string
	lower            bool
}{
	{"latency_p50_s", "checkout.latency_s.p50", "p50", true},
	{"latency_p95_s", "checkout.latency_s.p95", "p95", true},
	{"latency_p99_s", "checkout.latency_s.p99", "p99", true},
	{"latency_mean_s", "checkout.latency_s.mean", "mean_latency", true},
	{"error_rate", "checkout.error_rate", "error_rate", true},
	{"throughput_per_s", "checkout.throughput_per_s", "throughput", false},
	{"cost_usd", "cost.usd", "cost", true},
	{"payment_attempts_per_payment", "signals.payment_attempts_per_payment", "payment_amplification", true},
}

// LookupMetric finds a metric by registry key, path in `run -o json` or
// short name.
func LookupMetric(name string) (Metric, error) {
	for _, n := range metricNames {
		if name != n.key && name != n.path && name != n.short {
			continue
		}
		for _, m := range experiments.HeadlineMetrics {
			if m.Key == n.key {
				return Metric{Key: n.key, LowerIsBetter: n.lower, Value: m.Value}, nil
			}
		}
	}
	var known []string
	for _, n := range metricNames {
		known = append(known, n.path)
	}
	return Metric{}, fmt.Errorf("unknown metric %q (known: %s)", name, strings.Join(known, ", "))
}

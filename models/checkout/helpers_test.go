package checkout

import (
	"fmt"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/models/traffic"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// bare returns a system reduced to one service "s" with the given steps,
// no gateway, no browsing, no network, no patience and no re-clicks, so a
// test sees exactly the mechanism it is about.
func bare(t *testing.T, rate float64, steps ...Step) *Config {
	t.Helper()
	c := Default()
	c.Duration = 5 * sim.Minute
	c.Warmup = 30 * sim.Second
	c.Traffic.Profile = traffic.Profile{{At: 0, Rate: rate}}
	c.Traffic.BrowseRatio = 0
	c.Traffic.Patience = nil
	c.Traffic.Reclick = traffic.Reclick{}
	c.Traffic.Cohorts = []traffic.Cohort{{Name: "all", Weight: 1}}
	c.Services = []service.Config{{Name: "s", Instances: 1, WorkersPerInstance: 10_000, CPU: dist.MustParse("constant(0)")}}
	c.Inventory.Idempotency = false
	c.Flow = Flow{Orchestrator: "s", Steps: steps}
	return c
}

func run(t *testing.T, c *Config, seed uint64, rep int) *Result {
	t.Helper()
	res, err := Run(c, seed, rep)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// replicate runs n replications and summarises f over them.
func replicate(t *testing.T, c *Config, seed uint64, n int, f func(*Result) float64) *stats.Summary {
	t.Helper()
	var s stats.Summary
	for rep := 0; rep < n; rep++ {
		s.Add(f(run(t, c, seed, rep)))
	}
	return &s
}

func noBackoff(attempts int) *policy.RetryConfig {
	return &policy.RetryConfig{MaxAttempts: attempts, Backoff: policy.BackoffConfig{Kind: policy.BackoffConstant, Jitter: policy.JitterNone}}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func seriesOf(t *testing.T, r *Result, name string) []float64 {
	t.Helper()
	for _, s := range r.Series {
		if s.Name == name {
			return s.Values
		}
	}
	t.Fatalf("no series %q", name)
	return nil
}

// window averages series values whose sample time lies in [from, to).
func window(r *Result, values []float64, from, to sim.Time) float64 {
	sum, n := 0.0, 0
	for i, v := range values {
		at := sim.Time(i+1) * r.Interval
		if at > from && at <= to {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

func describe(r *Result) string {
	return fmt.Sprintf("counts %+v causes %v p99 %.3fs", r.Checkout, r.Causes, r.Latency.Quantile(0.99))
}

package validate

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/testbed"
)

// Fitted is one measurement and the distribution fitted to it (the best
// of fit's families by Kolmogorov-Smirnov D).
type Fitted struct {
	What    string  `json:"what"`
	N       int     `json:"n"`
	MedianS float64 `json:"median_s"`
	P99S    float64 `json:"p99_s"`
	Dist    string  `json:"dist"`
	KS      float64 `json:"ks"`
	dist    dist.Dist
}

// HopFit is one service's calibrated hop in one scenario.
type HopFit struct {
	Scenario string `json:"scenario"`
	Service  string `json:"service"`
	Fitted
}

// Calibration is what was measured at light load on this machine.
type Calibration struct {
	Machine   string   `json:"machine"`
	Statement Fitted   `json:"statement"` // -> database.statement
	Redis     Fitted   `json:"redis"`     // -> cache.hit_latency
	Hops      []HopFit `json:"hops"`      // -> services[i].cpu
	names     []string // scenario names, by index
}

func fitted(what string, xs []float64) (Fitted, error) {
	res, err := dist.FitSamples(xs, "")
	if err != nil {
		return Fitted{}, fmt.Errorf("calibration: %s: %w", what, err)
	}
	b := res.Best()
	return Fitted{What: what, N: res.N, MedianS: res.Median, P99S: res.P99, Dist: b.Dist.String(), KS: b.KS, dist: b.Dist}, nil
}

// Calibrate measures and fits the statement latency, the Redis round trip
// and every service's hop of every scenario. n is the samples of each (0: 400).
func Calibrate(ctx context.Context, scs []*experiments.Scenario, o testbed.Options, n int) (*Calibration, error) {
	if n <= 0 {
		n = 400
	}
	skus := 1
	for _, sc := range scs {
		skus = max(skus, sc.Traffic.SKUs)
	}
	cal := &Calibration{Machine: fmt.Sprintf("%s/%s, %d CPUs", runtime.GOOS, runtime.GOARCH, runtime.NumCPU())}
	xs, err := testbed.MeasureStatements(ctx, o, skus, n)
	if err != nil {
		return nil, err
	}
	if cal.Statement, err = fitted("database statement (primary-key read, no lock wait)", xs); err != nil {
		return nil, err
	}
	if xs, err = testbed.MeasureRedis(ctx, o, n); err != nil {
		return nil, err
	}
	if cal.Redis, err = fitted("Redis GET round trip", xs); err != nil {
		return nil, err
	}
	for _, sc := range scs {
		cal.names = append(cal.names, sc.Name)
		for _, svc := range sc.Services {
			xs, err := testbed.MeasureHop(ctx, svc, n/2)
			if err != nil {
				return nil, err
			}
			f, err := fitted("hop to "+svc.Name+" (worker hold of its cpu + loopback HTTP)", xs)
			if err != nil {
				return nil, err
			}
			cal.Hops = append(cal.Hops, HopFit{Scenario: sc.Name, Service: svc.Name, Fitted: f})
		}
	}
	return cal, nil
}

// Apply returns a copy of sc with the calibrated distributions.
func (c *Calibration) Apply(sc *experiments.Scenario) *experiments.Scenario {
	cp := *sc
	cp.Database.Statement = c.Statement.dist
	cp.Cache.HitLatency = c.Redis.dist
	cp.Services = append(cp.Services[:0:0], sc.Services...)
	for j := range cp.Services {
		for _, h := range c.Hops {
			if h.Scenario == sc.Name && h.Service == cp.Services[j].Name {
				cp.Services[j].CPU = h.dist
			}
		}
	}
	return &cp
}

// Sets are the --set overrides that turn scenario name into its calibrated
// form.
func (c *Calibration) Sets(sc *experiments.Scenario) []string {
	out := []string{"database.statement=" + c.Statement.Dist, "cache.hit_latency=" + c.Redis.Dist}
	for j, s := range sc.Services {
		for _, h := range c.Hops {
			if h.Scenario == sc.Name && h.Service == s.Name {
				out = append(out, fmt.Sprintf("services[%d].cpu=%s", j, h.Dist))
			}
		}
	}
	return out
}

// WriteCalibration writes the calibration as YAML: the fitted values, and
// for each scenario the overrides that make its calibrated form.
func (r *Report) WriteCalibration(w io.Writer) error {
	c := &r.Calibration
	var b strings.Builder
	fmt.Fprintf(&b, "# checkoutsim testbed check: calibration measured at light load on %s.\n", c.Machine)
	b.WriteString("# Each scenario's calibrated form is the scenario with these overrides:\n")
	b.WriteString("#   checkoutsim run SCENARIO --set 'database.statement=...' --set ...\n")
	line := func(f Fitted) {
		fmt.Fprintf(&b, "    what: %q\n    n: %d\n    median_s: %.6g\n    p99_s: %.6g\n    dist: %q\n    ks: %.4f\n", f.What, f.N, f.MedianS, f.P99S, f.Dist, f.KS)
	}
	b.WriteString("calibration:\n  statement:\n")
	line(c.Statement)
	b.WriteString("  redis:\n")
	line(c.Redis)
	b.WriteString("  hops:\n")
	for _, h := range c.Hops {
		fmt.Fprintf(&b, "    - {scenario: %q, service: %q, n: %d, median_s: %.6g, p99_s: %.6g, dist: %q, ks: %.4f}\n", h.Scenario, h.Service, h.N, h.MedianS, h.P99S, h.Dist, h.KS)
	}
	b.WriteString("scenarios:\n")
	for _, name := range c.names {
		fmt.Fprintf(&b, "  %s:\n    set:\n", name)
		for _, s := range r.sets[name] {
			fmt.Fprintf(&b, "      - %q\n", s)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

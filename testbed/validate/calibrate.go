package validate

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/models/host"
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
	Host      HostCPU  `json:"host"`      // -> host
	names     []string // scenario names, by index
}

// HostCPU is the machine's CPU as the light-load calibration measured it:
// its cores, the CPU time of one statement, one Redis GET and one request
// (over the same timed loops as the latencies), and the background: what
// other processes kept busy while the testbed was idle.
type HostCPU struct {
	// Measured is false where the CPU could not be read (no /proc): then
	// the host is left out of the calibrated scenario.
	Measured bool `json:"measured"`
	Cores    int  `json:"cores"`
	// StatementCPUS is this process's and PostgreSQL's CPU per statement
	// (-> host.statement_cpu).
	StatementCPUS float64 `json:"statement_cpu_s"`
	// RedisCPUS is this process's and Redis's CPU per GET (measured and
	// shown; the model does not charge cache operations to the host).
	RedisCPUS float64 `json:"redis_cpu_s"`
	// RequestCPUS is this process's CPU per request over every hop's loop,
	// client and server ends (-> host.request_cpu).
	RequestCPUS float64 `json:"request_cpu_s"`
	// IdleS is the idle window; OtherCores the cores other processes kept
	// busy over it (shown); BackgroundLoad the mean number of threads
	// running or waiting for a core over it (-> host.background_load).
	IdleS          float64 `json:"idle_s"`
	OtherCores     float64 `json:"other_cores"`
	BackgroundLoad float64 `json:"background_load"`
}

// idleWindow is how long Calibrate watches the machine with the testbed
// idle, for the background load.
const idleWindow = 3 * time.Second

// perOp is the CPU of n operations, each of which used this process and
// the server's processes: seconds per operation (0 when not measured).
func perOp(cpu testbed.CPUTimes, server float64, n int) float64 {
	if !cpu.OK || n == 0 {
		return 0
	}
	return (cpu.Self + server) / float64(n)
}

// measureHost fills the parts of HostCPU that need a window of their own
// (cores, background).
func measureHost(ctx context.Context) (HostCPU, error) {
	h := HostCPU{Cores: runtime.NumCPU()}
	idle, err := testbed.MeasureIdle(ctx, idleWindow)
	if err != nil || !idle.CPU.OK {
		return h, err
	}
	h.Measured = true
	h.IdleS = idleWindow.Seconds()
	h.OtherCores = idle.CPU.Others() / h.IdleS
	h.BackgroundLoad = backgroundLoad(h.OtherCores, idle.Runnable, h.Cores)
	return h, nil
}

// backgroundLoad is the other work's mean number of threads wanting a
// core. With a core to spare every such thread runs, so it equals the
// cores the other processes kept busy, which CPU accounting measures
// exactly; the runnable count sampled from procs_running is only needed
// on a saturated machine, where busy cores stop telling 2 competing
// threads from 6, and it is noisy (on this project's idle machine it read
// 0.84 while other processes used 0.04 cores: procs_running is a
// snapshot that catches short-lived kernel and runtime threads).
func backgroundLoad(otherCores, runnable float64, cores int) float64 {
	if otherCores < float64(cores)-0.5 {
		return otherCores
	}
	return max(otherCores, runnable)
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
	var err error
	if cal.Host, err = measureHost(ctx); err != nil {
		return nil, err
	}
	xs, cpu, err := testbed.MeasureStatements(ctx, o, skus, n)
	if err != nil {
		return nil, err
	}
	if cal.Statement, err = fitted("database statement (primary-key read, no lock wait)", xs); err != nil {
		return nil, err
	}
	cal.Host.StatementCPUS = perOp(cpu, cpu.Postgres, len(xs))
	if xs, cpu, err = testbed.MeasureRedis(ctx, o, n); err != nil {
		return nil, err
	}
	if cal.Redis, err = fitted("Redis GET round trip", xs); err != nil {
		return nil, err
	}
	cal.Host.RedisCPUS = perOp(cpu, cpu.Redis, len(xs))
	var hopCPU testbed.CPUTimes
	hops := 0
	for _, sc := range scs {
		cal.names = append(cal.names, sc.Name)
		for _, svc := range sc.Services {
			xs, cpu, err := testbed.MeasureHop(ctx, svc, n/2)
			if err != nil {
				return nil, err
			}
			hopCPU.Self += cpu.Self
			hopCPU.OK = cpu.OK
			hops += len(xs)
			f, err := fitted("hop to "+svc.Name+" (worker hold of its cpu + loopback HTTP)", xs)
			if err != nil {
				return nil, err
			}
			cal.Hops = append(cal.Hops, HopFit{Scenario: sc.Name, Service: svc.Name, Fitted: f})
		}
	}
	cal.Host.RequestCPUS = perOp(hopCPU, 0, hops)
	return cal, nil
}

// hostConfig is the calibrated host: the machine's cores, the measured CPU
// per statement and per request as constants (their means), the measured
// background. Not measured: not modelled.
func (c *Calibration) hostConfig() host.Config {
	h := &c.Host
	if !h.Measured {
		return host.Config{}
	}
	return host.Config{Cores: h.Cores, StatementCPU: constant(h.StatementCPUS), RequestCPU: constant(h.RequestCPUS), BackgroundLoad: h.BackgroundLoad}
}

// hostSets are hostConfig as --set overrides.
func (c *Calibration) hostSets() []string {
	h := c.hostConfig()
	if !h.Enabled() {
		return nil
	}
	out := []string{fmt.Sprintf("host.cores=%d", h.Cores), "host.statement_cpu=" + h.StatementCPU.String()}
	if h.RequestCPU != nil {
		out = append(out, "host.request_cpu="+h.RequestCPU.String())
	}
	return append(out, fmt.Sprintf("host.background_load=%.4g", h.BackgroundLoad))
}

// constant is a fixed CPU time in seconds (nil for none measured).
func constant(s float64) dist.Dist {
	if !(s > 0) {
		return nil
	}
	return dist.MustParse(fmt.Sprintf("constant(%.4g)", s))
}

// Apply returns a copy of sc with the calibrated distributions.
func (c *Calibration) Apply(sc *experiments.Scenario) *experiments.Scenario {
	cp := *sc
	cp.Database.Statement = c.Statement.dist
	cp.Cache.HitLatency = c.Redis.dist
	cp.Host = c.hostConfig()
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
	return append(out, c.hostSets()...)
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
	h := &c.Host
	fmt.Fprintf(&b, "  host:\n    measured: %v\n    cores: %d\n    statement_cpu_s: %.6g\n    redis_cpu_s: %.6g\n    request_cpu_s: %.6g\n    other_cores: %.4g\n    background_load: %.4g\n",
		h.Measured, h.Cores, h.StatementCPUS, h.RedisCPUS, h.RequestCPUS, h.OtherCores, h.BackgroundLoad)
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

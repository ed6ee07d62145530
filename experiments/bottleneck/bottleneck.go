package bottleneck

import (
	"math"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Summary is the load on every constraint of a run and the verdict.
// Field order is JSON key order (docs/output.md, "bottleneck").
type Summary struct {
	SampleIntervalS float64    `json:"sample_interval_s"`
	Services        []Service  `json:"services"`
	DBPool          DBPool     `json:"db_pool"`
	HotRows         HotRows    `json:"hot_rows"`
	Providers       []Provider `json:"providers"`
	Verdict         Verdict    `json:"verdict"`
}

// Service is one service's load.
type Service struct {
	Service string `json:"service"`
	Role    Role   `json:"role"`
	// Workers is instances x workers per instance as configured (an
	// autoscaled service's count moves with its instances).
	Workers int `json:"workers"`
	// Utilisation is busy workers over workers in the measured window.
	Utilisation float64 `json:"utilisation"`
	// QueueMean is the mean of the requests waiting for a worker at the
	// measured window's samples; BacklogMax the most at any sample.
	QueueMean     float64 `json:"queue_mean"`
	BacklogMax    int     `json:"backlog_max"`
	InstancesMin  int     `json:"instances_min"`
	InstancesMean float64 `json:"instances_mean"`
	InstancesMax  int     `json:"instances_max"`
	// Rejected are requests refused for want of a worker (queue full or
	// waited too long) or dropped unserved (deadline passed, caller gone).
	Rejected  int64 `json:"rejected"`
	Saturated bool  `json:"saturated"`
}

// DBPool is the database connection pool's load.
type DBPool struct {
	Size       int     `json:"size"`
	InUseMean  float64 `json:"in_use_mean"`
	InUseShare float64 `json:"in_use_share"` // InUseMean / Size
	WaitingMax int     `json:"waiting_max"`
	WaitP99S   float64 `json:"wait_p99_s"`
	Timeouts   int64   `json:"timeouts"`
	Saturated  bool    `json:"saturated"`
}

// HotRows are the inventory's row locks.
type HotRows struct {
	LockWaitP99S float64 `json:"-"` // under metric.LockWaitP99's key: see MarshalJSON
	LockTimeouts int64   `json:"lock_timeouts"`
	Deadlocks    int64   `json:"deadlocks"`
	Saturated    bool    `json:"saturated"`
}

// MarshalJSON writes the row locks, keys in field order; the lock wait P99
// under its registry key.
func (h HotRows) MarshalJSON() ([]byte, error) {
	var o output.Object
	o.Add(metric.LockWaitP99.Key, h.LockWaitP99S)
	o.Add("lock_timeouts", h.LockTimeouts)
	o.Add("deadlocks", h.Deadlocks)
	o.Add("saturated", h.Saturated)
	return o.Bytes()
}

// Provider is one payment provider's load.
type Provider struct {
	Provider string `json:"provider"`
	// Cap is the provider's concurrency cap (0: none).
	Cap          int     `json:"cap"`
	InFlightMean float64 `json:"in_flight_mean"`
	InFlightMax  float64 `json:"in_flight_max"`
	// Attempts and TimedOut count the calls to it, all replications.
	Attempts  int64 `json:"attempts"`
	TimedOut  int64 `json:"timed_out"`
	Saturated bool  `json:"saturated"`
}

// Saturation thresholds (see the package documentation).
const (
	// BusyShare is the share of a constraint's capacity in use above
	// which it counts as busy nearly all the time.
	BusyShare = 0.9
	// MinQueue is the mean number of requests waiting that shows work
	// queues for the constraint rather than passing through it.
	MinQueue = 1.0
	// HotLockWaitP99S is the lock wait P99, in seconds, from which row
	// locks count as saturated even without timeouts.
	HotLockWaitP99S = 1.0
)

// Summarize reads the load on each constraint from the replications'
// results (in replication order) of the system cfg and judges it.
func Summarize(cfg *checkout.Config, results []*checkout.Result) *Summary {
	s := &Summary{SampleIntervalS: cfg.SampleInterval.Seconds(), Services: []Service{}, Providers: []Provider{}}
	warmup := cfg.Warmup.Seconds()
	for _, sc := range cfg.Services {
		sv := Service{Service: sc.Name, Role: roleOf(cfg, sc.Name), Workers: sc.Instances * sc.WorkersPerInstance}
		var util, queue, inst stats.Summary
		sv.InstancesMin = math.MaxInt
		for _, r := range results {
			for _, res := range r.Services {
				if res.Name != sc.Name {
					continue
				}
				u := res.Utilisation
				if res.WorkerS > 0 {
					u = res.BusyWorkerS / res.WorkerS
				}
				util.Add(u)
				sv.Rejected += res.Overloaded + res.Dropped
				sv.InstancesMax = max(sv.InstancesMax, res.MaxInstances)
			}
			if w, ok := sampled(r, checkout.SeriesBacklog+sc.Name, warmup); ok {
				queue.Add(w.mean)
				sv.BacklogMax = max(sv.BacklogMax, int(w.max))
			}
			if w, ok := sampled(r, checkout.SeriesInstances+sc.Name, warmup); ok {
				inst.Add(w.mean)
				sv.InstancesMin = min(sv.InstancesMin, int(w.min))
				sv.InstancesMax = max(sv.InstancesMax, int(w.max))
			}
		}
		if sv.InstancesMin == math.MaxInt {
			sv.InstancesMin = sc.Instances
		}
		sv.Utilisation, sv.QueueMean, sv.InstancesMean = util.Mean(), queue.Mean(), inst.Mean()
		if inst.N() == 0 { // no samples (a testbed result): as configured
			sv.InstancesMean, sv.InstancesMax = float64(sc.Instances), max(sv.InstancesMax, sc.Instances)
		}
		sv.Saturated = sv.Utilisation >= BusyShare && (sv.QueueMean >= MinQueue || sv.Rejected > 0)
		s.Services = append(s.Services, sv)
	}
	s.DBPool = summarizePool(cfg, results, warmup)
	s.HotRows = summarizeRows(results)
	for _, pc := range cfg.Payments.Providers {
		p := Provider{Provider: pc.Name, Cap: pc.Concurrency}
		var mean stats.Summary
		for _, r := range results {
			if w, ok := sampled(r, checkout.SeriesProviderInFlight+pc.Name, warmup); ok {
				mean.Add(w.mean)
				p.InFlightMax = math.Max(p.InFlightMax, w.max)
			}
			for _, l := range r.Layers {
				if strings.HasSuffix(l.Name, "->"+pc.Name) { // the payment client's edge to it
					p.Attempts += l.Attempts
					p.TimedOut += l.Outcomes[policy.Timeout]
				}
			}
		}
		p.InFlightMean = mean.Mean()
		p.Saturated = p.Cap > 0 && p.InFlightMean >= BusyShare*float64(p.Cap)
		s.Providers = append(s.Providers, p)
	}
	s.Verdict = Judge(s)
	return s
}

func summarizePool(cfg *checkout.Config, results []*checkout.Result, warmup float64) DBPool {
	p := DBPool{Size: cfg.Database.PoolSize}
	var inUse, waiting stats.Summary
	for _, r := range results {
		p.Timeouts += r.Signals.PoolTimeouts
		if w, ok := sampled(r, checkout.SeriesDBPoolInUse, warmup); ok {
			inUse.Add(w.mean)
		}
		if w, ok := sampled(r, checkout.SeriesDBPoolWaiting, warmup); ok {
			waiting.Add(w.mean)
			p.WaitingMax = max(p.WaitingMax, int(w.max))
		}
	}
	p.InUseMean = inUse.Mean()
	if p.Size > 0 {
		p.InUseShare = p.InUseMean / float64(p.Size)
	}
	var wait stats.Summary // the mean of the replications' P99s that are defined
	p99 := metric.Quantile(0.99, func(r *checkout.Result) *stats.Histogram { return r.Signals.PoolWait })
	for _, r := range results {
		if v, ok := p99(r); ok {
			wait.Add(v)
		}
	}
	p.WaitP99S = wait.Mean()
	p.Saturated = p.InUseShare >= BusyShare && (waiting.Mean() >= MinQueue || p.Timeouts > 0)
	return p
}

func summarizeRows(results []*checkout.Result) HotRows {
	var h HotRows
	for _, r := range results {
		h.LockTimeouts += r.Signals.LockTimeouts
		h.Deadlocks += r.Signals.Deadlocks
	}
	h.LockWaitP99S, _ = metric.Over(results, metric.LockWaitP99)
	h.Saturated = h.LockTimeouts+h.Deadlocks > 0 || h.LockWaitP99S >= HotLockWaitP99S
	return h
}

// window is a series' statistics: the mean of the samples in the measured
// window, the minimum and maximum of every sample.
type window struct{ mean, min, max float64 }

// sampled reads the named series of r; sample k is taken at (k+1)
// intervals, and the measured window's samples are those at or after
// warmup seconds. ok is false when r has no such series.
func sampled(r *checkout.Result, name string, warmup float64) (w window, ok bool) {
	for _, s := range r.Series {
		if s.Name != name || len(s.Values) == 0 {
			continue
		}
		w = window{min: math.Inf(1), max: math.Inf(-1)}
		var mean stats.Summary
		for k, v := range s.Values {
			w.min, w.max = math.Min(w.min, v), math.Max(w.max, v)
			if float64(k+1)*r.Interval.Seconds() >= warmup {
				mean.Add(v)
			}
		}
		w.mean = mean.Mean()
		return w, true
	}
	return window{}, false
}

// Role is where a service sits on the checkout's path.
type Role string

// The roles, by depth on the path.
const (
	RoleGateway      Role = "gateway"      // receives the users' requests
	RoleOrchestrator Role = "orchestrator" // runs the flow's steps, holding a worker per checkout
	RoleBrowse       Role = "browse"       // serves browsing behind the gateway
	RoleStep         Role = "step"         // runs one or more of the flow's steps
	RoleConsumer     Role = "consumer"     // consumes the confirmations asynchronously
	RoleUnused       Role = "unused"       // on no path of the flow
)

// roleOf finds a service's role from the flow (the first that applies).
func roleOf(cfg *checkout.Config, name string) Role {
	f := &cfg.Flow
	switch name {
	case f.Gateway:
		return RoleGateway
	case f.Orchestrator:
		return RoleOrchestrator
	case f.Browse.Service:
		return RoleBrowse
	}
	for _, st := range f.Steps {
		if st.Service == name {
			if st.Kind == checkout.KindConfirm {
				return RoleConsumer
			}
			return RoleStep
		}
	}
	return RoleUnused
}

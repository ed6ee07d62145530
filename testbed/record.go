package testbed

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/policy/live"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// layer counts one client hop's calls and attempts, as call.Edge does.
type layer struct {
	name     string
	calls    atomic.Int64
	attempts atomic.Int64
	outcomes [8]atomic.Int64
	flips    atomic.Int64
	mu       sync.Mutex
	changes  []checkout.BreakerChange
}

// observe is the live.Options.Observe of the hop's executor: an attempt a
// layer refused did not reach the server.
func (l *layer) observe(ev live.Event) {
	if ev.RejectedBy == "" {
		l.attempts.Add(1)
	}
	if int(ev.Outcome) < len(l.outcomes) {
		l.outcomes[ev.Outcome].Add(1)
	}
}

// result is the edge as the simulator reports it.
func (l *layer) result() checkout.Layer {
	out := checkout.Layer{Name: l.name, Calls: l.calls.Load(), Attempts: l.attempts.Load()}
	for i := range l.outcomes {
		out.Outcomes[i] = l.outcomes[i].Load()
	}
	return out
}

// outcome of a resolved checkout intent.
type outcome int

const (
	succeeded outcome = iota
	failed
	abandoned
)

// recorder collects what the run measured, from many goroutines.
type recorder struct {
	mu       sync.Mutex
	clock    *runClock
	warmup   sim.Time
	counts   checkout.Counts
	cohorts  []checkout.CohortResult
	causes   map[string]int64
	clicks   int64
	latency  *stats.Histogram
	queries  int64
	interval *stats.Histogram
	arrivals int64
	resolved [3]int64
	series   []checkout.Series
	byName   map[string]int
	inFlight atomic.Int64
	// closed is set when the result is taken: work still finishing after
	// the run (late answers, zombie work) records nothing more.
	closed atomic.Bool

	lockWait     *stats.Histogram
	poolWait     *stats.Histogram
	lockWaits    int64
	lockWaitSum  float64
	lastLockN    int64
	lastLockSum  float64
	lastHits     int64
	lastMisses   int64
	lastStmts    int64
	lockTimeouts atomic.Int64
	deadlocks    atomic.Int64
	doubles      atomic.Int64
	leaked       atomic.Int64
	repeats      atomic.Int64
	published    atomic.Int64
	confirmed    atomic.Int64
	maxBacklog   int

	browseMu       sync.Mutex
	browseLatency  *stats.Histogram
	browseRequests int64
	browseFailed   int64
}

// runClock is the start of the load, set once the system is up and read
// by every server goroutine.
type runClock struct{ ns atomic.Int64 }

func (c *runClock) set(t time.Time)  { c.ns.Store(t.UnixNano()) }
func (c *runClock) start() time.Time { return time.Unix(0, c.ns.Load()) }
func (c *runClock) since() sim.Time  { return sim.Time(time.Since(c.start())) }

func newRecorder(t0 time.Time, warmup sim.Time, cohorts []string) *recorder {
	clock := &runClock{}
	clock.set(t0)
	r := &recorder{clock: clock, warmup: warmup, causes: map[string]int64{}, latency: new(stats.Histogram),
		interval: new(stats.Histogram), byName: map[string]int{}, lockWait: new(stats.Histogram),
		poolWait: new(stats.Histogram), browseLatency: new(stats.Histogram)}
	for _, c := range cohorts {
		r.cohorts = append(r.cohorts, checkout.CohortResult{Name: c, Latency: new(stats.Histogram)})
	}
	return r
}

// now is the run's clock: time since the start of the load.
func (r *recorder) now() sim.Time { return r.clock.since() }

func (r *recorder) arrived() {
	r.inFlight.Add(1)
	r.mu.Lock()
	r.arrivals++
	r.mu.Unlock()
}

func (r *recorder) clicked(in *intent, lat time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return
	}
	r.interval.Record(int64(lat))
	if !in.measured {
		return
	}
	r.clicks++
	r.latency.Record(int64(lat))
	r.cohorts[in.co.Cohort].Latency.Record(int64(lat))
}

func (r *recorder) resolve(in *intent, res outcome, cause string) {
	r.inFlight.Add(-1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return
	}
	r.resolved[res]++
	if !in.measured {
		return
	}
	r.queries += in.queries.Load()
	for _, c := range []*checkout.Counts{&r.counts, &r.cohorts[in.co.Cohort].Counts} {
		c.Attempts++
		switch res {
		case succeeded:
			c.Succeeded++
		case failed:
			c.Failed++
		case abandoned:
			c.Abandoned++
		}
	}
	if res == failed {
		r.causes[cause]++
	}
}

func (r *recorder) lockWaited(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return
	}
	r.lockWaits++
	r.lockWaitSum += d.Seconds()
	r.lockWait.Record(int64(d))
}

func (r *recorder) poolWaited(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.closed.Load() {
		r.poolWait.Record(int64(d))
	}
}

func (r *recorder) browsed(measured bool, ok bool, lat time.Duration) {
	if !measured {
		return
	}
	r.browseMu.Lock()
	defer r.browseMu.Unlock()
	if r.closed.Load() {
		return
	}
	r.browseRequests++
	if !ok {
		r.browseFailed++
	}
	r.browseLatency.Record(int64(lat))
}

func (r *recorder) add(name, unit string, v float64) {
	i, ok := r.byName[name]
	if !ok {
		i = len(r.series)
		r.byName[name] = i
		r.series = append(r.series, checkout.Series{Name: name, Unit: unit})
	}
	r.series[i].Values = append(r.series[i].Values, v)
}

// sample records one point of each time series, as the simulator's
// recorder does (the subset the testbed can observe).
func (r *recorder) sample(s *System, iv sim.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed.Load() {
		return
	}
	sec := iv.Seconds()
	r.add(checkout.SeriesArrivals, "1/s", float64(r.arrivals)/sec)
	r.add(checkout.SeriesSucceeded, "1/s", float64(r.resolved[succeeded])/sec)
	r.add(checkout.SeriesFailed, "1/s", float64(r.resolved[failed])/sec)
	r.add(checkout.SeriesAbandoned, "1/s", float64(r.resolved[abandoned])/sec)
	r.arrivals, r.resolved = 0, [3]int64{}
	p50, p95, p99 := 0.0, 0.0, 0.0
	if r.interval.Count() > 0 {
		p50, p95, p99 = r.interval.Quantile(0.5), r.interval.Quantile(0.95), r.interval.Quantile(0.99)
	}
	r.interval.Reset()
	r.add(checkout.SeriesLatencyP50, "s", p50)
	r.add(checkout.SeriesLatencyP95, "s", p95)
	r.add(checkout.SeriesLatencyP99, "s", p99)
	hits, misses := s.cache.hits.Load(), s.cache.misses.Load()
	hr := 1.0
	if n := hits - r.lastHits + misses - r.lastMisses; n > 0 {
		hr = float64(hits-r.lastHits) / float64(n)
	}
	r.lastHits, r.lastMisses = hits, misses
	r.add(checkout.SeriesCacheHitRatio, "fraction", hr)
	lw := 0.0
	if n := r.lockWaits - r.lastLockN; n > 0 {
		lw = (r.lockWaitSum - r.lastLockSum) / float64(n)
	}
	r.lastLockN, r.lastLockSum = r.lockWaits, r.lockWaitSum
	r.add(checkout.SeriesLockWaitMean, "s", lw)
	st := s.db.statements.Load()
	r.add(checkout.SeriesDBStatements, "1/s", float64(st-r.lastStmts)/sec)
	r.lastStmts = st
	ps := s.db.pool.Stat()
	r.add(checkout.SeriesDBPoolInUse, "connections", float64(ps.AcquiredConns()))
	// Not in the simulator's series: the statement latency the testbed's
	// clients see at the moment (moving average), which the model takes as
	// a fixed distribution (docs/validation.md).
	r.add("db_statement_typical_s", "s", float64(s.db.typical.Load())/1e9)
	r.add(checkout.SeriesGatewayAttempts, "1/s", 0)
	for _, p := range s.payer.providers {
		r.add(checkout.SeriesProviderInFlight+p.cfg.Name, "requests", float64(p.inFlight.Load()))
	}
	for _, svc := range s.services {
		q := int(svc.waiting.Load())
		r.maxBacklog = max(r.maxBacklog, q)
		r.add(checkout.SeriesBacklog+svc.cfg.Name, "requests", float64(q))
		r.add(checkout.SeriesInstances+svc.cfg.Name, "instances", float64(svc.cfg.Instances))
	}
}

// result assembles the run's checkout.Result.
func (r *recorder) result(s *System, seed uint64, end sim.Time) *checkout.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.browseMu.Lock()
	defer r.browseMu.Unlock()
	r.closed.Store(true)
	cfg := &s.sc.Config
	res := &checkout.Result{Seed: seed, Measured: cfg.Duration - cfg.Warmup,
		Checkout: r.counts, Clicks: r.clicks, Latency: r.latency, Cohorts: r.cohorts,
		Series: r.series, Interval: cfg.SampleInterval}
	res.Checkout.Unfinished = r.inFlight.Load()
	causes := make([]checkout.Cause, 0, len(r.causes))
	for k, v := range r.causes {
		causes = append(causes, checkout.Cause{Name: k, Count: v})
	}
	slices.SortFunc(causes, func(a, b checkout.Cause) int { return cmp.Compare(a.Name, b.Name) })
	res.Causes = causes
	for _, p := range cfg.Payments.Providers {
		for _, ep := range p.Episodes {
			res.Triggers = append(res.Triggers, checkout.Trigger{
				Name:  fmt.Sprintf("%s slow x%g, errors +%g", p.Name, ep.LatencyFactor, ep.ErrorRateAdd),
				Start: ep.Start, End: ep.End})
		}
	}
	slices.SortStableFunc(res.Triggers, func(a, b checkout.Trigger) int { return cmp.Compare(a.Start, b.Start) })
	for _, st := range s.steps {
		l := st.layer.result()
		lat := new(stats.Histogram) // a copy: orchestrators still finishing keep recording into theirs
		st.mu.Lock()
		lat.Merge(st.latency)
		st.mu.Unlock()
		res.Steps = append(res.Steps, checkout.StepResult{Name: st.cfg.Name, Latency: lat, Calls: l.Calls, Attempts: l.Attempts})
	}
	sig := &res.Signals
	for _, l := range s.layers() {
		res.Layers = append(res.Layers, l.result())
		sig.BreakerFlips += l.flips.Load()
		l.mu.Lock()
		sig.BreakerChanges = append(sig.BreakerChanges, l.changes...)
		l.mu.Unlock()
	}
	sig.LockWait = r.lockWait
	sig.LockTimeouts = r.lockTimeouts.Load()
	sig.Deadlocks = r.deadlocks.Load()
	sig.DoubleReservations = r.doubles.Load()
	sig.LeakedUnits = r.leaked.Load()
	sig.IdempotentRepeats = r.repeats.Load()
	sig.PoolWait = r.poolWait
	sig.PoolTimeouts = s.db.poolTimeouts.Load()
	sig.CacheHits, sig.CacheMisses = s.cache.hits.Load(), s.cache.misses.Load()
	sig.DBStatements = s.db.statements.Load()
	sig.CheckoutQueries = r.queries
	sig.Payments = s.payer.payments.Load()
	for _, p := range s.payer.providers {
		sig.PaymentAttempts += p.layer.attempts.Load()
		sig.ProviderRequests += p.requests.Load()
		sig.ProviderZombieCompletions += p.zombies.Load()
	}
	sig.Fallbacks = s.payer.fallbacks.Load()
	sig.MaxBacklog = r.maxBacklog
	sig.Published, sig.Confirmed = r.published.Load(), r.confirmed.Load()
	hours := end.Seconds() / 3600
	for _, svc := range s.services {
		workers := float64(svc.cfg.Instances * svc.cfg.WorkersPerInstance)
		util := 0.0
		if end > 0 {
			util = float64(svc.busy.Load()) / (workers * float64(end))
		}
		sr := checkout.ServiceResult{Name: svc.cfg.Name, Utilisation: util, InstanceHours: float64(svc.cfg.Instances) * hours,
			CostUSD: float64(svc.cfg.Instances) * hours * svc.cfg.CostPerInstanceHour, Requests: svc.requests.Load(),
			Overloaded: svc.overloaded.Load(), Dropped: svc.dropped.Load(), MaxInstances: svc.cfg.Instances}
		res.Services = append(res.Services, sr)
		res.CostUSD += sr.CostUSD
	}
	res.Browse = checkout.BrowseResult{Requests: r.browseRequests, Failed: r.browseFailed, Latency: r.browseLatency}
	return res
}

// callOutcome is the outcome of a whole call through an executor, as
// call.Edge reports it: a rejection by a layer is Rejected.
func callOutcome(err error) policy.Outcome {
	if err == nil {
		return policy.Success
	}
	if isRejection(err) {
		return policy.Rejected
	}
	o := live.Classify(err)
	if o == policy.Ignored {
		return policy.Failure
	}
	return o
}

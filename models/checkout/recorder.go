package checkout

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

type result int

const (
	resultSucceeded result = iota
	resultFailed
	resultAbandoned
)

// recorder collects a replication's statistics as the run goes.
type recorder struct {
	s           *System
	counts      Counts
	cohorts     []CohortResult
	causes      map[string]int64 // turned into a sorted slice at the end
	clicks      int64
	latency     *stats.Histogram
	attribution *Attribution
	queries     int64
	published   int64
	confirmed   int64
	maxBacklog  int
	maxInst     []int
	// worker-seconds (busy, available) of each service at the first
	// sample of the measured window and at the latest sample
	windowFrom, windowTo [][2]float64
	windowOpen           bool

	successLatency   *stats.Histogram
	abandonedClicks  int64
	paymentCheckouts int64
	// episode windows: counters at the start of the open ones, sums of
	// the closed ones
	episodeOpen               map[int]episodeMark // lookup only; never iterated in order-dependent ways
	episodeAttempts, episodeN int64

	// interval accumulators, reset at every sample
	interval     *stats.Histogram
	series       []Series
	last         snapshot
	arrivals     int64
	resolvedNow  [3]int64
	seriesByName map[string]int // lookup only
}

// snapshot holds cumulative counters at the previous sample, so a sample
// can report what happened during its interval.
type snapshot struct {
	hits, misses       int64
	lockWaits          int64
	lockWaitSum        float64
	statements         int64
	paymentAttempts    int64
	gatewayAttempts    int64
	providerRequests   int64
	poolTimeouts       int64
	cacheRefills       int64
	orchestratorQueued int64
	paymentCheckouts   int64
}

// episodeMark holds the payment counters when an episode began.
type episodeMark struct{ attempts, checkouts int64 }

func newRecorder(s *System) *recorder {
	r := &recorder{s: s, causes: map[string]int64{}, latency: new(stats.Histogram),
		attribution: newAttribution(), interval: new(stats.Histogram), seriesByName: map[string]int{},
		maxInst: make([]int, len(s.services)), windowFrom: make([][2]float64, len(s.services)), windowTo: make([][2]float64, len(s.services)), successLatency: new(stats.Histogram), episodeOpen: map[int]episodeMark{}}
	for _, co := range s.cfg.Traffic.Cohorts {
		r.cohorts = append(r.cohorts, CohortResult{Name: co.Name, Latency: new(stats.Histogram)})
	}
	for i, svc := range s.services {
		r.maxInst[i] = svc.Instances()
	}
	return r
}

func (r *recorder) start() {
	iv := r.s.cfg.SampleInterval
	r.s.eng.Every(iv, iv, func(now sim.Time) {
		if now <= r.s.cfg.Duration {
			r.sample(now)
		}
	})
	k := 0
	for _, p := range r.s.cfg.Payments.Providers {
		for _, ep := range p.Episodes {
			id := k
			k++
			r.s.eng.At(ep.Start, func() {
				r.episodeOpen[id] = episodeMark{r.s.payer.Attempts(), r.paymentCheckouts}
			})
			r.s.eng.At(ep.End, func() { r.closeEpisode(id) })
		}
	}
}

// closeEpisode adds an episode window's payment counts to the sums.
func (r *recorder) closeEpisode(id int) {
	m, ok := r.episodeOpen[id]
	if !ok {
		return
	}
	delete(r.episodeOpen, id)
	r.episodeAttempts += r.s.payer.Attempts() - m.attempts
	r.episodeN += r.paymentCheckouts - m.checkouts
}

// paying records an intent reaching the payment code; only its first time
// while in flight counts (Intent.Paying, cleared when it resolves).
func (r *recorder) paying(in *call.Intent) {
	if in == nil || in.Paying {
		return
	}
	in.Paying = true
	r.paymentCheckouts++
}

// abandonedClick records a measured click the user walked away from.
func (r *recorder) abandonedClick(c *click) {
	if c.in.measured {
		r.abandonedClicks++
	}
}

func (r *recorder) arrived(in *intent) { r.arrivals++ }

// clicked records a response delivered to a user.
func (r *recorder) clicked(c *click, o call.Outcome) {
	lat := r.s.eng.Now() - c.start
	r.interval.Record(int64(lat))
	if !c.in.measured {
		return
	}
	r.clicks++
	r.latency.Record(int64(lat))
	if o == policy.Success {
		r.successLatency.Record(int64(lat))
	}
	r.cohorts[c.in.co.Cohort].Latency.Record(int64(lat))
	r.attribution.Add(lat, &c.trace)
}

func (r *recorder) resolved(in *intent, res result, cause string) {
	r.resolvedNow[res]++
	in.Paying = false
	if !in.measured {
		return
	}
	r.queries += int64(in.Queries)
	for _, c := range []*Counts{&r.counts, &r.cohorts[in.co.Cohort].Counts} {
		c.Attempts++
		switch res {
		case resultSucceeded:
			c.Succeeded++
		case resultFailed:
			c.Failed++
		case resultAbandoned:
			c.Abandoned++
		}
	}
	if res == resultFailed {
		r.causes[cause]++
	}
}

// add appends v to the named series, creating it on first use.
func (r *recorder) add(name, unit string, v float64) {
	i, ok := r.seriesByName[name]
	if !ok {
		i = len(r.series)
		r.seriesByName[name] = i
		r.series = append(r.series, Series{Name: name, Unit: unit})
	}
	r.series[i].Values = append(r.series[i].Values, v)
}

// sample records one point of every time series.
func (r *recorder) sample(now sim.Time) {
	s := r.s
	iv := s.cfg.SampleInterval.Seconds()
	cur := snapshot{
		hits: s.cache.Hits, misses: s.cache.Misses,
		lockWaits: s.reserver.LockWaits, lockWaitSum: s.reserver.LockWaitSum,
		statements: s.db.Statements, paymentAttempts: s.payer.Attempts(),
		gatewayAttempts: s.gwEdge.Attempts, poolTimeouts: s.db.PoolTimeouts,
		cacheRefills: s.cache.Refills, paymentCheckouts: r.paymentCheckouts,
	}
	for _, p := range s.payer.Providers {
		cur.providerRequests += p.Requests
	}
	d := func(a, b int64) float64 { return float64(a-b) / iv }
	r.add(SeriesArrivals, "1/s", float64(r.arrivals)/iv)
	r.add(SeriesSucceeded, "1/s", float64(r.resolvedNow[resultSucceeded])/iv)
	r.add(SeriesFailed, "1/s", float64(r.resolvedNow[resultFailed])/iv)
	r.add(SeriesAbandoned, "1/s", float64(r.resolvedNow[resultAbandoned])/iv)
	r.arrivals, r.resolvedNow = 0, [3]int64{}
	p50, p95, p99 := 0.0, 0.0, 0.0
	if r.interval.Count() > 0 {
		p50, p95, p99 = r.interval.Quantile(0.50), r.interval.Quantile(0.95), r.interval.Quantile(0.99)
	}
	r.interval.Reset()
	r.add(SeriesLatencyP50, "s", p50)
	r.add(SeriesLatencyP95, "s", p95)
	r.add(SeriesLatencyP99, "s", p99)
	hitRatio := 1.0
	if reads := (cur.hits - r.last.hits) + (cur.misses - r.last.misses); reads > 0 {
		hitRatio = float64(cur.hits-r.last.hits) / float64(reads)
	}
	r.add(SeriesCacheHitRatio, "fraction", hitRatio)
	lockWait := 0.0
	if n := cur.lockWaits - r.last.lockWaits; n > 0 {
		lockWait = (cur.lockWaitSum - r.last.lockWaitSum) / float64(n)
	}
	r.add(SeriesLockWaitMean, "s", lockWait)
	r.add(SeriesDBStatements, "1/s", d(cur.statements, r.last.statements))
	r.add(SeriesDBPoolInUse, "connections", float64(s.db.Pool().InUse()))
	r.add(SeriesDBPoolWaiting, "requests", float64(s.db.Pool().Waiting()))
	r.add(SeriesGatewayAttempts, "1/s", d(cur.gatewayAttempts, r.last.gatewayAttempts))
	r.add(SeriesPaymentAttempts, "1/s", d(cur.paymentAttempts, r.last.paymentAttempts))
	amp := 0.0
	if n := cur.paymentCheckouts - r.last.paymentCheckouts; n > 0 {
		amp = float64(cur.paymentAttempts-r.last.paymentAttempts) / float64(n)
	}
	r.add(SeriesPaymentAmp, "attempts per paying checkout", amp)
	for _, p := range s.payer.Providers {
		r.add(SeriesProviderInFlight+p.Name(), "requests", float64(p.InFlight()))
		state := 0.0
		if b := p.Edge().Breaker(); b != nil {
			switch b.State(call.Wall(now)) {
			case policy.HalfOpen:
				state = 0.5
			case policy.Open:
				state = 1
			}
		}
		r.add(SeriesBreakerOpen+p.Name(), "0 closed, 0.5 half-open, 1 open", state)
	}
	for i, svc := range s.services {
		q := svc.Workers().Waiting()
		r.maxBacklog = max(r.maxBacklog, q)
		r.add(SeriesBacklog+svc.Name(), "requests", float64(q))
		r.add(SeriesInstances+svc.Name(), "instances", float64(svc.Instances()))
		r.maxInst[i] = max(r.maxInst[i], svc.Instances())
		if now >= s.cfg.Warmup {
			busy, avail := svc.WorkerSeconds(now)
			r.windowTo[i] = [2]float64{busy, avail}
			if !r.windowOpen {
				r.windowFrom[i] = r.windowTo[i]
			}
		}
	}
	r.windowOpen = r.windowOpen || now >= s.cfg.Warmup
	r.last = cur
}

// result assembles the replication's Result.
func (r *recorder) result() *Result {
	s := r.s
	now := s.eng.Now()
	end := min(now, s.cfg.Duration+s.cfg.Drain)
	res := &Result{
		Seed: s.streams.Seed(), Replication: s.streams.Replication(),
		Measured: s.cfg.Duration - s.cfg.Warmup, Events: s.eng.Processed(),
		Checkout: r.counts, Causes: sortedCauses(r.causes), Clicks: r.clicks,
		Latency: r.latency, Cohorts: r.cohorts, Attribution: r.attribution,
		SuccessLatency: r.successLatency, AbandonedClicks: r.abandonedClicks,
		Series: r.series, Interval: s.cfg.SampleInterval,
	}
	res.Checkout.Unfinished = int64(s.inFlight)
	for _, p := range s.cfg.Payments.Providers {
		for _, ep := range p.Episodes {
			res.Triggers = append(res.Triggers, Trigger{
				Name:  fmt.Sprintf("%s slow x%g, errors +%g", p.Name, ep.LatencyFactor, ep.ErrorRateAdd),
				Start: ep.Start, End: ep.End})
		}
	}
	slices.SortStableFunc(res.Triggers, func(a, b Trigger) int { return cmp.Compare(a.Start, b.Start) })
	for _, st := range s.steps {
		res.Steps = append(res.Steps, StepResult{Name: st.cfg.Name, Latency: st.latency, Calls: st.edge.Calls, Attempts: st.edge.Attempts})
	}
	edges := []*call.Edge{s.gwEdge}
	for _, st := range s.steps {
		if st.cfg.Kind != KindConfirm { // published, not called: no edge traffic
			edges = append(edges, st.edge)
		}
	}
	for _, p := range s.payer.Providers {
		edges = append(edges, p.Edge())
	}
	if s.browse.edge != nil {
		edges = append(edges, s.browse.edge)
	}
	sig := &res.Signals
	for _, e := range edges {
		res.Layers = append(res.Layers, Layer{Name: e.Name, Calls: e.Calls, Attempts: e.Attempts, Outcomes: e.Outcomes})
		sig.BreakerFlips += e.BreakerFlips
		for _, sc := range e.BreakerChanges {
			sig.BreakerChanges = append(sig.BreakerChanges, BreakerChange{Edge: e.Name, AtS: float64(sc.At.UnixNano()) / 1e9, From: sc.From.String(), To: sc.To.String()})
		}
	}
	sig.LockWait = s.reserver.LockWait
	sig.LockTimeouts = s.reserver.LockTimeouts
	sig.Deadlocks = s.reserver.Deadlocks
	sig.DoubleReservations = s.reserver.DoubleReservations
	sig.LeakedUnits = s.reserver.LeakedUnits
	sig.IdempotentRepeats = s.reserver.IdempotentRepeats
	sig.PoolWait = s.db.PoolWait
	sig.PoolTimeouts = s.db.PoolTimeouts
	sig.CacheHits, sig.CacheMisses = s.cache.Hits, s.cache.Misses
	sig.DBStatements = s.db.Statements
	sig.CheckoutQueries = r.queries
	sig.Payments = s.payer.Payments
	sig.PaymentAttempts = s.payer.Attempts()
	sig.Fallbacks = s.payer.Fallbacks
	sig.MaxBacklog = r.maxBacklog
	sig.Published, sig.Confirmed = r.published, r.confirmed
	for _, p := range s.payer.Providers {
		sig.ProviderRequests += p.Requests
		sig.ProviderZombieCompletions += p.Zombies
	}
	sig.PaymentCheckouts = r.paymentCheckouts
	for id := 0; id < len(res.Triggers); id++ { // episodes still open at the end
		r.closeEpisode(id)
	}
	sig.EpisodePaymentAttempts, sig.EpisodePaymentCheckouts = r.episodeAttempts, r.episodeN
	for i, svc := range s.services {
		sr := ServiceResult{Name: svc.Name(), Utilisation: svc.Utilisation(end), InstanceHours: svc.InstanceHours(end),
			CostUSD: svc.Cost(end), Requests: svc.Requests, Overloaded: svc.Overloaded, Dropped: svc.Dropped, MaxInstances: r.maxInst[i]}
		sr.BusyWorkerS, sr.WorkerS = r.windowTo[i][0]-r.windowFrom[i][0], r.windowTo[i][1]-r.windowFrom[i][1]
		res.Services = append(res.Services, sr)
		res.CostUSD += sr.CostUSD
	}
	if s.browse.latency != nil {
		res.Browse = BrowseResult{Requests: s.browse.requests, Failed: s.browse.failed, Latency: s.browse.latency}
	} else {
		res.Browse = BrowseResult{Latency: new(stats.Histogram)}
	}
	return res
}

package experiments

// This file turns a scenario's replication results into a RunSummary, the
// stable, documented JSON contract of `checkoutsim run` (docs/output.md).
//
// Two kinds of numbers, never mixed:
//   - counts (attempts, failures, lock timeouts, ...) are totals summed over
//     all replications;
//   - rates, ratios, percentiles and costs are the mean over replications of
//     each replication's own value, with a 95% Student-t interval over the
//     replications (field suffix _ci95) when at least two replications
//     define the value. Replications are independent and identically
//     distributed, so this is the classical replication/deletion estimate
//     (A. M. Law, Simulation Modeling and Analysis, 5th ed., §9.4.1).
//
// Nothing here reads the clock or iterates a map, and every value is
// computed in replication order, so the same results always give the
// same bytes.

import (
	"slices"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/recovery"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// CI is a 95% confidence interval [lo, hi].
type CI [2]float64

// RunSummary is the result of `checkoutsim run`. Field order is JSON key
// order; docs/output.md documents every field.
type RunSummary struct {
	Scenario     string             `json:"scenario"`
	Description  string             `json:"description"`
	Seed         uint64             `json:"seed"`
	Replications int                `json:"replications"`
	DurationS    float64            `json:"duration_s"`
	WarmupS      float64            `json:"warmup_s"`
	MeasuredS    float64            `json:"measured_s"`
	Events       uint64             `json:"events"`
	Checkout     CheckoutSummary    `json:"checkout"`
	Causes       []CauseCount       `json:"causes"`
	Signals      SignalsSummary     `json:"signals"`
	Attribution  AttributionSummary `json:"attribution"`
	Cost         CostSummary        `json:"cost"`
	Cohorts      []CohortSummary    `json:"cohorts"`
	Steps        []StepSummary      `json:"steps"`
	Browse       BrowseSummary      `json:"browse"`
	Recovery     *recovery.Summary  `json:"recovery,omitempty"` // only when the scenario schedules a disturbance
	Series       []SeriesSummary    `json:"series"`
}

// CheckoutSummary is the outcome of checkout intents that arrived after
// the warm-up.
type CheckoutSummary struct {
	Attempts         int64          `json:"attempts"`
	Succeeded        int64          `json:"succeeded"`
	Failed           int64          `json:"failed"`
	Abandoned        int64          `json:"abandoned"`
	Unfinished       int64          `json:"unfinished"`
	Clicks           int64          `json:"clicks"`
	ErrorRate        float64        `json:"-"`
	ErrorRateCI      *CI            `json:"-"`
	AbandonRate      float64        `json:"-"`
	AbandonRateCI    *CI            `json:"-"`
	ThroughputPerS   float64        `json:"-"`
	ThroughputPerSCI *CI            `json:"-"`
	Latency          LatencySummary `json:"latency_s"`
}

// LatencySummary summarises a latency histogram in seconds: percentiles
// and mean are means over replications of each replication's value.
type LatencySummary struct {
	Count  int64   `json:"count"`
	P50    float64 `json:"p50"`
	P50CI  *CI     `json:"p50_ci95,omitempty"`
	P95    float64 `json:"p95"`
	P95CI  *CI     `json:"p95_ci95,omitempty"`
	P99    float64 `json:"p99"`
	P99CI  *CI     `json:"p99_ci95,omitempty"`
	P999   float64 `json:"p999"`
	P999CI *CI     `json:"p999_ci95,omitempty"`
	Mean   float64 `json:"mean"`
	MeanCI *CI     `json:"mean_ci95,omitempty"`
	Max    float64 `json:"max"`
}

// CauseCount is the number of failed checkouts with one cause.
type CauseCount struct {
	Cause string `json:"cause"`
	Count int64  `json:"count"`
}

// SignalsSummary are the constraint-aligned signals.
type SignalsSummary struct {
	LockWait                    LatencySummary `json:"lock_wait_s"`
	LockTimeouts                int64          `json:"lock_timeouts"`
	Deadlocks                   int64          `json:"deadlocks"`
	PoolWait                    LatencySummary `json:"pool_wait_s"`
	PoolTimeouts                int64          `json:"pool_timeouts"`
	CacheHits                   int64          `json:"cache_hits"`
	CacheMisses                 int64          `json:"cache_misses"`
	CacheHitRatio               float64        `json:"-"`
	CacheHitRatioCI             *CI            `json:"-"`
	DBStatements                int64          `json:"db_statements"`
	DBQueriesPerCheckout        float64        `json:"-"`
	DBQueriesPerCheckoutCI      *CI            `json:"-"`
	Payments                    int64          `json:"payments"`
	PaymentAttempts             int64          `json:"payment_attempts"`
	PaymentAttemptsPerPayment   float64        `json:"-"`
	PaymentAttemptsPerPaymentCI *CI            `json:"-"`
	Fallbacks                   int64          `json:"fallbacks"`
	DoubleReservations          int64          `json:"double_reservations"`
	LeakedUnits                 int64          `json:"leaked_units"`
	IdempotentRepeats           int64          `json:"idempotent_repeats"`
	MaxBacklog                  int            `json:"max_backlog"`
	Published                   int64          `json:"published"`
	Confirmed                   int64          `json:"confirmed"`
	BreakerChanges              int64          `json:"breaker_changes"`
	ProviderRequests            int64          `json:"provider_requests"`
	ProviderZombieCompletions   int64          `json:"provider_zombie_completions"`
	Amplification               []LayerSummary `json:"amplification"`
}

// LayerSummary is one call edge's amplification.
type LayerSummary struct {
	Layer              string   `json:"layer"`
	Calls              int64    `json:"calls"`
	Attempts           int64    `json:"attempts"`
	AttemptsPerCall    float64  `json:"attempts_per_call"`
	AttemptsPerCallCI  *CI      `json:"attempts_per_call_ci95,omitempty"`
	CallsPerCheckout   float64  `json:"calls_per_checkout"`
	CallsPerCheckoutCI *CI      `json:"calls_per_checkout_ci95,omitempty"`
	Outcomes           Outcomes `json:"outcomes"`
}

// Outcomes counts attempts by how they ended (policy.Outcome).
type Outcomes struct {
	Success    int64 `json:"success"`
	Failure    int64 `json:"failure"`
	Timeout    int64 `json:"timeout"`
	Overloaded int64 `json:"overloaded"`
	Rejected   int64 `json:"rejected"`
	Ignored    int64 `json:"ignored"`
}

// AttributionSummary is the make-up of the slowest clicks: those at or
// above the P99 of all replications' clicks merged.
type AttributionSummary struct {
	ThresholdS   float64    `json:"threshold_s"`
	Clicks       int64      `json:"clicks"`
	MeanLatencyS float64    `json:"mean_latency_s"`
	Parts        []SpanPart `json:"parts"`
}

// SpanPart is one span's share of the tail latency.
type SpanPart struct {
	Span     string  `json:"span"`
	MeanS    float64 `json:"mean_s"`
	Fraction float64 `json:"fraction"`
}

// CostSummary is the infrastructure cost of one replication's run.
type CostSummary struct {
	USD                   float64          `json:"usd"`
	USDCI                 *CI              `json:"usd_ci95,omitempty"`
	USDPer1000Checkouts   float64          `json:"usd_per_1000_checkouts"`
	USDPer1000CheckoutsCI *CI              `json:"usd_per_1000_checkouts_ci95,omitempty"`
	Services              []ServiceSummary `json:"services"`
}

// ServiceSummary is one service's load and cost.
type ServiceSummary struct {
	Service       string  `json:"service"`
	USD           float64 `json:"usd"`
	USDCI         *CI     `json:"usd_ci95,omitempty"`
	Utilisation   float64 `json:"utilisation"`
	UtilisationCI *CI     `json:"utilisation_ci95,omitempty"`
	InstanceHours float64 `json:"instance_hours"`
	Requests      int64   `json:"requests"`
	Overloaded    int64   `json:"overloaded"`
	Dropped       int64   `json:"dropped"`
	MaxInstances  int     `json:"max_instances"`
}

// CohortSummary is one user cohort's outcomes.
type CohortSummary struct {
	Cohort      string         `json:"cohort"`
	Attempts    int64          `json:"attempts"`
	Succeeded   int64          `json:"succeeded"`
	Failed      int64          `json:"failed"`
	Abandoned   int64          `json:"abandoned"`
	ErrorRate   float64        `json:"-"`
	ErrorRateCI *CI            `json:"-"`
	Latency     LatencySummary `json:"latency_s"`
}

// StepSummary is one flow step as the orchestrator saw it.
type StepSummary struct {
	Step              string         `json:"step"`
	Calls             int64          `json:"calls"`
	Attempts          int64          `json:"attempts"`
	AttemptsPerCall   float64        `json:"attempts_per_call"`
	AttemptsPerCallCI *CI            `json:"attempts_per_call_ci95,omitempty"`
	Latency           LatencySummary `json:"latency_s"`
}

// BrowseSummary is the browsing traffic's outcome.
type BrowseSummary struct {
	Requests    int64          `json:"requests"`
	Failed      int64          `json:"failed"`
	ErrorRate   float64        `json:"-"`
	ErrorRateCI *CI            `json:"-"`
	Latency     LatencySummary `json:"latency_s"`
}

// SeriesSummary is one time series averaged over replications: Values[k]
// is the mean over replications of the sample taken at (k+1)·IntervalS
// seconds of simulated time (warm-up included).
type SeriesSummary struct {
	Name      string    `json:"name"`
	Unit      string    `json:"unit"`
	IntervalS float64   `json:"interval_s"`
	Values    []float64 `json:"values"`
}

// Summarize aggregates the results of RunReplications (in replication
// order) into a RunSummary. sc supplies the name, description and run
// lengths; seed is the seed the results were run with.
func Summarize(sc *Scenario, seed uint64, results []*checkout.Result) *RunSummary {
	s := &RunSummary{
		Scenario: sc.Name, Description: sc.Description, Seed: seed, Replications: len(results),
		DurationS: sc.Duration.Seconds(), WarmupS: sc.Warmup.Seconds(), MeasuredS: (sc.Duration - sc.Warmup).Seconds(),
		Causes: []CauseCount{}, Cohorts: []CohortSummary{}, Steps: []StepSummary{}, Series: []SeriesSummary{},
	}
	for _, r := range results {
		s.Events += r.Events
	}
	s.Checkout = summarizeCheckout(results)
	s.Causes = summarizeCauses(results)
	s.Signals = summarizeSignals(results)
	s.Attribution = summarizeAttribution(results)
	s.Cost = summarizeCost(results)
	s.Cohorts = summarizeCohorts(results)
	s.Steps = summarizeSteps(results)
	s.Browse = summarizeBrowse(results)
	s.Recovery = recovery.Summarize(results, sc.Warmup.Seconds(), sc.Duration.Seconds())
	s.Series = summarizeSeries(results)
	return s
}

func summarizeCheckout(results []*checkout.Result) CheckoutSummary {
	var c CheckoutSummary
	for _, r := range results {
		c.Attempts += r.Checkout.Attempts
		c.Succeeded += r.Checkout.Succeeded
		c.Failed += r.Checkout.Failed
		c.Abandoned += r.Checkout.Abandoned
		c.Unfinished += r.Checkout.Unfinished
		c.Clicks += r.Clicks
	}
	c.ErrorRate, c.ErrorRateCI = overMetric(results, metric.ErrorRate)
	c.AbandonRate, c.AbandonRateCI = overMetric(results, metric.AbandonRate)
	c.ThroughputPerS, c.ThroughputPerSCI = overMetric(results, metric.Throughput)
	c.Latency = summarizeLatency(results, latencyHist)
	return c
}

// summarizeLatency summarises the histogram h picks from each result.
func summarizeLatency(results []*checkout.Result, h func(*checkout.Result) *stats.Histogram) LatencySummary {
	var l LatencySummary
	for _, r := range results {
		if hr := h(r); hr != nil {
			l.Count += hr.Count()
			if hr.Count() > 0 {
				l.Max = max(l.Max, hr.Max())
			}
		}
	}
	l.P50, l.P50CI = overQuantile(results, 0.50, h)
	l.P95, l.P95CI = overQuantile(results, 0.95, h)
	l.P99, l.P99CI = overQuantile(results, 0.99, h)
	l.P999, l.P999CI = overQuantile(results, 0.999, h)
	l.Mean, l.MeanCI = over(results, metric.Seconds, metric.Mean(h))
	return l
}

func summarizeCauses(results []*checkout.Result) []CauseCount {
	out := []CauseCount{}
	for _, r := range results {
		for _, c := range r.Causes {
			i := slices.IndexFunc(out, func(x CauseCount) bool { return x.Cause == c.Name })
			if i < 0 {
				out = append(out, CauseCount{Cause: c.Name})
				i = len(out) - 1
			}
			out[i].Count += c.Count
		}
	}
	slices.SortFunc(out, func(a, b CauseCount) int { return strings.Compare(a.Cause, b.Cause) })
	return out
}

func summarizeSignals(results []*checkout.Result) SignalsSummary {
	var s SignalsSummary
	for _, r := range results {
		g := &r.Signals
		s.LockTimeouts += g.LockTimeouts
		s.Deadlocks += g.Deadlocks
		s.PoolTimeouts += g.PoolTimeouts
		s.CacheHits += g.CacheHits
		s.CacheMisses += g.CacheMisses
		s.DBStatements += g.DBStatements
		s.Payments += g.Payments
		s.PaymentAttempts += g.PaymentAttempts
		s.Fallbacks += g.Fallbacks
		s.DoubleReservations += g.DoubleReservations
		s.LeakedUnits += g.LeakedUnits
		s.IdempotentRepeats += g.IdempotentRepeats
		s.MaxBacklog = max(s.MaxBacklog, g.MaxBacklog)
		s.Published += g.Published
		s.Confirmed += g.Confirmed
		s.BreakerChanges += g.BreakerFlips // all changes; g.BreakerChanges keeps only the first 1000 per edge
		s.ProviderRequests += g.ProviderRequests
		s.ProviderZombieCompletions += g.ProviderZombieCompletions
	}
	s.LockWait = summarizeLatency(results, lockWaitHist)
	s.PoolWait = summarizeLatency(results, func(r *checkout.Result) *stats.Histogram { return r.Signals.PoolWait })
	s.CacheHitRatio, s.CacheHitRatioCI = overMetric(results, metric.CacheHitRatio)
	s.DBQueriesPerCheckout, s.DBQueriesPerCheckoutCI = overMetric(results, metric.DBQueriesPerCheckout)
	s.PaymentAttemptsPerPayment, s.PaymentAttemptsPerPaymentCI = overMetric(results, metric.PaymentAttemptsPerPayment)
	s.Amplification = summarizeLayers(results)
	return s
}

// summarizeLayers lists every call edge in the order of the first
// replication that has it. calls_per_checkout divides a layer's calls by
// the calls on the first layer (the gateway's call into the orchestrator,
// one per checkout request), both counted over the same whole run.
func summarizeLayers(results []*checkout.Result) []LayerSummary {
	out := []LayerSummary{}
	names := namesIn(results, func(r *checkout.Result) []checkout.Layer { return r.Layers }, func(x *checkout.Layer) string { return x.Name })
	for _, name := range names {
		ls := LayerSummary{Layer: name}
		find := func(r *checkout.Result) *checkout.Layer {
			return findNamed(r.Layers, name, func(x *checkout.Layer) string { return x.Name })
		}
		for _, r := range results {
			if l := find(r); l != nil {
				ls.Calls += l.Calls
				ls.Attempts += l.Attempts
				o := &ls.Outcomes
				for i, n := range []*int64{&o.Success, &o.Failure, &o.Timeout, &o.Overloaded, &o.Rejected, &o.Ignored} {
					*n += l.Outcomes[policy.Outcome(i)]
				}
			}
		}
		ls.AttemptsPerCall, ls.AttemptsPerCallCI = over(results, metric.Ratio, func(r *checkout.Result) (float64, bool) {
			if l := find(r); l != nil {
				return metric.Div(float64(l.Attempts), float64(l.Calls))
			}
			return 0, false
		})
		ls.CallsPerCheckout, ls.CallsPerCheckoutCI = over(results, metric.Ratio, func(r *checkout.Result) (float64, bool) {
			if l := find(r); l != nil && len(r.Layers) > 0 {
				return metric.Div(float64(l.Calls), float64(r.Layers[0].Calls))
			}
			return 0, false
		})
		out = append(out, ls)
	}
	return out
}

// summarizeAttribution merges every replication's latency histogram and
// attribution and breaks down the clicks at or above the merged P99.
func summarizeAttribution(results []*checkout.Result) AttributionSummary {
	a := AttributionSummary{Parts: []SpanPart{}}
	var merged stats.Histogram
	var attr *checkout.Attribution
	for _, r := range results {
		if r.Latency != nil {
			merged.Merge(r.Latency)
		}
		if r.Attribution == nil {
			continue
		}
		if attr == nil {
			attr = &checkout.Attribution{
				Count:   make([]int64, len(r.Attribution.Count)),
				Latency: make([]float64, len(r.Attribution.Latency)),
				Spans:   make([][call.NumSpans]float64, len(r.Attribution.Spans)),
			}
		}
		attr.Merge(r.Attribution)
	}
	if attr == nil || merged.Count() == 0 {
		return a
	}
	a.ThresholdS = merged.Quantile(0.99)
	bd := attr.Tail(a.ThresholdS)
	a.Clicks, a.MeanLatencyS = bd.Clicks, bd.MeanLatencyS
	for _, p := range bd.Parts {
		a.Parts = append(a.Parts, SpanPart{Span: p.Span, MeanS: p.MeanS, Fraction: p.Fraction})
	}
	return a
}

func summarizeCost(results []*checkout.Result) CostSummary {
	c := CostSummary{Services: []ServiceSummary{}}
	c.USD, c.USDCI = overMetric(results, metric.Cost)
	c.USDPer1000Checkouts, c.USDPer1000CheckoutsCI = over(results, metric.USD, costPer1000)
	names := namesIn(results, func(r *checkout.Result) []checkout.ServiceResult { return r.Services }, func(x *checkout.ServiceResult) string { return x.Name })
	for _, name := range names {
		find := func(r *checkout.Result) *checkout.ServiceResult {
			return findNamed(r.Services, name, func(x *checkout.ServiceResult) string { return x.Name })
		}
		ss := ServiceSummary{Service: name}
		var hours estimate
		for _, r := range results {
			if sv := find(r); sv != nil {
				ss.Requests += sv.Requests
				ss.Overloaded += sv.Overloaded
				ss.Dropped += sv.Dropped
				ss.MaxInstances = max(ss.MaxInstances, sv.MaxInstances)
				hours.Add(sv.InstanceHours, true)
			}
		}
		ss.InstanceHours, _ = hours.result()
		ss.USD, ss.USDCI = over(results, metric.USD, func(r *checkout.Result) (float64, bool) {
			if sv := find(r); sv != nil {
				return sv.CostUSD, true
			}
			return 0, false
		})
		ss.Utilisation, ss.UtilisationCI = over(results, metric.Fraction, func(r *checkout.Result) (float64, bool) {
			if sv := find(r); sv != nil {
				return sv.Utilisation, true
			}
			return 0, false
		})
		c.Services = append(c.Services, ss)
	}
	return c
}

func summarizeCohorts(results []*checkout.Result) []CohortSummary {
	out := []CohortSummary{}
	names := namesIn(results, func(r *checkout.Result) []checkout.CohortResult { return r.Cohorts }, func(x *checkout.CohortResult) string { return x.Name })
	for _, name := range names {
		find := func(r *checkout.Result) *checkout.CohortResult {
			return findNamed(r.Cohorts, name, func(x *checkout.CohortResult) string { return x.Name })
		}
		cs := CohortSummary{Cohort: name}
		for _, r := range results {
			if co := find(r); co != nil {
				cs.Attempts += co.Counts.Attempts
				cs.Succeeded += co.Counts.Succeeded
				cs.Failed += co.Counts.Failed
				cs.Abandoned += co.Counts.Abandoned
			}
		}
		cs.ErrorRate, cs.ErrorRateCI = over(results, metric.Fraction, func(r *checkout.Result) (float64, bool) {
			if co := find(r); co != nil {
				return metric.Div(float64(co.Counts.Failed), float64(co.Counts.Attempts))
			}
			return 0, false
		})
		cs.Latency = summarizeLatency(results, func(r *checkout.Result) *stats.Histogram {
			if co := find(r); co != nil {
				return co.Latency
			}
			return nil
		})
		out = append(out, cs)
	}
	return out
}

func summarizeSteps(results []*checkout.Result) []StepSummary {
	out := []StepSummary{}
	names := namesIn(results, func(r *checkout.Result) []checkout.StepResult { return r.Steps }, func(x *checkout.StepResult) string { return x.Name })
	for _, name := range names {
		find := func(r *checkout.Result) *checkout.StepResult {
			return findNamed(r.Steps, name, func(x *checkout.StepResult) string { return x.Name })
		}
		ss := StepSummary{Step: name}
		for _, r := range results {
			if st := find(r); st != nil {
				ss.Calls += st.Calls
				ss.Attempts += st.Attempts
			}
		}
		ss.AttemptsPerCall, ss.AttemptsPerCallCI = over(results, metric.Ratio, func(r *checkout.Result) (float64, bool) {
			if st := find(r); st != nil {
				return metric.Div(float64(st.Attempts), float64(st.Calls))
			}
			return 0, false
		})
		ss.Latency = summarizeLatency(results, func(r *checkout.Result) *stats.Histogram {
			if st := find(r); st != nil {
				return st.Latency
			}
			return nil
		})
		out = append(out, ss)
	}
	return out
}

func summarizeBrowse(results []*checkout.Result) BrowseSummary {
	var b BrowseSummary
	for _, r := range results {
		b.Requests += r.Browse.Requests
		b.Failed += r.Browse.Failed
	}
	b.ErrorRate, b.ErrorRateCI = over(results, metric.Fraction, func(r *checkout.Result) (float64, bool) {
		return metric.Div(float64(r.Browse.Failed), float64(r.Browse.Requests))
	})
	b.Latency = summarizeLatency(results, func(r *checkout.Result) *stats.Histogram { return r.Browse.Latency })
	return b
}

// summarizeSeries averages each series point-wise over the replications
// that have that point, in the order series first appear.
func summarizeSeries(results []*checkout.Result) []SeriesSummary {
	out := []SeriesSummary{}
	var sums [][]estimate
	for _, r := range results {
		for _, se := range r.Series {
			i := slices.IndexFunc(out, func(x SeriesSummary) bool { return x.Name == se.Name })
			if i < 0 {
				out = append(out, SeriesSummary{Name: se.Name, Unit: se.Unit, IntervalS: r.Interval.Seconds()})
				sums = append(sums, nil)
				i = len(out) - 1
			}
			for len(sums[i]) < len(se.Values) {
				sums[i] = append(sums[i], estimate{})
			}
			for k, v := range se.Values {
				sums[i][k].Add(v, true)
			}
		}
	}
	for i := range out {
		out[i].Values = make([]float64, len(sums[i]))
		for k := range sums[i] {
			out[i].Values[k], _ = sums[i][k].result()
		}
	}
	return out
}

// The per-replication values behind the summary's rates, ratios and
// percentiles: the registry's metrics (experiments/metric) where one
// exists, so run, compare, sweep and report use one definition.

func latencyHist(r *checkout.Result) *stats.Histogram  { return r.Latency }
func lockWaitHist(r *checkout.Result) *stats.Histogram { return r.Signals.LockWait }

// overQuantile is the q-quantile of the histogram h picks, over results:
// its interval is metric.Resolved (at least the bucket holding it).
func overQuantile(results []*checkout.Result, q float64, h func(*checkout.Result) *stats.Histogram) (float64, *CI) {
	m, ci := metric.OverFunc(results, metric.Seconds, metric.Quantile(q, h))
	return m, (*CI)(metric.Resolved(m, ci))
}

// costPer1000 is the run's cost per 1000 successful checkouts.
func costPer1000(r *checkout.Result) (float64, bool) {
	return metric.Div(1000*r.CostUSD, float64(r.Checkout.Succeeded))
}

// estimate accumulates per-replication values of one metric.
type estimate struct{ metric.Estimate }

// result is the mean over the replications that defined a value (0 when
// none did) and its 95% Student-t interval when at least two did.
func (e *estimate) result() (float64, *CI) {
	m, ci := e.Result()
	return m, (*CI)(ci)
}

// over computes a per-replication value of unit u over results (its
// interval clipped to u's range).
func over(results []*checkout.Result, u metric.Unit, f func(*checkout.Result) (float64, bool)) (float64, *CI) {
	m, ci := metric.OverFunc(results, u, f)
	return m, (*CI)(ci)
}

// overMetric computes a registry metric over results (metric.Over).
func overMetric(results []*checkout.Result, m *metric.Metric) (float64, *CI) {
	v, ci := metric.Over(results, m)
	return v, (*CI)(ci)
}

// namesIn returns the names of the elements items lists in any result, in
// the order they are first seen (replications normally list the same
// elements; a missing one in some replication is summarised over the
// others).
func namesIn[T any](results []*checkout.Result, items func(*checkout.Result) []T, name func(*T) string) []string {
	var names []string
	for _, r := range results {
		list := items(r)
		for i := range list {
			if n := name(&list[i]); !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// findNamed returns the element of list with the given name, or nil.
func findNamed[T any](list []T, want string, name func(*T) string) *T {
	for i := range list {
		if name(&list[i]) == want {
			return &list[i]
		}
	}
	return nil
}

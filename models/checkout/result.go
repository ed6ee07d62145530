package checkout

import (
	"math"
	"slices"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Result is what one replication measured after its warm-up. Histograms
// are kept whole so replications can be merged exactly.
type Result struct {
	Seed        uint64
	Replication int
	Measured    sim.Time // length of the measured window (duration - warmup)
	Events      uint64   // engine events processed

	Checkout Counts           // checkout intents that arrived after warm-up
	Causes   []Cause          // failed intents by cause, sorted by name
	Clicks   int64            // responses users received
	Latency  *stats.Histogram // response time of each click (success or error)
	// SuccessLatency is the response time of the clicks that succeeded:
	// Latency also holds fast rejections, which pull its percentiles down
	// as overload grows.
	SuccessLatency *stats.Histogram
	// AbandonedClicks are measured clicks the user gave up waiting for:
	// they received no response, so they are in neither histogram (a
	// user's patience, not the system, ended them).
	AbandonedClicks int64
	Cohorts         []CohortResult
	Steps           []StepResult
	Layers          []Layer // every call edge: calls and attempts
	Signals         Signals
	Services        []ServiceResult
	CostUSD         float64
	Browse          BrowseResult

	Attribution *Attribution
	Series      []Series
	Interval    sim.Time // spacing of Series values
	// Triggers are the scheduled disturbances of the run (provider
	// degradation episodes), in time order, so a result can be judged on
	// whether it returned to its state before them.
	Triggers []Trigger
}

// Trigger is one scheduled disturbance.
type Trigger struct {
	Name       string // "psp-a slow x2.5"
	Start, End sim.Time
}

// Counts are the outcomes of checkout intents.
type Counts struct {
	Attempts   int64 // intents resolved: Succeeded + Failed + Abandoned
	Succeeded  int64
	Failed     int64
	Abandoned  int64
	Unfinished int64 // still unresolved when the run ended
}

// ErrorRate is Failed / Attempts.
func (c Counts) ErrorRate() float64 { return ratio(float64(c.Failed), float64(c.Attempts)) }

// Cause is a count of failures with one cause ("payment:timeout").
type Cause struct {
	Name  string
	Count int64
}

// CohortResult is one cohort's outcomes and latency.
type CohortResult struct {
	Name    string
	Counts  Counts
	Latency *stats.Histogram
}

// StepResult is one flow step as seen by the orchestrator.
type StepResult struct {
	Name     string
	Latency  *stats.Histogram // successful and failed step durations
	Calls    int64
	Attempts int64
}

// Layer is one call edge: how many calls were made on it and how many
// attempts they took; Attempts/Calls is the edge's amplification.
type Layer struct {
	Name     string
	Calls    int64
	Attempts int64
	Outcomes [8]int64 // attempt outcomes by policy.Outcome
}

// Signals are the constraint-aligned signals of the case study.
type Signals struct {
	LockWait                  *stats.Histogram
	LockTimeouts              int64
	Deadlocks                 int64
	PoolWait                  *stats.Histogram
	PoolTimeouts              int64
	CacheHits, CacheMisses    int64
	DBStatements              int64
	CheckoutQueries           int64 // statements run for resolved measured checkouts
	Payments                  int64
	PaymentAttempts           int64
	Fallbacks                 int64
	DoubleReservations        int64
	LeakedUnits               int64
	IdempotentRepeats         int64
	MaxBacklog                int // most requests waiting for a worker of any service at a sample
	Published, Confirmed      int64
	BreakerChanges            []BreakerChange
	BreakerFlips              int64
	ProviderRequests          int64
	ProviderZombieCompletions int64 // attempts a provider completed after its client stopped waiting
	// PaymentCheckouts are the checkout intents that reached the payment
	// code at least once. PaymentAttempts / PaymentCheckouts is the
	// all-layer amplification: provider attempts per checkout that pays,
	// whether the repeats came from the payment client, the payment step,
	// the gateway or the user clicking again (PaymentAttempts / Payments
	// counts only the client's own retries).
	PaymentCheckouts int64
	// EpisodePaymentAttempts and EpisodePaymentCheckouts count the same
	// during the providers' degradation episodes (each episode's window
	// once, summed over episodes): the storm while the provider is slow.
	EpisodePaymentAttempts  int64
	EpisodePaymentCheckouts int64
}

// Amplification is PaymentAttempts / PaymentCheckouts (0 when none paid).
func (s *Signals) Amplification() float64 {
	return ratio(float64(s.PaymentAttempts), float64(s.PaymentCheckouts))
}

// EpisodeAmplification is the all-layer amplification during the
// degradation episodes (0 without episodes).
func (s *Signals) EpisodeAmplification() float64 {
	return ratio(float64(s.EpisodePaymentAttempts), float64(s.EpisodePaymentCheckouts))
}

// CacheHitRatio is hits / reads (1 with no reads).
func (s *Signals) CacheHitRatio() float64 {
	if s.CacheHits+s.CacheMisses == 0 {
		return 1
	}
	return float64(s.CacheHits) / float64(s.CacheHits+s.CacheMisses)
}

// BreakerChange is one circuit breaker state change.
type BreakerChange struct {
	Edge     string
	AtS      float64
	From, To string
}

// ServiceResult is one service's load and cost.
type ServiceResult struct {
	Name          string
	Utilisation   float64 // busy workers / workers, whole run (time 0 to its end)
	InstanceHours float64
	CostUSD       float64
	Requests      int64
	Overloaded    int64
	Dropped       int64
	MaxInstances  int
	// BusyWorkerS and WorkerS are the worker-seconds busy and available
	// in the measured window (from the first sample at or after the
	// warm-up to the last sample, at the duration): their ratio is the
	// window's utilisation, which the drain's idle tail does not dilute.
	// Both are 0 when the window held fewer than two samples.
	BusyWorkerS, WorkerS float64
}

// BrowseResult is the browsing traffic's outcome.
type BrowseResult struct {
	Requests int64
	Failed   int64
	Latency  *stats.Histogram
}

// Series is one time series sampled every Result.Interval from time 0.
type Series struct {
	Name   string
	Unit   string
	Values []float64
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Attribution accumulates, per latency bucket, the time spans of the clicks
// that fell in it, so that the make-up of any tail (the slowest 1%) can be
// read after the run, and merged exactly across replications. Buckets are
// log-spaced by 5% from 1 ms, so "the slowest 1%" is approximated by the
// clicks at or above the bucket holding the P99: within 5%.
type Attribution struct {
	Count   []int64
	Latency []float64                // seconds, summed per bucket
	Spans   [][call.NumSpans]float64 // seconds, summed per bucket
}

const (
	attrBuckets = 400
	attrBase    = 1e-3
	attrGrowth  = 1.05
)

func newAttribution() *Attribution {
	return &Attribution{Count: make([]int64, attrBuckets), Latency: make([]float64, attrBuckets), Spans: make([][call.NumSpans]float64, attrBuckets)}
}

func attrBucket(seconds float64) int {
	if seconds <= attrBase {
		return 0
	}
	b := int(math.Log(seconds/attrBase)/math.Log(attrGrowth)) + 1
	return min(b, attrBuckets-1)
}

// Add records one click.
func (a *Attribution) Add(latency sim.Time, tr *call.Trace) {
	b := attrBucket(latency.Seconds())
	a.Count[b]++
	a.Latency[b] += latency.Seconds()
	for i, d := range tr.Spans {
		a.Spans[b][i] += d.Seconds()
	}
}

// Merge adds other's buckets into a.
func (a *Attribution) Merge(other *Attribution) {
	for b := range a.Count {
		a.Count[b] += other.Count[b]
		a.Latency[b] += other.Latency[b]
		for i := range a.Spans[b] {
			a.Spans[b][i] += other.Spans[b][i]
		}
	}
}

// Breakdown is the mean make-up of the clicks at or above a latency.
type Breakdown struct {
	Clicks       int64
	MeanLatencyS float64
	// Parts are mean seconds per click by span name, "other" last (the
	// latency not attributed to any span: gateway and step overheads).
	Parts []Part
}

// Part is one span's share of a breakdown.
type Part struct {
	Span     string
	MeanS    float64
	Fraction float64
}

// Tail returns the breakdown of the clicks whose latency is at least
// threshold seconds.
func (a *Attribution) Tail(threshold float64) Breakdown {
	var bd Breakdown
	var lat float64
	var spans [call.NumSpans]float64
	for b := attrBucket(threshold); b < attrBuckets; b++ {
		bd.Clicks += a.Count[b]
		lat += a.Latency[b]
		for i := range spans {
			spans[i] += a.Spans[b][i]
		}
	}
	if bd.Clicks == 0 {
		return bd
	}
	n := float64(bd.Clicks)
	bd.MeanLatencyS = lat / n
	rest := lat
	for i, v := range spans {
		rest -= v
		bd.Parts = append(bd.Parts, Part{Span: call.Span(i).String(), MeanS: v / n, Fraction: ratio(v, lat)})
	}
	bd.Parts = append(bd.Parts, Part{Span: "other", MeanS: math.Max(rest, 0) / n, Fraction: ratio(math.Max(rest, 0), lat)})
	return bd
}

// sortedCauses turns a cause count map into a slice sorted by name.
func sortedCauses(m map[string]int64) []Cause {
	out := make([]Cause, 0, len(m))
	// order-free: the slice is sorted by name below, and names are unique.
	for k, v := range m {
		out = append(out, Cause{Name: k, Count: v})
	}
	slices.SortFunc(out, func(a, b Cause) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}

// MSERTruncation is the MSER-5 truncation point of the named time series
// (stats.MSER5): the time after which its batch means look stationary, so
// a warm-up shorter than it leaves transient behaviour in the statistics.
// ok is false when the run has no such series or too few samples.
func (r *Result) MSERTruncation(series string) (at sim.Time, ok bool) {
	for _, s := range r.Series {
		if s.Name == series {
			if len(s.Values) < 10 {
				return 0, false
			}
			return sim.Time(stats.MSER5(s.Values)) * r.Interval, true
		}
	}
	return 0, false
}

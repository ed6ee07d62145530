// Package metric is the registry of the simulator's metrics: each metric
// is listed once, with its key, its path in `checkoutsim run -o json`, the
// short name flags accept, its label, unit, which direction is better, the
// window it is counted over and how to read it from one replication.
// compare, report, sweep, capacity, ablation and the search commands all
// read their metrics from here, so adding a metric is one entry here plus
// its extractor.
//
// A metric's value over a run is the mean over replications of each
// replication's own value, with a 95% Student-t interval over the
// replications that define it (Over): the classical replication/deletion
// estimate (A. M. Law, Simulation Modeling and Analysis, 5th ed., §9.4.1).
//
// It may import models/checkout, sim/stats and experiments/scenario (for
// its edit distance), nothing else of ours.
package metric

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Direction says which way a metric improves.
type Direction int

const (
	// LowerIsBetter: latencies, error rates, costs, amplification.
	LowerIsBetter Direction = iota + 1
	// HigherIsBetter: throughput, hit ratios, capacity.
	HigherIsBetter
)

// String is "lower is better" or "higher is better".
func (d Direction) String() string {
	switch d {
	case LowerIsBetter:
		return "lower is better"
	case HigherIsBetter:
		return "higher is better"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// ChangeScale is how a metric's change between two runs is stated.
type ChangeScale int

const (
	// Relative: B/A - 1, in percent (latencies, throughput, cost, counts
	// per count).
	Relative ChangeScale = iota
	// Points: B - A in percentage points, for a fraction (error, abandon
	// and hit ratios): a relative change of a ratio ("+0.194%" of a 93%
	// hit ratio) reads as if it were the ratio's own change.
	Points
)

// InPoints reports whether the registry states the change of the metric
// named key (a Key, Path or Short) in points; false for a name it does
// not know.
func InPoints(key string) bool {
	m, err := Lookup(key)
	return err == nil && m.Change == Points
}

// Unit is a metric's unit as the JSON outputs spell it.
type Unit string

// The units of the metrics.
const (
	Seconds   Unit = "s"
	Fraction  Unit = "fraction"
	PerSecond Unit = "1/s"
	USD       Unit = "USD"
	Ratio     Unit = "" // dimensionless: a count per count
)

// Range is the interval of values a quantity of the unit can take: a
// fraction is in [0, 1]; seconds, rates, dollars and count ratios are
// never negative. Intervals are clipped to it (Clip): a Student-t interval
// is symmetric, and near a bound it would otherwise promise values that
// cannot occur, such as a negative latency.
func (u Unit) Range() (lo, hi float64) {
	if u == Fraction {
		return 0, 1
	}
	return 0, math.Inf(1)
}

// Clip returns ci clipped to the unit's Range (nil stays nil).
func Clip(ci *[2]float64, u Unit) *[2]float64 {
	if ci == nil {
		return nil
	}
	lo, hi := u.Range()
	return &[2]float64{min(max(ci[0], lo), hi), max(min(ci[1], hi), lo)}
}

// Resolved widens the interval of a histogram quantile whose estimate is
// mean so that it holds the histogram bucket of the estimate: a reported
// quantile is a bucket midpoint, so replications whose quantiles share a
// bucket agree exactly and their interval would have zero width, although
// the histogram cannot resolve the value more finely than its bucket
// (stats.BucketOf, at most 1.6% of the value wide). Below 128 ns buckets
// are single nanoseconds, which the histogram records exactly, so an
// interval there (a lock wait of 0) is left as it is. nil stays nil.
func Resolved(mean float64, ci *[2]float64) *[2]float64 {
	if ci == nil {
		return nil
	}
	lo, hi := stats.BucketOf(mean)
	if hi-lo <= 1e-9 {
		return ci
	}
	return &[2]float64{min(ci[0], lo), max(ci[1], hi)}
}

// Metric is one metric of a replication.
type Metric struct {
	// Key is compare's JSON "change" key, sweep's JSON "metrics" key and
	// the CSV column, e.g. "latency_p99_s".
	Key string
	// Path is its path in `run -o json`, e.g. "checkout.latency_s.p99".
	Path string
	// Short is the short name flags accept, e.g. "p99" ("" when none).
	Short string
	// Label is the row title of tables, e.g. "P99 latency".
	Label string
	// Column is the narrow column header of wide tables (sweep), e.g. "P99".
	Column string
	// Axis is the chart title with its unit, e.g. "P99 latency (s)".
	Axis   string
	Unit   Unit
	Better Direction
	// Change is how a change of the metric between two runs is stated, in
	// compare's table, the report and its verdict: relative (B/A - 1, the
	// zero value) or in points.
	Change ChangeScale
	// Window is what the metric is counted over: "" is the measured
	// window (after the warm-up); otherwise it says what and why.
	Window string
	// Bucketed marks a quantile of a histogram: its interval is Resolved.
	Bucketed bool
	// Value is one replication's value; ok is false when the value is
	// undefined for it (a ratio with a zero denominator, a percentile of an
	// empty histogram), and the replication then does not contribute to
	// the mean or its interval.
	Value func(r *checkout.Result) (v float64, ok bool)
}

// wholeRun is the window of the signals the models count from time 0.
const wholeRun = "whole run, warm-up included: "

// The registry, in the order of sweep's columns.
var (
	LatencyP50 = &Metric{Key: checkout.SeriesLatencyP50, Path: "checkout.latency_s.p50", Short: "p50",
		Label: "P50 latency", Column: "P50", Axis: "P50 latency (s)", Unit: Seconds, Better: LowerIsBetter,
		Bucketed: true, Value: Quantile(0.50, latency)}
	LatencyP95 = &Metric{Key: checkout.SeriesLatencyP95, Path: "checkout.latency_s.p95", Short: "p95",
		Label: "P95 latency", Column: "P95", Axis: "P95 latency (s)", Unit: Seconds, Better: LowerIsBetter,
		Bucketed: true, Value: Quantile(0.95, latency)}
	LatencyP99 = &Metric{Key: checkout.SeriesLatencyP99, Path: "checkout.latency_s.p99", Short: "p99",
		Label: "P99 latency", Column: "P99", Axis: "P99 latency (s)", Unit: Seconds, Better: LowerIsBetter,
		Bucketed: true, Value: Quantile(0.99, latency)}
	LatencyMean = &Metric{Key: "latency_mean_s", Path: "checkout.latency_s.mean", Short: "mean",
		Label: "Mean latency", Column: "Mean", Axis: "Mean latency (s)", Unit: Seconds, Better: LowerIsBetter,
		Value: Mean(latency)}
	ErrorRate = &Metric{Key: "error_rate", Path: "checkout.error_rate", Short: "errors",
		Label: "Error rate", Column: "Errors", Axis: "Error rate (fraction of checkouts)", Unit: Fraction, Better: LowerIsBetter, Change: Points,
		Value: func(r *checkout.Result) (float64, bool) {
			return Div(float64(r.Checkout.Failed), float64(r.Checkout.Attempts))
		}}
	AbandonRate = &Metric{Key: "abandon_rate", Path: "checkout.abandon_rate", Short: "abandoned",
		Label: "Abandon rate", Column: "Abandoned", Axis: "Abandon rate (fraction of checkouts)", Unit: Fraction, Better: LowerIsBetter, Change: Points,
		Value: func(r *checkout.Result) (float64, bool) {
			return Div(float64(r.Checkout.Abandoned), float64(r.Checkout.Attempts))
		}}
	Throughput = &Metric{Key: "throughput_per_s", Path: "checkout.throughput_per_s", Short: "throughput",
		Label: "Throughput (checkouts/s)", Column: "Checkouts/s", Axis: "Throughput (checkouts per s)", Unit: PerSecond, Better: HigherIsBetter,
		Value: func(r *checkout.Result) (float64, bool) {
			return Div(float64(r.Checkout.Succeeded), r.Measured.Seconds())
		}}
	Cost = &Metric{Key: "cost_usd", Path: "cost.usd", Short: "cost",
		Label: "Cost per run", Column: "Cost", Axis: "Cost per run (USD)", Unit: USD, Better: LowerIsBetter,
		Window: wholeRun + "the run's bill counts every instance-hour from time 0",
		Value:  func(r *checkout.Result) (float64, bool) { return r.CostUSD, true }}
	LockWaitP99 = &Metric{Key: "lock_wait_p99_s", Path: "signals.lock_wait_s.p99", Short: "lock_wait_p99",
		Label: "Lock wait P99", Column: "Lock wait P99", Axis: "Lock wait P99 (s)", Unit: Seconds, Better: LowerIsBetter,
		Window: wholeRun + "the inventory's lock-wait histogram records every wait from time 0", Bucketed: true,
		Value: Quantile(0.99, func(r *checkout.Result) *stats.Histogram { return r.Signals.LockWait })}
	CacheHitRatio = &Metric{Key: checkout.SeriesCacheHitRatio, Path: "signals.cache_hit_ratio", Short: "hit_ratio",
		Label: "Cache hit ratio", Column: "Cache hits", Axis: "Cache hit ratio (fraction of reads)", Unit: Fraction, Better: HigherIsBetter, Change: Points,
		Window: wholeRun + "hits and misses are counted from time 0, so a TTL/Zipf run's ratio is the analytic one over all its reads",
		Value: func(r *checkout.Result) (float64, bool) {
			s := &r.Signals
			return Div(float64(s.CacheHits), float64(s.CacheHits+s.CacheMisses))
		}}
	PaymentAttemptsPerPayment = &Metric{Key: "payment_attempts_per_payment", Path: "signals.payment_attempts_per_payment", Short: "payment_attempts",
		Label: "Payment attempts per payment", Column: "Pay attempts/payment", Axis: "Payment attempts per payment", Unit: Ratio, Better: LowerIsBetter,
		Window: wholeRun + "the payment client counts every payment and provider attempt from time 0",
		Value: func(r *checkout.Result) (float64, bool) {
			return Div(float64(r.Signals.PaymentAttempts), float64(r.Signals.Payments))
		}}
	DBQueriesPerCheckout = &Metric{Key: "db_queries_per_checkout", Path: "signals.db_queries_per_checkout", Short: "db_queries",
		Label: "DB queries per checkout", Column: "DB queries/checkout", Axis: "DB queries per checkout", Unit: Ratio, Better: LowerIsBetter,
		Value: func(r *checkout.Result) (float64, bool) {
			// statements of resolved measured checkouts per resolved
			// measured checkout (the N+1 signal)
			return Div(float64(r.Signals.CheckoutQueries), float64(r.Checkout.Attempts))
		}}
)

// all is every metric, in registry (sweep column) order.
var all = []*Metric{LatencyP50, LatencyP95, LatencyP99, LatencyMean, ErrorRate, AbandonRate, Throughput, Cost,
	LockWaitP99, CacheHitRatio, PaymentAttemptsPerPayment, DBQueriesPerCheckout}

// headline is compare's metrics, in table order.
var headline = []*Metric{LatencyP50, LatencyP95, LatencyP99, LatencyMean, ErrorRate, Throughput, Cost,
	LockWaitP99, CacheHitRatio, PaymentAttemptsPerPayment, DBQueriesPerCheckout}

// Field is m's field name in its run-JSON object: the last part of Path
// ("error_rate" for "checkout.error_rate"). The run summary writes its
// registry fields under it, so the name is spelled once, here.
func (m *Metric) Field() string { return m.Path[strings.LastIndexByte(m.Path, '.')+1:] }

// All returns every metric of the registry, in sweep's column order. The
// slice is a copy; the metrics are shared and must not be modified.
func All() []*Metric { return slices.Clone(all) }

// Headline returns compare's metrics, in table order (a copy of the list).
func Headline() []*Metric { return slices.Clone(headline) }

// Lookup finds a metric by Key, Path or Short (case-insensitive). The
// error of an unknown name lists the closest names.
func Lookup(name string) (*Metric, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, m := range all {
		if n == m.Key || n == m.Path || (m.Short != "" && n == m.Short) {
			return m, nil
		}
	}
	// close: the metrics one of whose names contains the name, is in it
	// or is a few edits away, nearest first, at most three.
	type near struct {
		key  string
		dist int
	}
	var close []near
	for _, m := range all {
		best := -1
		for _, c := range []string{m.Key, m.Short, m.Path} {
			if c == "" {
				continue
			}
			d := scenario.EditDistance(n, c)
			if strings.Contains(c, n) || strings.Contains(n, c) {
				d = 0
			}
			if d <= 1+len(c)/4 && (best < 0 || d < best) {
				best = d
			}
		}
		if best >= 0 {
			close = append(close, near{m.Key, best})
		}
	}
	if len(close) > 0 {
		slices.SortStableFunc(close, func(a, b near) int { return a.dist - b.dist })
		var names []string
		for _, c := range close[:min(3, len(close))] {
			names = append(names, c.key)
		}
		return nil, fmt.Errorf("unknown metric %q; did you mean %s?", name, strings.Join(names, ", "))
	}
	var keys []string
	for _, m := range all {
		keys = append(keys, m.Key)
	}
	return nil, fmt.Errorf("unknown metric %q; known: %s", name, strings.Join(keys, ", "))
}

// Over is the metric's mean over the replications that define it (0 when
// none does) and its 95% Student-t interval (nil with fewer than two),
// clipped to the metric's unit's Range and, for a histogram quantile,
// Resolved.
func Over(results []*checkout.Result, m *Metric) (mean float64, ci95 *[2]float64) {
	mean, ci95 = OverFunc(results, m.Unit, m.Value)
	return mean, m.Finish(mean, ci95)
}

// Finish gives an estimate of m its reported interval: widened to the
// histogram bucket holding mean when m is a histogram quantile
// (Resolved), and clipped to m's unit range. Everything that judges or
// prints an estimate of m from replications (Over, capacity's bootstrap)
// finishes it the same way.
func (m *Metric) Finish(mean float64, ci95 *[2]float64) *[2]float64 {
	if m.Bucketed {
		ci95 = Resolved(mean, ci95)
	}
	return Clip(ci95, m.Unit)
}

// OverFunc is Over for any per-replication value of unit u, such as one
// cohort's or one step's: the interval is clipped to u's Range.
func OverFunc(results []*checkout.Result, u Unit, value func(r *checkout.Result) (float64, bool)) (mean float64, ci95 *[2]float64) {
	var e Estimate
	for _, r := range results {
		e.Add(value(r))
	}
	mean, ci95 = e.Result()
	return mean, Clip(ci95, u)
}

// Estimate accumulates one metric's per-replication values.
type Estimate struct{ s stats.Summary }

// Add adds v when ok (a replication that defines the value).
func (e *Estimate) Add(v float64, ok bool) {
	if ok {
		e.s.Add(v)
	}
}

// Result is the mean of the values added (0 when none was) and its 95%
// Student-t interval when at least two were.
func (e *Estimate) Result() (mean float64, ci95 *[2]float64) {
	if e.s.N() < 2 {
		return e.s.Mean(), nil
	}
	lo, hi := e.s.CI95()
	return e.s.Mean(), &[2]float64{lo, hi}
}

// Quantile is the q-quantile of the histogram h picks from a replication
// (undefined when it is nil or empty).
func Quantile(q float64, h func(*checkout.Result) *stats.Histogram) func(*checkout.Result) (float64, bool) {
	return func(r *checkout.Result) (float64, bool) {
		hr := h(r)
		if hr == nil || hr.Count() == 0 {
			return 0, false
		}
		return hr.Quantile(q), true
	}
}

// Mean is the mean of the histogram h picks (undefined when nil or empty).
func Mean(h func(*checkout.Result) *stats.Histogram) func(*checkout.Result) (float64, bool) {
	return func(r *checkout.Result) (float64, bool) {
		hr := h(r)
		if hr == nil || hr.Count() == 0 {
			return 0, false
		}
		return hr.Mean(), true
	}
}

// Div is a/b, undefined when b is 0.
func Div(a, b float64) (float64, bool) {
	if b == 0 {
		return 0, false
	}
	return a / b, true
}

// latency is the checkout clicks' response-time histogram.
func latency(r *checkout.Result) *stats.Histogram { return r.Latency }

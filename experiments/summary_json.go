package experiments

// This file writes and reads the run summary's registry metrics. A field
// that holds a registry metric (the error rate, the cache hit ratio, ...)
// is tagged json:"-" in its struct, and the struct's MarshalJSON writes it
// under the metric's run-JSON field (metric.Metric.Field, the last part of
// its Path) with its interval as Field+"_ci95": the name is spelled once,
// in the registry entry. Keys stay in the documented order
// (docs/output.md), so the bytes are those encoding/json wrote from the
// tags before.

import (
	"encoding/json"
	"fmt"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// addEstimate writes m's value and, when set, its interval.
func addEstimate(o *output.Object, m *metric.Metric, v float64, ci *CI) {
	o.Add(m.Field(), v)
	if ci != nil {
		o.Add(m.Field()+"_ci95", ci)
	}
}

// estimateField is one registry metric of a struct being decoded: where
// its value and interval go.
type estimateField struct {
	m  *metric.Metric
	v  *float64
	ci **CI
}

// decodeWithEstimates decodes data into plain (the struct without its
// registry fields: a conversion to a type without methods) and then each
// estimate from its registry field, so a saved summary reads back as it
// was written.
func decodeWithEstimates(data []byte, plain any, fields ...estimateField) error {
	if err := json.Unmarshal(data, plain); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	for _, f := range fields {
		if v, ok := raw[f.m.Field()]; ok {
			if err := json.Unmarshal(v, f.v); err != nil {
				return fmt.Errorf("%s: %w", f.m.Field(), err)
			}
		}
		if v, ok := raw[f.m.Field()+"_ci95"]; ok {
			if err := json.Unmarshal(v, f.ci); err != nil {
				return fmt.Errorf("%s_ci95: %w", f.m.Field(), err)
			}
		}
	}
	return nil
}

// MarshalJSON writes the checkout outcome, keys in docs/output.md order.
func (c CheckoutSummary) MarshalJSON() ([]byte, error) {
	var o output.Object
	o.Add("attempts", c.Attempts)
	o.Add("succeeded", c.Succeeded)
	o.Add("failed", c.Failed)
	o.Add("abandoned", c.Abandoned)
	o.Add("unfinished", c.Unfinished)
	o.Add("clicks", c.Clicks)
	addEstimate(&o, metric.ErrorRate, c.ErrorRate, c.ErrorRateCI)
	addEstimate(&o, metric.AbandonRate, c.AbandonRate, c.AbandonRateCI)
	addEstimate(&o, metric.Throughput, c.ThroughputPerS, c.ThroughputPerSCI)
	o.Add("latency_s", c.Latency)
	return o.Bytes()
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *CheckoutSummary) UnmarshalJSON(data []byte) error {
	type plain CheckoutSummary
	return decodeWithEstimates(data, (*plain)(c),
		estimateField{metric.ErrorRate, &c.ErrorRate, &c.ErrorRateCI},
		estimateField{metric.AbandonRate, &c.AbandonRate, &c.AbandonRateCI},
		estimateField{metric.Throughput, &c.ThroughputPerS, &c.ThroughputPerSCI})
}

// MarshalJSON writes the signals, keys in docs/output.md order.
func (s SignalsSummary) MarshalJSON() ([]byte, error) {
	var o output.Object
	o.Add("lock_wait_s", s.LockWait)
	o.Add("lock_timeouts", s.LockTimeouts)
	o.Add("deadlocks", s.Deadlocks)
	o.Add("pool_wait_s", s.PoolWait)
	o.Add("pool_timeouts", s.PoolTimeouts)
	o.Add("cache_hits", s.CacheHits)
	o.Add("cache_misses", s.CacheMisses)
	addEstimate(&o, metric.CacheHitRatio, s.CacheHitRatio, s.CacheHitRatioCI)
	o.Add("db_statements", s.DBStatements)
	addEstimate(&o, metric.DBQueriesPerCheckout, s.DBQueriesPerCheckout, s.DBQueriesPerCheckoutCI)
	o.Add("payments", s.Payments)
	o.Add("payment_attempts", s.PaymentAttempts)
	addEstimate(&o, metric.PaymentAttemptsPerPayment, s.PaymentAttemptsPerPayment, s.PaymentAttemptsPerPaymentCI)
	o.Add("fallbacks", s.Fallbacks)
	o.Add("double_reservations", s.DoubleReservations)
	o.Add("leaked_units", s.LeakedUnits)
	o.Add("idempotent_repeats", s.IdempotentRepeats)
	o.Add("max_backlog", s.MaxBacklog)
	o.Add("published", s.Published)
	o.Add("confirmed", s.Confirmed)
	o.Add("breaker_changes", s.BreakerChanges)
	o.Add("provider_requests", s.ProviderRequests)
	o.Add("provider_zombie_completions", s.ProviderZombieCompletions)
	o.Add("amplification", s.Amplification)
	return o.Bytes()
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *SignalsSummary) UnmarshalJSON(data []byte) error {
	type plain SignalsSummary
	return decodeWithEstimates(data, (*plain)(s),
		estimateField{metric.CacheHitRatio, &s.CacheHitRatio, &s.CacheHitRatioCI},
		estimateField{metric.DBQueriesPerCheckout, &s.DBQueriesPerCheckout, &s.DBQueriesPerCheckoutCI},
		estimateField{metric.PaymentAttemptsPerPayment, &s.PaymentAttemptsPerPayment, &s.PaymentAttemptsPerPaymentCI})
}

// MarshalJSON writes one cohort's outcome, keys in docs/output.md order.
func (c CohortSummary) MarshalJSON() ([]byte, error) {
	var o output.Object
	o.Add("cohort", c.Cohort)
	o.Add("attempts", c.Attempts)
	o.Add("succeeded", c.Succeeded)
	o.Add("failed", c.Failed)
	o.Add("abandoned", c.Abandoned)
	addEstimate(&o, metric.ErrorRate, c.ErrorRate, c.ErrorRateCI)
	o.Add("latency_s", c.Latency)
	return o.Bytes()
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *CohortSummary) UnmarshalJSON(data []byte) error {
	type plain CohortSummary
	return decodeWithEstimates(data, (*plain)(c), estimateField{metric.ErrorRate, &c.ErrorRate, &c.ErrorRateCI})
}

// MarshalJSON writes the browsing outcome, keys in docs/output.md order.
func (b BrowseSummary) MarshalJSON() ([]byte, error) {
	var o output.Object
	o.Add("requests", b.Requests)
	o.Add("failed", b.Failed)
	addEstimate(&o, metric.ErrorRate, b.ErrorRate, b.ErrorRateCI)
	o.Add("latency_s", b.Latency)
	return o.Bytes()
}

// UnmarshalJSON reads what MarshalJSON writes.
func (b *BrowseSummary) UnmarshalJSON(data []byte) error {
	type plain BrowseSummary
	return decodeWithEstimates(data, (*plain)(b), estimateField{metric.ErrorRate, &b.ErrorRate, &b.ErrorRateCI})
}

package checkout

// The names of the time series a run records (Result.Series), one sample
// per interval; the simulator's recorder and the testbed's write them, and
// the charts, the warm-up detector and the recovery verdict read them. A
// series that is also a registry metric's time course carries the
// metric's key (experiments/metric takes its key from here), so the name
// is spelled once.
const (
	SeriesArrivals        = "arrivals_per_s"
	SeriesSucceeded       = "succeeded_per_s"
	SeriesFailed          = "failed_per_s"
	SeriesAbandoned       = "abandoned_per_s"
	SeriesLatencyP50      = "latency_p50_s"
	SeriesLatencyP95      = "latency_p95_s"
	SeriesLatencyP99      = "latency_p99_s"
	SeriesCacheHitRatio   = "cache_hit_ratio"
	SeriesLockWaitMean    = "lock_wait_mean_s"
	SeriesDBStatements    = "db_statements_per_s"
	SeriesDBPoolInUse     = "db_pool_in_use"
	SeriesDBPoolWaiting   = "db_pool_waiting"
	SeriesGatewayAttempts = "gateway_attempts_per_s"
	SeriesPaymentAttempts = "payment_attempts_per_s"
	SeriesPaymentAmp      = "payment_amplification"
	// Per component: the prefix, then the provider's or service's name.
	SeriesProviderInFlight = "provider_in_flight/"
	SeriesBreakerOpen      = "breaker_open/"
	SeriesBacklog          = "backlog/"
	SeriesInstances        = "instances/"
)

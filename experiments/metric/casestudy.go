package metric

import (
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Metrics of the case-study analyses (experiments/uncertainty) beside the
// headline ones. They are not in the registry's list (All) yet, because
// `run -o json` does not print them; sensitivity and robust report them.
var (
	// SuccessP99 is the P99 of the clicks that succeeded: LatencyP99 also
	// holds fast rejections, which pull it down as overload grows.
	SuccessP99 = &Metric{Key: "success_latency_p99_s", Path: "checkout.success_latency_s.p99", Short: "success_p99",
		Label: "P99 latency of successes", Column: "Success P99", Axis: "P99 latency of successful clicks (s)", Unit: Seconds, Better: LowerIsBetter,
		Bucketed: true, Value: Quantile(0.99, func(r *checkout.Result) *stats.Histogram { return r.SuccessLatency })}
	// EpisodeAmplification is the all-layer payment amplification while a
	// provider is degraded: provider attempts per checkout that reached the
	// payment code during the episodes (gateway, step, client retries and
	// re-clicks all count).
	EpisodeAmplification = &Metric{Key: "episode_payment_amplification", Path: "signals.episode_payment_amplification", Short: "episode_amplification",
		Label: "Payment amplification in the slow episode", Column: "Episode amp", Axis: "Provider attempts per paying checkout, during the episode", Unit: Ratio, Better: LowerIsBetter,
		Window: "the providers' degradation episodes, warm-up included if they overlap it",
		Value: func(r *checkout.Result) (float64, bool) {
			return Div(float64(r.Signals.EpisodePaymentAttempts), float64(r.Signals.EpisodePaymentCheckouts))
		}}
)

package checkout

import (
	"testing"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// payingSystem is one payment step at 20 checkouts/s on a provider of
// constant 300 ms that turns 5x slower (1.5 s) from 60 s to 120 s, with a
// 1 s client timeout and the given retry layers.
func payingSystem(t *testing.T, clientAttempts, stepAttempts int) *Config {
	cfg := bare(t, 20, Step{Name: "payment", Kind: KindPayment, Calls: "once", Policy: call.Policy{Retry: noBackoff(stepAttempts)}})
	cfg.Duration, cfg.Warmup = 180*sim.Second, 0
	cfg.Payments = payment.Config{
		Providers: []payment.ProviderConfig{{Name: "p", Latency: dist.MustParse("constant(300ms)"), LoadModel: "linear",
			Episodes: []payment.Episode{{Start: 60 * sim.Second, End: 120 * sim.Second, LatencyFactor: 5}}}},
		Client: call.Policy{AttemptTimeout: sim.Second, Retry: noBackoff(clientAttempts)},
	}
	return cfg
}

// All-layer amplification: during the slow episode every attempt times
// out, so a checkout makes client x step attempts (3 x 2 = 6); the
// client-only ratio PaymentAttempts / Payments sees 3. Outside the episode
// one attempt suffices. Every timed-out attempt completes later at the
// provider: a zombie.
func TestAllLayerAmplificationAndZombies(t *testing.T) {
	r := run(t, payingSystem(t, 3, 2), 1, 0)
	sig := r.Signals
	if ep := sig.EpisodeAmplification(); ep < 5.5 || ep > 6.5 {
		t.Errorf("episode amplification %.2f (%d attempts / %d checkouts), want about 6",
			ep, sig.EpisodePaymentAttempts, sig.EpisodePaymentCheckouts)
	}
	if client := float64(sig.PaymentAttempts) / float64(sig.Payments); client > 3.01 {
		t.Errorf("client-layer amplification %.2f, want at most 3", client)
	}
	if all := sig.Amplification(); all <= float64(sig.PaymentAttempts)/float64(sig.Payments) {
		t.Errorf("all-layer amplification %.2f not above the client layer's", all)
	}
	amp := seriesOf(t, r, "payment_amplification")
	if calm, storm := window(r, amp, 10*sim.Second, 50*sim.Second), window(r, amp, 70*sim.Second, 110*sim.Second); calm > 1.01 || storm < 5 {
		t.Errorf("payment_amplification series: %.2f before the episode, %.2f during it; want 1 and about 6", calm, storm)
	}
	if z := sig.ProviderZombieCompletions; z < sig.EpisodePaymentAttempts/2 {
		t.Errorf("%d zombie completions, want most of the %d episode attempts", z, sig.EpisodePaymentAttempts)
	}
	calm := run(t, payingSystem(t, 1, 1), 1, 0)
	if a := calm.Signals.EpisodeAmplification(); a != 1 || calm.Signals.ProviderZombieCompletions == 0 {
		t.Errorf("one attempt per layer: episode amplification %.2f, zombies %d; want 1 and > 0 (timed-out attempts still complete)",
			a, calm.Signals.ProviderZombieCompletions)
	}
}

// Success-only latency holds exactly the successful clicks; the all-clicks
// histogram also holds the failures. Clicks the user abandons are in
// neither and are counted.
func TestSuccessLatencyAndAbandonedClicks(t *testing.T) {
	cfg := payingSystem(t, 1, 1)
	r := run(t, cfg, 1, 0)
	c := r.Checkout
	if r.SuccessLatency.Count() != c.Succeeded || r.Latency.Count() != r.Clicks || c.Failed == 0 {
		t.Errorf("success histogram %d (succeeded %d), all clicks %d (clicks %d), failed %d",
			r.SuccessLatency.Count(), c.Succeeded, r.Latency.Count(), r.Clicks, c.Failed)
	}
	// Failures here are 1 s timeouts, successes 300 ms: success-only P99
	// is below the all-clicks P99.
	if s, a := r.SuccessLatency.Quantile(0.99), r.Latency.Quantile(0.99); s >= a {
		t.Errorf("success P99 %.3fs, all-clicks P99 %.3fs; want the former lower", s, a)
	}
	cfg.Traffic.Patience = dist.MustParse("constant(500ms)")
	r = run(t, cfg, 1, 0)
	if r.AbandonedClicks == 0 || r.AbandonedClicks != r.Checkout.Abandoned || r.Latency.Count() != r.Clicks {
		t.Errorf("patience 500 ms: %d abandoned clicks, %d abandoned checkouts, %d clicks answered (histogram %d)",
			r.AbandonedClicks, r.Checkout.Abandoned, r.Clicks, r.Latency.Count())
	}
}

// MSERTruncation reads MSER-5 on the named series in simulated time: a
// series 10 samples high then 90 flat is cut after the transient's batches.
func TestMSERTruncation(t *testing.T) {
	v := make([]float64, 100)
	for i := range v {
		v[i] = 1 + 0.01*float64(i%3)
		if i < 10 {
			v[i] = 5
		}
	}
	r := &Result{Interval: 10 * sim.Second, Series: []Series{{Name: "x", Values: v}}}
	at, ok := r.MSERTruncation("x")
	if !ok || at != 100*sim.Second {
		t.Errorf("truncation %v (%v), want 100s (10 samples of 10 s)", at, ok)
	}
	if _, ok := r.MSERTruncation("y"); ok {
		t.Error("a missing series has a truncation point")
	}
}

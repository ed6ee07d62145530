package checkout

import (
	"reflect"
	"slices"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/models/traffic"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// metastable is the system: a dependency whose latency is 1 s +
// 10 ms per request in flight, clients with a 3 s timeout and 3 immediate
// attempts whose abandoned work is not cancelled, at 40 requests/s with an
// optional 5 s spike to 80/s at t = 60 s.
func metastable(t *testing.T, spike bool, budget bool) *Config {
	cfg := bare(t, 40, Step{Name: "payment", Kind: KindPayment, Calls: "once"})
	cfg.Duration = 300 * sim.Second
	cfg.Warmup = 0
	cfg.SampleInterval = 5 * sim.Second
	if spike {
		cfg.Traffic.Profile = traffic.Profile{{At: 0, Rate: 40}, {At: 60 * sim.Second, Rate: 40},
			{At: 60 * sim.Second, Rate: 80}, {At: 65 * sim.Second, Rate: 80}, {At: 65 * sim.Second, Rate: 40}}
	}
	cfg.Payments = payment.Config{
		Providers: []payment.ProviderConfig{{Name: "slow", Latency: dist.MustParse("constant(1s)"), LoadLatency: 10 * sim.Millisecond, LoadModel: "slowdown"}},
		Client:    call.Policy{AttemptTimeout: 3 * sim.Second, Retry: noBackoff(3)},
	}
	if budget {
		cfg.Payments.Client.TokenBucket = &policy.TokenBucketConfig{MaxTokens: 10, TokenRatio: 0.1}
	}
	return cfg
}

// The retry storm sustains itself after its trigger: with retries that
// triple the load once latency passes the timeout, the spike tips the
// system into a state it does not leave. A retry budget removes the
// feedback and the system recovers.
func TestMetastableFailureAndRecovery(t *testing.T) {
	cases := []struct {
		name          string
		spike, budget bool
		collapsed     bool
	}{
		{"no spike", false, false, false},
		{"spike without budget", true, false, true},
		{"spike with retry budget", true, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, metastable(t, c.spike, c.budget), 1, 0)
			ok := window(r, seriesOf(t, r, "succeeded_per_s"), 200*sim.Second, 300*sim.Second)
			in := window(r, seriesOf(t, r, "provider_in_flight/slow"), 200*sim.Second, 300*sim.Second)
			t.Logf("%s: %.1f successes/s and %.0f provider requests in flight over 200-300 s; %s", c.name, ok, in, describe(r))
			if c.collapsed && ok > 10 {
				t.Errorf("expected a sustained collapse, got %.1f successes/s long after the spike", ok)
			}
			if !c.collapsed && ok < 38 {
				t.Errorf("expected a healthy system (~40/s), got %.1f successes/s", ok)
			}
		})
	}
}

// The same configuration and seed give the same result, bit for bit.
func TestDeterministic(t *testing.T) {
	cfg := Default()
	cfg.Duration = 2 * sim.Minute
	cfg.Warmup = 10 * sim.Second
	a := run(t, cfg, 42, 1)
	b := run(t, cfg, 42, 1)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with seed 42, replication 1 differ")
	}
	c := run(t, cfg, 42, 2)
	if reflect.DeepEqual(a.Latency, c.Latency) {
		t.Fatal("replications 1 and 2 gave identical latency histograms")
	}
	// Watching a run for progress changes nothing in it, and the watch
	// sees the virtual time advance up to the end of the run.
	var seen []sim.Time
	w, err := RunWatched(cfg, 42, 1, func(now sim.Time) { seen = append(seen, now) })
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, w) {
		t.Fatal("a watched run differs from the unwatched one")
	}
	if want := int(w.Events / watchEvery); len(seen) < want-1 || len(seen) > want+1 || !slices.IsSorted(seen) || seen[len(seen)-1] < cfg.Duration/2 {
		t.Fatalf("watch called %d times (want about %d for %d events), times sorted %v, last %v", len(seen), want, w.Events, slices.IsSorted(seen), seen[len(seen)-1])
	}
}

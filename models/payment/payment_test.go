package payment

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/rng"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

const (
	s  = sim.Second
	ms = sim.Millisecond
)

func provider(t testing.TB, name, latency string, errRate float64) ProviderConfig {
	return ProviderConfig{Name: name, Latency: dist.MustParse(latency), LoadModel: "linear", ErrorRate: errRate}
}

func newPayer(t testing.TB, e *sim.Engine, cfg Config, seed uint64) *Payer {
	t.Helper()
	py, err := New(e, cfg, rng.New(seed, 0).Stream)
	if err != nil {
		t.Fatal(err)
	}
	return py
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"valid", func(*Config) {}, ""},
		{"no providers", func(c *Config) { c.Providers = nil; c.Fallback = false }, "providers"},
		{"name", func(c *Config) { c.Providers[1].Name = "" }, "providers[1].name"},
		{"latency", func(c *Config) { c.Providers[0].Latency = nil }, "providers[0].latency"},
		{"load latency", func(c *Config) { c.Providers[0].LoadLatency = -ms }, "providers[0].load_latency"},
		{"load model", func(c *Config) { c.Providers[1].LoadModel = "quadratic" }, "providers[1].load_model"},
		{"empty load model means slowdown", func(c *Config) { c.Providers[0].LoadModel = "" }, ""},
		{"concurrency", func(c *Config) { c.Providers[0].Concurrency = -1 }, "providers[0].concurrency"},
		{"error rate", func(c *Config) { c.Providers[0].ErrorRate = 1.01 }, "providers[0].error_rate"},
		{"NaN error rate", func(c *Config) { c.Providers[0].ErrorRate = math.NaN() }, "providers[0].error_rate"},
		{"episode end = start", func(c *Config) { c.Providers[1].Episodes[0].End = c.Providers[1].Episodes[0].Start }, "providers[1].episodes[0].end"},
		{"episode end before start", func(c *Config) { c.Providers[1].Episodes[0].End = 0 }, "providers[1].episodes[0].end"},
		{"latency factor", func(c *Config) { c.Providers[1].Episodes[0].LatencyFactor = 0 }, "providers[1].episodes[0].latency_factor"},
		{"error rate add", func(c *Config) { c.Providers[1].Episodes[0].ErrorRateAdd = -0.1 }, "providers[1].episodes[0].error_rate_add"},
		{"fallback with one provider", func(c *Config) { c.Providers = c.Providers[:1] }, "fallback"},
		{"client policy", func(c *Config) { c.Client.AttemptTimeout = -s }, ""}, // checked by New through call.Policy
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{Providers: []ProviderConfig{provider(t, "a", "constant(100ms)", 0), provider(t, "b", "constant(100ms)", 0)}, Fallback: true}
			cfg.Providers[1].Episodes = []Episode{{Start: 10 * s, End: 20 * s, LatencyFactor: 2}}
			c.mutate(&cfg)
			err := cfg.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if f := check.Fields(err); len(f) != 1 || f[0] != c.field {
				t.Fatalf("error %v has fields %q, want [%q]", err, f, c.field)
			}
			if _, err := New(sim.New(), cfg, rng.New(1, 0).Stream); err == nil {
				t.Fatal("New accepted the invalid config")
			}
		})
	}
	cfg := Config{Providers: []ProviderConfig{provider(t, "a", "constant(100ms)", 0)}, Client: call.Policy{AttemptTimeout: -s}}
	if _, err := New(sim.New(), cfg, rng.New(1, 0).Stream); err == nil {
		t.Fatal("New accepted a negative client timeout")
	}
}

// One payment at a time, so the load terms stay out: the provider latency
// is the base times every episode running when the request starts.
func TestDegradationEpisodes(t *testing.T) {
	episodes := []Episode{
		{Start: 10 * s, End: 20 * s, LatencyFactor: 5},
		{Start: 15 * s, End: 30 * s, LatencyFactor: 3},
	}
	cases := []struct {
		at   sim.Time
		want sim.Time
	}{
		{5 * s, 100 * ms},
		{10*s - 1, 100 * ms},
		{10 * s, 500 * ms},        // an episode includes its start
		{12 * s, 500 * ms},        // one episode
		{16 * s, 1500 * ms},       // overlapping: factors multiply
		{20 * s, 300 * ms},        // and excludes its end
		{29*s + 900*ms, 300 * ms}, // fixed at the start, even past the end
		{40 * s, 100 * ms},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.at), func(t *testing.T) {
			e := sim.New()
			p := provider(t, "a", "constant(100ms)", 0)
			p.Episodes = episodes
			py := newPayer(t, e, Config{Providers: []ProviderConfig{p}}, 1)
			var tr call.Trace
			var took sim.Time
			e.At(c.at, func() {
				py.Pay(call.Root(nil, sim.Never, &tr), func(o call.Outcome) {
					if o != policy.Success {
						t.Errorf("outcome %v", o)
					}
					took = e.Now() - c.at
				})
			})
			e.Run()
			if took != c.want || tr.Spans[call.SpanProvider] != c.want {
				t.Fatalf("payment at %v took %v (provider span %v), want %v", c.at, took, tr.Spans[call.SpanProvider], c.want)
			}
		})
	}
}

// With a random base latency the mean inside an episode is the factor
// times the mean outside: paired over the same number of requests, the
// ratio of means must cover the factor.
func TestDegradationMeanLatency(t *testing.T) {
	const seed, factor, n = 12, 4.0, 4000
	e := sim.New()
	p := provider(t, "a", "lognormal(median=200ms, p99=1.5s)", 0)
	p.Episodes = []Episode{{Start: 1000 * s, End: 2000 * s, LatencyFactor: factor}}
	py := newPayer(t, e, Config{Providers: []ProviderConfig{p}}, seed)
	var in, out stats.Summary
	// One request every 0.2 s: n in [100 s, 900 s), n in [1100 s, 1900 s).
	// LoadLatency is 0, so requests that overlap do not slow each other.
	for i := 0; i < 2*n; i++ {
		at := sim.Time(i%n)*200*ms + 100*s + sim.Time(i/n)*1000*s
		e.At(at, func() {
			py.Pay(call.Root(nil, sim.Never, new(call.Trace)), func(call.Outcome) {
				d := (e.Now() - at).Seconds()
				if at >= 1000*s {
					in.Add(d)
				} else {
					out.Add(d)
				}
			})
		})
	}
	e.Run()
	// Delta-method standard error of the ratio of two independent means.
	r := in.Mean() / out.Mean()
	se := r * math.Sqrt(math.Pow(in.StdErr()/in.Mean(), 2)+math.Pow(out.StdErr()/out.Mean(), 2))
	if math.Abs(r-factor) > 3.3*se {
		t.Fatalf("seed %d: mean latency %.4fs inside the episode, %.4fs outside: ratio %.3f +- %.3f (3.3 se), want factor %v",
			seed, in.Mean(), out.Mean(), r, 3.3*se, factor)
	}
}

// The provider fails with probability ErrorRate, plus ErrorRateAdd during
// an episode: binomial counts within 4 standard deviations.
func TestErrorRates(t *testing.T) {
	const seed, n = 5, 20_000
	e := sim.New()
	p := provider(t, "a", "constant(1ms)", 0.1)
	p.Episodes = []Episode{{Start: 1000 * s, End: 2000 * s, LatencyFactor: 1, ErrorRateAdd: 0.25}}
	py := newPayer(t, e, Config{Providers: []ProviderConfig{p}}, seed)
	var fails [2]int
	for i := 0; i < 2*n; i++ {
		at := sim.Time(i%n)*40*ms + sim.Time(i/n)*1000*s // n in [0, 800 s), n in [1000 s, 1800 s)
		e.At(at, func() {
			py.Pay(call.Root(nil, sim.Never, new(call.Trace)), func(o call.Outcome) {
				if o == policy.Failure {
					fails[i/n]++
				}
			})
		})
	}
	e.Run()
	for k, want := range []float64{0.1, 0.35} {
		got := float64(fails[k]) / n
		sd := math.Sqrt(want * (1 - want) / n)
		if math.Abs(got-want) > 4*sd {
			t.Errorf("seed %d window %d: error rate %.4f, want %.2f +- %.4f (4 sd)", seed, k, got, want, 4*sd)
		}
	}
	if py.Providers[0].Errors != int64(fails[0]+fails[1]) || py.Providers[0].Requests != 2*n {
		t.Errorf("provider counted %d errors of %d requests, want %d of %d", py.Providers[0].Errors, py.Providers[0].Requests, fails[0]+fails[1], 2*n)
	}
}

// Load-dependent latency: with the linear model a request's latency is its
// base plus LoadLatency per request already in flight when it starts; a
// concurrency cap queues the rest.
func TestLoadLatency(t *testing.T) {
	cases := []struct {
		name        string
		model       string
		loadLatency sim.Time
		concurrency int
		want        []sim.Time // latency of 3 payments started at 0
	}{
		{"no load term", "linear", 0, 0, []sim.Time{100 * ms, 100 * ms, 100 * ms}},
		{"linear: 10ms per request in flight", "linear", 10 * ms, 0, []sim.Time{100 * ms, 110 * ms, 120 * ms}},
		{"concurrency 1 queues", "linear", 0, 1, []sim.Time{100 * ms, 200 * ms, 300 * ms}},
		// Slowdown: 3 requests of the reference size in flight together
		// each progress at 100/(100 + 10 x 2), so all end at 120 ms.
		{"slowdown: all slow together", "slowdown", 10 * ms, 0, []sim.Time{120 * ms, 120 * ms, 120 * ms}},
		{"empty model is slowdown", "", 10 * ms, 0, []sim.Time{120 * ms, 120 * ms, 120 * ms}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := sim.New()
			p := provider(t, "a", "constant(100ms)", 0)
			p.LoadModel, p.LoadLatency, p.Concurrency = LoadModel(c.model), c.loadLatency, c.concurrency
			py := newPayer(t, e, Config{Providers: []ProviderConfig{p}}, 1)
			got := make([]sim.Time, 3)
			for i := range got {
				py.Pay(call.Root(nil, sim.Never, new(call.Trace)), func(call.Outcome) { got[i] = e.Now() })
			}
			if py.Providers[0].InFlight() == 0 && c.concurrency == 0 {
				t.Error("no request in flight right after three payments started")
			}
			e.Run()
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("payment %d took %v, want %v", i, got[i], c.want[i])
				}
			}
		})
	}
}

// The client: retries on the first provider, then fallback to the second
// when the first call fails, times out or is rejected by an open breaker.
// Attempts counts the attempts that reached a provider.
func TestClientRetryFallbackAndBreaker(t *testing.T) {
	retry := func(m int) *policy.RetryConfig {
		return &policy.RetryConfig{MaxAttempts: m, Backoff: policy.BackoffConfig{Kind: policy.BackoffConstant, Base: 50 * time.Millisecond, Jitter: policy.JitterNone}}
	}
	breaker := &policy.BreakerConfig{Mode: policy.BreakerConsecutive, ConsecutiveFailures: 1, OpenDuration: time.Minute, HalfOpenPermits: 1}
	cases := []struct {
		name      string
		a, b      string  // latencies
		errA      float64 // error rate of a (b never fails unless errB)
		errB      float64
		client    call.Policy
		fallback  bool
		payments  int // one after another
		want      []call.Outcome
		wantAt    sim.Time // when the last payment finished, from its start
		attempts  int64
		reqA      int64
		reqB      int64
		fallbacks int64
	}{
		{"a succeeds", "constant(100ms)", "constant(300ms)", 0, 0, call.Policy{}, true, 1,
			[]call.Outcome{policy.Success}, 100 * ms, 1, 1, 0, 0},
		{"a fails, no fallback", "constant(100ms)", "constant(300ms)", 1, 0, call.Policy{}, false, 1,
			[]call.Outcome{policy.Failure}, 100 * ms, 1, 1, 0, 0},
		{"a fails, fallback to b", "constant(100ms)", "constant(300ms)", 1, 0, call.Policy{}, true, 1,
			[]call.Outcome{policy.Success}, 400 * ms, 2, 1, 1, 1},
		{"3 attempts on a, then b", "constant(100ms)", "constant(300ms)", 1, 0, call.Policy{Retry: retry(3)}, true, 1,
			// a: 100 + 50 + 100 + 50 + 100, then b: 300
			[]call.Outcome{policy.Success}, 700 * ms, 4, 3, 1, 1},
		{"both fail, 3 attempts each", "constant(100ms)", "constant(300ms)", 1, 1, call.Policy{Retry: retry(3)}, true, 1,
			[]call.Outcome{policy.Failure}, 400*ms + 1000*ms, 6, 3, 3, 1},
		{"a times out, fallback", "constant(5s)", "constant(300ms)", 0, 0, call.Policy{AttemptTimeout: s}, true, 1,
			[]call.Outcome{policy.Success}, 1300 * ms, 2, 1, 1, 1},
		{"open breaker skips a", "constant(100ms)", "constant(300ms)", 1, 0, call.Policy{Breaker: breaker}, true, 3,
			// first payment: a fails (breaker opens), b; then a is
			// rejected without an attempt and b serves at once.
			[]call.Outcome{policy.Success, policy.Success, policy.Success}, 300 * ms, 4, 1, 3, 3},
		{"open breaker, no fallback", "constant(100ms)", "constant(300ms)", 1, 0, call.Policy{Breaker: breaker}, false, 2,
			[]call.Outcome{policy.Failure, policy.Rejected}, 0, 1, 1, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := sim.New()
			py := newPayer(t, e, Config{
				Providers: []ProviderConfig{provider(t, "a", c.a, c.errA), provider(t, "b", c.b, c.errB)},
				Client:    c.client, Fallback: c.fallback}, 1)
			var got []call.Outcome
			var start, took sim.Time
			var pay func()
			pay = func() {
				start = e.Now()
				py.Pay(call.Root(nil, sim.Never, new(call.Trace)), func(o call.Outcome) {
					got = append(got, o)
					took = e.Now() - start
					if len(got) < c.payments {
						pay()
					}
				})
			}
			pay()
			e.Run()
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("outcomes %v, want %v", got, c.want)
			}
			if took != c.wantAt {
				t.Errorf("last payment took %v, want %v", took, c.wantAt)
			}
			a, b := py.Providers[0], py.Providers[1]
			if py.Attempts() != c.attempts || a.Requests != c.reqA || b.Requests != c.reqB || py.Fallbacks != c.fallbacks || py.Payments != int64(c.payments) {
				t.Errorf("attempts %d requests a %d b %d fallbacks %d payments %d, want %d %d %d %d %d",
					py.Attempts(), a.Requests, b.Requests, py.Fallbacks, py.Payments, c.attempts, c.reqA, c.reqB, c.fallbacks, c.payments)
			}
			if py.Attempts() != a.Edge().Attempts+b.Edge().Attempts {
				t.Errorf("Attempts() %d is not the sum of the edges' attempts", py.Attempts())
			}
		})
	}
}

// A provider attempt that completes after the client timed out is a
// zombie: with a 1 s timeout, 3 attempts on a 2.5 s provider are all
// zombies when they complete; a 100 ms provider leaves none.
func TestZombieCompletions(t *testing.T) {
	retry := &policy.RetryConfig{MaxAttempts: 3, Backoff: policy.BackoffConfig{Kind: policy.BackoffConstant, Jitter: policy.JitterNone}}
	for _, c := range []struct {
		latency string
		want    int64
	}{{"constant(2500ms)", 3}, {"constant(100ms)", 0}} {
		e := sim.New()
		py := newPayer(t, e, Config{Providers: []ProviderConfig{provider(t, "a", c.latency, 0)},
			Client: call.Policy{AttemptTimeout: s, Retry: retry}}, 1)
		py.Pay(call.Root(nil, sim.Never, new(call.Trace)), func(call.Outcome) {})
		e.Run()
		if p := py.Providers[0]; p.Zombies != c.want || p.Requests < c.want {
			t.Errorf("%s with a 1 s timeout: %d zombie completions of %d requests, want %d", c.latency, p.Zombies, p.Requests, c.want)
		}
	}
}

func TestConfigFallsBackOn(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		o    policy.Outcome
		want bool
	}{
		{"no fallback", Config{}, policy.Failure, false},
		{"fallback on every failure", Config{Fallback: true}, policy.Timeout, true},
		{"listed outcome", Config{Fallback: true, FallbackOn: []policy.Outcome{policy.Timeout}}, policy.Timeout, true},
		{"unlisted outcome", Config{Fallback: true, FallbackOn: []policy.Outcome{policy.Timeout}}, policy.Failure, false},
	}
	for _, c := range cases {
		if got := c.cfg.FallsBackOn(c.o); got != c.want {
			t.Errorf("%s: FallsBackOn(%v) = %v, want %v", c.name, c.o, got, c.want)
		}
	}
}

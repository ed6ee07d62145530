package checkout

import (
	"time"

	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/models/pricing"
	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/models/traffic"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Default returns a healthy mid-size checkout system at a steady 100
// checkouts/s: the values a scenario file starts from, field by field.
// docs/scenarios.md explains each value.
func Default() *Config {
	return &Config{
		Duration:       10 * sim.Minute,
		Warmup:         sim.Minute,
		Drain:          2 * sim.Minute,
		SampleInterval: 10 * sim.Second,
		Traffic: traffic.Config{
			Profile:      traffic.Profile{{At: 0, Rate: 100}},
			Multiplier:   1,
			BrowseRatio:  5,
			CartSize:     must(dist.NewDiscrete([]float64{1, 2, 3, 4, 6, 10}, []float64{35, 25, 15, 10, 10, 5})),
			MaxCartLines: 30,
			SKUs:         5000,
			SKUSkew:      1.0,
			Patience:     must(dist.Parse("lognormal(median=20s, p99=60s)")),
			Reclick:      traffic.Reclick{Probability: 0.5, Think: must(dist.Parse("lognormal(median=3s, p99=15s)")), Max: 2},
			Cohorts: []traffic.Cohort{
				{Name: "eu-desktop", Weight: 30, RTT: must(dist.Parse("lognormal(median=30ms, p99=120ms)"))},
				{Name: "eu-mobile", Weight: 35, RTT: must(dist.Parse("lognormal(median=70ms, p99=400ms)"))},
				{Name: "us-desktop", Weight: 15, RTT: must(dist.Parse("lognormal(median=90ms, p99=200ms)"))},
				{Name: "us-mobile", Weight: 15, RTT: must(dist.Parse("lognormal(median=130ms, p99=600ms)"))},
				{Name: "new-visitor", Weight: 5, RTT: must(dist.Parse("lognormal(median=70ms, p99=400ms)")), ColdCache: true},
			},
		},
		Services: []service.Config{
			svc("gateway", 4, 64, "lognormal(median=1ms, p99=5ms)"),
			svc("checkout-api", 4, 32, "lognormal(median=2ms, p99=10ms)"),
			svc("pricing", 2, 32, "lognormal(median=1ms, p99=5ms)"),
			svc("inventory", 2, 32, "lognormal(median=1ms, p99=5ms)"),
			svc("payments", 2, 32, "lognormal(median=1ms, p99=5ms)"),
			svc("catalog", 4, 64, "lognormal(median=1ms, p99=5ms)"),
			svc("confirm-worker", 1, 8, "lognormal(median=1ms, p99=5ms)"),
		},
		Database: database.Config{
			PoolSize: 200, Cores: 32, AcquireTimeout: 5 * sim.Second,
			Statement: must(dist.Parse("lognormal(median=1.5ms, p99=10ms)")),
		},
		Inventory: inventory.Config{
			Transaction: "short", StatementsPerItem: 1, TxnStatements: 2, LockOrder: "sorted",
			LockTimeout: 2 * sim.Second, DeadlockTimeout: sim.Second,
			Idempotency: true, IdempotencyTTL: 5 * sim.Minute, IdempotencyMaxEntries: 1_000_000,
		},
		Cache: cache.Config{
			TTL: 5 * sim.Minute, TTLJitter: 0.1, RefillStatements: 2, Coalescing: true,
			HitLatency:   must(dist.Parse("lognormal(median=0.4ms, p99=2ms)")),
			Invalidation: "targeted", WarmStart: true,
		},
		Pricing: pricing.Config{
			RuleLookup: "batched", RuleCache: true, PriceReads: true,
			CPUPerItem: must(dist.Parse("lognormal(median=0.2ms, p99=1ms)")),
		},
		Payments: payment.Config{
			Providers: []payment.ProviderConfig{
				{Name: "psp-a", Latency: must(dist.Parse("lognormal(median=250ms, p99=1.2s)")), LoadLatency: sim.Millisecond, LoadModel: "slowdown", ErrorRate: 0.002},
				{Name: "psp-b", Latency: must(dist.Parse("lognormal(median=300ms, p99=1.5s)")), LoadLatency: sim.Millisecond, LoadModel: "slowdown", ErrorRate: 0.003},
			},
			Client: call.Policy{
				AttemptTimeout: 2 * sim.Second,
				Retry: &policy.RetryConfig{MaxAttempts: 2, Backoff: policy.BackoffConfig{
					Kind: policy.BackoffExponential, Base: 100 * time.Millisecond, Cap: time.Second, Multiplier: 2, Jitter: policy.JitterFull}},
				TokenBucket:       &policy.TokenBucketConfig{MaxTokens: 100, TokenRatio: 0.1},
				PropagateDeadline: true,
			},
			Fallback: true,
		},
		Flow: Flow{
			Gateway:       "gateway",
			GatewayPolicy: call.Policy{AttemptTimeout: 10 * sim.Second, PropagateDeadline: true},
			Orchestrator:  "checkout-api",
			Budget:        10 * sim.Second,
			Steps: []Step{
				{Name: "cart", Kind: KindCart, Calls: "once", Statements: 1},
				{Name: "pricing", Kind: KindPricing, Service: "pricing", Calls: "once", Policy: call.Policy{AttemptTimeout: 2 * sim.Second, PropagateDeadline: true}},
				{Name: "inventory", Kind: KindInventory, Service: "inventory", Calls: "once", Policy: call.Policy{AttemptTimeout: 3 * sim.Second, PropagateDeadline: true}},
				{Name: "order", Kind: KindOrder, Calls: "once", Statements: 3},
				{Name: "payment", Kind: KindPayment, Service: "payments", Calls: "once", Policy: call.Policy{AttemptTimeout: 6 * sim.Second, PropagateDeadline: true}},
				{Name: "confirm", Kind: KindConfirm, Service: "confirm-worker", Calls: "once", Statements: 2},
			},
			Browse: Browse{Service: "catalog", Policy: call.Policy{AttemptTimeout: 2 * sim.Second}},
		},
	}
}

func svc(name string, instances, workers int, cpu string) service.Config {
	return service.Config{Name: name, Instances: instances, WorkersPerInstance: workers, CPU: must(dist.Parse(cpu)), CostPerInstanceHour: 0.20}
}

// must is for the literal, known-good distributions above.
func must[T any](v T, err error) T {
	if err != nil {
		panic("checkout: bad default: " + err.Error())
	}
	return v
}

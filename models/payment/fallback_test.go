package payment

import (
	"math/rand/v2"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// With fallback_on [rejected, timeout], a charge the first provider
// answered with an error is not sent to the second; a timeout is.
func TestFallbackOnlyOnListedOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		errorRate float64
		timeout   sim.Time
		want      policy.Outcome
		fallbacks int64
	}{
		{"provider error is final", 1, 0, policy.Failure, 0},
		{"timeout falls back", 0, 10 * sim.Millisecond, policy.Success, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sim.New()
			slow, _ := dist.Parse("constant(50ms)")
			fast, _ := dist.Parse("constant(1ms)")
			cfg := Config{
				Providers: []ProviderConfig{
					{Name: "a", Latency: slow, ErrorRate: tc.errorRate},
					{Name: "b", Latency: fast},
				},
				Fallback:   true,
				FallbackOn: []policy.Outcome{policy.Rejected, policy.Timeout},
			}
			if tc.timeout > 0 {
				cfg.Client.AttemptTimeout = tc.timeout
			}
			py, err := New(e, cfg, func(name string) *rand.Rand { return rand.New(rand.NewPCG(1, uint64(len(name)))) })
			if err != nil {
				t.Fatal(err)
			}
			var got policy.Outcome = 255
			py.Pay(call.Background(), func(o call.Outcome) { got = o })
			e.Run()
			if got != tc.want || py.Fallbacks != tc.fallbacks {
				t.Fatalf("outcome %v with %d fallbacks, want %v with %d", got, py.Fallbacks, tc.want, tc.fallbacks)
			}
		})
	}
}

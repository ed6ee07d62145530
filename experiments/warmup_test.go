package experiments

import (
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
)

// A hit ratio settling for 200 s warns under a 2-minute warm-up and not
// under a 5-minute one; a flat latency series never warns.
func TestWarmupWarnings(t *testing.T) {
	hit := make([]float64, 120) // 20 minutes of 10 s samples
	lat := make([]float64, 120)
	for i := range hit {
		hit[i], lat[i] = 0.88+0.001*float64(i%2), 0.2+0.001*float64(i%3)
		if i < 20 {
			hit[i] = 0.99 - 0.0055*float64(i)
		}
	}
	res := []*checkout.Result{{Interval: 10 * sim.Second, Series: []checkout.Series{{Name: "cache_hit_ratio", Values: hit}, {Name: "latency_p50_s", Values: lat}}}}
	sc := DefaultScenario()
	sc.Warmup = 2 * sim.Minute
	w := WarmupWarnings(sc, res)
	if len(w) != 1 || !strings.Contains(w[0], "cache_hit_ratio (3m20s)") {
		t.Errorf("2-minute warm-up: %q, want one warning about the hit ratio at 3m20s", w)
	}
	sc.Warmup = 5 * sim.Minute
	if w := WarmupWarnings(sc, res); len(w) != 0 {
		t.Errorf("5-minute warm-up: %q, want none", w)
	}
}

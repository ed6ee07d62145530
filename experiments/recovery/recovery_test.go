package recovery

import (
	"testing"

	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
)

// synthetic builds a result whose goodput and P99 per 10 s interval are
// given, with a trigger from 60 s to 120 s.
func synthetic(goodput, p99 []float64) *checkout.Result {
	arr := make([]float64, len(goodput))
	for i := range arr {
		arr[i] = 100
		goodput[i] *= 100
	}
	return &checkout.Result{Interval: 10 * sim.Second,
		Triggers: []checkout.Trigger{{Name: "t", Start: 60 * sim.Second, End: 120 * sim.Second}},
		Series: []checkout.Series{
			{Name: "arrivals_per_s", Values: arr},
			{Name: "succeeded_per_s", Values: goodput},
			{Name: "latency_p99_s", Values: p99},
		}}
}

func TestRecoveryVerdicts(t *testing.T) {
	const n = 24 // 240 s of arrivals
	flat := func(v float64) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = v
		}
		return s
	}
	cases := []struct {
		name      string
		edit      func(g, p []float64)
		recovered bool
		after     float64
	}{
		{"never disturbed", func(g, p []float64) {}, true, 0},
		{"degraded during the trigger only", func(g, p []float64) {
			for i := 6; i < 12; i++ {
				g[i], p[i] = 0.3, 9
			}
		}, true, 0},
		{"back 30 s after the trigger", func(g, p []float64) {
			for i := 6; i < 15; i++ {
				g[i] = 0.2
			}
		}, true, 30},
		{"stays down", func(g, p []float64) {
			for i := 6; i < n; i++ {
				g[i] = 0.1
			}
		}, false, 0},
		{"relapses after a healthy spell", func(g, p []float64) {
			for i := 6; i < 12; i++ {
				g[i] = 0.1
			}
			for i := 18; i < n; i++ {
				p[i] = 10
			}
		}, false, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, p := flat(0.99), flat(1.0)
			c.edit(g, p)
			rs := Summarize([]*checkout.Result{synthetic(g, p)}, 10, float64(n)*10)
			r := rs.Runs[0]
			if r.Recovered != c.recovered {
				t.Fatalf("recovered %v, want %v (%+v)", r.Recovered, c.recovered, r)
			}
			if c.recovered && *r.RecoveryS != c.after {
				t.Fatalf("recovery after %v s, want %v", *r.RecoveryS, c.after)
			}
		})
	}
	if Summarize([]*checkout.Result{{}}, 0, 100) != nil {
		t.Fatal("a run without a trigger got a recovery verdict")
	}
}

// The metastability pair: the same slow episode, and only the payment
// path's policies differ. Before stays degraded after the trigger ends;
// after recovers within a minute.

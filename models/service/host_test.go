package service

import (
	"math/rand/v2"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/host"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// A request's CPU time starts with its host CPU part: four 4 ms requests
// whose first 2 ms are host CPU, on one shared core, finish that part
// together at 8 ms and the rest 2 ms later; alone, or without a host,
// a request takes its 4 ms.
func TestHostStretchesRequests(t *testing.T) {
	cases := []struct {
		name string
		n    int
		host host.Config
		want sim.Time
	}{
		{"no host", 4, host.Config{}, 4 * sim.Millisecond},
		{"alone", 1, host.Config{Cores: 1, RequestCPU: dist.MustParse("constant(2ms)")}, 4 * sim.Millisecond},
		{"four on one core", 4, host.Config{Cores: 1, RequestCPU: dist.MustParse("constant(2ms)")}, 10 * sim.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := sim.New()
			svc, err := New(e, Config{Name: "s", Instances: 1, WorkersPerInstance: 8, CPU: dist.MustParse("constant(4ms)")}, rand.New(rand.NewPCG(1, 2)))
			if err != nil {
				t.Fatal(err)
			}
			if c.host.Enabled() {
				h, err := host.New(e, c.host, rand.New(rand.NewPCG(3, 4)))
				if err != nil {
					t.Fatal(err)
				}
				svc.SetHost(h)
			}
			h := svc.Serve(nil)
			for i := range c.n {
				h.Serve(call.Background(), func(o call.Outcome) {
					if o != policy.Success || e.Now() != c.want {
						t.Errorf("request %d: %v at %v, want success at %v", i, o, e.Now(), c.want)
					}
				})
			}
			e.Run()
		})
	}
}

package resource

import (
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
)

// In Slowdown mode a running job slows down when others arrive: job A
// (1 s of work) runs alone for 0.5 s, then 10 more jobs arrive; with
// K = 100 ms and Reference = 1 s each job now progresses at
// 1/(1 + 0.1*10) = 0.5, so A's remaining 0.5 s of work takes 1 s and A
// finishes at 1.5 s. In Linear mode A's latency was fixed at its start:
// 1 s.
func TestSlowdownSlowsRunningJobs(t *testing.T) {
	for _, tc := range []struct {
		mode LoadMode
		want sim.Time
	}{{Slowdown, 1500 * sim.Millisecond}, {Linear, sim.Second}} {
		e := sim.New()
		ls, err := NewLoadServer(e, LoadServerConfig{Name: "p", Mode: tc.mode, K: 100 * sim.Millisecond, Reference: sim.Second})
		if err != nil {
			t.Fatal(err)
		}
		var doneA sim.Time
		ls.Submit(sim.Second, func(o Outcome, tm Timing) { doneA = tm.Finished })
		e.At(500*sim.Millisecond, func() {
			for i := 0; i < 10; i++ {
				ls.Submit(sim.Second, func(Outcome, Timing) {})
			}
		})
		e.Run()
		if d := doneA - tc.want; d > sim.Microsecond || d < -sim.Microsecond {
			t.Errorf("%v: job A finished at %v, want %v", tc.mode, doneA, tc.want)
		}
	}
}

// With n jobs of the reference size started together, each takes
// Reference + K*(n-1): the law "1 s + 10 ms per other request in flight".
func TestSlowdownSteadyLaw(t *testing.T) {
	e := sim.New()
	ls, err := NewLoadServer(e, LoadServerConfig{Name: "p", Mode: Slowdown, K: 10 * sim.Millisecond, Reference: sim.Second})
	if err != nil {
		t.Fatal(err)
	}
	const n = 51
	var last sim.Time
	for i := 0; i < n; i++ {
		ls.Submit(sim.Second, func(_ Outcome, tm Timing) { last = tm.Finished })
	}
	e.Run()
	want := sim.Second + 10*sim.Millisecond*(n-1)
	if d := last - want; d > sim.Microsecond || d < -sim.Microsecond {
		t.Fatalf("%d jobs finished at %v, want %v", n, last, want)
	}
	if _, err := NewLoadServer(e, LoadServerConfig{Name: "p", Mode: Slowdown, K: sim.Millisecond}); err == nil {
		t.Fatal("Slowdown without a Reference accepted")
	}
}

package live

import (
	"reflect"
	"testing"
	"time"

	simcall "github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
)

// equivPolicy is equivConfig as the simulator's hop policy: its Stack is
// exactly the StackConfig the live executor is built from.
func equivPolicy() simcall.Policy {
	c := equivConfig()
	return simcall.Policy{CallTimeout: sim.FromDuration(c.Timeout), Retry: c.Retry, TokenBucket: c.TokenBucket,
		Breaker: c.Breaker, Throttle: c.Throttle, Bulkhead: c.Bulkhead}
}

// TestEdgeEquivalence drives the same scripted trace through the live
// executor under fake time (synctest) and through the simulator's
// call.Edge under virtual time: the decision sequences, timestamps
// included, and the breaker's statistics must be identical.
func TestEdgeEquivalence(t *testing.T) {
	if got, want := equivPolicy().Stack(), equivConfig(); !reflect.DeepEqual(got, want) {
		t.Fatalf("simcall.Policy.Stack() = %+v, want the live stack %+v", got, want)
	}
	script := trace(equivSeed, 150)
	liveEvents, liveStats, start := runLive(t, script, nil)
	simEvents, simStats := runEdge(t, script)
	if len(liveEvents) != len(simEvents) {
		t.Fatalf("live made %d decisions, call.Edge %d", len(liveEvents), len(simEvents))
	}
	for i, ev := range simEvents {
		// Virtual time starts at 0; the live run at synctest's epoch.
		got := Event{At: start.Add(time.Duration(ev.At)), Attempt: ev.Attempt, Outcome: ev.Outcome, RejectedBy: ev.RejectedBy, Decision: ev.Decision}
		if got != liveEvents[i] {
			t.Fatalf("decision %d differs:\nlive      %v\ncall.Edge %v", i, liveEvents[i], got)
		}
	}
	if liveStats != simStats {
		t.Fatalf("breaker stats differ: live %+v call.Edge %+v", liveStats, simStats)
	}
	rejected := map[policy.Layer]int{}
	for _, ev := range simEvents {
		rejected[ev.RejectedBy]++
	}
	if rejected[policy.LayerBreaker] == 0 || rejected[""] == 0 {
		t.Errorf("the trace never exercised the breaker's rejections and served attempts: %v", rejected)
	}
}

// runEdge makes the calls one after another on a call.Edge in virtual
// time; the server answers each attempt as scripted.
func runEdge(t *testing.T, script []scripted) ([]simcall.Decision, policy.BreakerStats) {
	e := sim.New()
	ed, err := simcall.NewEdge(e, "equivalence", equivPolicy(), newRand(equivSeed))
	if err != nil {
		t.Fatal(err)
	}
	var events []simcall.Decision
	ed.Observe = func(d simcall.Decision) { events = append(events, d) }
	k := 0
	server := simcall.HandlerFunc(func(_ *simcall.Ctx, reply simcall.Reply) {
		st := script[k%len(script)]
		k++
		e.After(sim.FromDuration(st.dur), func() { reply(st.o) })
	})
	var next func(c int)
	next = func(c int) {
		if c == equivCalls {
			return
		}
		ed.Call(simcall.Background(), server, func(simcall.Outcome) {
			e.After(sim.FromDuration(callGap), func() { next(c + 1) })
		})
	}
	next(0)
	e.Run()
	return events, ed.Breaker().Stats()
}

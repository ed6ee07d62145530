package resource

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
)

func newLoadServer(t *testing.T, e *sim.Engine, cfg LoadServerConfig) *LoadServer {
	t.Helper()
	ls, err := NewLoadServer(e, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

func finishTimes(log []record) string {
	var parts []string
	for _, rec := range log {
		parts = append(parts, fmt.Sprintf("%d:%v@%v", rec.id, rec.o, rec.tm.Finished))
	}
	return strings.Join(parts, " ")
}

func TestLoadServerLinear(t *testing.T) {
	e := sim.New()
	ls := newLoadServer(t, e, LoadServerConfig{Name: "psp", Mode: Linear, K: 100 * sim.Millisecond})
	var r recorder
	for i := 0; i < 3; i++ {
		ls.Submit(sim.Second, r.done(i))
	}
	if ls.InFlight() != 3 {
		t.Fatalf("in flight %d, want 3", ls.InFlight())
	}
	e.Run()
	// Latency = base + K * (jobs already in flight): 1s, 1.1s, 1.2s.
	if got, want := finishTimes(r.log), "0:served@1s 1:served@1.1s 2:served@1.2s"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestLoadServerProcessorSharing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		capacity float64
		jobs     [][2]sim.Time // arrival, demand
		want     string
	}{
		// Both share the server at rate 1/2: the 1 s job ends at 2 s, the
		// 2 s job has 1 s left and finishes alone at 3 s.
		{"two at once", 1, [][2]sim.Time{{0, 2 * sim.Second}, {0, sim.Second}}, "1:served@2s 0:served@3s"},
		// A has 1 s of work left at t=1 when B (1 s) arrives; both then
		// progress at 1/2 and finish together at 3 s, in arrival order.
		{"tie", 1, [][2]sim.Time{{0, 2 * sim.Second}, {sim.Second, sim.Second}}, "0:served@3s 1:served@3s"},
		// Capacity 2 halves every time.
		{"capacity 2", 2, [][2]sim.Time{{0, 2 * sim.Second}, {0, sim.Second}}, "1:served@1s 0:served@1.5s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := sim.New()
			ls := newLoadServer(t, e, LoadServerConfig{Name: "ps", Mode: ProcessorSharing, Capacity: tc.capacity})
			var r recorder
			for i, j := range tc.jobs {
				d := j[1]
				done := r.done(i)
				e.At(j[0], func() { ls.Submit(d, done) })
			}
			e.Run()
			if got := finishTimes(r.log); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// M/M/1-PS: mean sojourn 1/(mu - lambda) (Kleinrock 1976, vol. 2, 4.4),
// the same as FIFO, but with the processor-sharing code path.
func TestLoadServerPSMeanSojourn(t *testing.T) {
	const lambda, mu, seed = 0.5, 1.0, 11
	e := sim.New()
	r := rand.New(rand.NewPCG(seed, 1))
	ls := newLoadServer(t, e, LoadServerConfig{Name: "ps", Mode: ProcessorSharing, Capacity: 1})
	var arrive func()
	arrive = func() {
		ls.Submit(sim.Seconds(r.ExpFloat64()/mu), nil)
		e.After(sim.Seconds(r.ExpFloat64()/lambda), arrive)
	}
	e.At(0, arrive)
	e.RunUntil(1000 * sim.Second)
	ls.ResetStats()
	e.RunUntil(401000 * sim.Second)
	st := ls.Stats()
	want := 1 / (mu - lambda)
	if got := st.SojournSum / float64(st.Departures); math.Abs(got-want)/want > 0.03 {
		t.Fatalf("M/M/1-PS mean sojourn %v, want %v within 3%% (seed %d, %d departures)", got, want, seed, st.Departures)
	}
	if math.Abs(st.MeanInFlight-lambda/(mu-lambda)) > 0.05 {
		t.Fatalf("mean in flight %v, want %v", st.MeanInFlight, lambda/(mu-lambda))
	}
}

func TestLoadServerConcurrencyCap(t *testing.T) {
	e := sim.New()
	ls := newLoadServer(t, e, LoadServerConfig{Name: "cap", Mode: Linear, MaxConcurrent: 1, QueueCap: 1, CancelAbandoned: true})
	var r recorder
	ls.Submit(sim.Second, r.done(0))
	ls.Submit(sim.Second, r.done(1))
	ls.Submit(sim.Second, r.done(2)) // queue full
	if ls.InFlight() != 1 || ls.QueueLen() != 1 {
		t.Fatalf("in flight %d, queue %d", ls.InFlight(), ls.QueueLen())
	}
	e.Run()
	if got, want := finishTimes(r.log), "2:rejected@0s 0:served@1s 1:served@2s"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}

	e = sim.New()
	ls = newLoadServer(t, e, LoadServerConfig{Name: "cap", Mode: Linear, MaxConcurrent: 1, QueueCap: Unbounded, CancelAbandoned: true})
	r = recorder{}
	a := ls.Submit(sim.Second, r.done(0))
	b := ls.Submit(sim.Second, r.done(1))
	ls.Submit(sim.Second, r.done(2))
	if ls.Cancel(a) || !ls.Cancel(b) {
		t.Fatal("cancel: in-flight job must not cancel, queued job must")
	}
	e.Run()
	if got, want := finishTimes(r.log), "1:cancelled@0s 0:served@1s 2:served@2s"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestLoadServerConfigErrors(t *testing.T) {
	e := sim.New()
	for _, tc := range []struct {
		cfg   LoadServerConfig
		field string
	}{
		{LoadServerConfig{Name: "x"}, "Mode"},
		{LoadServerConfig{Name: "x", Mode: Linear, K: -1}, "K"},
		{LoadServerConfig{Name: "x", Mode: ProcessorSharing}, "Capacity"},
		{LoadServerConfig{Name: "x", Mode: ProcessorSharing, Capacity: math.Inf(1)}, "Capacity"},
		{LoadServerConfig{Name: "x", Mode: Linear, MaxConcurrent: -1}, "MaxConcurrent"},
		{LoadServerConfig{Name: "x", Mode: Linear, QueueCap: -5}, "QueueCap"},
	} {
		_, err := NewLoadServer(e, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v: error %v, want one naming %s", tc.cfg, err, tc.field)
		}
	}
}

func BenchmarkLoadServerPS(b *testing.B) {
	e := sim.New()
	r := rand.New(rand.NewPCG(1, 1))
	ls, _ := NewLoadServer(e, LoadServerConfig{Name: "ps", Mode: ProcessorSharing, Capacity: 1})
	done := func(Outcome, Timing) {}
	var arrive func()
	arrive = func() {
		ls.Submit(sim.Seconds(r.ExpFloat64()*0.9), done)
		e.After(sim.Seconds(r.ExpFloat64()), arrive)
	}
	e.At(0, arrive)
	for i := 0; i < 100000; i++ {
		e.Step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		e.Step()
	}
}

// Without CancelAbandoned a cancelled queued job is silenced but still
// takes its turn: zombie work.
func TestLoadServerZombie(t *testing.T) {
	e := sim.New()
	ls := newLoadServer(t, e, LoadServerConfig{Name: "z", Mode: Linear, MaxConcurrent: 1, QueueCap: Unbounded})
	var r recorder
	ls.Submit(sim.Second, r.done(0))
	z := ls.Submit(sim.Second, r.done(1))
	ls.Submit(sim.Second, r.done(2))
	if !ls.Cancel(z) || ls.Cancel(z) {
		t.Fatal("cancel of a queued job: want true once")
	}
	e.Run()
	if got, want := finishTimes(r.log), "0:served@1s 2:served@3s"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if st := ls.Stats(); st.Zombie != 1 || st.Served != 2 || st.Cancelled != 1 || st.Departures != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func ExampleLoadServer() {
	e := sim.New()
	// A payment provider that slows down by 50 ms per concurrent call.
	psp, _ := NewLoadServer(e, LoadServerConfig{Name: "psp", Mode: Linear, K: 50 * sim.Millisecond})
	for i := 0; i < 3; i++ {
		psp.Submit(200*sim.Millisecond, func(o Outcome, tm Timing) {
			fmt.Printf("call %d %v in %v\n", i, o, tm.Sojourn())
		})
	}
	e.Run()
	// Output:
	// call 0 served in 200ms
	// call 1 served in 250ms
	// call 2 served in 300ms
}

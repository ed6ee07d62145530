package service

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/queueing"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

const s = sim.Second

func newService(t testing.TB, e *sim.Engine, cfg Config) *Service {
	t.Helper()
	svc, err := New(e, cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// hold returns work that keeps the worker for d, then succeeds.
func hold(e *sim.Engine, d sim.Time) call.Handler {
	return call.HandlerFunc(func(_ *call.Ctx, done call.Reply) { e.After(d, func() { done(policy.Success) }) })
}

// reply is one request's answer.
type reply struct {
	At      sim.Time
	Outcome call.Outcome
}

func TestValidate(t *testing.T) {
	valid := func() Config {
		return Config{Name: "svc", Instances: 1, WorkersPerInstance: 1, CPU: &dist.Constant{},
			Autoscale: &AutoscaleConfig{Target: 0.6, Interval: s, Min: 1, Max: 2}}
	}
	cases := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"valid", func(*Config) {}, ""},
		{"name", func(c *Config) { c.Name = "" }, "name"},
		{"instances", func(c *Config) { c.Instances = 0 }, "instances"},
		{"workers", func(c *Config) { c.WorkersPerInstance = -1 }, "workers_per_instance"},
		{"cpu", func(c *Config) { c.CPU = nil }, "cpu"},
		{"max queue", func(c *Config) { c.MaxQueue = -1 }, "max_queue"},
		{"queue timeout", func(c *Config) { c.QueueTimeout = -s }, "queue_timeout"},
		{"cost", func(c *Config) { c.CostPerInstanceHour = -0.1 }, "cost_per_instance_hour"},
		{"target 0", func(c *Config) { c.Autoscale.Target = 0 }, "autoscale.target"},
		{"target above 1", func(c *Config) { c.Autoscale.Target = 1.2 }, "autoscale.target"},
		{"interval", func(c *Config) { c.Autoscale.Interval = 0 }, "autoscale.interval"},
		{"provision delay", func(c *Config) { c.Autoscale.ProvisionDelay = -s }, "autoscale.provision_delay"},
		{"min 0", func(c *Config) { c.Autoscale.Min = 0 }, "autoscale.max"},
		{"max below min", func(c *Config) { c.Autoscale.Min, c.Autoscale.Max = 3, 2 }, "autoscale.max"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := valid()
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
			if _, err := New(sim.New(), cfg, rand.New(rand.NewPCG(1, 1))); err == nil {
				t.Fatal("New accepted the invalid config")
			}
		})
	}
}

// A service with c workers, Poisson arrivals and exponential CPU is an
// M/M/c queue: its mean wait for a worker is Erlang C's Wq.
func TestMMcWait(t *testing.T) {
	cases := []struct {
		c      int
		lambda float64
		meanS  float64
	}{
		{1, 7, 0.1},   // rho 0.7
		{3, 2.4, 1},   // rho 0.8
		{8, 64, 0.1},  // rho 0.8
		{2, 1.9, 1.0}, // rho 0.95
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("c=%d/rho=%.2f", tc.c, tc.lambda*tc.meanS/float64(tc.c)), func(t *testing.T) {
			const seed, reps = 21, 10
			// Enough arrivals that the replication means are roughly
			// normal; more for the heavy rho = 0.95 case.
			n := 20_000
			if tc.lambda*tc.meanS/float64(tc.c) > 0.9 {
				n = 60_000
			}
			var wait stats.Summary
			for rep := 0; rep < reps; rep++ {
				e := sim.New()
				svc, err := New(e, Config{Name: "s", Instances: 1, WorkersPerInstance: tc.c,
					CPU: dist.MustParse(fmt.Sprintf("exponential(mean=%g)", tc.meanS))}, rand.New(rand.NewPCG(seed, uint64(rep))))
				if err != nil {
					t.Fatal(err)
				}
				arr := rand.New(rand.NewPCG(seed, uint64(1000+rep)))
				var sum float64
				var done int
				i := 0
				var next func()
				next = func() {
					i++
					warm := i <= n/10
					tr := new(call.Trace)
					svc.Handle(call.Root(nil, sim.Never, tr), nil, func(call.Outcome) {
						if !warm {
							sum += tr.Spans[call.SpanQueue].Seconds()
							done++
						}
					})
					if i < n {
						e.After(sim.Seconds(arr.ExpFloat64()/tc.lambda), next)
					}
				}
				e.At(0, next)
				e.Run()
				wait.Add(sum / float64(done))
			}
			want, err := queueing.MMcWait(tc.lambda, 1/tc.meanS, tc.c)
			if err != nil {
				t.Fatal(err)
			}
			lo, hi := wait.CI(0.999)
			if want < lo || want > hi {
				t.Fatalf("seed %d, %d reps of %d arrivals, lambda %v, mean CPU %v, c %d: mean wait %.4fs CI99.9 [%.4f, %.4f], Erlang C %.4fs",
					seed, reps, n, tc.lambda, tc.meanS, tc.c, wait.Mean(), lo, hi, want)
			}
		})
	}
}

// Admission: a bounded queue rejects at once, a queue timeout rejects
// after the wait, DropExpired skips work whose deadline passed in the
// queue, and a cancelled request is dropped before it queues.
func TestAdmission(t *testing.T) {
	ms := sim.Millisecond
	type req struct {
		deadline sim.Time // sim.Never: none
		cancel   bool     // abandoned with cancellation before Handle
	}
	plain := req{deadline: sim.Never}
	cases := []struct {
		name       string
		cfg        Config // CPU is constant(1s), one worker
		reqs       []req  // all at time 0, in order
		want       []reply
		overloaded int64
		dropped    int64
	}{
		{"unbounded queue serves in FIFO", Config{}, []req{plain, plain, plain},
			[]reply{{s, policy.Success}, {2 * s, policy.Success}, {3 * s, policy.Success}}, 0, 0},
		{"max queue 2 rejects the 4th and 5th at once", Config{MaxQueue: 2}, []req{plain, plain, plain, plain, plain},
			[]reply{{s, policy.Success}, {2 * s, policy.Success}, {3 * s, policy.Success}, {0, policy.Overloaded}, {0, policy.Overloaded}}, 2, 0},
		{"queue timeout 500ms", Config{QueueTimeout: 500 * ms}, []req{plain, plain, plain},
			[]reply{{s, policy.Success}, {500 * ms, policy.Overloaded}, {500 * ms, policy.Overloaded}}, 2, 0},
		{"queue timeout longer than the wait", Config{QueueTimeout: 1500 * ms}, []req{plain, plain, plain},
			[]reply{{s, policy.Success}, {2 * s, policy.Success}, {1500 * ms, policy.Overloaded}}, 1, 0},
		{"drop expired skips the expired request", Config{DropExpired: true}, []req{plain, {deadline: 500 * ms}, plain},
			[]reply{{s, policy.Success}, {s, policy.Timeout}, {2 * s, policy.Success}}, 0, 1},
		{"without drop expired it is served", Config{}, []req{plain, {deadline: 500 * ms}, plain},
			[]reply{{s, policy.Success}, {2 * s, policy.Success}, {3 * s, policy.Success}}, 0, 0},
		{"deadline passed on arrival, free worker", Config{DropExpired: true}, []req{{deadline: 0}, plain},
			[]reply{{0, policy.Timeout}, {s, policy.Success}}, 0, 1},
		{"deadline not yet passed is served", Config{DropExpired: true}, []req{plain, {deadline: 1500 * ms}},
			[]reply{{s, policy.Success}, {2 * s, policy.Success}}, 0, 0},
		{"cancelled before it queues", Config{}, []req{plain, {deadline: sim.Never, cancel: true}, plain},
			[]reply{{s, policy.Success}, {0, policy.Rejected}, {2 * s, policy.Success}}, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := sim.New()
			cfg := c.cfg
			cfg.Name, cfg.Instances, cfg.WorkersPerInstance, cfg.CPU = "s", 1, 1, &dist.Constant{V: 1}
			svc := newService(t, e, cfg)
			got := make([]reply, len(c.reqs))
			for i, r := range c.reqs {
				ctx := call.Root(nil, r.deadline, new(call.Trace))
				if r.cancel {
					ctx.Abandon(true)
				}
				svc.Handle(ctx, nil, func(o call.Outcome) { got[i] = reply{e.Now(), o} })
			}
			e.Run()
			for i := range c.want {
				if got[i] != c.want[i] {
					t.Errorf("request %d: replied %v at %v, want %v at %v", i, got[i].Outcome, got[i].At, c.want[i].Outcome, c.want[i].At)
				}
			}
			if svc.Requests != int64(len(c.reqs)) || svc.Overloaded != c.overloaded || svc.Dropped != c.dropped {
				t.Errorf("counters requests %d overloaded %d dropped %d, want %d %d %d", svc.Requests, svc.Overloaded, svc.Dropped, len(c.reqs), c.overloaded, c.dropped)
			}
			if n := svc.Workers().InUse(); n != 0 {
				t.Errorf("%d workers still held after the run", n)
			}
		})
	}
}

// The CPU time and the queueing are attributed to the request's trace.
func TestAttribution(t *testing.T) {
	e := sim.New()
	svc := newService(t, e, Config{Name: "s", Instances: 1, WorkersPerInstance: 1, CPU: &dist.Constant{V: 0.25}})
	var tr [2]call.Trace
	for i := range tr {
		svc.Handle(call.Root(nil, sim.Never, &tr[i]), hold(e, s), func(call.Outcome) {})
	}
	e.Run()
	// The first request holds the worker for 0.25 s CPU + 1 s of work.
	if q, cpu := tr[1].Spans[call.SpanQueue], tr[1].Spans[call.SpanCPU]; q != 1250*sim.Millisecond || cpu != 250*sim.Millisecond {
		t.Fatalf("second request: queueing %v cpu %v, want 1.25s and 250ms", q, cpu)
	}
}

// A scripted autoscaling run: workers held for exact periods, so every
// decision of the target-tracking controller (desired = ceil(instances x
// utilisation / target), clamped, scale-out after the provisioning delay,
// scale-in at once) and the instance-hours can be worked out by hand.
func TestAutoscale(t *testing.T) {
	type at struct {
		t    sim.Time
		want int
	}
	cases := []struct {
		name     string
		requests int // each holds a worker for 100 s, all arriving at 0
		max      int
		end      sim.Time
		timeline []at
		// instance-seconds over [0, end], by hand
		instSeconds float64
	}{
		{
			// 2 workers busy until 100 s. Tick 10 s: utilisation 1,
			// desired ceil(1 x 1 / 0.5) = 2: one instance ordered, ready
			// at 35 s. Ticks 40..100 s: utilisation 2/4, desired 2. Tick
			// 110 s: utilisation 0, desired 0 -> min 1: scale in at once.
			name: "out under load, in when idle", requests: 2, max: 3, end: 200 * s,
			timeline:    []at{{34 * s, 1}, {36 * s, 2}, {109 * s, 2}, {111 * s, 1}, {199 * s, 1}},
			instSeconds: 1*35 + 2*(110-35) + 1*(200-110),
		},
		{
			// 10 requests keep every worker busy until 300 s (2 start at
			// 0, 2 at 35 s when the second instance adds its workers,
			// then 2 more every time a pair ends: 100, 135, 200 s; the
			// last end at 300 s). Desired reaches 3 at the 40 s tick but
			// is clamped to max 2; scale-in to 1 at the 310 s tick.
			name: "clamped at max", requests: 10, max: 2, end: 400 * s,
			timeline:    []at{{34 * s, 1}, {36 * s, 2}, {150 * s, 2}, {305 * s, 2}, {311 * s, 1}},
			instSeconds: 1*35 + 2*(310-35) + 1*(400-310),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := sim.New()
			svc := newService(t, e, Config{Name: "s", Instances: 1, WorkersPerInstance: 2, CPU: &dist.Constant{},
				CostPerInstanceHour: 3.6,
				Autoscale:           &AutoscaleConfig{Target: 0.5, Interval: 10 * s, ProvisionDelay: 25 * s, Min: 1, Max: c.max}})
			var finished []sim.Time
			for i := 0; i < c.requests; i++ {
				svc.Handle(call.Background(), hold(e, 100*s), func(call.Outcome) { finished = append(finished, e.Now()) })
			}
			most := 0
			e.Every(s, s, func(sim.Time) { most = max(most, svc.Instances()) })
			for _, p := range c.timeline {
				e.At(p.t, func() {
					if got := svc.Instances(); got != p.want {
						t.Errorf("at %v: %d instances, want %d", p.t, got, p.want)
					}
					if got := svc.Workers().Size(); got != 2*p.want {
						t.Errorf("at %v: %d workers, want %d", p.t, got, 2*p.want)
					}
				})
			}
			e.RunUntil(c.end)
			if len(finished) != c.requests {
				t.Fatalf("%d of %d requests finished", len(finished), c.requests)
			}
			if most > c.max {
				t.Fatalf("%d instances at some second, above max %d", most, c.max)
			}
			wantHours := c.instSeconds / 3600
			if got := svc.InstanceHours(c.end); math.Abs(got-wantHours) > 1e-9 {
				t.Fatalf("InstanceHours = %.6f, want %.6f (%v instance-seconds)", got, wantHours, c.instSeconds)
			}
			if got, want := svc.Cost(c.end), wantHours*3.6; math.Abs(got-want) > 1e-9 {
				t.Fatalf("Cost = %.6f, want %.6f", got, want)
			}
		})
	}
}

// Without autoscaling the cost is instances x hours x price, and the
// utilisation is the busy worker-time over the worker-time available.
func TestCostAndUtilisation(t *testing.T) {
	e := sim.New()
	svc := newService(t, e, Config{Name: "s", Instances: 3, WorkersPerInstance: 2, CPU: &dist.Constant{}, CostPerInstanceHour: 0.5})
	// One worker busy for 30 min, two for the next 30 min, then idle.
	svc.Handle(call.Background(), hold(e, 60*sim.Minute), func(call.Outcome) {})
	e.At(30*sim.Minute, func() { svc.Handle(call.Background(), hold(e, 30*sim.Minute), func(call.Outcome) {}) })
	var b0, a0, b1, a1 float64 // worker-seconds read as the run passes 30 min and 1 h
	e.At(30*sim.Minute, func() { b0, a0 = svc.WorkerSeconds(e.Now()) })
	e.At(sim.Hour, func() { b1, a1 = svc.WorkerSeconds(e.Now()) })
	end := 2 * sim.Hour
	e.RunUntil(end)
	if got := svc.InstanceHours(end); math.Abs(got-6) > 1e-9 {
		t.Fatalf("InstanceHours = %v, want 3 instances x 2 h = 6", got)
	}
	if got := svc.Cost(end); math.Abs(got-3) > 1e-9 {
		t.Fatalf("Cost = %v, want 6 instance-hours x 0.5 = 3", got)
	}
	// Busy worker-hours 0.5 + 2 x 0.5 = 1.5 out of 6 workers x 2 h.
	if got, want := svc.Utilisation(end), 1.5/12; math.Abs(got-want) > 1e-9 {
		t.Fatalf("Utilisation = %v, want %v", got, want)
	}
	// The window [30 min, 1 h] as a difference of worker-seconds: two of
	// six workers busy, a third, which the idle hour after it hides.
	if got, want := (b1-b0)/(a1-a0), 2.0/6; math.Abs(got-want) > 1e-9 || math.Abs(a1-a0-6*1800) > 1e-6 {
		t.Fatalf("window utilisation = %v over %v worker-seconds, want %v over %v", got, a1-a0, want, 6*1800)
	}
}

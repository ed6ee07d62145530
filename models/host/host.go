// Package host models the machine's CPU when the database and the services
// share one host (the testbed's 2-core machine; a single-VM deployment).
// Without it every statement and request takes its calibrated light-load
// time whatever the machine's load; with it, the part of that time that is
// CPU work runs on the host's cores, shared by everything in flight, so a
// busy host stretches every statement of an open transaction at once and
// row locks are held longer.
//
// The cores are a processor-sharing station shared by the n jobs in flight
// and by the machine's other work, BackgroundLoad runnable threads on
// average (as Linux's scheduler shares them, roughly): each job gets
// min(1, Cores/(n + BackgroundLoad)) of a core. Speeds are relative to a
// job alone, which runs at speed 1, because the light-load times the jobs
// were calibrated with were measured under that same background: an
// activity keeps its calibrated time on a host with nothing else of the
// model's in flight, and only the slowdown from sharing is added.
package host

import (
	"container/heap"
	"fmt"
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Config describes the shared host. The zero value (Cores 0) leaves the
// host out of the model.
type Config struct {
	// Cores is the number of CPU cores the database and the services share
	// (0: not modelled; every statement and request takes its light-load
	// time whatever the load).
	Cores int
	// StatementCPU is the host CPU time of one database statement (the
	// database backend's and the client driver's), in seconds (nil: none).
	StatementCPU dist.Dist
	// RequestCPU is the host CPU time of one service request (both ends of
	// the hop: HTTP framing, routing, the handler), in seconds (nil: none):
	// the first part of the request's service time, at most all of it.
	RequestCPU dist.Dist
	// BackgroundLoad is the other work on the machine (processes outside
	// the model), as the mean number of its threads wanting a core: a load
	// average. >= 0.
	BackgroundLoad float64
}

// Enabled reports whether the host is modelled.
func (c *Config) Enabled() bool { return c.Cores > 0 }

// Speed is the progress per second of each of n jobs in flight, relative
// to a job alone: min(1, Cores/(n+B)) / min(1, Cores/(1+B)) with B the
// background load.
func (c *Config) Speed(n int) float64 {
	cores, b := float64(c.Cores), c.BackgroundLoad
	return min(1, cores/(float64(n)+b)) / min(1, cores/(1+b))
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Cores < 0 {
		errs = append(errs, check.Field("cores", "must be >= 0 (0: not modelled), got %d", c.Cores))
	}
	if !(c.BackgroundLoad >= 0 && c.BackgroundLoad <= 1e6) {
		errs = append(errs, check.Field("background_load", "must be a number of runnable threads in [0, 1e6], got %v", c.BackgroundLoad))
	}
	if c.Cores == 0 && (c.StatementCPU != nil || c.RequestCPU != nil || c.BackgroundLoad != 0) {
		errs = append(errs, check.Field("cores", "must be >= 1 when statement_cpu, request_cpu or background_load is set (0: not modelled)"))
	}
	return check.Join(errs...)
}

// Host is the shared CPU of one simulation: a processor-sharing station.
type Host struct {
	cfg   Config
	eng   *sim.Engine
	r     *rand.Rand
	speed []float64 // speed[n]: Config.Speed(n), grown as n is met

	// Every job in flight has received v seconds of work (at speed 1) since
	// the station was built, counted up to vAt; a job ends when v reaches
	// its tag = v(arrival) + demand. heap orders the jobs in flight by tag.
	v    float64
	vAt  sim.Time
	seq  uint64
	heap jobHeap
	next sim.Timer
	fire func() // bound once: h.onNext

	free sim.FreeList[job]

	// Jobs counts the jobs run, Demand their CPU seconds.
	Jobs   int64
	Demand float64
	inUse  stats.TimeWeighted // cores in use by the modelled work
}

type job struct {
	tag  float64
	seq  uint64
	done func()
}

// New builds the host on engine e, drawing CPU times from r. It returns nil
// (no host) when cfg does not model one.
func New(e *sim.Engine, cfg Config, r *rand.Rand) (*Host, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	if !cfg.Enabled() {
		return nil, nil
	}
	h := &Host{cfg: cfg, eng: e, r: r, speed: []float64{0}}
	h.fire = h.onNext
	return h, nil
}

// StatementCPU draws the CPU part of a statement whose light-load time is
// d: a draw of StatementCPU, at most d (the CPU work was part of the
// measured time); 0 without StatementCPU.
func (h *Host) StatementCPU(d sim.Time) sim.Time { return h.part(h.cfg.StatementCPU, d) }

// RequestCPU draws the CPU part of a request whose light-load time in its
// service (services[].cpu) is d, as StatementCPU does.
func (h *Host) RequestCPU(d sim.Time) sim.Time { return h.part(h.cfg.RequestCPU, d) }

func (h *Host) part(cpu dist.Dist, d sim.Time) sim.Time {
	if cpu == nil || d <= 0 {
		return 0
	}
	return min(sim.Seconds(cpu.Sample(h.r)), d)
}

// Run runs demand of CPU work on the shared cores and calls done when it
// is finished: demand later when no more jobs than cores are in flight,
// later when they share the cores. A demand <= 0 calls done at once.
func (h *Host) Run(demand sim.Time, done func()) {
	if demand <= 0 {
		done()
		return
	}
	now := h.eng.Now()
	h.advance(now)
	j := h.free.Get(newJob)
	h.seq++
	j.tag, j.seq, j.done = h.v+demand.Seconds(), h.seq, done
	h.Jobs++
	h.Demand += demand.Seconds()
	heap.Push(&h.heap, j)
	h.setInUse(now)
	h.reschedule(now)
}

func newJob() *job { return new(job) }

// speedOf is the work per second each of n >= 1 jobs in flight receives.
func (h *Host) speedOf(n int) float64 {
	for len(h.speed) <= n {
		h.speed = append(h.speed, h.cfg.Speed(len(h.speed)))
	}
	return h.speed[n]
}

// advance brings v up to now.
func (h *Host) advance(now sim.Time) {
	if n := len(h.heap); n > 0 {
		h.v += (now - h.vAt).Seconds() * h.speedOf(n)
	}
	h.vAt = now
}

// reschedule replaces the completion event with one for the job with the
// smallest tag.
func (h *Host) reschedule(now sim.Time) {
	h.eng.Cancel(h.next)
	h.next = sim.Timer{}
	if len(h.heap) == 0 {
		return
	}
	rest := max(h.heap[0].tag-h.v, 0)
	h.next = h.eng.At(now+sim.Seconds(rest/h.speedOf(len(h.heap))), h.fire)
}

func (h *Host) onNext() {
	now := h.eng.Now()
	h.advance(now)
	h.next = sim.Timer{}
	j := heap.Pop(&h.heap).(*job)
	// The event was computed for this job: pin v to its tag so that
	// rounding event times to nanoseconds never accumulates.
	h.v = max(h.v, j.tag)
	done := j.done
	*j = job{}
	h.free.Put(j)
	h.setInUse(now)
	h.reschedule(now)
	done()
}

// setInUse records the cores the modelled jobs hold: n jobs each at
// min(1, Cores/(n+B)) of a core.
func (h *Host) setInUse(now sim.Time) {
	n := float64(len(h.heap))
	h.inUse.Set(now, n*min(1, float64(h.cfg.Cores)/(n+h.cfg.BackgroundLoad)))
}

// InFlight returns the number of jobs sharing the cores now.
func (h *Host) InFlight() int { return len(h.heap) }

// Utilisation is the mean fraction of all the cores busy with the
// modelled work since the start (the background's share not included).
func (h *Host) Utilisation(now sim.Time) float64 {
	return h.inUse.Mean(now) / float64(h.cfg.Cores)
}

// jobHeap orders the jobs in flight by tag, then by arrival.
type jobHeap []*job

func (q jobHeap) Len() int { return len(q) }
func (q jobHeap) Less(i, j int) bool {
	return q[i].tag < q[j].tag || (q[i].tag == q[j].tag && q[i].seq < q[j].seq)
}
func (q jobHeap) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *jobHeap) Push(x any)   { *q = append(*q, x.(*job)) }
func (q *jobHeap) Pop() any {
	old := *q
	j := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return j
}

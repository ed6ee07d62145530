package resource

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/sim"
)

// LoadMode selects how a LoadServer's latency depends on its load.
type LoadMode uint8

const (
	// Linear: a job's latency is base + K * (jobs in flight when it starts,
	// not counting itself). The base is sampled by the caller and passed to
	// Submit. A simple, widely used model of a dependency that degrades
	// linearly with concurrency (a payment provider behind a shared pool).
	Linear LoadMode = iota + 1
	// ProcessorSharing: the server has Capacity units of work per second,
	// shared equally by the n jobs in flight (each progresses at Capacity/n).
	// The demand passed to Submit is the job's work in seconds at speed 1.
	// The next completion is rescheduled on every arrival and departure.
	// M/G/1-PS has mean sojourn E[S]/(1-rho) for any service distribution
	// (Kleinrock, Queueing Systems Vol. 2, 1976, sec. 4.4).
	ProcessorSharing
	// Slowdown: the Linear law applied continuously. Every job in flight
	// progresses at speed Reference / (Reference + K*(n-1)) with n jobs in
	// flight, so a job of demand Reference that sees n constant takes
	// Reference + K*(n-1), and jobs already running slow down when more
	// arrive (as on a shared CPU or connection pool), unlike Linear where
	// a job's latency is fixed when it starts. This is the dependency of
	// the metastable-failure literature: "latency is 1 s + 10 ms per
	// request in flight".
	Slowdown
)

func (m LoadMode) String() string {
	switch m {
	case Linear:
		return "linear"
	case ProcessorSharing:
		return "processor-sharing"
	case Slowdown:
		return "slowdown"
	}
	return fmt.Sprintf("LoadMode(%d)", uint8(m))
}

// LoadServerConfig configures a LoadServer.
type LoadServerConfig struct {
	Name string
	Mode LoadMode
	// K is the Linear and Slowdown modes' extra latency per other job in
	// flight (>= 0).
	K sim.Time
	// Reference is the Slowdown mode's reference demand (> 0): the job
	// size for which K is stated, usually the mean base latency.
	Reference sim.Time
	// Capacity is the ProcessorSharing mode's total speed (> 0); 1 means a
	// job alone takes exactly its demand.
	Capacity float64
	// MaxConcurrent caps the jobs in flight (0 = no cap). Jobs beyond the
	// cap wait in a FIFO queue.
	MaxConcurrent int
	// QueueCap limits that queue: Unbounded (-1), 0 (reject when at the
	// cap) or n > 0. Ignored without MaxConcurrent.
	QueueCap int
	// CancelAbandoned: as in StationConfig, whether Cancel removes a queued
	// job (true) or leaves it as zombie work (false).
	CancelAbandoned bool
}

// LoadServerStats is the accounting of a LoadServer over its window.
type LoadServerStats struct {
	Name         string
	Window       sim.Time
	Arrivals     int64
	Rejected     int64
	Started      int64
	Served       int64
	Zombie       int64
	Cancelled    int64
	Departures   int64
	WaitSum      float64 // seconds queued before starting, over Started
	SojournSum   float64 // seconds from Submit to leaving, over Departures
	MeanInFlight float64
	MeanQueue    float64
	MeanInSystem float64
	MaxInFlight  int
	MaxQueue     int
}

type loadJob struct {
	state   jobState
	silent  bool
	outcome Outcome
	demand  sim.Time
	arrived sim.Time
	started sim.Time
	timer   sim.Timer
	done    func(Outcome, Timing)
	fire    func()
}

// LoadServer is a server whose latency grows with the number of jobs in
// flight; see LoadMode.
type LoadServer struct {
	e        *sim.Engine
	cfg      LoadServerConfig
	inflight level
	queue    level
	q        fifo
	jobs     sim.Slots[loadJob]
	st       LoadServerStats
	seq      uint64
	// Processor sharing: virtual time V advances at Capacity/n per second
	// (the work each in-flight job has received); a job finishes when V
	// reaches its tag = V(start) + demand. heap holds the in-flight jobs
	// by (tag, seq), their keys inline so that a sift reads no job.
	v      float64
	vAt    sim.Time
	heap   []psEntry
	psNext sim.Timer
	psFire func()
}

// NewLoadServer returns a load-dependent server driven by e.
func NewLoadServer(e *sim.Engine, cfg LoadServerConfig) (*LoadServer, error) {
	if e == nil {
		return nil, fmt.Errorf("resource: load server %q: engine is nil", cfg.Name)
	}
	switch cfg.Mode {
	case Linear:
		if cfg.K < 0 {
			return nil, fmt.Errorf("resource: load server %q: K = %v, want >= 0", cfg.Name, cfg.K)
		}
	case ProcessorSharing:
		if !(cfg.Capacity > 0) || !finite(cfg.Capacity) {
			return nil, fmt.Errorf("resource: load server %q: Capacity = %v, want a finite value > 0", cfg.Name, cfg.Capacity)
		}
	case Slowdown:
		if cfg.K < 0 {
			return nil, fmt.Errorf("resource: load server %q: K = %v, want >= 0", cfg.Name, cfg.K)
		}
		if cfg.Reference <= 0 {
			return nil, fmt.Errorf("resource: load server %q: Reference = %v, want > 0", cfg.Name, cfg.Reference)
		}
	default:
		return nil, fmt.Errorf("resource: load server %q: Mode = %d, want Linear, ProcessorSharing or Slowdown", cfg.Name, cfg.Mode)
	}
	if cfg.MaxConcurrent < 0 {
		return nil, fmt.Errorf("resource: load server %q: MaxConcurrent = %d, want >= 0 (0 = no cap)", cfg.Name, cfg.MaxConcurrent)
	}
	if cfg.QueueCap < Unbounded {
		return nil, fmt.Errorf("resource: load server %q: QueueCap = %d, want -1 (unbounded), 0 or > 0", cfg.Name, cfg.QueueCap)
	}
	ls := &LoadServer{e: e, cfg: cfg}
	ls.psFire = ls.onPS
	ls.ResetStats()
	return ls, nil
}

// InFlight returns the number of jobs being served.
func (ls *LoadServer) InFlight() int { return ls.inflight.v }

// QueueLen returns the number of jobs waiting for a concurrency slot.
func (ls *LoadServer) QueueLen() int { return ls.queue.v }

// Submit offers a job: demand is the base latency (Linear) or the work in
// seconds at speed 1 (ProcessorSharing). done follows the Station
// conventions: exactly once, from an engine event, with Served, Rejected or
// Cancelled (never for a job silenced by Cancel without CancelAbandoned).
func (ls *LoadServer) Submit(demand sim.Time, done func(Outcome, Timing)) Ticket {
	if demand < 0 {
		demand = 0
	}
	now := ls.e.Now()
	ls.st.Arrivals++
	slot := ls.alloc()
	j := ls.jobs.At(slot)
	j.state = jobWaiting
	j.silent = false
	j.demand = demand
	j.arrived = now
	j.started = NotStarted
	j.done = done
	t := Ticket{slot: slot, gen: ls.jobs.Gen(slot)}
	if !ls.capped() && ls.queue.v == 0 {
		ls.start(slot)
		return t
	}
	if ls.cfg.QueueCap != Unbounded && ls.queue.v >= ls.cfg.QueueCap {
		ls.st.Rejected++
		j.state = jobNotify
		j.outcome = Rejected
		j.timer = ls.e.After(0, j.fire)
		return t
	}
	ls.q.push(ref{slot: slot, gen: ls.jobs.Gen(slot)})
	ls.queue.add(now, 1)
	return t
}

// Cancel follows Station.Cancel: only a queued job can be cancelled; a job
// in flight completes and reports Served.
func (ls *LoadServer) Cancel(t Ticket) bool {
	j := ls.lookup(t)
	if j == nil || j.state != jobWaiting || j.silent {
		return false
	}
	ls.st.Cancelled++
	if !ls.cfg.CancelAbandoned {
		j.silent = true
		return true
	}
	now := ls.e.Now()
	ls.queue.add(now, -1)
	ls.st.Departures++
	ls.st.SojournSum += seconds(now - j.arrived)
	ls.jobs.Bump(t.slot)
	if ls.q.needsCompaction(ls.queue.v) {
		ls.q.compact(ls.live)
	}
	j.state = jobNotify
	j.outcome = Cancelled
	j.timer = ls.e.After(0, j.fire)
	return true
}

// ResetStats starts a new statistics window at the current time.
func (ls *LoadServer) ResetStats() {
	now := ls.e.Now()
	ls.st = LoadServerStats{Name: ls.cfg.Name}
	ls.inflight.reset(now)
	ls.queue.reset(now)
}

// Stats returns the accounting of the current window.
func (ls *LoadServer) Stats() LoadServerStats {
	now := ls.e.Now()
	st := ls.st
	st.Window = now - ls.queue.start
	st.MeanInFlight = ls.inflight.mean(now)
	st.MeanQueue = ls.queue.mean(now)
	st.MeanInSystem = st.MeanInFlight + st.MeanQueue
	st.MaxInFlight = ls.inflight.max
	st.MaxQueue = ls.queue.max
	return st
}

func (ls *LoadServer) capped() bool {
	return ls.cfg.MaxConcurrent > 0 && ls.inflight.v >= ls.cfg.MaxConcurrent
}

func (ls *LoadServer) lookup(t Ticket) *loadJob {
	if !ls.jobs.Valid(t.slot, t.gen) {
		return nil
	}
	j := ls.jobs.At(t.slot)
	if j.state == jobFree {
		return nil
	}
	return j
}

func (ls *LoadServer) live(r ref) bool {
	return ls.jobs.Gen(r.slot) == r.gen && ls.jobs.At(r.slot).state == jobWaiting
}

func (ls *LoadServer) alloc() int32 {
	slot, fresh := ls.jobs.Alloc()
	if fresh {
		ls.jobs.At(slot).fire = func() { ls.onTimer(slot) }
	}
	return slot
}

func (ls *LoadServer) release(slot int32) {
	j := ls.jobs.At(slot)
	j.state = jobFree
	j.done = nil
	j.timer = sim.Timer{}
	ls.jobs.Release(slot)
}

func (ls *LoadServer) start(slot int32) {
	now := ls.e.Now()
	j := ls.jobs.At(slot)
	j.state = jobInService
	j.started = now
	ls.st.Started++
	ls.st.WaitSum += seconds(now - j.arrived)
	others := ls.inflight.v
	switch ls.cfg.Mode {
	case Linear:
		ls.inflight.add(now, 1)
		j.timer = ls.e.After(j.demand+ls.cfg.K*sim.Time(others), j.fire)
	case ProcessorSharing, Slowdown:
		ls.advance(now)
		ls.inflight.add(now, 1)
		ls.seq++
		ls.heapPush(psEntry{tag: ls.v + seconds(j.demand), seq: ls.seq, slot: slot})
		ls.reschedule(now)
	}
}

// speed returns the work per second each in-flight job receives with n in
// flight: Capacity/n for processor sharing, Reference/(Reference+K(n-1))
// for slowdown.
func (ls *LoadServer) speed(n int) float64 {
	if ls.cfg.Mode == Slowdown {
		ref := float64(ls.cfg.Reference)
		return ref / (ref + float64(ls.cfg.K)*float64(n-1))
	}
	return ls.cfg.Capacity / float64(n)
}

// advance brings the virtual time (work received by each in-flight job) up
// to now.
func (ls *LoadServer) advance(now sim.Time) {
	if n := ls.inflight.v; n > 0 {
		ls.v += seconds(now-ls.vAt) * ls.speed(n)
	}
	ls.vAt = now
}

// reschedule replaces the single completion event with one for the job
// with the smallest tag: it needs (tag - V) more work at speed(n) per
// second.
func (ls *LoadServer) reschedule(now sim.Time) {
	ls.e.Cancel(ls.psNext)
	ls.psNext = sim.Timer{}
	if len(ls.heap) == 0 {
		return
	}
	rest := ls.heap[0].tag - ls.v
	if rest < 0 {
		rest = 0
	}
	d := sim.Seconds(rest / ls.speed(len(ls.heap)))
	ls.psNext = ls.e.At(now+d, ls.psFire)
}

func (ls *LoadServer) onPS() {
	now := ls.e.Now()
	ls.advance(now)
	top := ls.heapPop()
	slot := top.slot
	// The event was computed for this job: pin V to its tag so rounding
	// of event times to nanoseconds never accumulates.
	if top.tag > ls.v {
		ls.v = top.tag
	}
	ls.psNext = sim.Timer{}
	ls.complete(slot)
	ls.reschedule(ls.e.Now())
}

func (ls *LoadServer) onTimer(slot int32) {
	j := ls.jobs.At(slot)
	switch j.state {
	case jobInService:
		ls.complete(slot)
	case jobNotify:
		done, o := j.done, j.outcome
		tm := Timing{Arrived: j.arrived, Started: NotStarted, Finished: ls.e.Now()}
		ls.release(slot)
		if done != nil {
			done(o, tm)
		}
	}
}

// complete finishes an in-flight job, starts queued jobs and calls done.
func (ls *LoadServer) complete(slot int32) {
	now := ls.e.Now()
	j := ls.jobs.At(slot)
	ls.inflight.add(now, -1)
	ls.st.Departures++
	ls.st.SojournSum += seconds(now - j.arrived)
	done, silent := j.done, j.silent
	tm := Timing{Arrived: j.arrived, Started: j.started, Finished: now}
	if silent {
		ls.st.Zombie++
	} else {
		ls.st.Served++
	}
	ls.release(slot)
	for !ls.capped() && ls.queue.v > 0 {
		r := ls.q.pop()
		if !ls.live(r) {
			continue
		}
		ls.queue.add(now, -1)
		ls.start(r.slot)
	}
	if !silent && done != nil {
		done(Served, tm)
	}
}

// psEntry is an in-flight job in the processor-sharing heap.
type psEntry struct {
	tag  float64 // the virtual time at which the job completes
	seq  uint64  // start order: ties of tag complete in it
	slot int32
}

func psLess(a, b *psEntry) bool {
	return a.tag < b.tag || (a.tag == b.tag && a.seq < b.seq)
}

func (ls *LoadServer) heapPush(x psEntry) {
	ls.heap = append(ls.heap, x)
	h := ls.heap
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !psLess(&x, &h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

func (ls *LoadServer) heapPop() psEntry {
	h := ls.heap
	top := h[0]
	n := len(h) - 1
	x := h[n]
	h = h[:n]
	ls.heap = h
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if r := c + 1; r < n && psLess(&h[r], &h[c]) {
			c = r
		}
		if !psLess(&h[c], &x) {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = x
	return top
}

package resource

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/sim"
)

// StationConfig configures a Station.
type StationConfig struct {
	Name string
	// Servers is the number of parallel servers c (at least 1; SetServers
	// can later change it, to 0 as well).
	Servers int
	// QueueCap is the waiting room: Unbounded (-1) for no limit, 0 for none
	// (a loss system: a job that finds every server busy is rejected), n > 0
	// for at most n waiting jobs. A job that arrives to a full queue is
	// Rejected.
	QueueCap int
	// MaxQueueTime is how long a job may wait for service before its client
	// gives up (Reneged); 0 means no limit. SubmitPatience overrides it per
	// job.
	MaxQueueTime sim.Time
	// CancelAbandoned decides what happens to the work of a client that gave
	// up while queued (renege or Cancel). True: the job leaves the queue.
	// False: the client is told (Reneged) or silenced (Cancel), but the job
	// stays queued and is still served: "zombie" work that consumes
	// capacity nobody is waiting for, which is what keeps a metastable
	// overload going after its trigger is gone.
	CancelAbandoned bool
}

// StationStats is the accounting of a Station over its statistics window.
type StationStats struct {
	Name       string
	Window     sim.Time // length of the window (since creation or ResetStats)
	Arrivals   int64    // Submit calls
	Rejected   int64    // turned away by a full queue
	Started    int64    // began service (zombies included)
	Delayed    int64    // began service after queueing (found all servers busy)
	Served     int64    // completed with the client still waiting
	Zombie     int64    // completed after the client had given up
	Reneged    int64    // clients that hit their patience while queued
	Cancelled  int64    // successful Cancel calls
	Departures int64    // admitted jobs that left: completions and removals
	WaitSum    float64  // seconds queued, summed over Started jobs
	SojournSum float64  // seconds in the station, summed over Departures
	// Time averages over the window.
	MeanQueue    float64
	MeanBusy     float64
	MeanInSystem float64
	MaxQueue     int
}

// MeanWait returns WaitSum/Started (0 if nothing started).
func (s StationStats) MeanWait() float64 {
	if s.Started == 0 {
		return 0
	}
	return s.WaitSum / float64(s.Started)
}

// MeanSojourn returns SojournSum/Departures (0 if nothing departed).
func (s StationStats) MeanSojourn() float64 {
	if s.Departures == 0 {
		return 0
	}
	return s.SojournSum / float64(s.Departures)
}

type jobState uint8

const (
	jobFree jobState = iota
	jobWaiting
	jobInService
	jobNotify // outcome decided; done is delivered by an event at the current time
)

type stationJob struct {
	state    jobState
	silent   bool // the client has gone: never call done again
	queued   bool
	outcome  Outcome
	service  sim.Time
	arrived  sim.Time
	started  sim.Time
	patience sim.Time
	timer    sim.Timer
	done     func(Outcome, Timing)
	fire     func() // prebound s.onTimer(slot); created once per slot
}

// Station is a c-server FIFO queue: the M/M/c (or G/G/c) station of
// queueing theory, with finite waiting room, reneging and cancellation.
// Each job occupies one server for its service time.
type Station struct {
	e       *sim.Engine
	cfg     StationConfig
	servers int
	busy    level
	queue   level // live waiters (zombies included)
	q       fifo
	jobs    sim.Slots[stationJob]
	st      StationStats
}

// NewStation returns a station driven by e. Errors name the invalid field.
func NewStation(e *sim.Engine, cfg StationConfig) (*Station, error) {
	if e == nil {
		return nil, fmt.Errorf("resource: station %q: engine is nil", cfg.Name)
	}
	if cfg.Servers < 1 {
		return nil, fmt.Errorf("resource: station %q: Servers = %d, want >= 1", cfg.Name, cfg.Servers)
	}
	if cfg.QueueCap < Unbounded {
		return nil, fmt.Errorf("resource: station %q: QueueCap = %d, want -1 (unbounded), 0 (no queue) or > 0", cfg.Name, cfg.QueueCap)
	}
	if cfg.MaxQueueTime < 0 {
		return nil, fmt.Errorf("resource: station %q: MaxQueueTime = %v, want >= 0 (0 = no limit)", cfg.Name, cfg.MaxQueueTime)
	}
	s := &Station{e: e, cfg: cfg, servers: cfg.Servers}
	s.ResetStats()
	return s, nil
}

// Config returns the configuration the station was created with.
func (s *Station) Config() StationConfig { return s.cfg }

// Busy returns the number of servers currently serving a job.
func (s *Station) Busy() int { return s.busy.v }

// QueueLen returns the number of jobs waiting (zombies included).
func (s *Station) QueueLen() int { return s.queue.v }

// Servers returns the current number of servers.
func (s *Station) Servers() int { return s.servers }

// SetServers changes the number of servers (autoscaling). More servers
// start queued jobs at once; fewer let busy servers finish their current
// job, and a freed server only takes new work while Busy < c.
func (s *Station) SetServers(c int) error {
	if c < 0 {
		return fmt.Errorf("resource: station %q: SetServers(%d), want >= 0", s.cfg.Name, c)
	}
	s.servers = c
	s.startWaiting()
	return nil
}

// Submit offers a job needing the given service time. done is called
// exactly once, from an engine event, with Served, Rejected (at the current
// time if the queue is full), Reneged or Cancelled; the only exception is a
// job silenced by Cancel when CancelAbandoned is false. done may be nil.
// The job uses the station's MaxQueueTime as its patience.
func (s *Station) Submit(service sim.Time, done func(Outcome, Timing)) Ticket {
	p := s.cfg.MaxQueueTime
	if p == 0 {
		p = sim.Never
	}
	return s.SubmitPatience(service, p, done)
}

// SubmitPatience is Submit with a per-job patience: the client reneges if
// service has not started after waiting patience (sim.Never: no limit; 0:
// reneges at once if it has to queue). This models per-customer patience,
// e.g. exponential patience in the Erlang-A model.
func (s *Station) SubmitPatience(service, patience sim.Time, done func(Outcome, Timing)) Ticket {
	if service < 0 {
		service = 0
	}
	now := s.e.Now()
	s.st.Arrivals++
	slot := s.alloc()
	j := s.jobs.At(slot)
	j.state = jobWaiting
	j.silent = false
	j.queued = false
	j.service = service
	j.arrived = now
	j.started = NotStarted
	j.patience = patience
	j.done = done
	t := Ticket{slot: slot, gen: s.jobs.Gen(slot)}
	if s.busy.v < s.servers && s.queue.v == 0 {
		s.start(slot)
		return t
	}
	if s.cfg.QueueCap != Unbounded && s.queue.v >= s.cfg.QueueCap {
		s.st.Rejected++
		s.notify(slot, Rejected)
		return t
	}
	j.queued = true
	s.q.push(ref{slot: slot, gen: s.jobs.Gen(slot)})
	s.queue.add(now, 1)
	if patience != sim.Never {
		j.timer = s.e.After(patience, j.fire)
	}
	return t
}

// Cancel is the client giving up from outside (a client timeout). On a
// queued job it returns true and: with CancelAbandoned, removes the job and
// delivers done(Cancelled) from an event at the current time; without it,
// silences the job (done is never called) but leaves the work queued, to be
// served as a zombie. It returns false, changing nothing, for a job in
// service (service is not interruptible: it completes and done reports
// Served), for a job already finished or silenced, and for a stale ticket.
func (s *Station) Cancel(t Ticket) bool {
	j := s.lookup(t)
	if j == nil || j.state != jobWaiting || j.silent {
		return false
	}
	s.st.Cancelled++
	s.e.Cancel(j.timer)
	if !s.cfg.CancelAbandoned {
		j.silent = true
		return true
	}
	s.leaveQueue(t.slot)
	s.notify(t.slot, Cancelled)
	return true
}

// ResetStats starts a new statistics window at the current time (use it at
// the end of a warm-up). Current levels carry over.
func (s *Station) ResetStats() {
	now := s.e.Now()
	s.st = StationStats{Name: s.cfg.Name}
	s.busy.reset(now)
	s.queue.reset(now)
}

// Stats returns the accounting of the current window.
func (s *Station) Stats() StationStats {
	now := s.e.Now()
	st := s.st
	st.Window = now - s.queue.start
	st.MeanQueue = s.queue.mean(now)
	st.MeanBusy = s.busy.mean(now)
	st.MeanInSystem = st.MeanQueue + st.MeanBusy
	st.MaxQueue = s.queue.max
	return st
}

func (s *Station) lookup(t Ticket) *stationJob {
	if !s.jobs.Valid(t.slot, t.gen) {
		return nil
	}
	j := s.jobs.At(t.slot)
	if j.state == jobFree {
		return nil
	}
	return j
}

func (s *Station) alloc() int32 {
	slot, fresh := s.jobs.Alloc()
	if fresh {
		s.jobs.At(slot).fire = func() { s.onTimer(slot) }
	}
	return slot
}

func (s *Station) release(slot int32) {
	j := s.jobs.At(slot)
	j.state = jobFree
	j.done = nil
	j.timer = sim.Timer{}
	s.jobs.Release(slot)
}

// start puts a job into service now.
func (s *Station) start(slot int32) {
	now := s.e.Now()
	j := s.jobs.At(slot)
	j.state = jobInService
	j.started = now
	s.busy.add(now, 1)
	s.st.Started++
	if j.queued {
		s.st.Delayed++
	}
	s.st.WaitSum += seconds(now - j.arrived)
	j.timer = s.e.After(j.service, j.fire)
}

// notify schedules done(o) for a job at the current time.
func (s *Station) notify(slot int32, o Outcome) {
	j := s.jobs.At(slot)
	j.state = jobNotify
	j.outcome = o
	j.timer = s.e.After(0, j.fire)
}

// leaveQueue removes a waiting job from the queue accounting; its ring
// entry goes stale and is skipped or compacted later.
func (s *Station) leaveQueue(slot int32) {
	now := s.e.Now()
	j := s.jobs.At(slot)
	s.queue.add(now, -1)
	s.st.Departures++
	s.st.SojournSum += seconds(now - j.arrived)
	s.jobs.Bump(slot) // invalidate the ring entry; the ticket's gen changes too
	if s.q.needsCompaction(s.queue.v) {
		s.q.compact(s.live)
	}
}

func (s *Station) live(r ref) bool {
	return s.jobs.Gen(r.slot) == r.gen && s.jobs.At(r.slot).state == jobWaiting
}

// startWaiting starts queued jobs while servers are free.
func (s *Station) startWaiting() {
	for s.busy.v < s.servers && s.queue.v > 0 {
		r := s.q.pop()
		if !s.live(r) {
			continue
		}
		s.queue.add(s.e.Now(), -1)
		j := s.jobs.At(r.slot)
		s.e.Cancel(j.timer)
		s.start(r.slot)
	}
}

func (s *Station) onTimer(slot int32) {
	j := s.jobs.At(slot)
	now := s.e.Now()
	switch j.state {
	case jobInService:
		s.busy.add(now, -1)
		s.st.Departures++
		s.st.SojournSum += seconds(now - j.arrived)
		done, silent := j.done, j.silent
		tm := Timing{Arrived: j.arrived, Started: j.started, Finished: now}
		if silent {
			s.st.Zombie++
		} else {
			s.st.Served++
		}
		s.release(slot)
		s.startWaiting()
		if !silent && done != nil {
			done(Served, tm)
		}
	case jobWaiting:
		// Patience ran out before service began.
		s.st.Reneged++
		done := j.done
		tm := Timing{Arrived: j.arrived, Started: NotStarted, Finished: now}
		if s.cfg.CancelAbandoned {
			s.leaveQueue(slot)
			s.release(slot)
		} else {
			j.silent = true
			j.timer = sim.Timer{}
		}
		if done != nil {
			done(Reneged, tm)
		}
	case jobNotify:
		done, o := j.done, j.outcome
		tm := Timing{Arrived: j.arrived, Started: NotStarted, Finished: now}
		s.release(slot)
		if done != nil {
			done(o, tm)
		}
	}
}

// Package service models the application services of the checkout (gateway,
// checkout API, pricing, inventory, payments, ...): instances x workers per
// instance, a CPU time per request, queueing for a worker when saturated,
// optional autoscaling on utilisation, and cost in instance-hours.
//
// A worker is held for the whole request, including the calls the request
// makes to its dependencies, as in a thread-per-request server. That is why
// one slow dependency can starve every other request sharing the pool, and
// why bulkheads on the calls matter.
package service

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/models/host"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/resource"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Config describes one service.
type Config struct {
	Name               string
	Instances          int
	WorkersPerInstance int
	// CPU is the service's own processing time per request, in seconds.
	CPU dist.Dist
	// MaxQueue bounds the requests waiting for a worker (0: unbounded); a
	// request beyond it is rejected as overloaded at once.
	MaxQueue int
	// QueueTimeout rejects a request that waited longer for a worker (0: never).
	QueueTimeout sim.Time
	// DropExpired makes a worker skip a request whose propagated deadline
	// has already passed when it is dequeued (deadline-aware servers).
	DropExpired bool
	// CostPerInstanceHour is the price of one instance for one hour, USD.
	CostPerInstanceHour float64
	// Autoscale, when set, adjusts the instance count on utilisation.
	Autoscale *AutoscaleConfig
}

// AutoscaleConfig is a target-tracking autoscaler: every Interval the
// desired count is ceil(instances x utilisation / Target), clamped to
// [Min, Max]; scale-out takes effect after ProvisionDelay, scale-in at once.
type AutoscaleConfig struct {
	Target         float64
	Interval       sim.Time
	ProvisionDelay sim.Time
	Min, Max       int
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Name == "" {
		errs = append(errs, check.Field("name", "must not be empty"))
	}
	if c.Instances < 1 {
		errs = append(errs, check.Field("instances", "must be >= 1, got %d", c.Instances))
	}
	if c.WorkersPerInstance < 1 {
		errs = append(errs, check.Field("workers_per_instance", "must be >= 1, got %d", c.WorkersPerInstance))
	}
	if c.CPU == nil {
		errs = append(errs, check.Field("cpu", "a distribution is required"))
	}
	if c.MaxQueue < 0 {
		errs = append(errs, check.Field("max_queue", "must be >= 0, got %d", c.MaxQueue))
	}
	if c.QueueTimeout < 0 {
		errs = append(errs, check.Field("queue_timeout", "must be >= 0, got %v", c.QueueTimeout))
	}
	if c.CostPerInstanceHour < 0 {
		errs = append(errs, check.Field("cost_per_instance_hour", "must be >= 0, got %v", c.CostPerInstanceHour))
	}
	if a := c.Autoscale; a != nil {
		if !(a.Target > 0 && a.Target <= 1) {
			errs = append(errs, check.Field("autoscale.target", "must be in (0, 1], got %v", a.Target))
		}
		if a.Interval <= 0 {
			errs = append(errs, check.Field("autoscale.interval", "must be > 0, got %v", a.Interval))
		}
		if a.ProvisionDelay < 0 {
			errs = append(errs, check.Field("autoscale.provision_delay", "must be >= 0, got %v", a.ProvisionDelay))
		}
		if a.Min < 1 || a.Max < a.Min {
			errs = append(errs, check.Field("autoscale.max", "need 1 <= min <= max, got min %d max %d", a.Min, a.Max))
		}
	}
	return check.Join(errs...)
}

// Service is a running service in one simulation.
type Service struct {
	cfg       Config
	eng       *sim.Engine
	r         *rand.Rand
	workers   *resource.Pool
	instances int
	pending   int // instances being provisioned
	inst      stats.TimeWeighted
	busy      stats.TimeWeighted
	window    stats.TimeWeighted // busy workers since the last autoscaler tick
	host      *host.Host         // nil: the CPU time does not share a host

	free sim.FreeList[request] // as many as were ever in flight

	Requests   int64
	Overloaded int64
	Dropped    int64 // deadline already passed when a worker took it
}

// New builds the service on engine e, drawing CPU times from r.
func New(e *sim.Engine, cfg Config, r *rand.Rand) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("service %s: %w", cfg.Name, err)
	}
	pool, err := resource.NewPool(e, resource.PoolConfig{
		Name:           cfg.Name,
		Size:           cfg.Instances * cfg.WorkersPerInstance,
		MaxWaiters:     cfg.MaxQueue,
		AcquireTimeout: cfg.QueueTimeout,
	})
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, eng: e, r: r, workers: pool, instances: cfg.Instances}
	s.inst.Set(0, float64(cfg.Instances))
	if a := cfg.Autoscale; a != nil {
		e.Every(a.Interval, a.Interval, s.autoscale)
	}
	return s, nil
}

// SetHost makes each request's CPU time start with its CPU part on the
// host the service shares with the database (nil: not modelled).
func (s *Service) SetHost(h *host.Host) { s.host = h }

// Name returns the service name.
func (s *Service) Name() string { return s.cfg.Name }

// Instances returns the current instance count.
func (s *Service) Instances() int { return s.instances }

// Workers returns the worker pool (for its statistics).
func (s *Service) Workers() *resource.Pool { return s.workers }

// Serve returns a handler that serves each request in the service: wait
// for a worker, spend the service's CPU time, run next (the request's own
// calls; nil: none) while holding the worker, then release it and reply.
// Build it once; it allocates nothing per request.
func (s *Service) Serve(next call.Handler) call.Handler { return serving{s, next} }

type serving struct {
	s    *Service
	next call.Handler
}

func (h serving) Serve(ctx *call.Ctx, reply call.Reply) { h.s.Handle(ctx, h.next, reply) }

// Handle serves one request as Serve's handler does. An overloaded service
// replies Overloaded; a request whose client gave up with cancellation, or
// whose deadline passed while it queued (with DropExpired), is dropped
// without work. next must reply exactly once.
func (s *Service) Handle(ctx *call.Ctx, next call.Handler, reply call.Reply) {
	s.Requests++
	if ctx.Cancelled() {
		s.Dropped++
		reply(policy.Rejected)
		return
	}
	r := s.newRequest()
	r.ctx, r.next, r.reply = ctx, next, reply
	s.workers.Acquire(r.granted)
}

// request is one request in a service. Requests are recycled, with their
// callbacks bound once, so serving a request allocates nothing in steady
// state; each callback runs exactly once per use (worker granted, CPU
// spent, work done), and the request is recycled before the reply.
type request struct {
	s       *Service
	ctx     *call.Ctx
	next    call.Handler
	reply   call.Reply
	cpu     sim.Time
	rest    sim.Time // the CPU time left after its part on the host
	granted func(ok bool, waited sim.Time)
	cpuDone func()
	onHost  func() // bound once: r.hostDone
	done    call.Reply
}

func (s *Service) newRequest() *request { return s.free.Get(s.freshRequest) }

func (s *Service) freshRequest() *request {
	r := &request{s: s}
	r.granted, r.cpuDone, r.done, r.onHost = r.onGranted, r.onCPU, r.onDone, r.hostDone
	return r
}

// finish recycles the request and then replies, so the reply may start
// the next request with it.
func (r *request) finish(o call.Outcome) {
	reply := r.reply
	r.ctx, r.next, r.reply = nil, nil, nil
	r.s.free.Put(r)
	reply(o)
}

func (r *request) onGranted(ok bool, waited sim.Time) {
	s, ctx := r.s, r.ctx
	ctx.Record(call.SpanQueue, waited)
	if !ok {
		s.Overloaded++
		r.finish(policy.Overloaded)
		return
	}
	now := s.eng.Now()
	s.setBusy(now)
	if ctx.Cancelled() || (s.cfg.DropExpired && ctx.Expired(now)) {
		s.Dropped++
		s.release()
		r.finish(policy.Timeout)
		return
	}
	r.cpu = sim.Seconds(s.cfg.CPU.Sample(s.r))
	if s.host != nil { // the first part runs on the shared host, stretched when it is busy
		part := s.host.RequestCPU(r.cpu)
		r.rest = r.cpu - part
		s.host.Run(part, r.onHost)
		return
	}
	s.eng.After(r.cpu, r.cpuDone)
}

func (r *request) hostDone() { r.s.eng.After(r.rest, r.cpuDone) }

func (r *request) onCPU() {
	r.ctx.Record(call.SpanCPU, r.cpu)
	if r.next == nil {
		r.onDone(policy.Success)
		return
	}
	r.next.Serve(r.ctx, r.done)
}

func (r *request) onDone(o call.Outcome) {
	r.s.release()
	r.finish(o)
}

func (s *Service) release() {
	s.workers.Release()
	s.setBusy(s.eng.Now())
}

func (s *Service) setBusy(now sim.Time) {
	v := float64(s.workers.InUse())
	s.busy.Set(now, v)
	s.window.Set(now, v)
}

// autoscale is the target-tracking controller, run every interval.
func (s *Service) autoscale(now sim.Time) {
	a := s.cfg.Autoscale
	capacity := float64(s.instances * s.cfg.WorkersPerInstance)
	util := s.window.Mean(now) / capacity
	s.window.ResetAt(now)
	desired := int(math.Ceil(float64(s.instances) * util / a.Target))
	desired = min(max(desired, a.Min), a.Max)
	switch {
	case desired > s.instances+s.pending:
		add := desired - s.instances - s.pending
		s.pending += add
		s.eng.After(a.ProvisionDelay, func() {
			s.pending -= add
			s.setInstances(s.eng.Now(), s.instances+add)
		})
	case desired < s.instances && s.pending == 0:
		s.setInstances(now, desired)
	}
}

func (s *Service) setInstances(now sim.Time, n int) {
	s.instances = n
	s.inst.Set(now, float64(n))
	s.workers.SetSize(n * s.cfg.WorkersPerInstance)
}

// InstanceHours returns the instance-hours used up to now.
func (s *Service) InstanceHours(now sim.Time) float64 {
	return s.inst.Mean(now) * now.Seconds() / 3600
}

// Cost returns the cost in USD up to now.
func (s *Service) Cost(now sim.Time) float64 {
	return s.InstanceHours(now) * s.cfg.CostPerInstanceHour
}

// WorkerSeconds returns the worker-seconds busy and available over [0,
// now], so the utilisation of any window is the ratio of two differences
// (Utilisation is the whole run's).
func (s *Service) WorkerSeconds(now sim.Time) (busy, available float64) {
	t := now.Seconds()
	return s.busy.Mean(now) * t, s.inst.Mean(now) * t * float64(s.cfg.WorkersPerInstance)
}

// Utilisation returns the time-average fraction of workers busy.
func (s *Service) Utilisation(now sim.Time) float64 {
	return s.busy.Mean(now) / (s.inst.Mean(now) * float64(s.cfg.WorkersPerInstance))
}

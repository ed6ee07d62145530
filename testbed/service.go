package testbed

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/policy/live"
)

// Request headers between hops.
const (
	hDeadline = "X-Deadline"          // propagated deadline, Unix nanoseconds
	hCancel   = "X-Cancel-On-Timeout" // "1": the server's work ends when the client gives up
	hCause    = "X-Cause"             // failed checkout's cause ("payment:timeout")
	hIntent   = "X-Checkout"          // checkout intent id
)

// lockedRand is a random stream shared by goroutines.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (l *lockedRand) Float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}

func (l *lockedRand) sample(d interface{ Sample(*rand.Rand) float64 }) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return time.Duration(d.Sample(l.r) * 1e9)
}

// svc is one of the scenario's services: an HTTP server on 127.0.0.1 with
// instances x workers_per_instance workers. A request waits for a worker
// (at most queue_timeout, at most max_queue waiting), holds it for its CPU
// time (a timed hold, see the package comment) and for the work it does,
// including the calls it makes: thread-per-request, as the model has it.
type svc struct {
	cfg     service.Config
	workers chan struct{}
	waiting atomic.Int64
	busy    atomic.Int64 // worker-nanoseconds held
	r       *lockedRand
	srv     *http.Server
	url     string

	requests, overloaded, dropped atomic.Int64
}

// work is what a service does for one request once it holds a worker. It
// returns the outcome to answer with and the failure cause, if any.
type work func(ctx context.Context, r *http.Request) (policy.Outcome, string)

func newSvc(cfg service.Config, r *rand.Rand) *svc {
	return &svc{cfg: cfg, workers: make(chan struct{}, cfg.Instances*cfg.WorkersPerInstance), r: &lockedRand{r: r}}
}

// start listens on an ephemeral port of 127.0.0.1.
func (s *svc) start(base context.Context, do work) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o, cause := s.handle(base, r, do)
		if cause != "" {
			w.Header().Set(hCause, cause)
		}
		w.WriteHeader(status(o))
	}), BaseContext: func(net.Listener) context.Context { return base }, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// serverContext is the context a server works in: the client's deadline
// when one is propagated, and the client's cancellation only when it asked
// for it (otherwise work goes on for nobody: zombie work, as in the model).
func serverContext(base context.Context, r *http.Request) (context.Context, context.CancelFunc) {
	ctx := base
	if r.Header.Get(hCancel) == "1" {
		ctx = r.Context()
	}
	if v := r.Header.Get(hDeadline); v != "" {
		if ns, err := strconv.ParseInt(v, 10, 64); err == nil {
			return context.WithDeadline(ctx, time.Unix(0, ns))
		}
	}
	return context.WithCancel(ctx)
}

func (s *svc) handle(base context.Context, r *http.Request, do work) (policy.Outcome, string) {
	s.requests.Add(1)
	ctx, cancel := serverContext(base, r)
	defer cancel()
	if !s.acquire(ctx) {
		s.overloaded.Add(1)
		return policy.Overloaded, ""
	}
	start := time.Now()
	defer func() {
		s.busy.Add(int64(time.Since(start)))
		<-s.workers
	}()
	if s.cfg.DropExpired {
		if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
			s.dropped.Add(1)
			return policy.Timeout, ""
		}
	}
	if cpu := s.r.sample(s.cfg.CPU); cpu > 0 {
		if err := sleep(ctx, cpu); err != nil {
			return policy.Timeout, ""
		}
	}
	return do(ctx, r)
}

// acquire waits for a worker: false when the queue is full or the wait
// exceeded queue_timeout.
func (s *svc) acquire(ctx context.Context) bool {
	select {
	case s.workers <- struct{}{}:
		return true
	default:
	}
	if s.cfg.MaxQueue > 0 && s.waiting.Load() >= int64(s.cfg.MaxQueue) {
		return false
	}
	s.waiting.Add(1)
	defer s.waiting.Add(-1)
	var timeout <-chan time.Time
	if qt := s.cfg.QueueTimeout.Duration(); qt > 0 {
		t := time.NewTimer(qt)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case s.workers <- struct{}{}:
		return true
	case <-timeout:
		return false
	case <-ctx.Done():
		return false
	}
}

func (s *svc) close(ctx context.Context) {
	if s.srv != nil {
		if err := s.srv.Shutdown(ctx); err != nil {
			_ = s.srv.Close()
		}
	}
}

// status is the HTTP status that carries an outcome; the gateway's client
// reads it back with live.ClassifyHTTP, as every hop's Transport does.
func status(o policy.Outcome) int {
	switch o {
	case policy.Success:
		return http.StatusOK
	case policy.Overloaded:
		return http.StatusTooManyRequests
	case policy.Timeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isRejection reports an attempt refused by a policy layer.
func isRejection(err error) bool {
	return errors.Is(err, policy.ErrBreakerOpen) || errors.Is(err, policy.ErrBreakerTrialsBusy) ||
		errors.Is(err, live.ErrBulkheadFull) || errors.Is(err, live.ErrBulkheadTimeout) || errors.Is(err, live.ErrThrottled)
}

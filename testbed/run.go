package testbed

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/models/traffic"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/policy/live"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/rng"
	"github.com/checkoutsim/checkoutsim/testbed/store"
)

// Options configure a run.
type Options struct {
	// DSN is the PostgreSQL connection string ("": the PG* variables).
	DSN string
	// Redis is the Redis address (default 127.0.0.1:6379).
	Redis string
	// Seed draws the traffic (the scenario's seed by default is the
	// caller's business: this is the seed used).
	Seed uint64
	// Approximate runs a scenario with fields the testbed cannot realize,
	// printing each to Log; otherwise they are refused.
	Approximate bool
	// Log receives approximations and progress lines (nil: discarded).
	Log io.Writer
	// SyncCommit keeps synchronous_commit on (see store.PGConfig).
	SyncCommit bool
}

// RefusedError lists the fields a run refused (exit status 2).
type RefusedError struct{ Fields []Approximation }

func (e *RefusedError) Error() string {
	lines := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		lines[i] = "testbed: cannot realize " + f.String() + " (--approximate runs it anyway)"
	}
	return strings.Join(lines, "\n")
}

// Run stands the system up, runs the scenario's traffic against it for its
// duration (plus drain, until every checkout is resolved), tears it down
// (schema and keys dropped) and returns what it measured. If ctx is
// cancelled the load stops, the system drains and is torn down, and the
// error is ctx.Err(): no partial result.
func Run(ctx context.Context, sc *experiments.Scenario, o Options) (res *checkout.Result, err error) {
	logw := o.Log
	if logw == nil {
		logw = io.Discard
	}
	if apx := Approximations(sc); len(apx) > 0 {
		if !o.Approximate {
			return nil, &RefusedError{Fields: apx}
		}
		for _, a := range apx {
			fmt.Fprintln(logw, "testbed: approximating "+a.String())
		}
		sc = Approximated(sc)
	}
	if o.Redis == "" {
		o.Redis = "127.0.0.1:6379"
	}
	cfg := &sc.Config
	pool, closeDB, err := store.OpenOwned(ctx, store.PGConfig{DSN: o.DSN, PoolSize: min(cfg.Database.PoolSize, maxPoolSize),
		AcquireTimeout: cfg.Database.AcquireTimeout.Duration(), LockTimeout: cfg.Inventory.LockTimeout.Duration(),
		DeadlockTimeout: cfg.Inventory.DeadlockTimeout.Duration(),
		SyncCommit:      o.SyncCommit})
	if err != nil {
		return nil, err
	}
	defer closeDB()
	rdb, err := store.OpenRedis(ctx, o.Redis, min(cfg.Database.PoolSize, maxPoolSize)*4)
	if err != nil {
		return nil, err
	}
	defer rdb.Close()
	setup := context.WithoutCancel(ctx)
	if err := store.CreateSchema(setup, pool, cfg.Traffic.SKUs); err != nil {
		return nil, err
	}
	defer func() {
		if derr := store.DropSchema(setup, pool); derr != nil && err == nil {
			err = derr
		}
	}()
	prefix := store.KeyPrefix + runID() + ":"
	defer func() {
		if _, derr := store.DropKeys(setup, rdb, prefix); derr != nil && err == nil {
			err = derr
		}
	}()

	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	st := rng.New(o.Seed, 0)
	rec := newRecorder(time.Time{}, cfg.Warmup, cohortNames(cfg))
	s := &System{sc: sc, base: base, streams: st, rec: rec, client: newClient()}
	s.db = &db{pool: pool, acquireTimeout: cfg.Database.AcquireTimeout.Duration(), lockTimeout: cfg.Inventory.LockTimeout.Duration(),
		rec: rec, inv: cfg.Inventory, skus: cfg.Traffic.SKUs, q: newQueries()}
	s.cache = &rcache{rdb: rdb, prefix: prefix, cfg: cfg.Cache, skus: cfg.Traffic.SKUs, db: s.db,
		r: &lockedRand{r: st.Stream("cache")}, rec: rec, base: base, wg: &s.wg}
	if cfg.Cache.Coalescing {
		s.cache.group = newGroup()
	}
	if err := s.build(); err != nil {
		return nil, err
	}
	if err := s.start(); err != nil {
		return nil, err
	}
	defer func() {
		cancel()
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		s.stop(sctx)
		s.wg.Wait()
	}()
	if cfg.Cache.WarmStart {
		if err := s.cache.warm(setup, st.Stream("cache/warm")); err != nil {
			return nil, fmt.Errorf("redis: warming the cache: %w", err)
		}
	}

	// The load starts now: the run's clock.
	t0 := time.Now()
	rec.clock.set(t0)
	s.cache.schedule(base, t0)
	src, err := traffic.NewSource(&cfg.Traffic, st.Stream)
	if err != nil {
		return nil, err
	}
	load, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var users sync.WaitGroup
	go s.sampler(load, t0)
	gen := &generator{s: s, src: src, rtt: st.Stream("user/rtt"), reclick: st.Stream("user/reclick"), users: &users}
	done := make(chan struct{})
	go func() { gen.run(load, t0); close(done) }()
	if s.browse != nil {
		go s.browseLoad(load, t0, src, traffic.NewPoisson(cfg.Traffic.Profile, cfg.Traffic.Multiplier*cfg.Traffic.BrowseRatio, st.Stream("traffic/browse")), st.Stream("traffic/browse-sku"))
	}
	<-done
	// Drain: wait for the checkouts in flight, at most the scenario's drain.
	deadline := t0.Add((cfg.Duration + cfg.Drain).Duration())
	for rec.inFlight.Load() > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		_ = sleep(ctx, 20*time.Millisecond)
	}
	if ctx.Err() != nil {
		stopLoad()
		return nil, ctx.Err()
	}
	end := min(sim.Time(time.Since(t0)), cfg.Duration+cfg.Drain)
	return rec.result(s, o.Seed, end), nil
}

func newGroup() *live.Group[uint32, struct{}] { return live.NewGroup[uint32, struct{}]() }

func cohortNames(cfg *checkout.Config) []string {
	out := make([]string, len(cfg.Traffic.Cohorts))
	for i, c := range cfg.Traffic.Cohorts {
		out[i] = c.Name
	}
	return out
}

// runID makes this run's Redis prefix unique.
func runID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sampler records the time series every sample interval.
func (s *System) sampler(ctx context.Context, t0 time.Time) {
	iv := s.sc.SampleInterval
	for k := sim.Time(1); k*iv <= s.sc.Duration; k++ {
		if sleepUntil(ctx, t0.Add((k*iv).Duration())) != nil {
			return
		}
		s.rec.sample(s, iv)
	}
}

// generator is the open-loop load: it draws each checkout from
// models/traffic with the run's seed (the simulator's stream), and each
// user's round trips and re-click decisions from the simulator's streams,
// in arrival order, then releases the user at its arrival time.
type generator struct {
	s       *System
	src     *traffic.Source
	rtt     *mrand.Rand
	reclick *mrand.Rand
	users   *sync.WaitGroup
	nextID  uint64
}

// intent is one checkout intent across its clicks.
type intent struct {
	queryCounter
	co       traffic.Checkout
	measured bool
	rtts     []time.Duration
	reclicks []bool
	thinks   []time.Duration
}

func (g *generator) run(ctx context.Context, t0 time.Time) {
	cfg := &g.s.sc.Config
	rc := &cfg.Traffic.Reclick
	for {
		co := g.src.Next()
		if co.At >= cfg.Duration {
			return
		}
		g.nextID++
		in := &intent{co: co, measured: co.At >= cfg.Warmup}
		in.id = g.nextID
		for range rc.Max + 1 {
			var d time.Duration
			if dd := cfg.Traffic.Cohorts[co.Cohort].RTT; dd != nil {
				d = time.Duration(dd.Sample(g.rtt) * 1e9)
			}
			in.rtts = append(in.rtts, d)
			again := g.reclick.Float64() < rc.Probability
			in.reclicks = append(in.reclicks, again)
			var think time.Duration
			if again && rc.Think != nil {
				think = time.Duration(rc.Think.Sample(g.reclick) * 1e9)
			}
			in.thinks = append(in.thinks, think)
		}
		if sleepUntil(ctx, t0.Add(co.At.Duration())) != nil {
			return
		}
		g.s.intents.Store(in.id, &in.queryCounter)
		g.s.rec.arrived()
		g.users.Add(1)
		go func() {
			defer g.users.Done()
			g.s.user(ctx, in)
		}()
	}
}

// user is one checkout intent: clicks "pay", waits at most its patience,
// re-clicks after an error as the scenario says.
func (s *System) user(ctx context.Context, in *intent) {
	cfg := &s.sc.Config
	defer s.intents.Delete(in.id)
	body, _ := json.Marshal(checkoutReq{ID: in.id, Cohort: in.co.Cohort, Items: in.co.Items})
	for click := 0; ; click++ {
		start := time.Now()
		rtt := in.rtts[click]
		type answer struct {
			o     policy.Outcome
			cause string
		}
		ch := make(chan answer, 1)
		go func() {
			if sleep(s.base, rtt/2) != nil {
				ch <- answer{policy.Failure, "interrupted"}
				return
			}
			o, cause := s.enter(start, body)
			_ = sleep(s.base, rtt-rtt/2)
			ch <- answer{o, cause}
		}()
		var patience <-chan time.Time
		if in.co.Patience != sim.Never {
			t := time.NewTimer(in.co.Patience.Duration())
			defer t.Stop()
			patience = t.C
		}
		var a answer
		select {
		case a = <-ch:
		case <-patience:
			s.rec.resolve(in, abandoned, "")
			return
		case <-ctx.Done():
			return // interrupted: the run is discarded
		}
		s.rec.clicked(in, time.Since(start))
		if a.o == policy.Success {
			s.rec.resolve(in, succeeded, "")
			return
		}
		if click < cfg.Traffic.Reclick.Max && in.reclicks[click] {
			if sleep(ctx, in.thinks[click]) != nil {
				return
			}
			continue
		}
		cause := a.cause
		if cause == "" {
			cause = "gateway:" + a.o.String()
		}
		s.rec.resolve(in, failed, cause)
		return
	}
}

// enter sends one click to the gateway (or, with none, through the
// gateway hop to the orchestrator), with the checkout's budget as its
// deadline.
func (s *System) enter(start time.Time, body []byte) (policy.Outcome, string) {
	budget := s.sc.Flow.Budget.Duration()
	if s.gateway == nil {
		ctx, cancel := s.base, context.CancelFunc(func() {})
		if budget > 0 {
			ctx, cancel = context.WithDeadline(s.base, start.Add(budget))
		}
		defer cancel()
		cause, err := s.gwHop.post(ctx, s.client, s.orch.url+"/checkout", body)
		return callOutcome(err), cause
	}
	req, err := http.NewRequestWithContext(s.base, http.MethodPost, s.gateway.url+"/checkout", bytes.NewReader(body))
	if err != nil {
		return policy.Failure, ""
	}
	if budget > 0 {
		req.Header.Set(hDeadline, strconv.FormatInt(start.Add(budget).UnixNano(), 10))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return policy.Failure, "gateway:" + policy.Failure.String()
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return live.ClassifyHTTP(resp, nil), resp.Header.Get(hCause)
}

// browseLoad is the browsing traffic: product page reads through the
// gateway to the browse service, which reads the price entry from the cache.
func (s *System) browseLoad(ctx context.Context, t0 time.Time, src *traffic.Source, arrivals *traffic.Poisson, r *mrand.Rand) {
	for {
		at := arrivals.Next()
		if at >= s.sc.Duration {
			return
		}
		sku := src.SKU(r)
		if sleepUntil(ctx, t0.Add(at.Duration())) != nil {
			return
		}
		measured := at >= s.sc.Warmup
		go func() {
			start := time.Now()
			body, _ := json.Marshal(checkoutReq{SKU: sku})
			var ok bool
			if s.gateway == nil {
				_, err := s.browse.post(s.base, s.client, s.byName[s.sc.Flow.Browse.Service].url+"/browse", body)
				ok = err == nil
			} else {
				req, err := http.NewRequestWithContext(s.base, http.MethodPost, s.gateway.url+"/browse", bytes.NewReader(body))
				if err == nil {
					resp, err := s.client.Do(req)
					if err == nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						ok = resp.StatusCode == http.StatusOK
					}
				}
			}
			s.rec.browsed(measured, ok, time.Since(start))
		}()
	}
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

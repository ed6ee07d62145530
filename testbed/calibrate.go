package testbed

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/testbed/store"
)

// calibrationSeed draws the calibration's own random numbers (service
// holds); it is never a validation seed.
const calibrationSeed = 0xca11b

// MeasureStatements times n point reads (a primary-key SELECT, the
// testbed's most common statement) sent one at a time on one pooled
// connection, so no lock or pool wait is in them: the statement latency as
// the client sees it. cpu is the CPU this process and PostgreSQL used over
// the timed statements (the client driver's share and the backend's). The
// schema is created for the measurement and dropped after it.
func MeasureStatements(ctx context.Context, o Options, skus, n int) (secs []float64, cpu CPUTimes, err error) {
	pool, done, err := store.OpenOwned(ctx, store.PGConfig{DSN: o.DSN, PoolSize: 2, SyncCommit: o.SyncCommit})
	if err != nil {
		return nil, cpu, err
	}
	defer done()
	if err := store.CreateSchema(ctx, pool, skus); err != nil {
		return nil, cpu, err
	}
	defer func() {
		if derr := store.DropSchema(ctx, pool); derr != nil && err == nil {
			err = derr
		}
	}()
	c, err := pool.Acquire(ctx)
	if err != nil {
		return nil, cpu, err
	}
	defer c.Release()
	q := newQueries()
	r := rand.New(rand.NewPCG(calibrationSeed, 1))
	var cents int64
	var before CPUTimes
	for i := range n + n/10 {
		if i == n/10 { // the first tenth warms the connection's statement cache
			before = ReadCPU()
		}
		start := time.Now()
		if err := c.QueryRow(ctx, q.price, r.IntN(skus)).Scan(&cents); err != nil {
			return nil, cpu, err
		}
		if i >= n/10 {
			secs = append(secs, time.Since(start).Seconds())
		}
	}
	return secs, ReadCPU().Sub(before), nil
}

// MeasureRedis times n GETs of one key sent one at a time; cpu is what this
// process and Redis used over the timed GETs.
func MeasureRedis(ctx context.Context, o Options, n int) (secs []float64, cpu CPUTimes, err error) {
	addr := o.Redis
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	rdb, err := store.OpenRedis(ctx, addr, 2)
	if err != nil {
		return nil, cpu, err
	}
	defer rdb.Close()
	prefix := store.KeyPrefix + "calibration-" + runID() + ":"
	defer func() {
		if _, derr := store.DropKeys(ctx, rdb, prefix); derr != nil && err == nil {
			err = derr
		}
	}()
	if err := rdb.Set(ctx, prefix+"k", "0", time.Minute).Err(); err != nil {
		return nil, cpu, err
	}
	var before CPUTimes
	for i := range n + n/10 {
		if i == n/10 {
			before = ReadCPU()
		}
		start := time.Now()
		if err := rdb.Get(ctx, prefix+"k").Err(); err != nil {
			return nil, cpu, err
		}
		if i >= n/10 {
			secs = append(secs, time.Since(start).Seconds())
		}
	}
	return secs, ReadCPU().Sub(before), nil
}

// MeasureHop times n requests sent one at a time to a service with cfg's
// workers and CPU hold doing nothing else: the hold as this machine's
// timers give it, plus one loopback HTTP round trip. cpu is what this
// process (client and server both) used over the timed requests.
func MeasureHop(ctx context.Context, cfg service.Config, n int) (secs []float64, cpu CPUTimes, err error) {
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	s := newSvc(cfg, rand.New(rand.NewPCG(calibrationSeed, uint64(len(cfg.Name)))))
	if err := s.start(base, func(context.Context, *http.Request) (policy.Outcome, string) { return policy.Success, "" }); err != nil {
		return nil, cpu, err
	}
	defer func() {
		sctx, c := context.WithTimeout(context.Background(), 2*time.Second)
		defer c()
		s.close(sctx)
	}()
	client := newClient()
	body := []byte(`{"id":1}`)
	var before CPUTimes
	for i := range n + n/10 {
		if ctx.Err() != nil {
			return nil, cpu, ctx.Err()
		}
		if i == n/10 {
			before = ReadCPU()
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/calibrate?i="+strconv.Itoa(i), bytes.NewReader(body))
		if err != nil {
			return nil, cpu, err
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return nil, cpu, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if i >= n/10 {
			secs = append(secs, time.Since(start).Seconds())
		}
	}
	return secs, ReadCPU().Sub(before), nil
}

// Idle is the machine watched while the testbed does nothing.
type Idle struct {
	CPU CPUTimes // what every process used over the window (CPUTimes.Others: other processes)
	// Runnable is the mean number of threads running or waiting for a
	// core (procs_running, sampled every 20 ms), this process's own
	// running threads left out (the sampler, and Go runtime threads
	// spinning for work: counting them read 1.05 on an idle machine):
	// the other work's load average over the window.
	Runnable float64
}

// MeasureIdle watches the machine for d while the testbed does nothing:
// the background a host model takes as given.
func MeasureIdle(ctx context.Context, d time.Duration) (Idle, error) {
	before := ReadCPU()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	end := time.After(d)
	var sum float64
	var n int
	for {
		select {
		case <-ctx.Done():
			return Idle{}, ctx.Err()
		case <-tick.C:
			if r, ok := procsRunning(); ok {
				sum += max(0, r-selfRunning())
				n++
			}
		case <-end:
			idle := Idle{CPU: ReadCPU().Sub(before)}
			if n > 0 {
				idle.Runnable = sum / float64(n)
			}
			return idle, nil
		}
	}
}

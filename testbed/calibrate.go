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
// the client sees it. The schema is created for the measurement and
// dropped after it.
func MeasureStatements(ctx context.Context, o Options, skus, n int) (secs []float64, err error) {
	pool, done, err := store.OpenOwned(ctx, store.PGConfig{DSN: o.DSN, PoolSize: 2, SyncCommit: o.SyncCommit})
	if err != nil {
		return nil, err
	}
	defer done()
	if err := store.CreateSchema(ctx, pool, skus); err != nil {
		return nil, err
	}
	defer func() {
		if derr := store.DropSchema(ctx, pool); derr != nil && err == nil {
			err = derr
		}
	}()
	c, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Release()
	q := newQueries()
	r := rand.New(rand.NewPCG(calibrationSeed, 1))
	var cents int64
	for i := range n + n/10 {
		start := time.Now()
		if err := c.QueryRow(ctx, q.price, r.IntN(skus)).Scan(&cents); err != nil {
			return nil, err
		}
		if i >= n/10 { // the first tenth warms the connection's statement cache
			secs = append(secs, time.Since(start).Seconds())
		}
	}
	return secs, nil
}

// MeasureRedis times n GETs of one key sent one at a time.
func MeasureRedis(ctx context.Context, o Options, n int) (secs []float64, err error) {
	addr := o.Redis
	if addr == "" {
		addr = "127.0.0.1:6379"
	}
	rdb, err := store.OpenRedis(ctx, addr, 2)
	if err != nil {
		return nil, err
	}
	defer rdb.Close()
	prefix := store.KeyPrefix + "calibration-" + runID() + ":"
	defer func() {
		if _, derr := store.DropKeys(ctx, rdb, prefix); derr != nil && err == nil {
			err = derr
		}
	}()
	if err := rdb.Set(ctx, prefix+"k", "0", time.Minute).Err(); err != nil {
		return nil, err
	}
	for i := range n + n/10 {
		start := time.Now()
		if err := rdb.Get(ctx, prefix+"k").Err(); err != nil {
			return nil, err
		}
		if i >= n/10 {
			secs = append(secs, time.Since(start).Seconds())
		}
	}
	return secs, nil
}

// MeasureHop times n requests sent one at a time to a service with cfg's
// workers and CPU hold doing nothing else: the hold as this machine's
// timers give it, plus one loopback HTTP round trip.
func MeasureHop(ctx context.Context, cfg service.Config, n int) ([]float64, error) {
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	s := newSvc(cfg, rand.New(rand.NewPCG(calibrationSeed, uint64(len(cfg.Name)))))
	if err := s.start(base, func(context.Context, *http.Request) (policy.Outcome, string) { return policy.Success, "" }); err != nil {
		return nil, err
	}
	defer func() {
		sctx, c := context.WithTimeout(context.Background(), 2*time.Second)
		defer c()
		s.close(sctx)
	}()
	client := newClient()
	var secs []float64
	body := []byte(`{"id":1}`)
	for i := range n + n/10 {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url+"/calibrate?i="+strconv.Itoa(i), bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if i >= n/10 {
			secs = append(secs, time.Since(start).Seconds())
		}
	}
	return secs, nil
}

//go:build testbed

package testbed

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/sim"
)

// XFetch is real: with beta > 0 a hit on an entry close to its expiry
// whose last refill took long starts a background refresh (the refill's
// statements, then a SET with a fresh TTL and the measured delta), the hit
// not waiting for it, at most one per key; with beta 0 nothing is
// refreshed early.
func TestXFetchEarlyRefresh(t *testing.T) {
	const (
		keys   = 20
		rounds = 5
		refill = 3 // statements
	)
	for _, beta := range []float64{0, 1} {
		t.Run(fmt.Sprint("beta=", beta), func(t *testing.T) {
			f := newFixture(t, keys, 1, inventory.Config{})
			ctx := t.Context()
			var wg sync.WaitGroup
			c := &rcache{rdb: f.rdb, prefix: f.prefix, skus: keys, db: f.db, r: &lockedRand{r: rand.New(rand.NewPCG(1, 2))},
				rec: f.db.rec, base: ctx, wg: &wg,
				cfg: cache.Config{TTL: 30 * sim.Second, RefillStatements: refill, XFetchBeta: beta}}
			// Every entry expires in 3 s and its last refill took 15 s:
			// XFetch at beta 1 refreshes it on a hit with probability at
			// least exp(-3/15) = 0.82, at least once in 5 hits with 0.9998.
			for k := range uint32(keys) {
				v := entryValue{expiry: time.Now().Add(3 * time.Second), delta: 15 * time.Second}
				if err := f.rdb.Set(ctx, c.key(k), v.encode(), 3*time.Second).Err(); err != nil {
					t.Fatal(err)
				}
			}
			// The pool's only connection is held: a refresh waits for it
			// (acquire_timeout 5 s), so it is in flight during every read
			// below, and a read that waited for it would take seconds.
			f.db.acquireTimeout = 5 * time.Second
			held, err := f.pool.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			for range rounds {
				for k := range uint32(keys) {
					if err := c.get(ctx, k); err != nil {
						t.Fatal(err)
					}
				}
			}
			took := time.Since(start)
			early := c.early.Load()
			held.Release()
			wg.Wait()
			if c.hits.Load() != keys*rounds || c.misses.Load() != 0 {
				t.Fatalf("hits %d misses %d, want %d hits", c.hits.Load(), c.misses.Load(), keys*rounds)
			}
			if took > 2*time.Second {
				t.Fatalf("%d reads took %v: a hit waited for a refresh", keys*rounds, took)
			}
			t.Logf("beta %v: %d early refreshes for %d keys hit %d times each", beta, early, keys, rounds)
			if beta == 0 && early != 0 || beta > 0 && (early < keys-2 || early > keys) {
				t.Fatalf("%d early refreshes at beta %v for %d keys hit %d times each: want none at beta 0, one per key (at least %d) at beta 1",
					early, beta, keys, rounds, keys-2)
			}
			if n := f.db.statements.Load(); n != early*refill {
				t.Fatalf("%d statements, want %d refreshes x %d", n, early, refill)
			}
			// The refreshed entries live one TTL more and carry the refresh's
			// duration, at least the wait for the held connection.
			fresh := int64(0)
			for k := range uint32(keys) {
				s, err := f.rdb.Get(ctx, c.key(k)).Result()
				if err == redis.Nil {
					continue // expired, not refreshed
				}
				if err != nil {
					t.Fatal(err)
				}
				v, err := decodeEntry(s)
				if err != nil {
					t.Fatal(err)
				}
				if left := time.Until(v.expiry); left < 20*time.Second {
					continue
				}
				if v.delta <= 0 || v.delta > f.db.acquireTimeout {
					t.Fatalf("entry %d refreshed with delta %v, want the refill's duration", k, v.delta)
				}
				fresh++
			}
			if fresh != early {
				t.Fatalf("%d entries refreshed in Redis, %d early refreshes started", fresh, early)
			}
		})
	}
}

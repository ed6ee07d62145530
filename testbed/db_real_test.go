//go:build testbed

package testbed

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/testbed/store"
)

// fixture is the testbed's schema on a pool of its own and a Redis prefix
// of its own, dropped when the test ends.
type fixture struct {
	pool    *pgxpool.Pool
	inspect *pgxpool.Pool // a connection of the test's, outside the pool under test
	rdb     *redis.Client
	prefix  string
	db      *db
}

func newFixture(t *testing.T, skus, poolSize int, inv inventory.Config) *fixture {
	t.Helper()
	servers(t)
	ctx := context.Background()
	pool, err := store.OpenPG(ctx, store.PGConfig{PoolSize: poolSize})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	inspect, err := store.OpenPG(ctx, store.PGConfig{PoolSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(inspect.Close)
	// Another run (a parallel test binary, a check) may hold the schema:
	// wait for it a while, as a second run started by hand would.
	release, err := store.Claim(ctx, "")
	for wait := time.Now().Add(3 * time.Minute); errors.Is(err, store.ErrBusy) && time.Now().Before(wait); {
		time.Sleep(time.Second)
		release, err = store.Claim(ctx, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	if err := store.CreateSchema(ctx, pool, skus); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.DropSchema(context.Background(), pool) })
	rdb, err := store.OpenRedis(ctx, "127.0.0.1:6379", 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rdb.Close() })
	prefix := store.KeyPrefix + "test-" + runID() + ":"
	t.Cleanup(func() { _, _ = store.DropKeys(context.Background(), rdb, prefix) })
	d := &db{pool: pool, acquireTimeout: 2 * time.Second, lockTimeout: time.Second, rec: newRecorder(time.Now(), 0, nil),
		inv: inv, skus: skus, q: newQueries()}
	return &fixture{pool: pool, inspect: inspect, rdb: rdb, prefix: prefix, db: d}
}

// keyRow returns the idempotency row of key: "done", "claimed" or "none".
func (f *fixture) keyRow(t *testing.T, key uint64) string {
	t.Helper()
	var done bool
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := f.inspect.QueryRow(ctx, `SELECT done FROM `+pgx.Identifier{store.Schema}.Sanitize()+`.idempotency WHERE key = $1`, int64(key)).Scan(&done)
	switch {
	case err == pgx.ErrNoRows:
		return "none"
	case err != nil:
		t.Fatal(err)
	case done:
		return "done"
	}
	return "claimed"
}

// The testbed's idempotency keys cost what the model charges with
// idempotency_statements: 2 (models/inventory TestIdempotencyStatements),
// on the reservation's one connection: a new key its claim and its done
// mark, a repeat its claim alone, a failed or rolled-back reservation its
// claim and the DELETE of its row (so that a retry reserves again). The
// pool has one connection: a reservation that needed a second would wait
// for it and fail after acquire_timeout.
func TestIdempotencyStatementsReal(t *testing.T) {
	type step struct {
		name   string
		key    uint64
		items  []inventory.Item
		hold   bool // a long transaction held open, then rolled back
		ok     bool
		stmts  int64
		row    string // the key's row afterwards
		repeat int64  // repeats counted so far
	}
	one := []inventory.Item{{SKU: 1, Qty: 1}, {SKU: 2, Qty: 1}}
	tooMany := []inventory.Item{{SKU: 3, Qty: 2_000_000_000}} // stock is 1e9 per SKU
	base := inventory.Config{StatementsPerItem: 1, TxnStatements: 4, LockOrder: inventory.LockSorted, DeadlockTimeout: sim.Second,
		Idempotency: true, IdempotencyTTL: sim.Minute, IdempotencyMaxEntries: 10, IdempotencyStatements: 2}
	cases := []struct {
		txn   inventory.Transaction
		steps []step
	}{
		{inventory.TxnShort, []step{
			{"new", 1, one, false, true, 1 + 2 + 1, "done", 0},
			{"repeat", 1, one, false, true, 1, "done", 1},
			{"out of stock", 2, tooMany, false, false, 1 + 1 + 1, "none", 1},
			{"retry after the failure", 2, one, false, true, 1 + 2 + 1, "done", 1},
		}},
		{inventory.TxnLong, []step{
			// BEGIN and SET LOCAL, a lock and its statement per line, a
			// padding SELECT and COMMIT: 4 + 2.
			{"new", 1, one, false, true, 1 + 6 + 1, "done", 0},
			{"repeat", 1, one, false, true, 1, "done", 1},
			{"held, rolled back", 2, one, true, true, 1 + 4 + 1, "none", 1},
			{"retry after the rollback", 2, one, false, true, 1 + 6 + 1, "done", 1},
		}},
	}
	for _, c := range cases {
		t.Run(string(c.txn), func(t *testing.T) {
			inv := base
			inv.Transaction = c.txn
			f := newFixture(t, 10, 1, inv)
			for _, st := range c.steps {
				ctx := t.Context()
				q := &queryCounter{id: st.key}
				before := f.db.statements.Load()
				tx, err := f.db.reserve(withIntent(ctx, q), st.key, st.items, st.hold)
				if st.hold {
					if tx == nil || err != nil {
						t.Fatalf("%s: want an open transaction, got %v, %v", st.name, tx, err)
					}
					if got := f.keyRow(t, st.key); got != "claimed" {
						t.Fatalf("%s: the key of an open transaction is %q, want claimed", st.name, got)
					}
					f.db.rollback(withIntent(ctx, q), tx)
				}
				if (err == nil) != st.ok {
					t.Fatalf("%s: error %v, want ok=%v", st.name, err, st.ok)
				}
				if n := f.db.statements.Load() - before; n != st.stmts || q.queries.Load() != st.stmts {
					t.Fatalf("%s: %d statements (%d counted for the checkout), want %d", st.name, n, q.queries.Load(), st.stmts)
				}
				if got := f.keyRow(t, st.key); got != st.row {
					t.Fatalf("%s: key row %q, want %q", st.name, got, st.row)
				}
				if r := f.db.rec.repeats.Load(); r != st.repeat {
					t.Fatalf("%s: %d repeats counted, want %d", st.name, r, st.repeat)
				}
				if n := f.pool.Stat().AcquiredConns(); n != 0 || f.db.poolTimeouts.Load() != 0 {
					t.Fatalf("%s: %d connections still held, %d pool timeouts", st.name, n, f.db.poolTimeouts.Load())
				}
			}
		})
	}
}

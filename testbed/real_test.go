//go:build testbed

// Real-system tests: they need PostgreSQL and Redis on this machine
// (go test -tags testbed ./testbed/...). Without them they skip, naming
// how to start them; with CI=true they fail.

package testbed

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/testbed/store"
)

// servers checks PostgreSQL and Redis answer.
func servers(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	pool, err := store.OpenPG(ctx, store.PGConfig{PoolSize: 1})
	if err == nil {
		pool.Close()
		var rdb interface{ Close() error }
		rdb, err = store.OpenRedis(ctx, "127.0.0.1:6379", 1)
		if err == nil {
			rdb.Close()
			return
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true and a server is missing: %v", err)
	}
	t.Skipf("skipped: %v", err)
}

func shortScenario(t *testing.T, ref string, sets ...string) *experiments.Scenario {
	t.Helper()
	sc, err := experiments.LoadScenario(ref, append([]string{"duration=6s", "warmup=1s", "drain=5s", "sample_interval=1s"}, sets...))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func schemaGone(t *testing.T) {
	t.Helper()
	pool, err := store.OpenPG(context.Background(), store.PGConfig{PoolSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if ok, err := store.SchemaExists(context.Background(), pool); err != nil || ok {
		t.Fatalf("schema %s left behind (exists %v, %v)", store.Schema, ok, err)
	}
	rdb, err := store.OpenRedis(context.Background(), "127.0.0.1:6379", 1)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	keys, _, err := rdb.Scan(context.Background(), 0, store.KeyPrefix+"*", 1000).Result()
	if err != nil || len(keys) > 0 {
		t.Fatalf("redis keys left behind: %d (%v)", len(keys), err)
	}
}

// A short real run of both built-in testbed scenarios: checkouts go through
// every hop, the result has the simulator's layers, and the schema and
// keys are gone afterwards.
func TestRunEndToEnd(t *testing.T) {
	servers(t)
	for _, ref := range []string{"scenarios/testbed-before.yaml", "scenarios/testbed-after.yaml"} {
		t.Run(ref, func(t *testing.T) {
			sc := shortScenario(t, ref)
			res, err := Run(t.Context(), sc, Options{Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			if res.Checkout.Attempts < 30 || res.Checkout.Succeeded == 0 {
				t.Fatalf("checkouts %+v: want at least 30 resolved, some succeeded", res.Checkout)
			}
			want := []string{"gateway->checkout-api", "checkout-api->cart", "checkout-api->pricing", "checkout-api->inventory",
				"checkout-api->order", "checkout-api->payment", "payment->psp-a", "payment->psp-b", "gateway->catalog"}
			var got []string
			for _, l := range res.Layers {
				got = append(got, l.Name)
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Fatalf("layers %v, want %v", got, want)
			}
			s := res.Signals
			if s.DBStatements == 0 || s.CacheHits == 0 || s.LockWait.Count() == 0 || s.Payments == 0 || s.CheckoutQueries == 0 {
				t.Fatalf("signals not measured: %+v", s)
			}
			sum := experiments.Summarize(sc, 7, resultsOf(res))
			if sum.Checkout.Latency.P50 <= 0 {
				t.Fatalf("no latency: %+v", sum.Checkout.Latency)
			}
			schemaGone(t)
		})
	}
}

func resultsOf(r *checkout.Result) []*checkout.Result { return []*checkout.Result{r} }

// A schema of that name the testbed did not create is refused and left
// alone.
func TestForeignSchemaRefused(t *testing.T) {
	servers(t)
	ctx := context.Background()
	pool, err := store.OpenPG(ctx, store.PGConfig{PoolSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{store.Schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	defer pool.Exec(ctx, `DROP SCHEMA `+pgx.Identifier{store.Schema}.Sanitize()+` CASCADE`)
	_, err = Run(t.Context(), shortScenario(t, "scenarios/testbed-after.yaml"), Options{Seed: 1})
	if !errors.Is(err, store.ErrForeignSchema) {
		t.Fatalf("want ErrForeignSchema, got %v", err)
	}
	if ok, _ := store.SchemaExists(ctx, pool); !ok {
		t.Fatal("the foreign schema was dropped")
	}
}

// Ctrl-C: the load stops, the system drains, schema and keys are dropped,
// and there is no result.
func TestCancelLeavesNothing(t *testing.T) {
	servers(t)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(3*time.Second, cancel)
	sc := shortScenario(t, "scenarios/testbed-before.yaml", "duration=30s")
	res, err := Run(ctx, sc, Options{Seed: 1})
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("want context.Canceled and no result, got %v, %v", res, err)
	}
	schemaGone(t)
}

// A long reservation waiting behind a row lock held elsewhere fails with
// PostgreSQL's lock_timeout and is counted; the wait is recorded.
func TestLockTimeoutIsReal(t *testing.T) {
	servers(t)
	ctx := t.Context()
	pool, err := store.OpenPG(ctx, store.PGConfig{PoolSize: 4, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	release, err := store.Claim(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if err := store.CreateSchema(ctx, pool, 10); err != nil {
		t.Fatal(err)
	}
	defer store.DropSchema(ctx, pool)
	rec := newRecorder(time.Now(), 0, nil)
	d := &db{pool: pool, acquireTimeout: time.Second, lockTimeout: 200 * time.Millisecond, rec: rec, skus: 10, q: newQueries(),
		inv: inventory.Config{Transaction: "long", StatementsPerItem: 4, TxnStatements: 4, LockOrder: "sorted", LockTimeout: 200 * sim.Millisecond, DeadlockTimeout: sim.Second}}
	holder, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, d.q.lock, 3); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = d.reserve(ctx, 1, []inventory.Item{{SKU: 1, Qty: 1}, {SKU: 3, Qty: 1}}, false)
	waited := time.Since(start)
	if !store.IsLockTimeout(err) || rec.lockTimeouts.Load() != 1 {
		t.Fatalf("want a lock timeout counted, got %v (%d)", err, rec.lockTimeouts.Load())
	}
	if waited < 150*time.Millisecond || rec.lockWait.Max() < 0.15 {
		t.Fatalf("waited %v, recorded max %v s: want about 200 ms", waited, rec.lockWait.Max())
	}
}

// A scenario's deadlock_timeout is the session's: PostgreSQL runs its
// deadlock detector after that wait, as the model's lock table does.
func TestDeadlockTimeoutIsTheScenarios(t *testing.T) {
	servers(t)
	ctx := context.Background()
	pool, err := store.OpenPG(ctx, store.PGConfig{PoolSize: 1, DeadlockTimeout: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var got string
	if err := pool.QueryRow(ctx, "SHOW deadlock_timeout").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != "250ms" {
		t.Fatalf("deadlock_timeout %q, want 250ms", got)
	}
}

package checkout

import (
	"testing"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// hotSKU is an inventory-only flow where every cart holds the single SKU 0
// and every statement takes exactly 2 ms.
func hotSKU(t *testing.T, rate float64, statements int) *Config {
	cfg := bare(t, rate, Step{Name: "inventory", Kind: KindInventory, Calls: "once"})
	cfg.Traffic.SKUs = 1
	cfg.Traffic.CartSize = dist.MustParse("constant(1)")
	cfg.Database.Statement = dist.MustParse("constant(2ms)")
	cfg.Database.PoolSize = 10_000
	cfg.Database.Cores = 10_000
	cfg.Inventory.Transaction = "long"
	cfg.Inventory.StatementsPerItem = statements
	cfg.Inventory.TxnStatements = 2
	cfg.Inventory.LockTimeout = 0
	return cfg
}

// Lock wait on a hot SKU grows sharply (faster than the hold time) with
// the transaction's length: the row is a single-server queue whose load is
// rate x hold time.
func TestLockWaitGrowsSharplyWithTransactionLength(t *testing.T) {
	const rate = 20
	var prevWait, prevHold float64
	for _, k := range []int{2, 5, 10, 20} {
		r := run(t, hotSKU(t, rate, k), 1, 0)
		wait := r.Signals.LockWait.Mean()
		hold := float64(k+1) * 0.002 // statements under the lock, and COMMIT
		t.Logf("statements %2d: hold %.0f ms, load %.2f, mean lock wait %.2f ms", k, hold*1e3, rate*hold, wait*1e3)
		if prevHold > 0 && !(wait/prevWait > 1.2*hold/prevHold) {
			t.Errorf("lock wait grew %.2fx for a %.2fx longer hold: not sharper than linear", wait/prevWait, hold/prevHold)
		}
		prevWait, prevHold = wait, hold
	}
	// The row lock is an M/D/1 queue: Wq = rho/(2 mu (1 - rho)).
	r := run(t, hotSKU(t, rate, 20), 1, 0)
	hold := 21 * 0.002
	rho := rate * hold
	want := rho * hold / (2 * (1 - rho))
	if got := r.Signals.LockWait.Mean(); got < 0.8*want || got > 1.2*want {
		t.Errorf("20 statements: mean lock wait %.4fs, M/D/1 gives %.4fs", got, want)
	}
}

// One SKU cannot be reserved faster than once per lock hold time, however
// many checkouts want it.
func TestHotSKUThroughputCeiling(t *testing.T) {
	cfg := hotSKU(t, 200, 9) // hold = 10 statements x 2 ms = 20 ms: at most 50/s
	cfg.Inventory.LockTimeout = 500 * sim.Millisecond
	r := run(t, cfg, 2, 0)
	measured := r.Measured.Seconds()
	rate := float64(r.Checkout.Succeeded) / measured
	ceiling := 1 / (10 * 0.002)
	if rate < 0.9*ceiling || rate > 1.01*ceiling {
		t.Fatalf("reservations %.1f/s, ceiling 1/hold = %.1f/s (%s)", rate, ceiling, describe(r))
	}
	if r.Signals.LockTimeouts == 0 {
		t.Fatal("demand 4x the ceiling, yet no lock timeouts")
	}
}

// Long transactions that lock a multi-SKU cart in cart order deadlock;
// locking in sorted order never does.
func TestSortedLockOrderEliminatesDeadlocks(t *testing.T) {
	for _, order := range []string{"cart", "sorted"} {
		cfg := bare(t, 40, Step{Name: "inventory", Kind: KindInventory, Calls: "once"})
		cfg.Traffic.SKUs = 20
		cfg.Traffic.SKUSkew = 0.5
		cfg.Traffic.CartSize = dist.MustParse("constant(3)")
		cfg.Database.PoolSize = 10_000
		cfg.Inventory.Transaction = "long"
		cfg.Inventory.StatementsPerItem = 5
		cfg.Inventory.LockOrder = inventory.LockOrder(order)
		cfg.Inventory.LockTimeout = 0
		cfg.Duration = 3 * sim.Minute
		r := run(t, cfg, 4, 0)
		d := r.Signals.Deadlocks
		t.Logf("%s order: %d deadlocks, %s", order, d, describe(r))
		if order == "cart" && d == 0 {
			t.Error("cart order on a hot multi-SKU workload produced no deadlock")
		}
		if order == "sorted" && d != 0 {
			t.Errorf("sorted order produced %d deadlocks", d)
		}
	}
}

// A reservation retried after a client timeout whose first attempt in fact
// committed reserves twice; idempotency keys prevent it.
func TestIdempotencyEliminatesDoubleReservations(t *testing.T) {
	for _, idem := range []bool{false, true} {
		step := Step{Name: "inventory", Kind: KindInventory, Service: "inv", Calls: "once",
			Policy: call.Policy{AttemptTimeout: 30 * sim.Millisecond, Retry: noBackoff(3)}}
		cfg := bare(t, 50, step)
		cfg.Services = append(cfg.Services, cfg.Services[0])
		cfg.Services[1].Name = "inv"
		cfg.Traffic.SKUs = 1000
		cfg.Database.Statement = dist.MustParse("lognormal(median=4ms, p99=40ms)")
		cfg.Inventory.Transaction = "long"
		cfg.Inventory.StatementsPerItem = 3
		cfg.Inventory.Idempotency = idem
		r := run(t, cfg, 9, 0)
		s := r.Signals
		t.Logf("idempotency %v: double %d, leaked units %d, repeats %d, %s", idem, s.DoubleReservations, s.LeakedUnits, s.IdempotentRepeats, describe(r))
		if !idem && s.DoubleReservations == 0 {
			t.Error("timeouts shorter than the transaction with retries produced no double reservation")
		}
		if idem && (s.DoubleReservations != 0 || s.LeakedUnits != 0) {
			t.Errorf("idempotency on: %d double reservations", s.DoubleReservations)
		}
		if idem && s.IdempotentRepeats == 0 {
			t.Error("idempotency on but no repeat was recognised")
		}
	}
}

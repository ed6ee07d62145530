package testbed

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/experiments"
)

// Approximation is one scenario field the testbed cannot realize as
// written, and what it does instead.
type Approximation struct {
	Field string
	What  string
}

func (a Approximation) String() string { return a.Field + ": " + a.What }

// idempotencyStatements is what the testbed's idempotency-key table costs
// a reservation (db.go), on its connection: the claim (INSERT ... ON
// CONFLICT), then the write that ends it (an UPDATE marking it done, or a
// DELETE after a failure). A repeat runs the claim alone.
const idempotencyStatements = 2

// maxPoolSize bounds database.pool_size: the testbed's PostgreSQL must
// accept the pool plus the testbed's own set-up connections.
const maxPoolSize = 80

// Approximations lists the fields of sc the testbed cannot realize. A run
// refuses the scenario when the list is not empty unless approximations
// are accepted.
func Approximations(sc *experiments.Scenario) []Approximation {
	var out []Approximation
	add := func(field, format string, args ...any) {
		out = append(out, Approximation{Field: field, What: fmt.Sprintf(format, args...)})
	}
	for i, s := range sc.Services {
		if s.Autoscale != nil {
			add(fmt.Sprintf("services[%d].autoscale", i), "not realized: %s runs at its %d instances throughout", s.Name, s.Instances)
		}
	}
	if sc.Database.MaxWaiters > 0 {
		add("database.max_waiters", "not realized: the pgx pool has no bound on waiters")
	}
	if sc.Database.PoolSize > maxPoolSize {
		add("database.pool_size", "%d is more than the testbed's PostgreSQL accepts; capped at %d", sc.Database.PoolSize, maxPoolSize)
	}
	if sc.Inventory.Idempotency && sc.Inventory.IdempotencyMaxEntries > 0 && sc.Inventory.IdempotencyMaxEntries < 1_000_000 {
		add("inventory.idempotency_max_entries", "not realized: the idempotency table is unbounded")
	}
	if sc.Inventory.Idempotency && sc.Inventory.IdempotencyStatements != idempotencyStatements {
		add("inventory.idempotency_statements", "not realized: keys live in a table, %d statements per reservation (claim, done), not %d",
			idempotencyStatements, sc.Inventory.IdempotencyStatements)
	}
	return out
}

// Approximated returns a copy of sc with every approximation applied (no
// autoscaling, the pool capped, no bound on pool waiters, idempotency
// keys unbounded and in a table):
// the system the testbed actually builds, so the simulator can be given
// the same one to predict.
func Approximated(sc *experiments.Scenario) *experiments.Scenario {
	cp := *sc
	cp.Services = append(cp.Services[:0:0], sc.Services...)
	for i := range cp.Services {
		cp.Services[i].Autoscale = nil
	}
	cp.Database.PoolSize = min(cp.Database.PoolSize, maxPoolSize)
	cp.Database.MaxWaiters = 0
	if cp.Inventory.Idempotency && cp.Inventory.IdempotencyMaxEntries < 1_000_000 {
		cp.Inventory.IdempotencyMaxEntries = 50_000_000 // the table is unbounded; the model's largest bound
	}
	if cp.Inventory.Idempotency {
		cp.Inventory.IdempotencyStatements = idempotencyStatements
	}
	return &cp
}

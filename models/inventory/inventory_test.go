package inventory

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/resource"
)

const (
	s  = sim.Second
	ms = sim.Millisecond
)

// stmt is the constant statement time of every test database.
const stmt = 10 * ms

func baseConfig() Config {
	return Config{Transaction: "long", StatementsPerItem: 1, TxnStatements: 2, LockOrder: "sorted", DeadlockTimeout: s}
}

// setup builds a database (pool of 10, ample cores, 10 ms statements) and
// a reserver over it.
func setup(t *testing.T, cfg Config) (*sim.Engine, *database.DB, *Reserver) {
	t.Helper()
	e := sim.New()
	db, err := database.New(e, database.Config{PoolSize: 10, Cores: 100, Statement: &dist.Constant{V: stmt.Seconds()}}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(e, cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	return e, db, r
}

func lines(skus ...uint32) []Item {
	items := make([]Item, len(skus))
	for i, sku := range skus {
		items[i] = Item{SKU: sku, Qty: 1 + i%2}
	}
	return items
}

// result is what done received.
type result struct {
	at  sim.Time
	o   call.Outcome
	txn *Txn
}

func reserve(e *sim.Engine, r *Reserver, ctx *call.Ctx, items []Item, hold bool) *result {
	res := &result{at: -1}
	r.Reserve(ctx, items, hold, func(o call.Outcome, t *Txn) { *res = result{e.Now(), o, t} })
	return res
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		field  string
	}{
		{"valid long", func(*Config) {}, ""},
		{"valid short", func(c *Config) { c.Transaction = "short" }, ""},
		{"valid idempotent", func(c *Config) { c.Idempotency, c.IdempotencyTTL, c.IdempotencyMaxEntries = true, s, 10 }, ""},
		{"transaction", func(c *Config) { c.Transaction = "medium" }, "transaction"},
		{"statements per item", func(c *Config) { c.StatementsPerItem = 0 }, "statements_per_item"},
		{"txn statements", func(c *Config) { c.TxnStatements = -1 }, "txn_statements"},
		{"hold with short", func(c *Config) { c.Transaction, c.HoldUntil = "short", "payment" }, "hold_until"},
		{"lock order", func(c *Config) { c.LockOrder = "random" }, "lock_order"},
		{"lock timeout", func(c *Config) { c.LockTimeout = -1 }, "lock_timeout"},
		{"deadlock timeout", func(c *Config) { c.DeadlockTimeout = 0 }, "deadlock_timeout"},
		{"idempotency ttl", func(c *Config) { c.Idempotency, c.IdempotencyMaxEntries = true, 10 }, "idempotency_ttl"},
		{"idempotency entries", func(c *Config) { c.Idempotency, c.IdempotencyTTL = true, s }, "idempotency_max_entries"},
		{"idempotency entries too many", func(c *Config) { c.Idempotency, c.IdempotencyTTL, c.IdempotencyMaxEntries = true, s, 50_000_001 }, "idempotency_max_entries"},
		{"idempotency statements in a table", func(c *Config) {
			c.Idempotency, c.IdempotencyTTL, c.IdempotencyMaxEntries, c.IdempotencyStatements = true, s, 10, 2
		}, ""},
		{"idempotency statements negative", func(c *Config) {
			c.Idempotency, c.IdempotencyTTL, c.IdempotencyMaxEntries, c.IdempotencyStatements = true, s, 10, -1
		}, "idempotency_statements"},
		{"idempotency statements without idempotency", func(c *Config) { c.IdempotencyStatements = 2 }, "idempotency_statements"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := baseConfig()
			c.mutate(&cfg)
			err := cfg.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if f := check.Fields(err); len(f) != 1 || f[0] != c.field {
				t.Fatalf("error %v has fields %q, want [%q]", err, f, c.field)
			}
			if _, err := New(sim.New(), cfg, nil); err == nil {
				t.Fatal("New accepted the invalid config")
			}
		})
	}
}

// Statements of one uncontended reservation: a long transaction runs
// StatementsPerItem per line plus TxnStatements (BEGIN half before the
// lines, COMMIT half after); a short one runs one conditional UPDATE per
// line. Keys in a table (IdempotencyStatements) add theirs to either.
// With constant statements and no contention the time is exact.
func TestStatementCounts(t *testing.T) {
	cases := []struct {
		txn      string
		perItem  int
		txnStmts int
		lines    int
		want     int
		idem     int // IdempotencyStatements (keys in a table)
	}{
		{"long", 1, 2, 1, 1*1 + 2, 0},
		{"long", 3, 2, 4, 3*4 + 2, 0},
		{"long", 2, 3, 3, 2*3 + 3, 0}, // odd TxnStatements: 1 before, 2 after
		{"long", 1, 0, 5, 5, 0},
		{"short", 1, 0, 1, 1, 0},
		{"short", 4, 2, 5, 5, 0}, // per-item and txn statements do not apply
		{"long", 3, 2, 4, 3*4 + 2 + 2, 2},
		{"short", 1, 0, 3, 3 + 2, 2},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/perItem=%d/txn=%d/lines=%d/idem=%d", c.txn, c.perItem, c.txnStmts, c.lines, c.idem), func(t *testing.T) {
			cfg := baseConfig()
			cfg.Transaction, cfg.StatementsPerItem, cfg.TxnStatements = Transaction(c.txn), c.perItem, c.txnStmts
			if c.idem > 0 {
				cfg.Idempotency, cfg.IdempotencyTTL, cfg.IdempotencyMaxEntries, cfg.IdempotencyStatements = true, s, 10, c.idem
			}
			e, db, r := setup(t, cfg)
			skus := make([]uint32, c.lines)
			for i := range skus {
				skus[i] = uint32(10 * (c.lines - i)) // reverse order, to exercise sorting
			}
			in := &call.Intent{ID: 1}
			var tr call.Trace
			res := reserve(e, r, call.Root(in, sim.Never, &tr), lines(skus...), false)
			e.Run()
			if res.o != policy.Success || res.txn != nil {
				t.Fatalf("outcome %v txn %v, want success and no open transaction", res.o, res.txn)
			}
			if in.Queries != c.want || db.Statements != int64(c.want) {
				t.Fatalf("intent counted %d statements, database ran %d, want %d", in.Queries, db.Statements, c.want)
			}
			if want := sim.Time(c.want) * stmt; res.at != want || tr.Spans[call.SpanDB] != want {
				t.Fatalf("took %v (db span %v), want %d statements x %v = %v", res.at, tr.Spans[call.SpanDB], c.want, stmt, want)
			}
			if r.Reservations != 1 || in.Reservations != 1 || r.LockWaits != int64(c.lines) || r.LockWaitSum != 0 {
				t.Fatalf("reservations %d (intent %d), lock waits %d (%.3fs), want 1, 1, %d, 0", r.Reservations, in.Reservations, r.LockWaits, r.LockWaitSum, c.lines)
			}
			if db.Pool().InUse() != 0 || r.Locks().Held(1) != 0 {
				t.Fatalf("after commit: %d connections and %d locks held", db.Pool().InUse(), r.Locks().Held(1))
			}
		})
	}
}

// A held transaction (HoldUntil a later step) hands back its Txn with the
// locks and the connection still held; a competitor for the same SKU waits
// until Commit, and the reservation counts only once committed.
func TestHoldUntilCommit(t *testing.T) {
	cfg := baseConfig()
	cfg.HoldUntil = "payment"
	e, db, r := setup(t, cfg)
	if !r.HoldsAcross("payment") || r.HoldsAcross("order") {
		t.Fatal("HoldsAcross does not name the hold_until step")
	}
	in := &call.Intent{ID: 1}
	first := reserve(e, r, call.Root(in, sim.Never, new(call.Trace)), lines(7), true)
	var tr2 call.Trace
	var second *result
	e.At(100*ms, func() { second = reserve(e, r, call.Root(&call.Intent{ID: 2}, sim.Never, &tr2), lines(7), false) })
	e.At(500*ms, func() {
		// BEGIN + 1 statement: the transaction is open since 20 ms.
		if first.o != policy.Success || first.txn == nil || first.at != 2*stmt {
			t.Errorf("held reservation: %+v, want success with an open Txn at 20ms", *first)
		}
		if h, ok := r.Locks().Holder(7); !ok || h != 1 {
			t.Errorf("SKU 7 holder %v %v, want transaction 1", h, ok)
		}
		if db.Pool().InUse() != 2 || r.Reservations != 0 || in.Reservations != 0 {
			t.Errorf("connections %d reservations %d (intent %d), want 2 held and none committed yet", db.Pool().InUse(), r.Reservations, in.Reservations)
		}
		if second.at >= 0 {
			t.Errorf("the competitor finished at %v while the lock was held", second.at)
		}
	})
	var committed sim.Time
	e.At(s, func() { first.txn.Commit(func() { committed = e.Now() }) })
	e.Run()
	if committed != s+stmt || r.Reservations != 2 || in.Reservations != 1 {
		t.Fatalf("commit at %v, reservations %d (intent %d), want 1.01s, 2, 1", committed, r.Reservations, in.Reservations)
	}
	// The competitor: BEGIN 100..110 ms, waits for the lock until the
	// commit at 1.01 s, then its statement and COMMIT.
	if second.o != policy.Success || second.at != s+3*stmt || tr2.Spans[call.SpanLockWait] != s+stmt-110*ms {
		t.Fatalf("competitor %+v, lock wait %v, want success at 1.03s after waiting 900ms", *second, tr2.Spans[call.SpanLockWait])
	}
	if r.LockWait.Count() != 2 || db.Pool().InUse() != 0 {
		t.Fatalf("lock wait histogram %d entries, %d connections held; want 2 and 0", r.LockWait.Count(), db.Pool().InUse())
	}
}

// A hold request whose caller is gone (the client stopped waiting) is
// committed at once: nobody would ever commit it otherwise.
func TestHoldWithoutLiveCallerCommits(t *testing.T) {
	cfg := baseConfig()
	cfg.HoldUntil = "payment"
	e, db, r := setup(t, cfg)
	ctx := call.Root(&call.Intent{ID: 1}, sim.Never, new(call.Trace))
	res := reserve(e, r, ctx, lines(7), true)
	e.At(5*ms, func() { ctx.Abandon(false) })
	e.Run()
	if res.o != policy.Success || res.txn != nil || r.Reservations != 1 || db.Pool().InUse() != 0 {
		t.Fatalf("%+v, reservations %d, connections %d: want a committed reservation and nothing held", *res, r.Reservations, db.Pool().InUse())
	}
}

// Rollback and cancellation release locks and connection, committing
// nothing.
func TestRollbackAndCancel(t *testing.T) {
	cfg := baseConfig()
	e, db, r := setup(t, cfg)
	in := &call.Intent{ID: 1}
	held := reserve(e, r, call.Root(in, sim.Never, new(call.Trace)), lines(1, 2), true)
	ctx := call.Root(&call.Intent{ID: 2}, sim.Never, new(call.Trace))
	cancelled := reserve(e, r, ctx, lines(3, 4, 5), false)
	e.At(15*ms, func() { ctx.Abandon(true) }) // during its first line
	e.At(s, func() { held.txn.Rollback() })
	e.Run()
	if held.txn == nil || cancelled.o != policy.Failure || r.Reservations != 0 || in.Reservations != 0 {
		t.Fatalf("held %+v cancelled %+v reservations %d: want an open txn, a failed cancelled one and none committed", *held, *cancelled, r.Reservations)
	}
	if db.Pool().InUse() != 0 || r.Locks().Held(1) != 0 || r.Locks().Held(2) != 0 {
		t.Fatal("locks or connections still held after rollback and cancellation")
	}
}

// Lock timeouts and deadlocks fail the reservation; sorted lock order
// cannot deadlock.
func TestLockTimeoutAndDeadlock(t *testing.T) {
	cases := []struct {
		name        string
		order       string
		lockTimeout sim.Time
		a, b        []Item
		wantA       call.Outcome
		wantB       call.Outcome
		timeouts    int64
		deadlocks   int64
	}{
		// Two carts with SKUs 1 and 2 in opposite order, 3 statements per
		// line so both hold their first lock when they ask for the second.
		{"cart order deadlocks", "cart", 0, lines(1, 2), lines(2, 1), policy.Success, policy.Failure, 0, 1},
		{"sorted order does not", "sorted", 0, lines(1, 2), lines(2, 1), policy.Success, policy.Success, 0, 0},
		{"lock timeout", "sorted", 20 * ms, lines(1), lines(1), policy.Success, policy.Failure, 1, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.LockOrder, cfg.LockTimeout, cfg.StatementsPerItem = LockOrder(c.order), c.lockTimeout, 3
			e, db, r := setup(t, cfg)
			a := reserve(e, r, call.Root(&call.Intent{ID: 1}, sim.Never, new(call.Trace)), c.a, false)
			b := reserve(e, r, call.Root(&call.Intent{ID: 2}, sim.Never, new(call.Trace)), c.b, false)
			e.Run()
			got := []call.Outcome{a.o, b.o}
			// Which of the two is the deadlock victim is the lock table's
			// choice; compare as a multiset.
			if !(got[0] == c.wantA && got[1] == c.wantB) && !(got[0] == c.wantB && got[1] == c.wantA) {
				t.Fatalf("outcomes %v, want %v and %v", got, c.wantA, c.wantB)
			}
			if r.LockTimeouts != c.timeouts || r.Deadlocks != c.deadlocks || db.Pool().InUse() != 0 {
				t.Fatalf("lock timeouts %d deadlocks %d connections held %d, want %d %d 0", r.LockTimeouts, r.Deadlocks, db.Pool().InUse(), c.timeouts, c.deadlocks)
			}
		})
	}
}

// Idempotency: a repeat of a finished reservation is answered from the
// store without work, a repeat while the first runs is a retryable
// conflict, a full store refuses; without idempotency the repeat reserves
// twice and its units are counted as leaked.
func TestIdempotency(t *testing.T) {
	cases := []struct {
		name        string
		idempotent  bool
		maxEntries  int
		secondID    uint64
		secondAt    sim.Time // the first starts at 0 and ends at 30 ms
		want        call.Outcome
		reservation int // intent 1's reservations at the end
		repeats     int64
		doubles     int64
		leaked      int64
		full        int64
	}{
		{"repeat after done", true, 10, 1, 100 * ms, policy.Success, 1, 1, 0, 0, 0},
		{"repeat in progress", true, 10, 1, 5 * ms, policy.Failure, 1, 1, 0, 0, 0},
		{"store full", true, 1, 2, 5 * ms, policy.Failure, 1, 0, 0, 0, 1},
		{"another checkout", true, 10, 2, 5 * ms, policy.Success, 1, 0, 0, 0, 0},
		{"no idempotency: double reservation", false, 0, 1, 100 * ms, policy.Success, 2, 0, 1, 1 + 2, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Idempotency, cfg.IdempotencyTTL, cfg.IdempotencyMaxEntries = c.idempotent, sim.Minute, c.maxEntries
			e, db, r := setup(t, cfg)
			intents := map[uint64]*call.Intent{1: {ID: 1}, 2: {ID: 2}}
			first := reserve(e, r, call.Root(intents[1], sim.Never, new(call.Trace)), lines(1, 2), false)
			var second *result
			e.At(c.secondAt, func() {
				second = reserve(e, r, call.Root(intents[c.secondID], sim.Never, new(call.Trace)), lines(1, 2), false)
			})
			e.Run()
			if first.o != policy.Success || second.o != c.want {
				t.Fatalf("first %v second %v, want success and %v", first.o, second.o, c.want)
			}
			if intents[1].Reservations != c.reservation || r.IdempotentRepeats != c.repeats || r.DoubleReservations != c.doubles ||
				r.LeakedUnits != c.leaked || r.IdempotencyFull != c.full {
				t.Fatalf("intent reservations %d repeats %d doubles %d leaked %d full %d, want %d %d %d %d %d",
					intents[1].Reservations, r.IdempotentRepeats, r.DoubleReservations, r.LeakedUnits, r.IdempotencyFull,
					c.reservation, c.repeats, c.doubles, c.leaked, c.full)
			}
			if db.Pool().InUse() != 0 {
				t.Fatal("connections still held")
			}
		})
	}
}

// A failed reservation forgets its key, so a retry reserves.
func TestIdempotencyRetryAfterFailure(t *testing.T) {
	cfg := baseConfig()
	cfg.Idempotency, cfg.IdempotencyTTL, cfg.IdempotencyMaxEntries = true, sim.Minute, 10
	cfg.LockTimeout = 5 * ms
	e, _, r := setup(t, cfg)
	blocker := reserve(e, r, call.Root(&call.Intent{ID: 9}, sim.Never, new(call.Trace)), lines(1), true)
	in := &call.Intent{ID: 1}
	first := reserve(e, r, call.Root(in, sim.Never, new(call.Trace)), lines(1), false)
	var retry *result
	e.At(100*ms, func() { blocker.txn.Rollback() })
	e.At(200*ms, func() { retry = reserve(e, r, call.Root(in, sim.Never, new(call.Trace)), lines(1), false) })
	e.Run()
	if first.o != policy.Failure || retry.o != policy.Success || in.Reservations != 1 || r.IdempotentRepeats != 0 {
		t.Fatalf("first %v retry %v reservations %d repeats %d: want a lock timeout, then a real reservation", first.o, retry.o, in.Reservations, r.IdempotentRepeats)
	}
}

// Release gives a committed reservation back: one compensating statement
// and the intent's count goes down. Afterwards the same checkout (a
// re-click after its payment failed) must be able to reserve again for
// real, with or without idempotency.
func TestReleaseThenReserveAgain(t *testing.T) {
	cases := []struct {
		name       string
		idempotent bool
		hold       bool   // the first reservation is held and rolled back instead of committed and released
		regression string // the bug this case caught, now fixed
		table      bool   // keys in a table: the release deletes the key's row too
	}{
		{"no idempotency, release", false, false, "", false},
		{"no idempotency, rollback", false, true, "", false},
		{"idempotency, release", true, false,
			"Reserver.Release calls idem.Abort on a completed key, which policy.IdempotencyStore.Abort ignores (it only forgets keys in progress), so the key stays done", false},
		{"idempotency, rollback of a held transaction", true, true,
			"Reserve completes the idempotency key when it hands back an open Txn; Txn.Rollback does not forget it", false},
		{"idempotency in a table, release", true, false, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Idempotency, cfg.IdempotencyTTL, cfg.IdempotencyMaxEntries = c.idempotent, sim.Minute, 10
			releaseStmts := 1
			if c.table {
				cfg.IdempotencyStatements, releaseStmts = 2, 2
			}
			e, db, r := setup(t, cfg)
			in := &call.Intent{ID: 1}
			ctx := call.Root(in, sim.Never, new(call.Trace))
			first := reserve(e, r, ctx, lines(1, 2), c.hold)
			var released sim.Time
			e.At(s, func() {
				if c.hold {
					first.txn.Rollback()
					return
				}
				if in.Reservations != 1 {
					t.Errorf("before release: %d reservations, want 1", in.Reservations)
				}
				before := in.Queries
				r.Release(ctx, func(call.Outcome) {
					released = e.Now()
					if in.Queries != before+releaseStmts || in.Reservations != 0 {
						t.Errorf("release: %d statements, %d reservations left; want %d statements and 0", in.Queries-before, in.Reservations, releaseStmts)
					}
				})
			})
			var again *result
			queriesBefore := 0
			e.At(2*s, func() {
				queriesBefore = in.Queries
				again = reserve(e, r, call.Root(in, sim.Never, new(call.Trace)), lines(1, 2), false)
			})
			e.Run()
			if want := s + sim.Time(releaseStmts)*stmt; !c.hold && released != want {
				t.Fatalf("release finished at %v, want %v", released, want)
			}
			if again.o != policy.Success || in.Reservations != 1 || in.Queries == queriesBefore || db.Pool().InUse() != 0 {
				msg := fmt.Sprintf("reserve after giving back: %v, intent holds %d reservations, ran %d statements; want success, 1 reservation and the statements run",
					again.o, in.Reservations, in.Queries-queriesBefore)
				t.Fatal(msg)
			}
		})
	}
}

// Keys in a table cost what the testbed runs for them (testbed/db.go), on
// the reservation's one connection: a new key its claim and its done mark,
// a repeat (of a finished or of a running reservation) its claim alone, an
// aborted reservation (a lock timeout, a held transaction rolled back) its
// claim and the DELETE of its row. Keys in memory cost nothing. Each case
// counts the statements of one attempt (its own trace, constant 10 ms
// statements) and the connections it acquired; after an abort the same
// checkout must reserve again for real.
func TestIdempotencyStatements(t *testing.T) {
	type attempt int
	const (
		fresh        attempt = iota // the checkout's first reservation
		repeatDone                  // a retry after the first one committed
		repeatActive                // a retry while the first one runs
		lockTimeout                 // a reservation that times out on a lock
		rolledBack                  // a held transaction the flow rolls back
	)
	cases := []struct {
		name    string
		txn     Transaction
		idem    int // IdempotencyStatements
		attempt attempt
		want    call.Outcome
		stmts   int // the attempt's statements
		conns   int64
	}{
		// long, 1 line, 1 statement per line, BEGIN + COMMIT: 3 statements.
		{"memory/new", TxnLong, 0, fresh, policy.Success, 3, 1},
		{"memory/repeat done", TxnLong, 0, repeatDone, policy.Success, 0, 0},
		{"memory/repeat running", TxnLong, 0, repeatActive, policy.Failure, 0, 0},
		{"memory/lock timeout", TxnLong, 0, lockTimeout, policy.Failure, 1, 1},
		{"memory/rolled back", TxnLong, 0, rolledBack, policy.Success, 2, 1},
		{"table/new", TxnLong, 2, fresh, policy.Success, 1 + 3 + 1, 1},
		{"table/repeat done", TxnLong, 2, repeatDone, policy.Success, 1, 1},
		{"table/repeat running", TxnLong, 2, repeatActive, policy.Failure, 1, 1},
		{"table/lock timeout", TxnLong, 2, lockTimeout, policy.Failure, 1 + 1 + 1, 1},
		{"table/rolled back", TxnLong, 2, rolledBack, policy.Success, 1 + 2 + 1, 1},
		{"table/short new", TxnShort, 2, fresh, policy.Success, 1 + 1 + 1, 1},
		{"table/short repeat done", TxnShort, 2, repeatDone, policy.Success, 1, 1},
		{"table/short lock timeout", TxnShort, 2, lockTimeout, policy.Failure, 1 + 1, 1},
		// An odd count: the claim takes the larger half.
		{"table of 3/new", TxnLong, 3, fresh, policy.Success, 2 + 3 + 1, 1},
		{"table of 3/repeat done", TxnLong, 3, repeatDone, policy.Success, 2, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Transaction, cfg.TxnStatements = c.txn, 2
			cfg.Idempotency, cfg.IdempotencyTTL, cfg.IdempotencyMaxEntries, cfg.IdempotencyStatements = true, sim.Minute, 10, c.idem
			cfg.LockTimeout = 5 * ms
			e, db, r := setup(t, cfg)
			in := &call.Intent{ID: 1}
			var tr call.Trace
			var res *result
			var acquires int64
			start := func(at sim.Time, hold bool) {
				e.At(at, func() {
					acquires = db.Pool().Stats().Acquires
					res = reserve(e, r, call.Root(in, sim.Never, &tr), lines(1), hold)
				})
			}
			conns := func() int64 { return db.Pool().Stats().Acquires - acquires }
			switch c.attempt {
			case fresh:
				start(0, false)
			case repeatDone, repeatActive:
				first := reserve(e, r, call.Root(in, sim.Never, new(call.Trace)), lines(1), false)
				at := 200 * ms // the first is done by 60 ms
				if c.attempt == repeatActive {
					at = 25 * ms // after the first's claim (10-20 ms with keys in a table), before its end
				}
				start(at, false)
				defer func() {
					if first.o != policy.Success {
						t.Errorf("the first reservation: %v, want success", first.o)
					}
				}()
			case lockTimeout:
				// Another transaction holds SKU 1's row lock until 100 ms.
				const other = resource.TxnID(1 << 40)
				if err := r.Locks().Lock(other, 1, func(resource.LockResult, sim.Time) {}); err != nil {
					t.Fatal(err)
				}
				e.At(100*ms, func() { r.Locks().ReleaseAll(other) })
				start(50*ms, false)
			case rolledBack:
				start(0, true)
				e.At(100*ms, func() {
					if res.txn == nil {
						t.Errorf("no open transaction to roll back: %+v", *res)
						return
					}
					res.txn.Rollback()
				})
				e.Run()
				if conns() != c.conns || db.Pool().InUse() != 0 {
					t.Fatalf("acquired %d connections, %d still held, want %d and none", conns(), db.Pool().InUse(), c.conns)
				}
				if n := int(tr.Spans[call.SpanDB] / stmt); n != c.stmts || res.o != c.want {
					t.Fatalf("outcome %v and %d statements, want %v and %d", res.o, n, c.want, c.stmts)
				}
				again := reserve(e, r, call.Root(in, sim.Never, new(call.Trace)), lines(1), false)
				e.Run()
				if again.o != policy.Success || in.Reservations != 1 {
					t.Fatalf("after the rollback: %v with %d reservations, want a real reservation", again.o, in.Reservations)
				}
				return
			}
			e.Run()
			if res.o != c.want || res.txn != nil {
				t.Fatalf("outcome %v (open %v), want %v", res.o, res.txn != nil, c.want)
			}
			if n := int(tr.Spans[call.SpanDB] / stmt); n != c.stmts {
				t.Fatalf("the attempt ran %d statements (db span %v), want %d", n, tr.Spans[call.SpanDB], c.stmts)
			}
			if conns() != c.conns || db.Pool().InUse() != 0 {
				t.Fatalf("acquired %d connections, %d still held, want %d and none", conns(), db.Pool().InUse(), c.conns)
			}
			if c.attempt == lockTimeout {
				again := reserve(e, r, call.Root(in, sim.Never, new(call.Trace)), lines(1), false)
				e.Run()
				if again.o != policy.Success || in.Reservations != 1 {
					t.Fatalf("retry after the lock timeout: %v with %d reservations, want a real reservation", again.o, in.Reservations)
				}
			}
		})
	}
}

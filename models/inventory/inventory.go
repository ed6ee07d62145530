// Package inventory models stock reservation at checkout: per-SKU row locks
// in the database, taken by one of two transaction shapes.
//
//   - long: BEGIN, then for each cart line lock the SKU row and run several
//     statements, then COMMIT. The locks (and a pooled connection) are held
//     for the whole transaction, and optionally across later remote calls
//     (pricing, even payment) when the transaction is committed only after
//     a later flow step. This is the "before" shape of the case study.
//   - short: one conditional UPDATE per line (UPDATE stock SET qty = qty - n
//     WHERE sku = $1 AND qty >= n), each its own transaction: a row lock is
//     held for one statement.
//
// Multi-SKU transactions lock in cart order (two carts holding the same two
// SKUs in opposite order deadlock, detected after deadlock_timeout) or in
// sorted order (no cycle can form). With idempotency keys a reservation
// retried after a client timeout whose first attempt in fact succeeded is
// recognised as a repeat; without them it reserves twice, and the second
// reservation is stock leaked from sale: counted as a correctness signal.
package inventory

import (
	"fmt"
	"slices"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/cart"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/resource"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Item is one cart line.
type Item = cart.Item

// Config describes the reservation transaction.
type Config struct {
	// Transaction is "long" or "short".
	Transaction Transaction
	// StatementsPerItem is how many statements a long transaction runs per
	// line while it holds that line's lock (read stock, update, audit
	// insert, ...). Short transactions always run one.
	StatementsPerItem int
	// TxnStatements is the statements a long transaction runs besides its
	// per-line ones (BEGIN, session setup, COMMIT).
	TxnStatements int
	// HoldUntil names a later flow step: the long transaction commits only
	// after that step, holding its locks and connection across it. Empty:
	// commit at the end of the reservation.
	HoldUntil string
	// LockOrder is "cart" (lines in the order the user added them) or
	// "sorted" (by SKU, which makes deadlocks impossible).
	LockOrder LockOrder
	// LockTimeout fails a lock wait after this long (0: wait for ever, as
	// PostgreSQL's default lock_timeout).
	LockTimeout sim.Time
	// DeadlockTimeout is how long a lock waiter waits before checking for a
	// deadlock (PostgreSQL's deadlock_timeout, 1 s by default).
	DeadlockTimeout sim.Time
	// Idempotency makes a repeated reservation of the same checkout a no-op.
	Idempotency bool
	// IdempotencyTTL is how long a reservation key is remembered.
	IdempotencyTTL sim.Time
	// IdempotencyMaxEntries bounds the keys remembered at once; when it is
	// reached a reservation is refused rather than risk a double one.
	IdempotencyMaxEntries int
	// IdempotencyStatements is what a reservation's key costs the
	// database when keys live in a table, as in the testbed (testbed/db.go):
	// the first (n+1)/2 claim the key (INSERT ... ON CONFLICT), before the
	// first lock, and decide whether to reserve at all; the other n/2 end
	// it once the reservation is over (UPDATE marking it done after the
	// commit, or DELETE after a failure or a rollback). All run on the
	// reservation's connection. A repeat (the key already claimed or done)
	// costs the claim alone; a release deletes the key's row too (n/2 more
	// statements). 0 keeps keys in the service's memory at no database
	// cost, claimed before the connection is acquired.
	IdempotencyStatements int
}

// keyClaim is the statements that claim a key in the table.
func (c *Config) keyClaim() int { return c.IdempotencyStatements - c.IdempotencyStatements/2 }

// keyEnd is the statements that end a key's claim: mark it done, or
// delete it.
func (c *Config) keyEnd() int { return c.IdempotencyStatements / 2 }

// Transaction is the shape of the reservation transaction.
type Transaction string

// The transaction shapes.
const (
	TxnLong  Transaction = "long"  // one transaction: every line's lock held to the end
	TxnShort Transaction = "short" // one conditional UPDATE per line, each its own transaction
)

// LockOrder is the order a multi-line transaction takes its row locks in.
type LockOrder string

// The lock orders.
const (
	LockCartOrder LockOrder = "cart"   // as the user added the lines: opposite orders deadlock
	LockSorted    LockOrder = "sorted" // by SKU: no cycle can form
)

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Transaction != TxnLong && c.Transaction != TxnShort {
		errs = append(errs, check.Field("transaction", `must be "long" or "short", got %q`, c.Transaction))
	}
	if c.StatementsPerItem < 1 {
		errs = append(errs, check.Field("statements_per_item", "must be >= 1, got %d", c.StatementsPerItem))
	}
	if c.TxnStatements < 0 {
		errs = append(errs, check.Field("txn_statements", "must be >= 0, got %d", c.TxnStatements))
	}
	if c.HoldUntil != "" && c.Transaction == TxnShort {
		errs = append(errs, check.Field("hold_until", "only a long transaction can hold its locks across steps, got %q with a short one", c.HoldUntil))
	}
	if c.LockOrder != LockCartOrder && c.LockOrder != LockSorted {
		errs = append(errs, check.Field("lock_order", `must be "cart" or "sorted", got %q`, c.LockOrder))
	}
	if c.LockTimeout < 0 {
		errs = append(errs, check.Field("lock_timeout", "must be >= 0, got %v", c.LockTimeout))
	}
	if c.DeadlockTimeout <= 0 {
		errs = append(errs, check.Field("deadlock_timeout", "must be > 0, got %v", c.DeadlockTimeout))
	}
	if c.Idempotency && c.IdempotencyTTL <= 0 {
		errs = append(errs, check.Field("idempotency_ttl", "must be > 0 with idempotency on, got %v", c.IdempotencyTTL))
	}
	if c.IdempotencyStatements < 0 || c.IdempotencyStatements > 0 && !c.Idempotency {
		errs = append(errs, check.Field("idempotency_statements", "must be >= 0, and 0 without idempotency, got %d", c.IdempotencyStatements))
	}
	if c.Idempotency && (c.IdempotencyMaxEntries < 1 || c.IdempotencyMaxEntries > 50_000_000) {
		errs = append(errs, check.Field("idempotency_max_entries", "must be in [1, 50000000] with idempotency on, got %d", c.IdempotencyMaxEntries))
	}
	return check.Join(errs...)
}

// Reserver runs reservations.
type Reserver struct {
	cfg   Config
	eng   *sim.Engine
	db    *database.DB
	locks *resource.LockTable
	idem  *policy.IdempotencyStore[uint64, struct{}]
	txns  uint64

	Reservations       int64 // committed reservations
	DoubleReservations int64 // committed while the checkout already held one
	LeakedUnits        int64 // units reserved twice
	LockTimeouts       int64
	Deadlocks          int64
	IdempotentRepeats  int64   // repeats answered from the idempotency store
	IdempotencyFull    int64   // reservations refused because the store was full
	LockWaits          int64   // lock requests answered
	LockWaitSum        float64 // seconds waited for locks, summed
	LockWait           *stats.Histogram

	free sim.FreeList[Txn] // recycled transaction records
}

// New builds a reserver over db.
func New(e *sim.Engine, cfg Config, db *database.DB) (*Reserver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	lt, err := resource.NewLockTable(e, resource.LockConfig{LockTimeout: cfg.LockTimeout, DeadlockTimeout: cfg.DeadlockTimeout})
	if err != nil {
		return nil, err
	}
	r := &Reserver{cfg: cfg, eng: e, db: db, locks: lt, LockWait: new(stats.Histogram)}
	if cfg.Idempotency {
		if r.idem, err = policy.NewIdempotencyStore[uint64, struct{}](policy.IdempotencyConfig{
			TTL: cfg.IdempotencyTTL.Duration(), MaxEntries: cfg.IdempotencyMaxEntries}); err != nil {
			return nil, fmt.Errorf("inventory: %w", err)
		}
	}
	return r, nil
}

// Locks returns the lock table (for its statistics).
func (r *Reserver) Locks() *resource.LockTable { return r.locks }

// HoldsAcross reports whether reservations stay open until the named step.
func (r *Reserver) HoldsAcross(step string) bool {
	return r.cfg.HoldUntil != "" && r.cfg.HoldUntil == step
}

// Txn is one reservation transaction: a recycled record whose methods are
// the steps of the reservation (acquire, claim the key, lock a line, run
// its statements, next line, commit, end the key), bound once. Reserve
// hands it to the flow still open when the flow commits it after a later
// step; otherwise it is recycled before Reserve's done runs.
type Txn struct {
	r       *Reserver
	id      resource.TxnID
	conn    *database.Conn
	ctx     *call.Ctx
	items   []Item
	order   []Item // the lines in lock order (items, or a sorted copy in buf)
	buf     []Item
	i       int // the line being reserved
	key     uint64
	hold    bool
	held    bool         // the open transaction holds ctx (Ctx.Hold)
	claimed bool         // the key is claimed in the table: its ending write is owed
	outcome call.Outcome // what the key's ending write ends (Success: done)
	done    func(call.Outcome, *Txn)
	after   func() // Commit's caller

	gotConn    func(*database.Conn)                // bound once: t.onConn
	begun      func()                              // bound once: t.longLine
	locked     func(resource.LockResult, sim.Time) // bound once: t.onLock
	shortRan   func()                              // bound once: t.onShortStatement
	longRan    func()                              // bound once: t.onLongStatements
	commited   func()                              // bound once: t.onCommit
	keyClaimed func()                              // bound once: t.onKeyClaimed
	keyEnded   func()                              // bound once: t.onKeyEnded
}

func (r *Reserver) newTxn() *Txn { return r.free.Get(r.freshTxn) }

func (r *Reserver) freshTxn() *Txn {
	t := &Txn{r: r}
	t.gotConn, t.begun, t.locked = t.onConn, t.longLine, t.onLock
	t.shortRan, t.longRan, t.commited = t.onShortStatement, t.onLongStatements, t.onCommit
	t.keyClaimed, t.keyEnded = t.onKeyClaimed, t.onKeyEnded
	return t
}

// recycle returns t to the free list, dropping its hold on the context.
func (t *Txn) recycle() {
	r, ctx, held := t.r, t.ctx, t.held
	*t = Txn{r: r, buf: t.buf[:0], gotConn: t.gotConn, begun: t.begun, locked: t.locked,
		shortRan: t.shortRan, longRan: t.longRan, commited: t.commited,
		keyClaimed: t.keyClaimed, keyEnded: t.keyEnded}
	r.free.Put(t)
	if held {
		ctx.Release()
	}
}

// inTable reports whether idempotency keys live in a database table (they
// cost statements) rather than in the service's memory.
func (r *Reserver) inTable() bool { return r.idem != nil && r.cfg.IdempotencyStatements > 0 }

// claim begins key in the store. ok is false when the reservation is
// answered without reserving: a repeat of a finished one (success), of one
// still running (a retryable conflict), or a full store; o is that answer.
func (r *Reserver) claim(key uint64) (o call.Outcome, ok bool) {
	switch st, _ := r.idem.Begin(call.Wall(r.eng.Now()), key); st {
	case policy.IdemDone:
		r.IdempotentRepeats++
		return policy.Success, false
	case policy.IdemInProgress:
		// The first attempt is still running: answer "conflict", a
		// retryable failure, rather than reserve again.
		r.IdempotentRepeats++
		return policy.Failure, false
	case policy.IdemFull:
		r.IdempotencyFull++
		return policy.Failure, false
	}
	return policy.Success, true
}

// Reserve reserves the cart's items for the checkout of ctx. With hold (a
// long transaction committed after a later step) and a live caller, done
// receives the open transaction; otherwise it is committed before done.
func (r *Reserver) Reserve(ctx *call.Ctx, items []Item, hold bool, done func(call.Outcome, *Txn)) {
	key := uint64(0)
	if ctx.Intent != nil {
		key = ctx.Intent.ID
	}
	if r.idem != nil && !r.inTable() {
		// Keys in memory are claimed at once; keys in a table by the
		// claim statement, on the connection (onConn).
		if o, ok := r.claim(key); !ok {
			done(o, nil)
			return
		}
	}
	t := r.newTxn()
	t.ctx, t.items, t.order, t.key, t.hold, t.done = ctx, items, items, key, hold, done
	if r.cfg.LockOrder == LockSorted && len(items) > 1 {
		t.buf = append(t.buf[:0], items...)
		slices.SortFunc(t.buf, func(a, b Item) int { return int(a.SKU) - int(b.SKU) })
		t.order = t.buf
	}
	r.db.Acquire(ctx, t.gotConn)
}

// end reports the reservation's outcome; open hands the transaction on.
// Keys in memory are completed or aborted here; a key in a table by its
// ending write (finish).
func (t *Txn) end(o call.Outcome, open bool) {
	r, done := t.r, t.done
	if r.idem != nil && !r.inTable() {
		if o == policy.Success {
			r.idem.Complete(call.Wall(r.eng.Now()), t.key, struct{}{})
		} else {
			r.idem.Abort(t.key)
		}
	}
	if open {
		t.done = nil
		t.held = true
		t.ctx.Hold()
		done(o, t)
		return
	}
	t.recycle()
	done(o, nil)
}

// report hands o on once the connection is back: to Commit's caller, to
// Reserve's, or to nobody when the flow rolled the open transaction back.
func (t *Txn) report(o call.Outcome) {
	if after := t.after; after != nil { // Commit by the flow
		t.recycle()
		after()
		return
	}
	if t.done == nil { // Rollback by the flow
		t.recycle()
		return
	}
	t.end(o, false)
}

// finish gives the connection back and reports o. A key claimed in the
// table is ended first, on the same connection: marked done after a
// success, deleted after a failure.
func (t *Txn) finish(o call.Outcome) {
	if t.claimed {
		t.claimed, t.outcome = false, o
		t.conn.Exec(t.ctx, t.r.cfg.keyEnd(), call.SpanDB, t.keyEnded)
		return
	}
	t.conn.Release()
	t.report(o)
}

func (t *Txn) onKeyEnded() {
	r := t.r
	if t.outcome == policy.Success {
		r.idem.Complete(call.Wall(r.eng.Now()), t.key, struct{}{})
	} else {
		r.idem.Abort(t.key)
	}
	t.conn.Release()
	t.report(t.outcome)
}

func (t *Txn) onConn(conn *database.Conn) {
	r := t.r
	if conn == nil {
		t.end(policy.Failure, false)
		return
	}
	r.txns++
	t.id, t.conn = resource.TxnID(r.txns), conn
	if r.inTable() {
		conn.Exec(t.ctx, r.cfg.keyClaim(), call.SpanDB, t.keyClaimed)
		return
	}
	t.start()
}

// onKeyClaimed decides, once the claim statement has run, whether to
// reserve: a repeat gives the connection back and answers at once.
func (t *Txn) onKeyClaimed() {
	o, ok := t.r.claim(t.key)
	if !ok {
		t.conn.Release()
		t.report(o)
		return
	}
	t.claimed = true
	t.start()
}

// start runs the reservation on the connection: the first line's update
// (short), or the transaction's opening statements (long).
func (t *Txn) start() {
	r := t.r
	if r.cfg.Transaction == TxnShort {
		t.shortLine()
		return
	}
	t.conn.Exec(t.ctx, r.cfg.TxnStatements/2, call.SpanDB, t.begun)
}

// onLock records a lock wait and goes on with the line, or fails.
func (t *Txn) onLock(res resource.LockResult, waited sim.Time) {
	r := t.r
	t.ctx.Record(call.SpanLockWait, waited)
	r.LockWaits++
	r.LockWaitSum += waited.Seconds()
	r.LockWait.Record(int64(waited))
	switch res {
	case resource.Granted:
	case resource.Deadlock:
		r.Deadlocks++
	default:
		r.LockTimeouts++
	}
	ok := res == resource.Granted
	if r.cfg.Transaction == TxnShort {
		if !ok {
			r.locks.ReleaseAll(t.id)
			t.finish(policy.Failure)
			return
		}
		t.conn.Exec(t.ctx, 1, call.SpanDB, t.shortRan)
		return
	}
	if !ok {
		t.rollback()
		return
	}
	t.conn.Exec(t.ctx, r.cfg.StatementsPerItem, call.SpanDB, t.longRan)
}

// shortLine runs the atomic conditional UPDATE of the next line.
func (t *Txn) shortLine() {
	r := t.r
	if t.i == len(t.order) || t.ctx.Cancelled() {
		r.locks.ReleaseAll(t.id)
		if t.i < len(t.order) {
			// Cancelled half-way: the reservation fails. The lines already
			// updated stay reserved (a partial reservation is not
			// compensated in this model) but are not counted as committed.
			t.finish(policy.Failure)
			return
		}
		r.committed(t)
		t.finish(policy.Success)
		return
	}
	r.locks.Lock(t.id, uint64(t.order[t.i].SKU), t.locked)
}

func (t *Txn) onShortStatement() {
	t.r.locks.ReleaseAll(t.id) // autocommit: the row lock ends with the statement
	t.i++
	t.shortLine()
}

// longLine locks the next line and runs its statements, holding every lock
// taken so far; after the last line it commits or hands the open
// transaction back.
func (t *Txn) longLine() {
	if t.ctx.Cancelled() {
		t.rollback()
		return
	}
	if t.i == len(t.order) {
		if t.hold && t.ctx.Live() {
			t.end(policy.Success, true)
			return
		}
		t.commit()
		return
	}
	t.r.locks.Lock(t.id, uint64(t.order[t.i].SKU), t.locked)
}

func (t *Txn) onLongStatements() {
	t.i++
	t.longLine()
}

// committed counts a committed reservation against the checkout.
func (r *Reserver) committed(t *Txn) {
	r.Reservations++
	in := t.ctx.Intent
	if in == nil {
		return
	}
	if in.Reservations > 0 {
		r.DoubleReservations++
		for _, it := range t.items {
			r.LeakedUnits += int64(it.Qty)
		}
	}
	in.Reservations++
}

// Commit ends the open transaction: the COMMIT statement, then the locks
// are released, the key (in a table) is marked done, the connection is
// released, and done runs. t is recycled.
func (t *Txn) Commit(done func()) {
	t.after = done
	t.commit()
}

func (t *Txn) commit() {
	r := t.r
	t.conn.Exec(t.ctx, r.cfg.TxnStatements-r.cfg.TxnStatements/2, call.SpanDB, t.commited)
}

func (t *Txn) onCommit() {
	t.r.locks.ReleaseAll(t.id)
	t.r.committed(t)
	t.finish(policy.Success)
}

// Exec runs n statements inside the open transaction, on its connection:
// the statements of later steps that the transaction spans (the order
// insert, say) while it holds its row locks.
func (t *Txn) Exec(ctx *call.Ctx, n int, done func()) {
	t.conn.Exec(ctx, n, call.SpanDB, done)
}

// Rollback abandons an open transaction (a later step failed). t is
// recycled; with keys in a table once the key's row is deleted, which the
// caller does not wait for (the testbed does: one statement's time more
// on this failure path).
func (t *Txn) Rollback() {
	t.rollback()
}

// rollback releases the locks, ends the key (deleted from a table,
// forgotten in memory: nothing was reserved), gives the connection back
// and reports a failure.
func (t *Txn) rollback() {
	r := t.r
	r.locks.ReleaseAll(t.id)
	if t.claimed {
		t.finish(policy.Failure)
		return
	}
	t.conn.Release()
	if r.idem != nil && t.ctx.Intent != nil {
		r.idem.Forget(t.ctx.Intent.ID) // nothing was reserved
	}
	t.report(policy.Failure)
}

// Release gives back a committed reservation of ctx's checkout (the
// checkout failed after reserving): one statement, outside any lock wait
// accounting since it is a compensating write, and with keys in a table
// the key's ending write (its row deleted) on the same connection. done's
// outcome is the statements'; the reservation is given back either way.
func (r *Reserver) Release(ctx *call.Ctx, done call.Reply) {
	if ctx.Intent != nil && ctx.Intent.Reservations > 0 {
		ctx.Intent.Reservations--
	}
	if r.idem != nil && ctx.Intent != nil {
		r.idem.Forget(ctx.Intent.ID) // the reservation is undone: a re-click must reserve again
	}
	n := 1
	if r.inTable() {
		n += r.cfg.keyEnd()
	}
	r.db.Query(ctx, n, call.SpanDB, done)
}

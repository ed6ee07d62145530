package testbed

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/checkoutsim/checkoutsim/models/inventory"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/testbed/store"
)

// intentKey carries the checkout a request works for, so statements are
// counted against it (queries per checkout), live or abandoned.
type intentKey struct{}

type queryCounter struct {
	id      uint64
	queries atomic.Int64
}

func withIntent(ctx context.Context, q *queryCounter) context.Context {
	return context.WithValue(ctx, intentKey{}, q)
}

func intentOf(ctx context.Context) *queryCounter {
	q, _ := ctx.Value(intentKey{}).(*queryCounter)
	return q
}

// db is the testbed's PostgreSQL: the scenario's pool and the schema's
// tables. Every statement sent is counted.
type db struct {
	pool           *pgxpool.Pool
	acquireTimeout time.Duration
	lockTimeout    time.Duration
	rec            *recorder
	inv            inventory.Config
	skus           int
	statements     atomic.Int64
	poolTimeouts   atomic.Int64
	typical        atomic.Int64 // moving average of plain statements' durations, ns

	q queries
}

// queries are the statements, qualified with the testbed's schema.
type queries struct {
	price, priceMany, pricedRules, rule, cart, order, confirm string
	lock, update, audit, atomicUpdate, release                string
	idemClaim, idemDone, idemForget                           string
}

func newQueries() queries {
	s := pgx.Identifier{store.Schema}.Sanitize() + "."
	return queries{
		price:        `SELECT cents FROM ` + s + `prices WHERE sku = $1`,
		priceMany:    `SELECT sku, cents FROM ` + s + `prices WHERE sku = ANY($1)`,
		pricedRules:  `SELECT p.sku, p.cents, r.percent FROM ` + s + `prices p JOIN ` + s + `rules r USING (sku) WHERE p.sku = ANY($1)`,
		rule:         `SELECT percent FROM ` + s + `rules WHERE sku = $1`,
		cart:         `SELECT lines FROM ` + s + `carts WHERE checkout = $1`,
		order:        `INSERT INTO ` + s + `orders (checkout, lines) VALUES ($1, $2)`,
		confirm:      `INSERT INTO ` + s + `confirmations (checkout) VALUES ($1)`,
		lock:         `SELECT qty FROM ` + s + `stock WHERE sku = $1 FOR UPDATE`,
		update:       `UPDATE ` + s + `stock SET qty = qty - $2 WHERE sku = $1`,
		audit:        `INSERT INTO ` + s + `audit (checkout, sku, qty) VALUES ($1, $2, $3)`,
		atomicUpdate: `UPDATE ` + s + `stock SET qty = qty - $2 WHERE sku = $1 AND qty >= $2`,
		release:      `UPDATE ` + s + `stock SET qty = qty + 1 WHERE sku = ANY($1)`,
		idemClaim:    `INSERT INTO ` + s + `idempotency AS i (key) VALUES ($1) ON CONFLICT (key) DO UPDATE SET at = i.at RETURNING i.done, (xmax = 0)`,
		idemDone:     `UPDATE ` + s + `idempotency SET done = true WHERE key = $1`,
		idemForget:   `DELETE FROM ` + s + `idempotency WHERE key = $1`,
	}
}

// runner is a connection or a transaction.
type runner interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// count records one statement, for the run and for the checkout.
func (d *db) count(ctx context.Context) {
	d.statements.Add(1)
	if q := intentOf(ctx); q != nil {
		q.queries.Add(1)
	}
}

func (d *db) exec(ctx context.Context, r runner, sql string, args ...any) error {
	d.count(ctx)
	start := time.Now()
	_, err := r.Exec(ctx, sql, args...)
	if err == nil {
		d.observe(time.Since(start))
	}
	return err
}

// observe feeds a statement that waited for no lock into the moving
// average (weight 1/32) of statement durations at the current load.
func (d *db) observe(dur time.Duration) {
	for {
		old := d.typical.Load()
		nw := int64(dur)
		if old != 0 {
			nw = old + (int64(dur)-old)/32
		}
		if d.typical.CompareAndSwap(old, nw) {
			return
		}
	}
}

// lockWaited records the lock wait of a locking statement: its duration
// less what a statement that waits for no lock takes at the moment (the
// moving average), at least 0. PostgreSQL does not report a statement's
// lock wait to the client; this estimate has the noise of one statement's
// duration (docs/validation.md).
func (d *db) lockWaited(dur time.Duration) {
	d.rec.lockWaited(max(dur-time.Duration(d.typical.Load()), 0))
}

// acquire takes a pooled connection, waiting at most acquire_timeout.
func (d *db) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	actx, cancel := ctx, context.CancelFunc(func() {})
	if d.acquireTimeout > 0 {
		actx, cancel = context.WithTimeout(ctx, d.acquireTimeout)
	}
	defer cancel()
	start := time.Now()
	c, err := d.pool.Acquire(actx)
	d.rec.poolWaited(time.Since(start))
	if err != nil {
		if ctx.Err() == nil {
			d.poolTimeouts.Add(1)
		}
		return nil, fmt.Errorf("pool: %w", err)
	}
	return c, nil
}

// query runs n statements on a connection of their own (point reads of
// prices, as the model's generic statements).
func (d *db) query(ctx context.Context, n int, sku int) error {
	if n <= 0 {
		return nil
	}
	c, err := d.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.Release()
	for i := range n {
		if err := d.exec(ctx, c, d.q.price, (sku+i)%d.skus); err != nil {
			return err
		}
	}
	return nil
}

// statements runs a step's n statements: the first is the step's write
// (the order row, the confirmation), the rest are reads.
func (d *db) statementsOn(ctx context.Context, r runner, n int, first string, args ...any) error {
	for i := range n {
		var err error
		if i == 0 && first != "" {
			err = d.exec(ctx, r, first, args...)
		} else {
			err = d.exec(ctx, r, d.q.price, i%d.skus)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// txn is a reservation transaction held open across later steps.
// txn is a reservation transaction held open across later steps.
type txn struct {
	conn  *pgxpool.Conn
	tx    pgx.Tx
	items []inventory.Item
	key   uint64
}

var errNoStock = errors.New("out of stock")

// reserve runs the scenario's reservation for real, on one pooled
// connection: the idempotency key's claim (keys on), the reservation, then
// the key's ending write (done, or deleted after a failure). With hold (a
// long transaction committed after a later step) the open transaction is
// returned, its key still claimed; otherwise it is committed here. The
// model charges the same statements to the same connection
// (inventory.Config.IdempotencyStatements).
func (d *db) reserve(ctx context.Context, key uint64, items []inventory.Item, hold bool) (*txn, error) {
	order := items
	if d.inv.LockOrder == inventory.LockSorted && len(items) > 1 {
		order = slices.Clone(items)
		slices.SortFunc(order, func(a, b inventory.Item) int { return int(a.SKU) - int(b.SKU) })
	}
	c, err := d.acquire(ctx)
	if err != nil {
		return nil, err
	}
	if d.inv.Idempotency {
		repeat, err := d.claim(ctx, c, key)
		if err != nil || repeat {
			c.Release()
			return nil, err
		}
	}
	if d.inv.Transaction == inventory.TxnShort {
		err := d.reserveShort(ctx, c, order)
		d.endKey(ctx, c, key, err == nil)
		c.Release()
		return nil, err
	}
	t := &txn{conn: c, items: items, key: key}
	d.count(ctx) // BEGIN
	if t.tx, err = c.Begin(ctx); err != nil {
		d.endKey(ctx, c, key, false)
		c.Release()
		return nil, err
	}
	fail := func(err error) (*txn, error) {
		d.rollback(ctx, t)
		return nil, d.lockError(err)
	}
	// BEGIN and SET LOCAL lock_timeout open the transaction; padding
	// statements bring the opening to txn_statements/2, as in the model.
	if err := d.exec(ctx, t.tx, `SET LOCAL lock_timeout = '`+strconv.FormatInt(d.lockTimeout.Milliseconds(), 10)+`ms'`); err != nil {
		return fail(err)
	}
	for i := 2; i < d.inv.TxnStatements/2; i++ {
		if err := d.exec(ctx, t.tx, `SELECT 1`); err != nil {
			return fail(err)
		}
	}
	for _, it := range order {
		start := time.Now()
		d.count(ctx)
		var qty int64
		err := t.tx.QueryRow(ctx, d.q.lock, int(it.SKU)).Scan(&qty)
		d.lockWaited(time.Since(start))
		if err != nil {
			return fail(err)
		}
		if qty < int64(it.Qty) {
			return fail(errNoStock)
		}
		for j := 1; j < d.inv.StatementsPerItem; j++ {
			var err error
			switch j {
			case 1:
				err = d.exec(ctx, t.tx, d.q.update, int(it.SKU), it.Qty)
			case 2:
				err = d.exec(ctx, t.tx, d.q.audit, int64(key), int(it.SKU), it.Qty)
			default:
				err = d.exec(ctx, t.tx, d.q.price, int(it.SKU))
			}
			if err != nil {
				return fail(err)
			}
		}
	}
	if hold && ctx.Err() == nil {
		return t, nil
	}
	return nil, d.commit(ctx, t)
}

// reserveShort runs one conditional UPDATE per line, each autocommitted:
// a row lock is held for one statement.
func (d *db) reserveShort(ctx context.Context, c *pgxpool.Conn, order []inventory.Item) error {
	for _, it := range order {
		start := time.Now()
		d.count(ctx)
		tag, err := c.Exec(ctx, d.q.atomicUpdate, int(it.SKU), it.Qty)
		d.lockWaited(time.Since(start))
		if err != nil {
			return d.lockError(err)
		}
		if tag.RowsAffected() == 0 {
			return errNoStock
		}
	}
	return nil
}

// lockError counts lock timeouts and deadlocks.
func (d *db) lockError(err error) error {
	switch {
	case store.IsLockTimeout(err):
		d.rec.lockTimeouts.Add(1)
	case store.IsDeadlock(err):
		d.rec.deadlocks.Add(1)
	}
	return err
}

// commit ends a long transaction: its remaining statements and COMMIT
// (which releases the row locks), then the key's ending write, then the
// connection is released.
func (d *db) commit(ctx context.Context, t *txn) error {
	defer t.conn.Release()
	rest := d.inv.TxnStatements - d.inv.TxnStatements/2
	for i := 1; i < rest; i++ {
		if err := d.exec(ctx, t.tx, `SELECT 1`); err != nil {
			_ = t.tx.Rollback(context.WithoutCancel(ctx))
			d.endKey(ctx, t.conn, t.key, false)
			return err
		}
	}
	d.count(ctx)
	err := t.tx.Commit(ctx)
	d.endKey(ctx, t.conn, t.key, err == nil)
	if err != nil {
		return d.lockError(err)
	}
	return nil
}

// rollback abandons a long transaction: ROLLBACK (not counted, as in the
// model), the key's row deleted (nothing was reserved, so a retry must
// reserve), and the connection released.
func (d *db) rollback(ctx context.Context, t *txn) {
	_ = t.tx.Rollback(context.WithoutCancel(ctx))
	d.endKey(ctx, t.conn, t.key, false)
	t.conn.Release()
}

// claim inserts the checkout's idempotency key on the reservation's
// connection, autocommitted before the reservation begins (a claim inside
// the transaction would make a retry wait on its uncommitted row instead
// of seeing a conflict). repeat is true when a previous attempt already
// reserved (answered as a success); a claim held by an attempt still
// running is a conflict (a retryable failure).
func (d *db) claim(ctx context.Context, c *pgxpool.Conn, key uint64) (repeat bool, err error) {
	d.count(ctx)
	var done, inserted bool
	if err := c.QueryRow(ctx, d.q.idemClaim, int64(key)).Scan(&done, &inserted); err != nil {
		return false, err
	}
	switch {
	case inserted:
		return false, nil
	case done:
		d.rec.repeats.Add(1)
		return true, nil
	}
	d.rec.repeats.Add(1)
	return false, &outcomeErr{o: policy.Failure, msg: "idempotency: reservation in progress"}
}

// endKey ends the reservation's idempotency key (keys on), on the
// reservation's connection c after its reservation: marked done after a
// commit, deleted after a failure so that a retry reserves. It runs even
// when the client has gone; a statement cancelled with its client closes
// the connection (pgx), and then the write takes a fresh one.
func (d *db) endKey(ctx context.Context, c *pgxpool.Conn, key uint64, ok bool) {
	if !d.inv.Idempotency {
		return
	}
	ctx = context.WithoutCancel(ctx)
	sql := d.q.idemForget
	if ok {
		sql = d.q.idemDone
	}
	if c.Conn().IsClosed() {
		fresh, err := d.acquire(ctx)
		if err != nil {
			return
		}
		defer fresh.Release()
		c = fresh
	}
	_ = d.exec(ctx, c, sql, int64(key))
}

// release gives a committed reservation back (the checkout failed after
// reserving): one compensating statement and, keys on, the DELETE of the
// key's row, on one connection.
func (d *db) release(ctx context.Context, key uint64, items []inventory.Item) {
	ctx = context.WithoutCancel(ctx)
	c, err := d.acquire(ctx)
	if err != nil {
		return
	}
	defer c.Release()
	skus := make([]int32, len(items))
	for i, it := range items {
		skus[i] = int32(it.SKU)
	}
	_ = d.exec(ctx, c, d.q.release, skus)
	d.endKey(ctx, c, key, false)
}

// outcomeErr is an error with the outcome the policies should see.
type outcomeErr struct {
	o   policy.Outcome
	msg string
}

func (e *outcomeErr) Error() string { return e.msg }

// Package store connects the testbed to its real PostgreSQL and Redis and
// owns what it creates there: one schema (checkoutsim_testbed) and one
// Redis key prefix per run. It refuses a schema it did not create, drops
// what it created when the run ends, and never prints a DSN's password.
package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// Schema is the only PostgreSQL schema the testbed works in.
const Schema = "checkoutsim_testbed"

// KeyPrefix starts every Redis key the testbed writes.
const KeyPrefix = "checkoutsim_testbed:"

// marker is the schema comment that says the testbed created it.
const marker = "created by checkoutsim testbed; dropped when the run ends"

// Unreachable is a server the testbed could not reach: one line naming its
// address and how to start it (exit status 3).
type Unreachable struct {
	What, Addr, Hint string
	Err              error
}

func (e *Unreachable) Error() string {
	reason := "no answer"
	if err := short(e.Err); err != nil {
		reason, _, _ = strings.Cut(err.Error(), "\n")
	}
	return fmt.Sprintf("%s at %s is not reachable (%s); start it with: %s", e.What, e.Addr, reason, e.Hint)
}

func (e *Unreachable) Unwrap() error { return e.Err }

// short is the last part of a wrapped network error, without any DSN.
func short(err error) error {
	var pe *pgconn.ConnectError
	if errors.As(err, &pe) {
		return errors.Unwrap(pe)
	}
	return err
}

// PGHint and RedisHint say how to start the servers on Debian.
const (
	PGHint    = `pg_ctlcluster 15 main start (and once: su postgres -c "createuser -s $USER")`
	RedisHint = `redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`
)

// PGConfig is the connection pool the scenario asks for.
type PGConfig struct {
	DSN            string // "" : the standard PG* environment variables
	PoolSize       int
	AcquireTimeout time.Duration
	LockTimeout    time.Duration // session lock_timeout (0: none)
	// DeadlockTimeout is the session's deadlock_timeout (0: the server's,
	// 1 s by default). PostgreSQL lets only a superuser set it; another
	// role gets an error saying so.
	DeadlockTimeout time.Duration
	// SyncCommit keeps PostgreSQL's synchronous_commit on: every commit
	// waits for its WAL flush. Off (the testbed's default) a commit returns
	// before the flush (see docs/validation.md: the model has no flush cost,
	// and the testbed's data is dropped after the run).
	SyncCommit bool
}

// Addr returns host:port of a DSN (or of the PG* variables) with no user
// or password, for messages.
func Addr(dsn string) string {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	host := cfg.Host
	if len(host) > 0 && host[0] == '/' {
		return host + "/.s.PGSQL." + strconv.Itoa(int(cfg.Port))
	}
	return net.JoinHostPort(host, strconv.Itoa(int(cfg.Port)))
}

// OpenPG opens the pool and checks the server answers.
func OpenPG(ctx context.Context, c PGConfig) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(c.DSN)
	if err != nil {
		return nil, fmt.Errorf("--dsn: cannot parse the connection string: %v", short(err))
	}
	cfg.MaxConns = int32(max(c.PoolSize, 1))
	cfg.MinConns = 0
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	if c.LockTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["lock_timeout"] = strconv.FormatInt(c.LockTimeout.Milliseconds(), 10)
	}
	if c.DeadlockTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["deadlock_timeout"] = strconv.FormatInt(c.DeadlockTimeout.Milliseconds(), 10)
	}
	if !c.SyncCommit {
		cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, &Unreachable{What: "PostgreSQL", Addr: Addr(c.DSN), Hint: PGHint, Err: err}
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		if pgCode(err) == "42501" && c.DeadlockTimeout > 0 {
			return nil, fmt.Errorf("PostgreSQL at %s refused deadlock_timeout %v (inventory.deadlock_timeout): only a superuser role may set it (createuser -s), or keep the server's 1s: %v",
				Addr(c.DSN), c.DeadlockTimeout, short(err))
		}
		return nil, &Unreachable{What: "PostgreSQL", Addr: Addr(c.DSN), Hint: PGHint, Err: err}
	}
	return pool, nil
}

// OpenRedis connects to Redis at addr and checks it answers.
func OpenRedis(ctx context.Context, addr string, poolSize int) (*redis.Client, error) {
	rdb := redis.NewClient(&redis.Options{Addr: addr, PoolSize: max(poolSize, 10), DialTimeout: 2 * time.Second,
		ReadTimeout: 5 * time.Second, WriteTimeout: 5 * time.Second, MaxRetries: -1})
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := rdb.Ping(pctx).Err(); err != nil {
		rdb.Close()
		return nil, &Unreachable{What: "Redis", Addr: addr, Hint: RedisHint, Err: err}
	}
	return rdb, nil
}

// OpenOwned opens the pool and claims the database for this run (Claim);
// done releases both.
func OpenOwned(ctx context.Context, c PGConfig) (pool *pgxpool.Pool, done func(), err error) {
	if pool, err = OpenPG(ctx, c); err != nil {
		return nil, nil, err
	}
	release, err := Claim(ctx, c.DSN)
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return pool, func() { release(); pool.Close() }, nil
}

// ErrBusy is returned when another testbed run holds the database.
var ErrBusy = errors.New("another testbed run is using " + Schema + " on this database; wait for it to finish")

// Claim takes the testbed's advisory lock on a connection of its own, so
// two runs never share (and drop) one schema; release ends the claim.
func Claim(ctx context.Context, dsn string) (release func(), err error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("--dsn: cannot parse the connection string: %v", short(err))
	}
	cfg.ConnectTimeout = 5 * time.Second
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, &Unreachable{What: "PostgreSQL", Addr: Addr(dsn), Hint: PGHint, Err: err}
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext($1))`, Schema).Scan(&ok); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if !ok {
		conn.Close(context.WithoutCancel(ctx))
		return nil, ErrBusy
	}
	return func() { conn.Close(context.Background()) }, nil
}

// ErrForeignSchema is returned when the schema exists but the testbed did
// not create it.
var ErrForeignSchema = errors.New("schema " + Schema + " exists and was not created by the testbed; refusing to touch it (drop or rename it yourself)")

// CreateSchema creates the testbed's schema and tables: stock (one row per
// SKU), the audit log, orders, carts, prices, promotion rules and the
// idempotency keys. A schema left behind by an interrupted testbed run
// (it carries the testbed's comment) is dropped first; any other is refused.
func CreateSchema(ctx context.Context, pool *pgxpool.Pool, skus int) error {
	var comment *string
	err := pool.QueryRow(ctx, `SELECT obj_description(n.oid, 'pg_namespace') FROM pg_namespace n WHERE nspname = $1`, Schema).Scan(&comment)
	switch {
	case err == nil:
		if comment == nil || *comment != marker {
			return ErrForeignSchema
		}
		if err := DropSchema(ctx, pool); err != nil {
			return err
		}
	case !errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("postgres: %w", err)
	}
	s := pgx.Identifier{Schema}.Sanitize()
	stmts := []string{
		`CREATE SCHEMA ` + s,
		`COMMENT ON SCHEMA ` + s + ` IS '` + marker + `'`,
		`CREATE TABLE ` + s + `.stock (sku integer PRIMARY KEY, qty bigint NOT NULL)`,
		`CREATE TABLE ` + s + `.audit (id bigserial PRIMARY KEY, checkout bigint NOT NULL, sku integer NOT NULL, qty integer NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
		`CREATE TABLE ` + s + `.orders (id bigserial PRIMARY KEY, checkout bigint NOT NULL, lines integer NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
		`CREATE TABLE ` + s + `.carts (checkout bigint PRIMARY KEY, lines integer NOT NULL)`,
		`CREATE TABLE ` + s + `.prices (sku integer PRIMARY KEY, cents bigint NOT NULL)`,
		`CREATE TABLE ` + s + `.rules (sku integer PRIMARY KEY, percent integer NOT NULL)`,
		`CREATE TABLE ` + s + `.idempotency (key bigint PRIMARY KEY, done boolean NOT NULL DEFAULT false, at timestamptz NOT NULL DEFAULT now())`,
		`CREATE TABLE ` + s + `.confirmations (id bigserial PRIMARY KEY, checkout bigint NOT NULL)`,
		// Stock is effectively unbounded: the testbed measures contention, not sell-outs.
		`INSERT INTO ` + s + `.stock SELECT g, 1000000000 FROM generate_series(0, $1 - 1) g`,
		`INSERT INTO ` + s + `.prices SELECT g, 1000 + g % 9000 FROM generate_series(0, $1 - 1) g`,
		`INSERT INTO ` + s + `.rules SELECT g, g % 30 FROM generate_series(0, $1 - 1) g`,
		`ANALYZE ` + s + `.stock`,
		`ANALYZE ` + s + `.prices`,
		`ANALYZE ` + s + `.rules`,
	}
	for _, q := range stmts {
		var err error
		if containsArg(q) {
			_, err = pool.Exec(ctx, q, skus)
		} else {
			_, err = pool.Exec(ctx, q)
		}
		if err != nil {
			_ = DropSchema(context.WithoutCancel(ctx), pool)
			return fmt.Errorf("postgres: creating %s: %w", Schema, err)
		}
	}
	return nil
}

func containsArg(q string) bool {
	for i := 0; i+1 < len(q); i++ {
		if q[i] == '$' && q[i+1] == '1' {
			return true
		}
	}
	return false
}

// DropSchema drops the testbed's schema if it carries the testbed's mark.
func DropSchema(ctx context.Context, pool *pgxpool.Pool) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var comment *string
	err := pool.QueryRow(ctx, `SELECT obj_description(n.oid, 'pg_namespace') FROM pg_namespace n WHERE nspname = $1`, Schema).Scan(&comment)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	if comment == nil || *comment != marker {
		return ErrForeignSchema
	}
	_, err = pool.Exec(ctx, `DROP SCHEMA `+pgx.Identifier{Schema}.Sanitize()+` CASCADE`)
	return err
}

// SchemaExists reports whether the testbed's schema exists.
func SchemaExists(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	var n int
	err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, Schema).Scan(&n)
	return n > 0, err
}

// DropKeys removes every Redis key under prefix (which must start with
// KeyPrefix) and returns how many it removed.
func DropKeys(ctx context.Context, rdb *redis.Client, prefix string) (int, error) {
	if len(prefix) <= len(KeyPrefix) || prefix[:len(KeyPrefix)] != KeyPrefix {
		return 0, fmt.Errorf("redis: refusing to drop keys outside %s*: %q", KeyPrefix, prefix)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	n := 0
	var cursor uint64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, prefix+"*", 1000).Result()
		if err != nil {
			return n, err
		}
		if len(keys) > 0 {
			if err := rdb.Unlink(ctx, keys...).Err(); err != nil {
				return n, err
			}
			n += len(keys)
		}
		cursor = next
		if cursor == 0 {
			return n, nil
		}
	}
}

// IsLockTimeout and IsDeadlock classify PostgreSQL errors.
func IsLockTimeout(err error) bool { return pgCode(err) == "55P03" }

// IsDeadlock reports PostgreSQL's deadlock_detected.
func IsDeadlock(err error) bool { return pgCode(err) == "40P01" }

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// Package database models the transactional database (PostgreSQL in the
// case study) as the checkout sees it: a bounded connection pool with a
// wait queue and an acquire timeout, and a finite number of database cores
// that run statements. All work done while holding a connection (running
// statements, waiting for a core, waiting for a row lock) keeps the
// connection out of the pool, which is how lock waits turn into pool
// exhaustion.
package database

import (
	"fmt"
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/models/host"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/resource"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Config describes the database.
type Config struct {
	// PoolSize is the number of pooled connections shared by all services.
	PoolSize int
	// AcquireTimeout fails a request that waited this long for a
	// connection (0: wait for ever).
	AcquireTimeout sim.Time
	// MaxWaiters bounds the connection wait queue (0: unbounded).
	MaxWaiters int
	// Cores is the number of statements the database runs at once; more
	// queue for a core.
	Cores int
	// Statement is the database CPU time of one statement, in seconds.
	Statement dist.Dist
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.PoolSize < 1 {
		errs = append(errs, check.Field("pool_size", "must be >= 1, got %d", c.PoolSize))
	}
	if c.AcquireTimeout < 0 {
		errs = append(errs, check.Field("acquire_timeout", "must be >= 0, got %v", c.AcquireTimeout))
	}
	if c.MaxWaiters < 0 {
		errs = append(errs, check.Field("max_waiters", "must be >= 0, got %d", c.MaxWaiters))
	}
	if c.Cores < 1 {
		errs = append(errs, check.Field("cores", "must be >= 1, got %d", c.Cores))
	}
	if c.Statement == nil {
		errs = append(errs, check.Field("statement", "a distribution is required"))
	}
	return check.Join(errs...)
}

// DB is the database of one simulation.
type DB struct {
	cfg   Config
	eng   *sim.Engine
	r     *rand.Rand
	pool  *resource.Pool
	cores *resource.Station
	host  *host.Host // nil: statements do not share a host with the services

	Statements   int64 // statements run
	PoolTimeouts int64 // connection requests that gave up
	PoolWait     *stats.Histogram

	free sim.FreeList[Conn] // recycled connections' records
}

// New builds the database on engine e, drawing statement times from r.
func New(e *sim.Engine, cfg Config, r *rand.Rand) (*DB, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	pool, err := resource.NewPool(e, resource.PoolConfig{
		Name: "db-pool", Size: cfg.PoolSize, MaxWaiters: cfg.MaxWaiters, AcquireTimeout: cfg.AcquireTimeout,
	})
	if err != nil {
		return nil, err
	}
	cores, err := resource.NewStation(e, resource.StationConfig{Name: "db-cores", Servers: cfg.Cores, QueueCap: resource.Unbounded})
	if err != nil {
		return nil, err
	}
	return &DB{cfg: cfg, eng: e, r: r, pool: pool, cores: cores, PoolWait: new(stats.Histogram)}, nil
}

// SetHost makes statements run their CPU part on the host the database
// shares with the services (nil: not modelled, the default).
func (d *DB) SetHost(h *host.Host) { d.host = h }

// Pool returns the connection pool (for its statistics).
func (d *DB) Pool() *resource.Pool { return d.pool }

// Cores returns the database core station (for its statistics).
func (d *DB) Cores() *resource.Station { return d.cores }

// Conn is a connection held by one caller. It runs one Exec at a time,
// whose state it keeps so that running n statements allocates nothing per
// statement. Conns are recycled when released, with their callbacks bound
// once.
type Conn struct {
	db    *DB
	ctx   *call.Ctx
	held  bool
	left  int
	span  call.Span
	start sim.Time
	done  func()
	got   func(*Conn) // Acquire's caller
	query call.Reply  // Query's caller
	qn    int         // Query's statements
	rest  sim.Time    // the statement's time left after its CPU part on the host

	next      func(resource.Outcome, resource.Timing) // bound once: c.statementDone
	onHost    func()                                  // bound once: c.hostDone
	granted   func(ok bool, waited sim.Time)          // bound once: c.onGranted
	queryDone func()                                  // bound once: c.onQueryDone
}

func (d *DB) newConn(ctx *call.Ctx) *Conn {
	c := d.free.Get(d.freshConn)
	c.ctx = ctx
	return c
}

func (d *DB) freshConn() *Conn {
	c := &Conn{db: d}
	c.next, c.granted, c.queryDone, c.onHost = c.statementDone, c.onGranted, c.onQueryDone, c.hostDone
	return c
}

func (c *Conn) recycle() {
	d := c.db
	*c = Conn{db: d, next: c.next, granted: c.granted, queryDone: c.queryDone, onHost: c.onHost}
	d.free.Put(c)
}

// Acquire waits for a connection. got receives nil when the pool is
// exhausted (timeout or full wait queue). The wait is attributed to ctx.
func (d *DB) Acquire(ctx *call.Ctx, got func(*Conn)) {
	c := d.newConn(ctx)
	c.got = got
	d.pool.Acquire(c.granted)
}

func (c *Conn) onGranted(ok bool, waited sim.Time) {
	d := c.db
	c.ctx.Record(call.SpanPoolWait, waited)
	d.PoolWait.Record(int64(waited))
	if !ok {
		d.PoolTimeouts++
		got, query := c.got, c.query
		c.recycle()
		if query != nil {
			query(policy.Failure)
			return
		}
		got(nil)
		return
	}
	c.held = true
	if c.query != nil {
		c.Exec(c.ctx, c.qn, c.span, c.queryDone)
		return
	}
	got := c.got
	c.got = nil
	got(c)
}

// Release returns the connection to the pool.
func (c *Conn) Release() {
	if !c.held {
		panic("database: connection released twice")
	}
	c.db.pool.Release()
	c.recycle()
}

// Exec runs n statements one after another on the connection and calls
// done when they have finished. The time is attributed to span.
func (c *Conn) Exec(ctx *call.Ctx, n int, span call.Span, done func()) {
	if n <= 0 {
		done()
		return
	}
	c.ctx, c.left, c.span, c.done = ctx, n, span, done
	c.statement()
}

func (c *Conn) statement() {
	d := c.db
	c.ctx.CountQueries(1)
	d.Statements++
	c.start = d.eng.Now()
	t := sim.Seconds(d.cfg.Statement.Sample(d.r))
	if d.host == nil {
		d.cores.Submit(t, c.next)
		return
	}
	// The statement's light-load time t includes its CPU work: that part
	// runs on the shared host first (t's worth when the host is idle,
	// longer when it is busy), the rest as before.
	cpu := d.host.StatementCPU(t)
	c.rest = t - cpu
	d.host.Run(cpu, c.onHost)
}

func (c *Conn) hostDone() { c.db.cores.Submit(c.rest, c.next) }

func (c *Conn) statementDone(resource.Outcome, resource.Timing) {
	c.ctx.Record(c.span, c.db.eng.Now()-c.start)
	c.left--
	if c.left > 0 {
		c.statement()
		return
	}
	done := c.done
	c.done = nil
	done()
}

// Query acquires a connection, runs n statements and releases it: the
// shape of an autocommit read. It reports Failure when no connection could
// be had: applications surface a pool timeout as a server error, which
// clients retry.
func (d *DB) Query(ctx *call.Ctx, n int, span call.Span, done call.Reply) {
	c := d.newConn(ctx)
	c.query, c.qn, c.span = done, n, span
	d.pool.Acquire(c.granted)
}

func (c *Conn) onQueryDone() {
	done := c.query
	c.Release()
	done(policy.Success)
}

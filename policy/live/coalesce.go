package live

import (
	"context"
	"sync"

	"github.com/checkoutsim/checkoutsim/policy"
)

// Group coalesces concurrent calls by key around policy.Coalescer. Unlike
// golang.org/x/sync/singleflight, the shared call does not run in the
// leader's context: it runs in a context detached from every caller
// (context.WithoutCancel of the leader's, so values survive) and is
// cancelled only when every waiter has left. One caller's cancellation or
// deadline therefore never fails the others.
type Group[K comparable, V any] struct {
	mu    sync.Mutex
	core  *policy.Coalescer[K, *waiter]
	calls map[K]*call[V]
}

type waiter struct{}

type call[V any] struct {
	done   chan struct{}
	cancel context.CancelFunc
	val    V
	err    error
}

// NewGroup returns an empty group.
func NewGroup[K comparable, V any]() *Group[K, V] {
	return &Group[K, V]{core: policy.NewCoalescer[K, *waiter](), calls: make(map[K]*call[V])}
}

// Do returns the result of fn for key, sharing one execution among
// concurrent callers. shared reports whether this caller joined a call
// started by another. If ctx ends first, Do returns ctx.Err() and the call
// goes on for the others (or is cancelled if no one is left).
func (g *Group[K, V]) Do(ctx context.Context, key K, fn func(ctx context.Context) (V, error)) (v V, err error, shared bool) {
	w := &waiter{}
	g.mu.Lock()
	leader := g.core.Join(key, w)
	c := g.calls[key]
	if leader {
		cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		c = &call[V]{done: make(chan struct{}), cancel: cancel}
		g.calls[key] = c
		go g.run(cctx, key, c, fn)
	}
	g.mu.Unlock()

	select {
	case <-c.done:
		return c.val, c.err, !leader
	case <-ctx.Done():
		g.mu.Lock()
		if g.calls[key] == c && g.core.Leave(key, w) {
			// Last waiter gone: stop the call and let the next caller start afresh.
			c.cancel()
			g.core.Finish(key, nil)
			delete(g.calls, key)
		}
		g.mu.Unlock()
		var zero V
		return zero, ctx.Err(), !leader
	}
}

func (g *Group[K, V]) run(ctx context.Context, key K, c *call[V], fn func(context.Context) (V, error)) {
	v, err := fn(ctx)
	g.mu.Lock()
	if g.calls[key] == c {
		g.core.Finish(key, nil)
		delete(g.calls, key)
	}
	c.val, c.err = v, err
	close(c.done)
	g.mu.Unlock()
	c.cancel()
}

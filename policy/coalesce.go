package policy

// Coalescer is the synchronous core of request coalescing (singleflight):
// concurrent callers for the same key share one call. The first caller to
// Join a key is the leader and starts the call; later callers wait. When the
// call finishes, Finish hands back every caller still waiting, in join
// order, so they all get the one result.
//
// The known pitfall of singleflight (golang.org/x/sync/singleflight runs the
// call in the leader's context, so the leader's cancellation fails every
// follower) is avoided by separating the call from the callers: a caller
// that gives up Leaves, and the call goes on for the others whoever the
// leader was. Only when the last waiter leaves does Leave report that the
// call can be cancelled.
//
// Keys are looked up, never iterated, so map order cannot affect results.
// Flight records are recycled: Join and Finish allocate nothing in steady
// state when Finish is given a reused slice.
type Coalescer[K comparable, W comparable] struct {
	flights map[K]*flight[W]
	free    []*flight[W]
}

type flight[W comparable] struct {
	waiters []W
}

// NewCoalescer returns an empty coalescer.
func NewCoalescer[K comparable, W comparable]() *Coalescer[K, W] {
	return &Coalescer[K, W]{flights: make(map[K]*flight[W])}
}

// Join adds w as a waiter for key and reports whether it is the leader,
// that is, whether no call for key was in flight and w must start it.
func (c *Coalescer[K, W]) Join(key K, w W) (leader bool) {
	f, ok := c.flights[key]
	if !ok {
		if n := len(c.free); n > 0 {
			f, c.free = c.free[n-1], c.free[:n-1]
		} else {
			f = &flight[W]{}
		}
		c.flights[key] = f
	}
	f.waiters = append(f.waiters, w)
	return !ok
}

// Leave removes w from the waiters of key (its caller gave up). The call is
// not affected. last reports that no waiter remains, so the caller may
// cancel the call; the key stays in flight until Finish.
func (c *Coalescer[K, W]) Leave(key K, w W) (last bool) {
	f, ok := c.flights[key]
	if !ok {
		return false
	}
	for i, x := range f.waiters {
		if x == w {
			copy(f.waiters[i:], f.waiters[i+1:])
			f.waiters = f.waiters[:len(f.waiters)-1]
			break
		}
	}
	return len(f.waiters) == 0
}

// Finish ends the call for key and appends the waiters still present, in
// join order, to dst. Callers joining key afterwards start a new call.
func (c *Coalescer[K, W]) Finish(key K, dst []W) []W {
	f, ok := c.flights[key]
	if !ok {
		return dst
	}
	delete(c.flights, key)
	dst = append(dst, f.waiters...)
	clear(f.waiters)
	f.waiters = f.waiters[:0]
	c.free = append(c.free, f)
	return dst
}

// Waiters returns how many callers wait on key.
func (c *Coalescer[K, W]) Waiters(key K) int {
	if f, ok := c.flights[key]; ok {
		return len(f.waiters)
	}
	return 0
}

// InFlight reports whether a call for key is in flight.
func (c *Coalescer[K, W]) InFlight(key K) bool {
	_, ok := c.flights[key]
	return ok
}

// Len returns the number of keys in flight.
func (c *Coalescer[K, W]) Len() int { return len(c.flights) }

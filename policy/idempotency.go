package policy

import "time"

// IdempotencyConfig configures an idempotency-key store.
type IdempotencyConfig struct {
	TTL        time.Duration // how long a key is remembered from its first Begin
	MaxEntries int           // memory bound: keys remembered at once, >= 1
}

// Validate reports every invalid field.
func (c IdempotencyConfig) Validate() error {
	var l errList
	l.positiveDur("ttl", c.TTL)
	l.positiveInt("max_entries", c.MaxEntries)
	return l.join()
}

// IdemStatus is the answer of IdempotencyStore.Begin.
type IdemStatus uint8

const (
	IdemFirst      IdemStatus = iota // key reserved: do the work, then Complete (or Abort)
	IdemInProgress                   // the same key is being processed: do not do it twice
	IdemDone                         // already done: return the stored result
	IdemFull                         // MaxEntries keys are remembered: refuse rather than forget one
)

func (s IdemStatus) String() string {
	switch s {
	case IdemFirst:
		return "first"
	case IdemInProgress:
		return "in_progress"
	case IdemDone:
		return "done"
	case IdemFull:
		return "full"
	}
	return "status(?)"
}

// IdempotencyStore gives reserve-once semantics to keys (an order id, an
// Idempotency-Key header): the first Begin of a key reserves it, and every
// later Begin within TTL sees it in progress or done with its result, so a
// retried reservation is recognised as a repeat instead of charging twice.
//
// A key lives for TTL from its first Begin. With one TTL for all keys,
// keys expire in the order they were created, so expiry is a FIFO queue:
// O(1) amortised and deterministic (driven only by the now passed in). The
// store never holds more than MaxEntries keys; when full, Begin answers
// IdemFull instead of evicting a live key, because forgetting a key would
// break the promise. Not safe for concurrent use.
type IdempotencyStore[K comparable, R any] struct {
	ttl     time.Duration
	max     int // MaxEntries
	entries map[K]idemEntry[R]
	q       []idemRef[K] // ring in creation order; grows by doubling up to max
	head, n int
	seq     uint64
}

type idemEntry[R any] struct {
	seq    uint64
	done   bool
	result R
}

type idemRef[K comparable] struct {
	key     K
	seq     uint64
	expires time.Time
}

// NewIdempotencyStore validates c and returns an empty store.
func NewIdempotencyStore[K comparable, R any](c IdempotencyConfig) (*IdempotencyStore[K, R], error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	// Memory follows the keys actually remembered (those within TTL), not
	// MaxEntries: the ring starts small and doubles as needed.
	return &IdempotencyStore[K, R]{
		ttl:     c.TTL,
		max:     c.MaxEntries,
		entries: make(map[K]idemEntry[R]),
		q:       make([]idemRef[K], min(c.MaxEntries, 64)),
	}, nil
}

// grow doubles the ring (up to max), keeping its order.
func (s *IdempotencyStore[K, R]) grow() {
	q := make([]idemRef[K], min(2*len(s.q), s.max))
	for i := 0; i < s.n; i++ {
		q[i] = *s.ref(i)
	}
	s.q, s.head = q, 0
}

func (s *IdempotencyStore[K, R]) ref(i int) *idemRef[K] { return &s.q[(s.head+i)%len(s.q)] }

// expire forgets the keys whose TTL has passed at now.
func (s *IdempotencyStore[K, R]) expire(now time.Time) {
	for s.n > 0 {
		r := s.ref(0)
		if now.Before(r.expires) {
			return
		}
		if e, ok := s.entries[r.key]; ok && e.seq == r.seq {
			delete(s.entries, r.key)
		}
		var zero idemRef[K]
		*r = zero
		s.head = (s.head + 1) % len(s.q)
		s.n--
	}
}

// compact drops queue references to aborted keys, keeping order.
func (s *IdempotencyStore[K, R]) compact() {
	j := 0
	for i := 0; i < s.n; i++ {
		r := *s.ref(i)
		if e, ok := s.entries[r.key]; ok && e.seq == r.seq {
			*s.ref(j) = r
			j++
		}
	}
	var zero idemRef[K]
	for i := j; i < s.n; i++ {
		*s.ref(i) = zero
	}
	s.n = j
}

// Begin looks key up at now. For IdemDone the stored result is returned.
func (s *IdempotencyStore[K, R]) Begin(now time.Time, key K) (IdemStatus, R) {
	s.expire(now)
	var zero R
	if e, ok := s.entries[key]; ok {
		if e.done {
			return IdemDone, e.result
		}
		return IdemInProgress, zero
	}
	if len(s.entries) >= s.max {
		return IdemFull, zero
	}
	if s.n == len(s.q) {
		s.compact() // references to aborted keys fill the queue; free them
	}
	if s.n == len(s.q) {
		s.grow() // more live keys than the ring holds, fewer than max
	}
	s.seq++
	s.entries[key] = idemEntry[R]{seq: s.seq}
	*s.ref(s.n) = idemRef[K]{key: key, seq: s.seq, expires: now.Add(s.ttl)}
	s.n++
	return IdemFirst, zero
}

// Complete stores the result of a reserved key. It reports false if the key
// is not in progress (never begun, aborted, expired or already completed);
// the result is then not stored.
func (s *IdempotencyStore[K, R]) Complete(now time.Time, key K, result R) bool {
	s.expire(now)
	e, ok := s.entries[key]
	if !ok || e.done {
		return false
	}
	e.done, e.result = true, result
	s.entries[key] = e
	return true
}

// Abort forgets a key that is in progress (the work failed and may be
// tried again). It reports false if the key was not in progress.
func (s *IdempotencyStore[K, R]) Abort(key K) bool {
	e, ok := s.entries[key]
	if !ok || e.done {
		return false
	}
	delete(s.entries, key)
	return true
}

// Forget drops a key whatever its state: the work it stood for was undone
// (a reservation given back after a later step failed), so a new request
// with the same key must do it again rather than be told it is done. It
// reports whether the key was remembered. The key's queue reference stays
// until it expires or is compacted; its sequence number no longer matches.
func (s *IdempotencyStore[K, R]) Forget(key K) bool {
	if _, ok := s.entries[key]; !ok {
		return false
	}
	delete(s.entries, key)
	return true
}

// Len returns the number of keys remembered (some may be past TTL until the
// next call with a later now).
func (s *IdempotencyStore[K, R]) Len() int { return len(s.entries) }

package sim

// Slots is the slot store with generations behind the engine's timers and
// every resource's tickets (stations, load servers, pools, lock tables):
// values of T in a growable slice, a free list, and a generation per slot
// that changes whenever the slot is released (or bumped), so that a handle
// (slot, generation) taken earlier is recognisably stale and a cancel or
// lookup through it is a safe no-op. What refers to a slot from outside
// (heap entries, queue entries, tickets) is a pointer-free (slot,
// generation) pair. The zero Slots is empty and ready to use; generations
// start at 1, so a zero handle never matches.
type Slots[T any] struct {
	items []slotItem[T]
	free  []int32
}

// slotItem keeps a value next to its generation: one cache line for the
// generation check and the value it guards.
type slotItem[T any] struct {
	val T
	gen uint32
}

// Alloc takes a free slot, or adds one. fresh reports a new slot, whose
// value is T's zero value; a reused slot keeps the value it was released
// with (records bind their callbacks once per slot this way).
func (s *Slots[T]) Alloc() (slot int32, fresh bool) {
	if n := len(s.free); n > 0 {
		slot = s.free[n-1]
		s.free = s.free[:n-1]
		return slot, false
	}
	s.items = append(s.items, slotItem[T]{gen: 1})
	return int32(len(s.items) - 1), true
}

// At returns the value in slot, live or not.
func (s *Slots[T]) At(slot int32) *T { return &s.items[slot].val }

// Gen returns the slot's current generation.
func (s *Slots[T]) Gen(slot int32) uint32 { return s.items[slot].gen }

// Valid reports whether (slot, gen) is the slot's current generation.
func (s *Slots[T]) Valid(slot int32, gen uint32) bool {
	return gen != 0 && slot >= 0 && int(slot) < len(s.items) && s.items[slot].gen == gen
}

// Bump gives the slot a new generation without freeing it, making every
// handle taken so far stale, and returns the new one.
func (s *Slots[T]) Bump(slot int32) uint32 {
	it := &s.items[slot]
	it.gen++
	if it.gen == 0 {
		it.gen = 1
	}
	return it.gen
}

// Release bumps the slot's generation and puts it on the free list.
func (s *Slots[T]) Release(slot int32) {
	s.Bump(slot)
	s.free = append(s.free, slot)
}

// Len returns the number of slots, free ones included.
func (s *Slots[T]) Len() int { return len(s.items) }

// FreeList keeps released records of type T for reuse, so that a record
// with callbacks bound once (a request, an attempt, a transaction) costs no
// allocation in steady state. The zero FreeList is empty and ready to use.
type FreeList[T any] struct {
	free []*T
}

// Get returns a released record, or fresh() when there is none.
func (l *FreeList[T]) Get(fresh func() *T) *T {
	if n := len(l.free); n > 0 {
		x := l.free[n-1]
		l.free[n-1] = nil
		l.free = l.free[:n-1]
		return x
	}
	return fresh()
}

// Put releases x for reuse; the caller resets what must not leak into the
// next use.
func (l *FreeList[T]) Put(x *T) { l.free = append(l.free, x) }

// Len returns the number of released records.
func (l *FreeList[T]) Len() int { return len(l.free) }

package sim

import (
	"math/bits"
	"slices"
)

// The wheel's geometry. A bucket spans 2^22 ns (about 4.2 ms) and the
// wheel 1024 buckets (about 4.3 s); entries beyond that wait in an
// overflow heap until the wheel reaches them. Times are only compared,
// never rounded: the buckets only decide when entries reach the heap.
const (
	wheelShift = 22
	wheelSize  = 1024
	wheelMask  = wheelSize - 1
	// wheelMinHeap is the heap size from which the far future goes to
	// the wheel: below it the heap is cheap (and a small model, such as
	// an M/M/1 queue, never pays for the wheel).
	wheelMinHeap = 256
)

// wheel is a timer wheel: a ring of buckets of entries, by bucket number
// (time >> wheelShift), unsorted inside a bucket. Inserting and cancelling
// cost O(1); a cancelled timeout never reaches the heap, it is dropped
// with its bucket. The zero wheel is empty, its first bucket number 0.
type wheel struct {
	buckets [][]entry // wheelSize of them once used; bucket b at b & wheelMask
	used    [wheelSize / 64]uint64
	base    int64   // the first bucket number: buckets hold base .. base+wheelSize-1
	n       int     // entries in buckets
	over    []entry // heap of the entries beyond the buckets
	spare   []entry // storage of the bucket last taken
}

// len returns the entries held, dead ones included.
func (w *wheel) len() int { return w.n + len(w.over) }

// start returns the first instant of the first bucket: every entry held is
// at or after it.
func (w *wheel) start() Time { return Time(w.base << wheelShift) }

// push adds x, which must be at or after start().
func (w *wheel) push(x entry) {
	if b := int64(x.at) >> wheelShift; b-w.base < wheelSize {
		w.add(b, x)
		return
	}
	w.over = append(w.over, x)
	siftUp(w.over, len(w.over)-1)
}

func (w *wheel) add(b int64, x entry) {
	if w.buckets == nil {
		w.buckets = make([][]entry, wheelSize)
	}
	i := b & wheelMask
	w.buckets[i] = append(w.buckets[i], x)
	w.used[i>>6] |= 1 << (i & 63)
	w.n++
}

// take removes the earliest non-empty bucket and returns its entries, in
// no particular order; the wheel then starts after it. The slice is valid
// until the next take. It needs a non-empty wheel.
func (w *wheel) take() []entry {
	w.pull()
	for w.n == 0 {
		// Only overflow entries, all beyond the buckets: move the
		// wheel to the first of them.
		w.base = int64(w.over[0].at) >> wheelShift
		w.pull()
	}
	i := w.first()
	b := w.base + (i-w.base)&wheelMask
	taken := w.buckets[i]
	w.buckets[i], w.spare = w.spare[:0], taken
	w.used[i>>6] &^= 1 << (i & 63)
	w.n -= len(taken)
	w.base = b + 1
	return taken
}

// pull moves the overflow entries that fall within the buckets into them.
func (w *wheel) pull() {
	for len(w.over) > 0 {
		x := w.over[0]
		b := int64(x.at) >> wheelShift
		if b-w.base >= wheelSize {
			return
		}
		w.over = popHeap(w.over)
		w.add(b, x)
	}
}

// first returns the index of the first non-empty bucket from base's on,
// around the ring: the earliest bucket, as buckets hold base ..
// base+wheelSize-1. It needs n > 0.
func (w *wheel) first() int64 {
	start := int(w.base & wheelMask)
	word := start >> 6
	m := w.used[word] &^ (1<<(start&63) - 1)
	for range len(w.used) + 1 {
		if m != 0 {
			return int64(word<<6 + bits.TrailingZeros64(m))
		}
		word = (word + 1) % len(w.used)
		m = w.used[word]
	}
	panic("sim: wheel holds entries but no bucket is marked")
}

// keep drops the entries for which ok is false.
func (w *wheel) keep(ok func(entry) bool) {
	drop := func(x entry) bool { return !ok(x) }
	for wi, word := range w.used {
		for word != 0 {
			i := wi<<6 + bits.TrailingZeros64(word)
			word &= word - 1
			before := len(w.buckets[i])
			w.buckets[i] = slices.DeleteFunc(w.buckets[i], drop)
			w.n -= before - len(w.buckets[i])
			if len(w.buckets[i]) == 0 {
				w.used[wi] &^= 1 << (i & 63)
			}
		}
	}
	w.over = slices.DeleteFunc(w.over, drop)
	heapify(w.over)
}

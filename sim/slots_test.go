package sim

import "testing"

// A handle stays valid until its slot is released or bumped, and never
// becomes valid again when the slot is reused; released slots are reused
// before new ones are added, keeping the value they were released with.
func TestSlots(t *testing.T) {
	var s Slots[int]
	if s.Valid(0, 0) || s.Valid(0, 1) {
		t.Fatal("an empty store validated a handle")
	}
	a, fresh := s.Alloc()
	ga := s.Gen(a)
	*s.At(a) = 7
	if !fresh || ga == 0 || !s.Valid(a, ga) {
		t.Fatalf("slot %d gen %d fresh %v: want a fresh, valid slot", a, ga, fresh)
	}
	b, _ := s.Alloc()
	if b == a {
		t.Fatal("two live slots share an index")
	}
	if g := s.Bump(a); g == ga || s.Valid(a, ga) || !s.Valid(a, g) {
		t.Fatal("Bump did not make the old handle stale and the new one valid")
	}
	s.Release(a)
	if s.Valid(a, s.Gen(a)-1) {
		t.Fatal("a released slot's last handle is still valid")
	}
	c, fresh := s.Alloc()
	if c != a || fresh || *s.At(c) != 7 || s.Valid(c, ga) {
		t.Fatalf("reuse gave slot %d fresh %v value %d; want slot %d reused with its value, old handles stale", c, fresh, *s.At(c), a)
	}
	if s.Len() != 2 || s.Valid(-1, 1) || s.Valid(5, 1) {
		t.Fatal("Len or out-of-range handles wrong")
	}
	// Generations wrap past zero to 1: zero never names a live slot.
	s.items[b].gen = ^uint32(0)
	if g := s.Bump(b); g != 1 {
		t.Fatalf("generation after wrap = %d, want 1", g)
	}
}

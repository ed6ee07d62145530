package policy

import (
	"testing"
	"time"
)

func TestIdempotencyStore(t *testing.T) {
	s, err := NewIdempotencyStore[string, int](IdempotencyConfig{TTL: time.Minute, MaxEntries: 2})
	if err != nil {
		t.Fatal(err)
	}
	type op struct {
		at     time.Duration
		kind   string
		key    string
		result int
		want   IdemStatus
		wantR  int
		wantOK bool
	}
	sec := time.Second
	ops := []op{
		{0, "begin", "order-1", 0, IdemFirst, 0, false},
		{1 * sec, "begin", "order-1", 0, IdemInProgress, 0, false}, // a retried reservation is a repeat
		{2 * sec, "complete", "order-1", 42, 0, 0, true},
		{3 * sec, "begin", "order-1", 0, IdemDone, 42, false},
		{3 * sec, "complete", "order-1", 43, 0, 0, false}, // not twice
		{4 * sec, "begin", "order-2", 0, IdemFirst, 0, false},
		{5 * sec, "begin", "order-3", 0, IdemFull, 0, false}, // memory bound: refuse, do not evict
		{6 * sec, "abort", "order-2", 0, 0, 0, true},
		{6 * sec, "abort", "order-2", 0, 0, 0, false},
		{7 * sec, "begin", "order-2", 0, IdemFirst, 0, false}, // aborted: may be tried again (queue compacts)
		{59 * sec, "begin", "order-1", 0, IdemDone, 42, false},
		{60 * sec, "begin", "order-1", 0, IdemFirst, 0, false}, // TTL from first Begin has passed
		{60 * sec, "begin", "order-2", 0, IdemInProgress, 0, false},
		{67 * sec, "complete", "order-2", 7, 0, 0, false}, // expired while in progress
		{67 * sec, "begin", "order-2", 0, IdemFirst, 0, false},
	}
	for i, o := range ops {
		now := at(o.at)
		switch o.kind {
		case "begin":
			st, r := s.Begin(now, o.key)
			if st != o.want || r != o.wantR {
				t.Fatalf("op %d Begin(%s) at %v = %v %d, want %v %d", i, o.key, o.at, st, r, o.want, o.wantR)
			}
		case "complete":
			if ok := s.Complete(now, o.key, o.result); ok != o.wantOK {
				t.Fatalf("op %d Complete(%s) = %v", i, o.key, ok)
			}
		case "abort":
			if ok := s.Abort(o.key); ok != o.wantOK {
				t.Fatalf("op %d Abort(%s) = %v", i, o.key, ok)
			}
		}
		if s.Len() > 2 || s.n > 2 {
			t.Fatalf("op %d: %d entries, %d queued: memory bound broken", i, s.Len(), s.n)
		}
	}
}

// TestIdempotencyBounded: a long stream of keys with aborts never holds
// more than MaxEntries keys or queue slots, and every key is forgotten
// exactly TTL after its first Begin.
func TestIdempotencyBounded(t *testing.T) {
	const seed = 9
	rnd := newRand(seed)
	s, _ := NewIdempotencyStore[int, int](IdempotencyConfig{TTL: 100 * time.Millisecond, MaxEntries: 50})
	now := t0
	began := map[int]time.Time{}
	completed := map[int]bool{}
	for k := 0; k < 20000; k++ {
		now = now.Add(time.Duration(rnd.IntN(4)) * time.Millisecond)
		switch st, _ := s.Begin(now, k); st {
		case IdemFirst:
			began[k] = now
			if rnd.IntN(3) == 0 {
				s.Abort(k)
			} else {
				completed[k] = s.Complete(now, k, k)
			}
		case IdemFull:
		default:
			t.Fatalf("seed %d: fresh key %d got %v", seed, k, st)
		}
		if s.Len() > 50 || s.n > 50 {
			t.Fatalf("seed %d: %d entries, %d queue", seed, s.Len(), s.n)
		}
		if k >= 10 { // a completed key is remembered until exactly TTL after its Begin
			old := k - 10
			if b, ok := began[old]; ok {
				st, r := s.Begin(now, old)
				alive := now.Sub(b) < 100*time.Millisecond
				switch {
				case completed[old] && alive:
					if st != IdemDone || r != old {
						t.Fatalf("seed %d: key %d begun %v, at %v: %v %d, want done", seed, old, b, now, st, r)
					}
				case st != IdemFirst && st != IdemFull:
					t.Fatalf("seed %d: key %d (completed %v) begun %v, at %v: %v, want forgotten", seed, old, completed[old], b, now, st)
				}
				if st == IdemFirst {
					s.Abort(old)
				}
			}
		}
	}
}

// Forget undoes a completed key: the next Begin starts afresh, and the old
// key's queue reference expiring later does not remove the new entry.
func TestIdempotencyForget(t *testing.T) {
	s, err := NewIdempotencyStore[string, int](IdempotencyConfig{TTL: time.Minute, MaxEntries: 4})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Unix(0, 0)
	if st, _ := s.Begin(t0, "k"); st != IdemFirst {
		t.Fatalf("first Begin: %v", st)
	}
	s.Complete(t0, "k", 7)
	if !s.Forget("k") || s.Forget("k") {
		t.Fatal("Forget of a done key: want true once, then false")
	}
	t1 := t0.Add(30 * time.Second)
	if st, _ := s.Begin(t1, "k"); st != IdemFirst {
		t.Fatalf("Begin after Forget: %v, want first", st)
	}
	s.Complete(t1, "k", 8)
	// The first reference expires at 60 s; the new entry lives until 90 s.
	if st, r := s.Begin(t0.Add(70*time.Second), "k"); st != IdemDone || r != 8 {
		t.Fatalf("at 70 s: %v %d, want done 8 (the stale reference must not expire the new entry)", st, r)
	}
}

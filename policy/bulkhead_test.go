package policy

import (
	"testing"
	"time"
)

func TestBulkheadStateMachine(t *testing.T) {
	ms := time.Millisecond
	b, err := NewBulkhead(BulkheadConfig{MaxConcurrent: 2, MaxQueue: 2, MaxWait: 100 * ms})
	if err != nil {
		t.Fatal(err)
	}
	type op struct {
		at   time.Duration
		kind string // acquire, release, expire, cancel
		id   WaiterID
		want string
	}
	ops := []op{
		{0, "acquire", 1, "admitted"},
		{0, "acquire", 2, "admitted"},
		{10 * ms, "acquire", 3, "queued"}, // expires at 110ms
		{20 * ms, "acquire", 4, "queued"}, // expires at 120ms
		{30 * ms, "acquire", 5, "rejected"},
		{40 * ms, "release", 0, "3"},      // FIFO: 3 first
		{50 * ms, "acquire", 6, "queued"}, // expires at 150ms
		{60 * ms, "cancel", 4, "true"},
		{60 * ms, "cancel", 4, "false"},
		{150 * ms, "expire", 0, "[6]"},
		{160 * ms, "release", 0, "none"},
		{160 * ms, "acquire", 7, "admitted"},
		{170 * ms, "acquire", 8, "queued"}, // expires at 270ms
		// A release after the waiter's max wait does not admit it: it is
		// left for Expire, so it ends exactly once.
		{270 * ms, "release", 0, "none"},
		{270 * ms, "expire", 0, "[8]"},
		{280 * ms, "release", 0, "none"},
		{280 * ms, "release", 0, "none"}, // nothing in use: counted, no underflow
		{280 * ms, "release", 0, "none"},
	}
	var buf []WaiterID
	for i, o := range ops {
		now := at(o.at)
		var got string
		switch o.kind {
		case "acquire":
			got = b.Acquire(now, o.id).String()
		case "release":
			if id, ok := b.Release(now); ok {
				got = itoa(uint64(id))
			} else {
				got = "none"
			}
		case "expire":
			buf = b.Expire(now, buf[:0])
			got = "["
			for j, id := range buf {
				if j > 0 {
					got += " "
				}
				got += itoa(uint64(id))
			}
			got += "]"
		case "cancel":
			if b.Cancel(o.id) {
				got = "true"
			} else {
				got = "false"
			}
		}
		if got != o.want {
			t.Fatalf("op %d %s(%d) at %v: got %s, want %s (in use %d, queued %d)", i, o.kind, o.id, o.at, got, o.want, b.InUse(), b.QueueLen())
		}
	}
	s := b.Stats()
	if s.Admitted != 4 || s.Queued != 4 || s.Rejected != 1 || s.Expired != 2 || s.Cancelled != 1 || s.BadReleases != 2 || b.InUse() != 0 {
		t.Fatalf("stats %+v in use %d", s, b.InUse())
	}
}

func itoa(v uint64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{byte('0' + v%10)}, b...)
		v /= 10
	}
	return string(b)
}

// TestBulkheadProperties: under random traffic, in-use never exceeds the
// limit, the queue never exceeds MaxQueue, no waiter waits past MaxWait
// when Expire runs at NextExpiry, and every waiter ends exactly once.
func TestBulkheadProperties(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		rnd := newRand(seed)
		cfg := BulkheadConfig{MaxConcurrent: 1 + rnd.IntN(4), MaxQueue: rnd.IntN(6), MaxWait: time.Duration(1+rnd.IntN(50)) * time.Millisecond}
		b, _ := NewBulkhead(cfg)
		state := map[WaiterID]string{}
		queuedAt := map[WaiterID]time.Time{}
		running := 0
		now := t0
		var buf []WaiterID
		for id := WaiterID(1); id < 5000; id++ {
			now = now.Add(time.Duration(rnd.IntN(5)) * time.Millisecond)
			if next, ok := b.NextExpiry(); ok && !now.Before(next) {
				buf = b.Expire(now, buf[:0])
				for _, w := range buf {
					if state[w] != "queued" {
						t.Fatalf("seed %d: expired %d in state %q", seed, w, state[w])
					}
					state[w] = "expired"
				}
			}
			switch {
			case rnd.IntN(3) == 0 && running > 0:
				running--
				if w, ok := b.Release(now); ok {
					if state[w] != "queued" {
						t.Fatalf("seed %d: admitted %d in state %q", seed, w, state[w])
					}
					if now.Sub(queuedAt[w]) >= cfg.MaxWait {
						t.Fatalf("seed %d: %d admitted after waiting %v >= max %v", seed, w, now.Sub(queuedAt[w]), cfg.MaxWait)
					}
					state[w] = "running"
					running++
				}
			case rnd.IntN(10) == 0 && b.QueueLen() > 0:
				w := WaiterID(1 + rnd.IntN(int(id)))
				if b.Cancel(w) != (state[w] == "queued") {
					t.Fatalf("seed %d: Cancel(%d) disagreed with state %q", seed, w, state[w])
				}
				if state[w] == "queued" {
					state[w] = "cancelled"
				}
			default:
				switch b.Acquire(now, id) {
				case BulkheadAdmitted:
					state[id] = "running"
					running++
				case BulkheadQueued:
					state[id] = "queued"
					queuedAt[id] = now
				case BulkheadRejected:
					state[id] = "rejected"
				}
			}
			if b.InUse() != running || running > cfg.MaxConcurrent || b.QueueLen() > cfg.MaxQueue {
				t.Fatalf("seed %d cfg %+v: in use %d (test %d), queue %d", seed, cfg, b.InUse(), running, b.QueueLen())
			}
		}
	}
}

func TestBulkheadSetLimit(t *testing.T) {
	b, _ := NewBulkhead(BulkheadConfig{MaxConcurrent: 1, MaxQueue: 3, MaxWait: time.Second})
	b.Acquire(t0, 1)
	b.Acquire(t0, 2)
	b.Acquire(t0, 3)
	got := b.SetLimit(t0, 3, nil)
	if len(got) != 2 || got[0] != 2 || got[1] != 3 || b.InUse() != 3 {
		t.Fatalf("SetLimit admitted %v, in use %d", got, b.InUse())
	}
	b.SetLimit(t0, 1, nil)
	if _, ok := b.Release(t0); ok || b.Acquire(t0, 4) != BulkheadQueued {
		t.Fatal("lower limit not enforced")
	}
}

func TestAIMD(t *testing.T) {
	a, err := NewAIMDLimiter(AIMDConfig{InitialLimit: 4, MinLimit: 2, MaxLimit: 5, BackoffRatio: 0.5, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var ps []LimitPermit
	for i := 0; i < 4; i++ {
		p, ok := a.Acquire(t0)
		if !ok {
			t.Fatalf("acquire %d refused", i)
		}
		ps = append(ps, p)
	}
	if _, ok := a.Acquire(t0); ok || a.Rejected() != 1 {
		t.Fatal("admitted beyond the limit")
	}
	steps := []struct {
		permit int
		o      Outcome
		rtt    time.Duration
		limit  int
	}{
		{3, Success, 10 * time.Millisecond, 5},  // admitted at 4 in flight >= 4/2: grow
		{2, Success, 10 * time.Millisecond, 5},  // capped at max
		{1, Failure, 150 * time.Millisecond, 2}, // slow = drop: floor(5*0.5) = 2
		{0, Ignored, 0, 2},
	}
	for i, s := range steps {
		a.Record(t0, ps[s.permit], s.o, s.rtt)
		if a.Limit() != s.limit {
			t.Fatalf("step %d: limit %d want %d", i, a.Limit(), s.limit)
		}
	}
	p, _ := a.Acquire(t0) // in flight 1 < 2/2? 1*2 >= 2: grow to 3
	a.Record(t0, p, Success, 0)
	if a.Limit() != 3 || a.InFlight() != 0 {
		t.Fatalf("limit %d in flight %d", a.Limit(), a.InFlight())
	}
	p, _ = a.Acquire(t0) // 1 in flight of 3: 2 < 3, app-limited, no growth
	a.Record(t0, p, Success, 0)
	if a.Limit() != 3 {
		t.Fatalf("idle client grew its limit to %d", a.Limit())
	}
	p, _ = a.Acquire(t0)
	a.Record(t0, p, Overloaded, 0)
	if a.Limit() != 2 {
		t.Fatalf("overloaded: limit %d, want max(min 2, floor(1.5))", a.Limit())
	}
}

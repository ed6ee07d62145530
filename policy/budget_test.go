package policy

import (
	"testing"
	"time"
)

func TestTokenBucketTable(t *testing.T) {
	b, _ := NewTokenBucket(4, 0.5)
	steps := []struct {
		o      Outcome
		tokens float64
		allow  bool
	}{
		{Failure, 3, true}, {Timeout, 2, false}, {Rejected, 2, false}, {Ignored, 2, false},
		{Success, 2.5, true}, {Success, 3, true}, {Success, 3.5, true}, {Success, 4, true},
		{Success, 4, true}, // capped at max
		{Overloaded, 3, true}, {Failure, 2, false}, {Failure, 1, false}, {Failure, 0, false}, {Failure, 0, false},
	}
	for i, s := range steps {
		b.Record(t0, s.o)
		if b.Tokens() != s.tokens || b.Withdraw(t0) != s.allow {
			t.Fatalf("step %d after %v: tokens %v allow %v; want %v %v", i, s.o, b.Tokens(), b.Withdraw(t0), s.tokens, s.allow)
		}
	}
}

func TestRatioBudget(t *testing.T) {
	// 20% of calls plus a reserve of 1 retry/s over a 10s TTL (10 retries).
	b, err := NewRatioBudget(RatioBudgetConfig{TTL: 10 * time.Second, MinRetriesPerSec: 1, RetryRatio: 0.2, Buckets: 10})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Balance(t0); got != 10 {
		t.Fatalf("initial balance %v, want reserve 10", got)
	}
	for i := 0; i < 100; i++ { // 100 calls at t=0..0.99s deposit 20 retries
		b.Deposit(at(time.Duration(i) * 10 * time.Millisecond))
	}
	now := at(time.Second)
	if got := b.Balance(now); got != 30 {
		t.Fatalf("balance %v, want 30", got)
	}
	n := 0
	for b.Withdraw(now) {
		n++
	}
	if n != 30 {
		t.Fatalf("withdrew %d retries, want 30", n)
	}
	// Deposits and withdrawals both expire one TTL (10 buckets) after their
	// bucket: at t = 10s the first second's deposits leave, at 11s the
	// withdrawals made at t = 1s, and only the reserve is left.
	if got := b.Balance(at(9*time.Second + 999*time.Millisecond)); got != 0 {
		t.Fatalf("balance at 9.999s = %v, want 0 (all still counted)", got)
	}
	if got := b.Balance(at(10*time.Second + 500*time.Millisecond)); got != -20 {
		t.Fatalf("balance at 10.5s = %v, want -20 (deposits expired, withdrawals not yet)", got)
	}
	if b.Withdraw(at(10*time.Second + 500*time.Millisecond)) {
		t.Fatal("withdrew from a negative balance")
	}
	if got := b.Balance(at(11 * time.Second)); got != 10 {
		t.Fatalf("balance at 11s = %v, want reserve 10", got)
	}
	b.Record(now, Failure) // no effect
	if got := b.Balance(at(11 * time.Second)); got != 10 {
		t.Fatalf("Record changed the balance: %v", got)
	}
}

// TestRatioBudgetBoundedRetryRate is a property test: under any call
// pattern, retries granted over any TTL-aligned span stay within
// ratio*calls + reserve, and memory does not grow with traffic.
func TestRatioBudgetBoundedRetryRate(t *testing.T) {
	const seed = 3
	rnd := newRand(seed)
	cfg := RatioBudgetConfig{TTL: time.Second, MinRetriesPerSec: 5, RetryRatio: 0.1, Buckets: 10}
	b, _ := NewRatioBudget(cfg)
	slots := cap(b.w.slots)
	calls, retries := 0, 0
	now := t0
	for i := 0; i < 100_000; i++ {
		now = now.Add(time.Duration(rnd.ExpFloat64() * float64(100*time.Microsecond)))
		if now.Sub(t0) >= 10*time.Second {
			break
		}
		b.Deposit(now)
		calls++
		for b.Withdraw(now) {
			retries++
		}
	}
	// Over 10s (10 TTLs), grants <= ratio*calls + reserve per TTL * 10 TTLs (+1 TTL for window edges).
	limit := 0.1*float64(calls) + 5*11
	if float64(retries) > limit {
		t.Fatalf("seed %d: %d retries for %d calls exceeds %v", seed, retries, calls, limit)
	}
	if retries == 0 {
		t.Fatalf("seed %d: no retry granted", seed)
	}
	if cap(b.w.slots) != slots {
		t.Fatal("window memory grew")
	}
}

package policy

import (
	"testing"
	"time"
)

func TestDeadlineAttemptTimeout(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name            string
		d               Deadline
		now             time.Duration
		perHop, reserve time.Duration
		want            time.Duration
		wantOK          bool
	}{
		{"no deadline, no per-hop: no timeout", NoDeadline, 0, 0, 0, 0, true},
		{"no deadline: per-hop", NoDeadline, 0, 300 * ms, 50 * ms, 300 * ms, true},
		{"per-hop shorter than budget", NewDeadline(t0, time.Second), 100 * ms, 300 * ms, 50 * ms, 300 * ms, true},
		{"budget minus reserve shorter", NewDeadline(t0, time.Second), 800 * ms, 300 * ms, 50 * ms, 150 * ms, true},
		{"no per-hop: budget minus reserve", NewDeadline(t0, time.Second), 0, 0, 100 * ms, 900 * ms, true},
		{"reserve eats the rest", NewDeadline(t0, time.Second), 950 * ms, 300 * ms, 50 * ms, 0, false},
		{"expired", NewDeadline(t0, time.Second), 2 * time.Second, 300 * ms, 0, 0, false},
		{"zero budget is expired, not none", NewDeadline(t0, 0), 0, 300 * ms, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.d.AttemptTimeout(at(tc.now), tc.perHop, tc.reserve)
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("AttemptTimeout = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestDeadlinePropagation(t *testing.T) {
	parent := NewDeadline(t0, time.Second)
	// Layer 1 at 100ms: per-hop 2s, reserve 100ms -> child at 900ms.
	c1, ok := parent.Child(at(100*time.Millisecond), 2*time.Second, 100*time.Millisecond)
	if !ok || !c1.At().Equal(at(900*time.Millisecond)) {
		t.Fatalf("child 1 = %v, %v", c1.At(), ok)
	}
	// Layer 2 at 200ms: per-hop 300ms -> child at 500ms, earlier than c1.
	c2, ok := c1.Child(at(200*time.Millisecond), 300*time.Millisecond, 0)
	if !ok || !c2.At().Equal(at(500*time.Millisecond)) {
		t.Fatalf("child 2 = %v, %v", c2.At(), ok)
	}
	if c2.At().After(c1.At()) || c1.At().After(parent.At()) {
		t.Fatal("a child deadline is later than its parent")
	}
	if _, ok := c2.Child(at(500*time.Millisecond), 0, 0); ok {
		t.Fatal("child of an expired deadline was granted time")
	}
	if r := NoDeadline.Remaining(t0); r != maxDuration {
		t.Fatalf("no deadline remaining = %v", r)
	}
	if m := NoDeadline.Min(c2); m != c2 {
		t.Fatalf("Min with none = %v", m.At())
	}
	if m := c1.Min(c2); m != c2 {
		t.Fatalf("Min = %v", m.At())
	}
	if !c2.Expired(at(500*time.Millisecond)) || c2.Expired(at(499*time.Millisecond)) || NoDeadline.Expired(at(1e18)) {
		t.Fatal("Expired wrong")
	}
}

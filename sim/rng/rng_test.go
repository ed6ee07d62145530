package rng

import (
	"fmt"
	"math"
	"testing"
)

func draws(s Streams, name string, n int) []uint64 {
	r := s.Stream(name)
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.Uint64()
	}
	return out
}

func TestSameInputsSameDraws(t *testing.T) {
	a := draws(New(42, 3), "arrivals", 100)
	b := draws(New(42, 3), "arrivals", 100)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("draw %d differs: %d vs %d", i, a[i], b[i])
		}
	}
}

// Streams are derived from names, not from creation order: creating other
// streams first, or more of them, must not change a stream's draws.
func TestNewStreamLeavesExistingStreamsUnchanged(t *testing.T) {
	s := New(7, 0)
	before := draws(s, "payments", 50)
	_ = draws(s, "a-new-component", 1000)
	_ = draws(s, "zzz", 10)
	after := draws(s, "payments", 50)
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("adding streams changed draw %d of an existing stream", i)
		}
	}
}

// Different replications, seeds and names give different, uncorrelated
// sequences.
func TestStreamsAreIndependent(t *testing.T) {
	const n = 20000
	cases := []struct {
		name string
		a, b Streams
		sa   string
		sb   string
	}{
		{"replication", New(1, 0), New(1, 1), "x", "x"},
		{"seed", New(1, 0), New(2, 0), "x", "x"},
		{"name", New(1, 0), New(1, 0), "x", "y"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ra, rb := c.a.Stream(c.sa), c.b.Stream(c.sb)
			var sa, sb, sab, saa, sbb float64
			same := 0
			for i := 0; i < n; i++ {
				x, y := ra.Float64(), rb.Float64()
				if x == y {
					same++
				}
				sa += x
				sb += y
				sab += x * y
				saa += x * x
				sbb += y * y
			}
			cov := sab/n - (sa/n)*(sb/n)
			corr := cov / math.Sqrt((saa/n-(sa/n)*(sa/n))*(sbb/n-(sb/n)*(sb/n)))
			// Under independence corr ~ N(0, 1/n): 5 sigma is 0.035.
			if math.Abs(corr) > 5/math.Sqrt(n) {
				t.Errorf("correlation %.4f between streams %v/%s and %v/%s", corr, c.a, c.sa, c.b, c.sb)
			}
			if same > 0 {
				t.Errorf("%d identical draws", same)
			}
		})
	}
}

func ExampleStreams_Stream() {
	s := New(2026, 0)
	arrivals := s.Stream("arrivals")
	again := New(2026, 0).Stream("arrivals")
	fmt.Println(arrivals.Uint64() == again.Uint64())
	// Output: true
}

package stats

import (
	"math"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
)

func TestTimeWeightedArea(t *testing.T) {
	// Queue length 0 on [0,2s), 3 on [2s,5s), 1 on [5s,10s):
	// area = 0·2 + 3·3 + 1·5 = 14 item·s, so the mean over 10 s is 1.4.
	var w TimeWeighted
	w.Set(2*sim.Second, 3)
	w.Add(5*sim.Second, -2)
	if got := w.Mean(10 * sim.Second); math.Abs(got-1.4) > 1e-12 {
		t.Fatalf("Mean(10s) = %v, want 1.4", got)
	}
	if w.Max() != 3 || w.Value() != 1 {
		t.Fatalf("Max %v Value %v, want 3 and 1", w.Max(), w.Value())
	}
	// Mean is a query: asking again at a later time keeps counting.
	// Over [0, 20s): 14 + 1·10 = 24, mean 1.2.
	if got := w.Mean(20 * sim.Second); math.Abs(got-1.2) > 1e-12 {
		t.Fatalf("Mean(20s) = %v, want 1.2", got)
	}
	// Warm-up truncation at 5 s: from then on 1 until 8 s, then 4 until
	// 10 s: area 1·3 + 4·2 = 11 over 5 s = 2.2; Max restarts at 1 then 4.
	w.ResetAt(5 * sim.Second)
	if w.Max() != 1 {
		t.Fatalf("Max after ResetAt = %v, want the current value 1", w.Max())
	}
	w.Set(8*sim.Second, 4)
	if got := w.Mean(10 * sim.Second); math.Abs(got-2.2) > 1e-12 {
		t.Fatalf("Mean(10s) after ResetAt(5s) = %v, want 2.2", got)
	}
	if w.Max() != 4 {
		t.Fatalf("Max = %v, want 4", w.Max())
	}
	if got := w.Mean(5 * sim.Second); got != 4 {
		t.Fatalf("Mean at the start = %v, want the current value 4", got)
	}
}

func TestTimeWeightedBackwardsTime(t *testing.T) {
	var w TimeWeighted
	w.Set(10*sim.Second, 2)
	w.Set(5*sim.Second, 4) // earlier than last: applies at 10 s, no negative area
	if got := w.Mean(20 * sim.Second); math.Abs(got-2) > 1e-12 {
		t.Fatalf("Mean = %v, want (0·10 + 4·10)/20 = 2", got)
	}
}

func BenchmarkTimeWeightedSet(b *testing.B) {
	var w TimeWeighted
	b.ReportAllocs()
	now := sim.Time(0)
	for b.Loop() {
		now += 1000
		w.Set(now, float64(now&7))
	}
	sinkF = w.Mean(now)
}

package policy

import (
	"math"
	"testing"
	"time"
)

func TestJitterTTL(t *testing.T) {
	const seed, n = 21, 100_000
	rnd := newRand(seed)
	ttl := time.Minute
	sum := 0.0
	for i := 0; i < n; i++ {
		d := JitterTTL(ttl, 0.1, rnd)
		if d < 54*time.Second || d > 66*time.Second {
			t.Fatalf("seed %d: %v outside ttl*(1 +- 0.1)", seed, d)
		}
		sum += float64(d)
	}
	if rel := math.Abs(sum/n-float64(ttl)) / float64(ttl); rel > 0.001 {
		t.Fatalf("seed %d: mean %v, want %v", seed, time.Duration(sum/n), ttl)
	}
	if JitterTTL(ttl, 0, nil) != ttl {
		t.Fatal("fraction 0 must not jitter (nor touch the nil Rand)")
	}
}

func TestXFetchExactRule(t *testing.T) {
	exp := at(10 * time.Second)
	delta := time.Second
	for _, tc := range []struct {
		now  time.Duration
		beta float64
		u    float64 // Float64 draw; U = 1 - u
		want bool
	}{
		// -ln(U) = -ln(0.5) = 0.693s of eagerness
		{9400 * time.Millisecond, 1, 0.5, true},  // 600ms to go
		{9200 * time.Millisecond, 1, 0.5, false}, // 800ms to go
		{9200 * time.Millisecond, 2, 0.5, true},  // beta 2: 1.386s
		{10 * time.Second, 0, 0.5, true},         // expired: always refresh
		{5 * time.Second, 1, 0.999999999, true},  // U near 0: -ln U large
		{9999 * time.Millisecond, 1, 0, false},   // U = 1: -ln U = 0, refresh only at expiry
	} {
		got := XFetchShouldRefresh(at(tc.now), exp, delta, tc.beta, &fixedRand{v: []float64{tc.u}})
		if got != tc.want {
			t.Errorf("now %v beta %v u %v: got %v", tc.now, tc.beta, tc.u, got)
		}
	}
}

// TestXFetchProbability: P(refresh) = P(-ln U >= gap/(delta*beta)) =
// exp(-gap/(delta*beta)), within 4 standard errors.
func TestXFetchProbability(t *testing.T) {
	const seed, n = 33, 100_000
	rnd := newRand(seed)
	gap, delta, beta := 500*time.Millisecond, 200*time.Millisecond, 1.5
	hits := 0
	for i := 0; i < n; i++ {
		if XFetchShouldRefresh(t0, t0.Add(gap), delta, beta, rnd) {
			hits++
		}
	}
	p := math.Exp(-float64(gap) / (float64(delta) * beta))
	se := math.Sqrt(p * (1 - p) / n)
	if got := float64(hits) / n; math.Abs(got-p) > 4*se {
		t.Fatalf("seed %d: P(refresh) = %v, formula %v +- %v", seed, got, p, se)
	}
}

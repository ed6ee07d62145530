package policy

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// TestBackoffSequences pins exact delays with scripted uniforms.
func TestBackoffSequences(t *testing.T) {
	ms := time.Millisecond
	exp := func(j JitterKind) BackoffConfig {
		return BackoffConfig{Kind: BackoffExponential, Base: 100 * ms, Cap: time.Second, Multiplier: 2, Jitter: j}
	}
	tests := []struct {
		name string
		cfg  BackoffConfig
		u    []float64
		want []time.Duration
	}{
		{"constant", BackoffConfig{Kind: BackoffConstant, Base: 50 * ms, Jitter: JitterNone}, nil,
			[]time.Duration{50 * ms, 50 * ms, 50 * ms}},
		{"exponential capped", exp(JitterNone), nil,
			[]time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, time.Second, time.Second}},
		{"multiplier 3", BackoffConfig{Kind: BackoffExponential, Base: 10 * ms, Cap: 100 * ms, Multiplier: 3, Jitter: JitterNone}, nil,
			[]time.Duration{10 * ms, 30 * ms, 90 * ms, 100 * ms}},
		{"full: U*v", exp(JitterFull), []float64{0.5, 0.25, 0, 0.5},
			[]time.Duration{50 * ms, 50 * ms, 0, 400 * ms}},
		{"equal: v/2 + U*v/2", exp(JitterEqual), []float64{0, 0.5, 0.999999},
			[]time.Duration{50 * ms, 150 * ms, 399999800 * time.Nanosecond}},
		// decorrelated: min(cap, base + U*(3*prev - base)), prev starts at base.
		{"decorrelated", exp(JitterDecorrelated), []float64{0.5, 0.5, 0.99, 0.0},
			[]time.Duration{200 * ms, 350 * ms, 1000 * ms, 100 * ms}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r Rand
			if tc.u != nil {
				r = &fixedRand{v: tc.u}
			}
			b, err := NewBackoff(tc.cfg, r)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range tc.want {
				if got := b.Next(); got != w {
					t.Fatalf("delay %d = %v, want %v", i+1, got, w)
				}
			}
			b.Reset()
			if tc.u == nil {
				if got := b.Next(); got != tc.want[0] {
					t.Fatalf("after Reset: %v, want %v", got, tc.want[0])
				}
			}
		})
	}
}

// TestBackoffWithinCap is a property test: for random valid configs and
// every jitter kind, every delay lies in [0, cap].
func TestBackoffWithinCap(t *testing.T) {
	const seed = 11
	rnd := newRand(seed)
	kinds := []JitterKind{JitterNone, JitterFull, JitterEqual, JitterDecorrelated}
	for trial := 0; trial < 400; trial++ {
		base := time.Duration(1 + rnd.Int64N(int64(time.Second)))
		c := BackoffConfig{
			Kind:       []BackoffKind{BackoffConstant, BackoffExponential}[trial%2],
			Base:       base,
			Cap:        base + time.Duration(rnd.Int64N(int64(10*time.Second))),
			Multiplier: 1 + 9*rnd.Float64(),
			Jitter:     kinds[trial%4],
		}
		b, err := NewBackoff(c, rnd)
		if err != nil {
			t.Fatal(err)
		}
		hi := c.Cap
		if c.Kind == BackoffConstant && c.Jitter != JitterDecorrelated {
			hi = c.Base
		}
		for i := 0; i < 60; i++ {
			if d := b.Next(); d < 0 || d > hi {
				t.Fatalf("seed %d trial %d cfg %+v: delay %d = %v outside [0, %v]", seed, trial, c, i+1, d, hi)
			}
		}
	}
}

// TestJitterMeans checks that the mean delay of each jitter kind over many
// draws is within 1% of its formula:
//
//	full:  E[U(0,v)] = v/2
//	equal: E[v/2 + U(0,v/2)] = 3v/4
//	decorrelated, first retry (prev = base, 3*base <= cap): E[U(base, 3base)] = 2*base
//	decorrelated, capped (prev = base, cap = 2*base):
//	       E[min(c, U(a,b))] = ((c-a)(c+a)/2 + c(b-c)) / (b-a) with a=base, b=3base, c=2base
//	       = (1.5 base^2 + 2 base^2) / (2 base) = 1.75 base
func TestJitterMeans(t *testing.T) {
	const n = 200_000
	base := 100 * time.Millisecond
	v := 800 * time.Millisecond // 4th exponential delay: 100*2^3
	a, b, c := float64(base), 3*float64(base), 2*float64(base)
	cappedMean := ((c-a)*(c+a)/2 + c*(b-c)) / (b - a)
	tests := []struct {
		name  string
		cfg   BackoffConfig
		retry int // which delay of the sequence to average (1-based)
		want  float64
	}{
		{"full", BackoffConfig{Kind: BackoffExponential, Base: base, Cap: 10 * time.Second, Multiplier: 2, Jitter: JitterFull}, 4, float64(v) / 2},
		{"equal", BackoffConfig{Kind: BackoffExponential, Base: base, Cap: 10 * time.Second, Multiplier: 2, Jitter: JitterEqual}, 4, 3 * float64(v) / 4},
		{"decorrelated", BackoffConfig{Kind: BackoffExponential, Base: base, Cap: 10 * time.Second, Multiplier: 2, Jitter: JitterDecorrelated}, 1, 2 * float64(base)},
		{"decorrelated capped", BackoffConfig{Kind: BackoffExponential, Base: base, Cap: 2 * base, Multiplier: 2, Jitter: JitterDecorrelated}, 1, cappedMean},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seed := uint64(100 + i)
			rnd := newRand(seed)
			bo, err := NewBackoff(tc.cfg, rnd)
			if err != nil {
				t.Fatal(err)
			}
			sum := 0.0
			for k := 0; k < n; k++ {
				bo.Reset()
				var d time.Duration
				for j := 0; j < tc.retry; j++ {
					d = bo.Next()
				}
				sum += float64(d)
			}
			mean := sum / n
			if rel := math.Abs(mean-tc.want) / tc.want; rel > 0.01 {
				t.Fatalf("seed %d, n %d, cfg %+v: mean %v, formula %v (rel err %.4f)", seed, n, tc.cfg,
					time.Duration(mean), time.Duration(tc.want), rel)
			}
		})
	}
}

func ExampleBackoff() {
	b, _ := NewBackoff(BackoffConfig{Kind: BackoffExponential, Base: 100 * time.Millisecond, Cap: time.Second, Multiplier: 2, Jitter: JitterNone}, nil)
	for i := 0; i < 5; i++ {
		fmt.Print(b.Next(), " ")
	}
	fmt.Println()
	// Output: 100ms 200ms 400ms 800ms 1s
}

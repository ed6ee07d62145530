package space

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseKnob(t *testing.T) {
	tests := []struct {
		in     string
		typ    Type
		scale  Scale
		lo, hi float64
		values []string
	}{
		{"payments.client.timeout=200ms..3s", Duration, Linear, 200e6, 3e9, nil},
		{"payments.client.timeout=log:10ms..2s", Duration, Log, 10e6, 2e9, nil},
		{"a.b=1..4", Whole, Linear, 1, 4, nil},
		{"a.b = log:1..64", Whole, Log, 1, 64, nil},
		{"a.b=0.05..0.5", Real, Linear, 0.05, 0.5, nil},
		{"a.b=1.0..4", Real, Linear, 1, 4, nil},
		{"a.b=5%..50%", Real, Linear, 0.05, 0.5, nil},
		{"a.b=log:0.5%..0.05", Real, Log, 0.005, 0.05, nil},
		{"a.b=-1..1", Whole, Linear, -1, 1, nil},
		{"a.b=0s..1m", Duration, Linear, 0, 60e9, nil},
		{"a.b=constant,exponential", List, Linear, 0, 0, []string{"constant", "exponential"}},
		{"a.b=lognormal(median=1s, p99=2s), const(1s)", List, Linear, 0, 0, []string{"lognormal(median=1s, p99=2s)", "const(1s)"}},
		{"flow.steps[2].calls=once,per_item", List, Linear, 0, 0, []string{"once", "per_item"}},
	}
	for _, tt := range tests {
		d, err := ParseKnob("--knob", tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if d.Type != tt.typ || d.Scale != tt.scale || d.Lo != tt.lo || d.Hi != tt.hi || !slices.Equal(d.Values, tt.values) {
			t.Errorf("%s: got %v %v [%g, %g] %q", tt.in, d.Type, d.Scale, d.Lo, d.Hi, d.Values)
		}
	}
}

func TestParseKnobErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a.b", "--knob a.b: expected path=range"},
		{"=1..2", "empty path"},
		{"a b=1..2", "contains a blank"},
		{"a.b=", "empty range"},
		{"a.b=4..1", "lo is greater than hi"},
		{"a.b=2s..2s", "both ends are equal"},
		{"a.b=log:0..4", "a log range needs ends > 0"},
		{"a.b=log:0s..4s", "a log range needs ends > 0"},
		{"a.b=log:a,b", "log: needs an interval"},
		{"a.b=1..", "needs both ends"},
		{"a.b=1..2..3", "more than one '..'"},
		{"a.b=1s..x", "both ends must be durations"},
		{"a.b=x..y", "ends must be numbers"},
		{"a.b=1..NaN", "ends must be numbers"},
		{"a.b=5%..150%", "percentages (5%..50%)"},
		{"a.b=only", "at least two values"},
		{"a.b=a,,b", "value 2 of the list is empty"},
		{"a.b=a,a", `value "a" is given twice`},
		{"a.b=a(,b", "unbalanced"},
		{"a.b=99999999999999999999..1", "within +/-2^52"},
	}
	for _, tt := range tests {
		_, err := ParseKnob("--knob", tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "--knob ") {
			t.Errorf("%s: got %v, want an error with %q naming --knob", tt.in, err, tt.want)
		}
	}
	_, err := ParseRange("tune.yaml:7", "a.b", "4..1")
	if err == nil || !strings.HasPrefix(err.Error(), "tune.yaml:7 a.b=4..1: ") {
		t.Errorf("ParseRange must name its source: %v", err)
	}
}

func mustKnob(t testing.TB, s string) Dimension {
	t.Helper()
	d, err := ParseKnob("--knob", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestValue(t *testing.T) {
	tests := []struct {
		knob string
		u    []float64
		want []string
	}{
		{"p=1..4", []float64{0, 0.24, 0.25, 0.5, 0.99, 1}, []string{"1", "1", "2", "3", "4", "4"}},
		{"p=200ms..3s", []float64{0, 0.5, 1}, []string{"200ms", "1.6s", "3s"}},
		{"p=log:10ms..1s", []float64{0, 0.5, 1}, []string{"10ms", "100ms", "1s"}},
		{"p=0.05..0.5", []float64{0, 0.5, 1, 1.7, -3}, []string{"0.05", "0.275", "0.5", "0.5", "0.05"}},
		{"p=log:1..100", []float64{0, 0.5, 1}, []string{"1", "10", "100"}},
		{"p=a,b,c", []float64{0, 0.33, 0.34, 0.67, 0.999, 1}, []string{"a", "a", "b", "c", "c", "c"}},
		{"p=log:1..8", []float64{0, 0.999, 1}, []string{"1", "8", "8"}},
		{"p=0s..1s", []float64{0.123456}, []string{"123ms"}},
	}
	for _, tt := range tests {
		d := mustKnob(t, tt.knob)
		for i, u := range tt.u {
			if got := d.Value(u); got != tt.want[i] {
				t.Errorf("%s: Value(%g) = %s, want %s", tt.knob, u, got, tt.want[i])
			}
		}
	}
}

// Whole intervals give every value an equal share of [0,1).
func TestValueWholeShares(t *testing.T) {
	d := mustKnob(t, "p=1..4")
	count := map[string]int{}
	for i := range 400 {
		count[d.Value((float64(i)+0.5)/400)]++
	}
	for _, v := range []string{"1", "2", "3", "4"} {
		if count[v] != 100 {
			t.Errorf("value %s got %d of 400 points, want 100", v, count[v])
		}
	}
}

func TestGridAndEnds(t *testing.T) {
	tests := []struct {
		knob       string
		n          int
		grid, ends []string
	}{
		{"p=1..4", 5, []string{"1", "2", "3", "4"}, []string{"1", "4"}},
		{"p=1..10", 4, []string{"1", "4", "7", "10"}, []string{"1", "10"}},
		{"p=log:10ms..1s", 3, []string{"10ms", "100ms", "1s"}, []string{"10ms", "1s"}},
		{"p=x,y", 3, []string{"x", "y"}, []string{"x", "y"}},
	}
	for _, tt := range tests {
		d := mustKnob(t, tt.knob)
		if got := d.Grid(tt.n); !slices.Equal(got, tt.grid) {
			t.Errorf("%s: Grid(%d) = %q, want %q", tt.knob, tt.n, got, tt.grid)
		}
		if got := d.Ends(); !slices.Equal(got, tt.ends) {
			t.Errorf("%s: Ends = %q, want %q", tt.knob, got, tt.ends)
		}
	}
}

func TestSpace(t *testing.T) {
	if _, err := New(); err == nil || !strings.Contains(err.Error(), "the space is empty") {
		t.Errorf("empty space: %v", err)
	}
	a, b := mustKnob(t, "p=1..4"), mustKnob(t, "q=a,b")
	if _, err := New(a, b, a); err == nil || !strings.Contains(err.Error(), "already a knob") {
		t.Errorf("repeated path: %v", err)
	}
	s, err := New(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Sets([]float64{0.9, 0.1}); !slices.Equal(got, []string{"p=4", "q=a"}) {
		t.Errorf("Sets = %q", got)
	}
}

func TestCheck(t *testing.T) {
	load := ScenarioLoader("payment-slowdown-after", nil)
	good := []string{
		"payments.client.timeout=200ms..3s",
		"payments.client.retry.max_attempts=1..4",
		"payments.client.retry.backoff.base=log:10ms..1s",
		"payments.client.retry.backoff.kind=constant,exponential",
		"payments.client.token_bucket.token_ratio=0.05..0.5",
		"payments.client.breaker.failure_rate_threshold=0.2..0.8",
	}
	var dims []Dimension
	for _, k := range good {
		dims = append(dims, mustKnob(t, k))
	}
	s, _ := New(dims...)
	if err := s.Check(load); err != nil {
		t.Fatalf("valid knobs rejected: %v", err)
	}
	bad := []struct{ knob, want string }{
		{"payments.client.timeot=200ms..3s", `unknown field; did you mean "timeout"?`},
		{"payments.client.retry.max_attempts=0..4", "value 0 is not accepted: --set: payments.client.retry.max_attempts: must be in [1, 1000], got 0"},
		{"payments.client.retry.backoff.kind=constant,exponential,linear", "value linear is not accepted"},
		{"payments.client.breaker.failure_rate_threshold=0.2..1.5", "value 1.5 is not accepted"},
		{"payments.client.retry.max_attempts=1s..2s", "value 1s is not accepted"},
	}
	for _, tt := range bad {
		s, _ := New(mustKnob(t, tt.knob))
		err := s.Check(load)
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "--knob "+tt.knob+": ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line naming the knob with %q", tt.knob, err, tt.want)
		}
	}
	s, _ = New(mustKnob(t, "a.b=1..2"), mustKnob(t, "c.d=1..2"))
	if err := s.Check(load); err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Errorf("two bad knobs must give two lines: %v", err)
	}
	if err := s.Check(ScenarioLoader("no-such-scenario", nil)); err == nil {
		t.Error("an unknown scenario must fail")
	}
}

func TestLatinHypercube(t *testing.T) {
	for _, n := range []int{1, 7, 64} {
		pts := LatinHypercube(n, 5, 42)
		if len(pts) != n {
			t.Fatalf("n=%d: got %d points", n, len(pts))
		}
		for k := range 5 {
			seen := make([]bool, n)
			for _, p := range pts {
				s := int(p[k] * float64(n))
				if p[k] < 0 || p[k] >= 1 || seen[s] {
					t.Fatalf("n=%d dim %d: stratum %d holds two points or u=%g is outside [0,1)", n, k, s, p[k])
				}
				seen[s] = true
			}
		}
	}
	a, b, c := LatinHypercube(20, 3, 1), LatinHypercube(20, 3, 1), LatinHypercube(20, 3, 2)
	if !equalPoints(a, b) {
		t.Error("the same seed must give the same design")
	}
	if equalPoints(a, c) {
		t.Error("different seeds must give different designs")
	}
	if LatinHypercube(0, 3, 1) != nil {
		t.Error("no points for n = 0")
	}
}

func equalPoints(a, b [][]float64) bool {
	return slices.EqualFunc(a, b, func(x, y []float64) bool { return slices.Equal(x, y) })
}

// The unshifted sequence starts as every Sobol implementation with
// Joe-Kuo numbers does (e.g. scipy.stats.qmc.Sobol(scramble=False)).
func TestSobolKnownPoints(t *testing.T) {
	pts, err := Sobol(8, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]float64{
		{0, 0, 0}, {0.5, 0.5, 0.5}, {0.75, 0.25, 0.25}, {0.25, 0.75, 0.75},
		{0.375, 0.375, 0.625}, {0.875, 0.875, 0.125}, {0.625, 0.125, 0.875}, {0.125, 0.625, 0.375},
	}
	if !equalPoints(pts, want) {
		t.Errorf("got %v\nwant %v", pts, want)
	}
}

func TestSobolStratified(t *testing.T) {
	for _, seed := range []uint64{0, 7} {
		n := 64
		pts, err := Sobol(n, SobolMaxDims, seed)
		if err != nil {
			t.Fatal(err)
		}
		for k := range SobolMaxDims {
			seen := make([]bool, n)
			for _, p := range pts {
				s := int(p[k] * float64(n))
				if seen[s] {
					t.Fatalf("seed %d dim %d: stratum %d holds two points", seed, k, s)
				}
				seen[s] = true
			}
		}
	}
	if _, err := Sobol(4, SobolMaxDims+1, 1); err == nil || !strings.Contains(err.Error(), "at most 10 knobs") {
		t.Errorf("too many dimensions: %v", err)
	}
}

func FuzzParseKnob(f *testing.F) {
	for _, s := range []string{"a.b=200ms..3s", "a=log:10ms..2s", "a=1..4", "a=constant,exponential", "a=0.05..0.5", "a=log:1..8", "a=(,)", "a=1..1e308"} {
		f.Add(s, 0.5)
	}
	f.Fuzz(func(t *testing.T, s string, u float64) {
		d, err := ParseKnob("--knob", s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--knob") {
				t.Fatalf("error does not name the flag: %v", err)
			}
			return
		}
		v := d.Value(u)
		switch d.Type {
		case List:
			if !slices.Contains(d.Values, v) {
				t.Fatalf("%q: value %q not in the list", s, v)
			}
			return
		case Duration:
			x, err := time.ParseDuration(v)
			if err != nil {
				t.Fatalf("%q: value %q is not a duration", s, v)
			}
			checkIn(t, s, float64(x), d.Lo-1, d.Hi+1)
		default:
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%q: value %q is not a number", s, v)
			}
			if d.Type == Whole && x != float64(int64(x)) {
				t.Fatalf("%q: value %q is not whole", s, v)
			}
			checkIn(t, s, x, d.Lo, d.Hi)
		}
	})
}

func checkIn(t *testing.T, knob string, x, lo, hi float64) {
	t.Helper()
	if x < lo || x > hi {
		t.Fatalf("%q: value %g outside [%g, %g]", knob, x, lo, hi)
	}
}

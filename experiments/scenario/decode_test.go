package scenario

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/sim"
)

var update = flag.Bool("update", false, "rewrite golden files")

func mustDecode(t *testing.T, src string, out any, opts ...Option) {
	t.Helper()
	if err := Decode("t.yaml", []byte(src), out, append(testOpts, opts...)...); err != nil {
		t.Fatalf("Decode:\n%v", err)
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"MaxAttempts": "max_attempts", "P99": "p99", "HTTPTimeout": "http_timeout",
		"TTLJitter": "ttl_jitter", "CPUs": "cpus", "ID": "id", "UserID": "user_id",
		"P99Latency": "p99_latency", "Http2Enabled": "http2_enabled", "A": "a",
		"PeakRate": "peak_rate", "URLsPerHost": "urls_per_host",
	} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"2000/s", 2000}, {"120/min", 120.0 / 60}, {"7200/h", 7200.0 / 3600},
		{"30/m", 0.5}, {"5%", 0.05}, {"12.5 %", 0.125}, {"1.5", 1.5}, {" 3/sec ", 3},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "x", "5/day", "/s", "%", "nan/s", "inf%", "1e999/s"} {
		if _, err := ParseNumber(bad); err == nil {
			t.Errorf("ParseNumber(%q) succeeded, want an error", bad)
		}
	}
}

func TestDurationsAndRates(t *testing.T) {
	s := defaultScenario()
	mustDecode(t, `
http_timeout: 1m30s
traffic:
  peak_rate: 120/min
  duration: 1.5s
  cohorts:
    vip: {share: 5%, think: 0}
`, &s)
	if s.HTTPTimeout != 90*time.Second {
		t.Errorf("http_timeout = %v, want 1m30s", s.HTTPTimeout)
	}
	if s.Traffic.PeakRate != 2 {
		t.Errorf("peak_rate = %v, want 120/60 = 2 per second", s.Traffic.PeakRate)
	}
	if s.Traffic.Duration != 1500*sim.Millisecond {
		t.Errorf("duration = %v, want 1.5s", s.Traffic.Duration)
	}
	if c := s.Traffic.Cohorts["vip"]; c.Share != 0.05 || c.Think != 0 {
		t.Errorf("cohort = %+v, want share 0.05, think 0", c)
	}
}

// TestDefaultsPreserved: absent fields keep their defaults, nested structs
// merge field by field, maps merge entry by entry, slices are replaced.
func TestDefaultsPreserved(t *testing.T) {
	s := defaultScenario()
	s.Tags = []string{"a", "b", "c"}
	mustDecode(t, `
traffic:
  peak_rate: 250
services:
  db:
    shards: 2
  api:
    workers: 3
    latency: constant(value=2ms)
policies:
  db:
    breaker: {failure_ratio: 0.5, open_for: 5s}
tags: [x]
`, &s)
	want := defaultScenario()
	want.Traffic.PeakRate = 250
	want.Services["db"].Shards = 2
	want.Services["api"] = &Service{Workers: 3, Latency: testDist{Kind: "constant", Params: map[string]float64{"value": 0.002}}}
	want.Policies["db"] = Policy{Timeout: time.Second, Breaker: Breaker{FailureRatio: 0.5, OpenFor: 5 * sim.Second}}
	want.Tags = []string{"x"}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
	if s.Internal != 7 {
		t.Errorf(`yaml:"-" field changed: %d`, s.Internal)
	}
}

// TestDefaultsNotWrittenThrough: a default value shared by reference (a map,
// a pointer) is copied before it is changed.
func TestDefaultsNotWrittenThrough(t *testing.T) {
	shared := defaultScenario()
	s := shared // shares the Services and Policies maps and the *Service
	mustDecode(t, "services:\n  db:\n    workers: 9\npolicies:\n  new: {timeout: 1s}\n", &s)
	if shared.Services["db"].Workers != 4 || len(shared.Policies) != 1 {
		t.Errorf("the shared default changed: workers %d, policies %v", shared.Services["db"].Workers, shared.Policies)
	}
	if s.Services["db"].Workers != 9 {
		t.Errorf("workers = %d, want 9", s.Services["db"].Workers)
	}
}

func TestNullAndPointers(t *testing.T) {
	s := defaultScenario()
	s.Policies["db"] = Policy{Retry: &Retry{MaxAttempts: 3}}
	mustDecode(t, "policies:\n  db:\n    retry: null\ntraffic:\nservices:\n  db: {workers: 1, latency: constant(value=1ms)}\n", &s)
	if s.Policies["db"].Retry != nil {
		t.Errorf("retry: null should set the pointer to nil")
	}
	if s.Traffic.PeakRate != 100 {
		t.Errorf("an empty traffic: should keep defaults, peak_rate = %v", s.Traffic.PeakRate)
	}
}

func TestWithDefault(t *testing.T) {
	s := defaultScenario()
	mustDecode(t, `
policies:
  pay:
    retry: {backoff: 10ms}
flow:
  steps:
    - service: db
    - {service: db, calls: per_item}
`, &s, WithDefault(Retry{MaxAttempts: 3, Jitter: 0.5}), WithDefault(&Step{Calls: "once"}))
	if r := s.Policies["pay"].Retry; r == nil || *r != (Retry{MaxAttempts: 3, Backoff: 10 * time.Millisecond, Jitter: 0.5}) {
		t.Errorf("retry = %+v, want the registered default with backoff 10ms", r)
	}
	want := []Step{{Service: "db", Calls: "once"}, {Service: "db", Calls: "per_item"}}
	if !reflect.DeepEqual(s.Flow.Steps, want) {
		t.Errorf("steps = %+v, want %+v", s.Flow.Steps, want)
	}
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	s := defaultScenario()
	mustDecode(t, `
policies:
  a: &std
    timeout: 2s
    retry: {max_attempts: 4, backoff: 50ms}
  b: *std
  c:
    <<: *std
    timeout: 3s
`, &s)
	if s.Policies["b"].Timeout != 2*time.Second || s.Policies["b"].Retry.MaxAttempts != 4 {
		t.Errorf("alias: b = %+v", s.Policies["b"])
	}
	if c := s.Policies["c"]; c.Timeout != 3*time.Second || c.Retry == nil || c.Retry.Backoff != 50*time.Millisecond {
		t.Errorf("merge: c = %+v, want timeout 3s (explicit key wins) and the merged retry", c)
	}
	if s.Policies["b"].Retry == s.Policies["a"].Retry {
		t.Errorf("aliased values must be decoded into separate structs")
	}
}

func TestAliasBombIsBounded(t *testing.T) {
	src := "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n" +
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	var v struct {
		A []int
		B [][]int
		C [][][]int
		D [][][][]int
		E [][][][][]int
		F [][][][][][]int // 10^6 integers after expansion
	}
	err := Decode("bomb.yaml", []byte(src), &v)
	// e alone expands to 111111 values (10^5 integers and their lists), so
	// decoding stops inside e, at an integer node of the anchor on line 1.
	want := fmt.Sprintf("the document is too large (over %d values after expanding aliases)", maxVisits)
	if l, ok := err.(ErrorList); !ok || len(l) != 1 || l[0].Msg != want || l[0].Line != 1 || !strings.HasPrefix(l[0].Path, "e[") {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
}

func TestTooManyErrors(t *testing.T) {
	var b strings.Builder
	for i := range 150 {
		fmt.Fprintf(&b, "k%d: 1\n", i)
	}
	var v struct{ A int }
	err := Decode("many.yaml", []byte(b.String()), &v)
	l, _ := err.(ErrorList)
	if len(l) != maxErrors+1 {
		t.Fatalf("%d errors, want %d and a summary", len(l), maxErrors+1)
	}
	if got, want := l[maxErrors].Error(), "many.yaml:101: too many errors (150 in all); fix the ones above first"; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
}

func TestRecursiveAlias(t *testing.T) {
	var v struct{ A, B []string }
	// go-yaml accepts an anchor whose value contains its own alias.
	err := Decode("rec.yaml", []byte("a: &x [*x]\n"), &v)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, e := range err.(ErrorList) {
		if e.Line < 1 {
			t.Errorf("error without a line: %v", e)
		}
	}
}

func TestUnsupportedType(t *testing.T) {
	var v struct{ Ch chan int }
	err := Decode("u.yaml", []byte("ch: 1\n"), &v)
	if err == nil || !strings.Contains(err.Error(), "u.yaml:1: ch: fields of Go type chan int cannot be set") {
		t.Errorf("err = %v", err)
	}
	if err := Decode("u.yaml", []byte("a: 1\n"), v); err == nil || !strings.Contains(err.Error(), "pointer to a struct") {
		t.Errorf("non-pointer out: err = %v", err)
	}
}

// unmarshalerField parses "N units" itself.
type units int

func (u *units) UnmarshalScenario(n *yaml.Node) error {
	var k int
	if _, err := fmt.Sscanf(n.Value, "%d units", &k); err != nil {
		return fmt.Errorf("want \"N units\", got %q", n.Value)
	}
	*u = units(k)
	return nil
}

func TestUnmarshaler(t *testing.T) {
	var v struct{ Stock units }
	if err := Decode("u.yaml", []byte("stock: 12 units\n"), &v); err != nil || v.Stock != 12 {
		t.Fatalf("stock = %d, err %v", v.Stock, err)
	}
	err := Decode("u.yaml", []byte("\nstock: lots\n"), &v)
	if err == nil || err.Error() != `u.yaml:2: stock: want "N units", got "lots"` {
		t.Errorf("err = %v", err)
	}
}

func TestHookContextBaseDir(t *testing.T) {
	var got HookContext
	hook := WithTypeHook(reflect.TypeFor[Dist](), func(n *yaml.Node, ctx HookContext) (reflect.Value, error) {
		got = ctx
		return reflect.Value{}, nil
	})
	var v struct{ Latency Dist }
	if err := Decode("dir/sub/x.yaml", []byte("latency: empirical(file=t.csv)\n"), &v, hook); err != nil {
		t.Fatal(err)
	}
	if got != (HookContext{File: "dir/sub/x.yaml", BaseDir: "dir/sub", Path: "latency"}) {
		t.Errorf("context = %+v", got)
	}
}

// TestGoldenFullDecode decodes a representative full scenario and compares a
// JSON dump of the result with testdata/full.golden (regenerate with
// -update, then read the diff).
func TestGoldenFullDecode(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := defaultScenario()
	mustDecode(t, string(src), &s, WithDefault(Retry{MaxAttempts: 3}))
	got, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "full.golden")
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("decode of testdata/full.yaml differs from %s:\n%s", golden, got)
	}
}

type inner struct{ Region string }
type Zone struct{ Name string }

func TestEmbeddedStructs(t *testing.T) {
	var v struct {
		inner        // unexported, inlined: its exported fields are keys
		*Zone        // exported pointer, allocated when a key is present
		Name  string // shallower than Zone.Name, so it wins
	}
	if err := Decode("e.yaml", []byte("region: eu\nname: top\n"), &v); err != nil {
		t.Fatal(err)
	}
	if v.Region != "eu" || v.Name != "top" || v.Zone != nil {
		t.Errorf("got %+v", v)
	}
	var w struct{ *Zone }
	if err := Decode("e.yaml", []byte("name: z\n"), &w); err != nil || w.Zone == nil || w.Zone.Name != "z" {
		t.Errorf("embedded pointer: %+v, %v", w.Zone, err)
	}
}

func BenchmarkDecodeFull(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "full.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s := defaultScenario()
		if err := Decode("full.yaml", src, &s, append(testOpts, WithDefault(Retry{MaxAttempts: 3}))...); err != nil {
			b.Fatal(err)
		}
	}
}

func TestClosest(t *testing.T) {
	cands := []string{"max_attempts", "backoff", "timeout", "p99", "name"}
	for key, want := range map[string]string{
		"max_attempt": "max_attempts", "maxattempts": "max_attempts", "backof": "backoff",
		"timeot": "timeout", "p9": "p99", "base": "", "colour": "", "": "",
	} {
		if got := closest(key, cands); got != want {
			t.Errorf("closest(%q) = %q, want %q", key, got, want)
		}
	}
	if d := EditDistance("kitten", "sitting"); d != 3 {
		t.Errorf("EditDistance(kitten, sitting) = %d, want 3", d)
	}
}

package sweep

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
)

func TestParseSweepParam(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Param
		err  string
	}{
		{"traffic.multiplier=1,2,4", Param{"traffic.multiplier", []string{"1", "2", "4"}}, ""},
		{" a.b = x , y ", Param{"a.b", []string{"x", "y"}}, ""},
		{"services[0].cpu=lognormal(median=1ms, p99=5ms),exponential(mean=2ms)",
			Param{"services[0].cpu", []string{"lognormal(median=1ms, p99=5ms)", "exponential(mean=2ms)"}}, ""},
		{"flow.retry_on=[timeout, failure],[timeout]", Param{"flow.retry_on", []string{"[timeout, failure]", "[timeout]"}}, ""},
		{`name="a,b",c`, Param{"name", []string{`"a,b"`, "c"}}, ""},
		{"single=7", Param{"single", []string{"7"}}, ""},
		{"traffic.multiplier", Param{}, "expected path=v1,v2"},
		{"=1,2", Param{}, "empty path"},
		{"a=", Param{}, "value 1 of a is empty"},
		{"a=1,,2", Param{}, "value 2 of a is empty"},
		{"a=1,2,1", Param{}, `value "1" is given twice`},
		{"a=f(1,2", Param{}, "unbalanced"},
		{"a=f)1", Param{}, "unbalanced"},
		{`a="x`, Param{}, "unterminated quote"},
		{"a b=1", Param{}, "contains a blank"},
	} {
		got, err := ParseParam(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "--param") {
				t.Errorf("ParseSweepParam(%q): error %v, want one naming --param and containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got.Path != tc.want.Path || !slices.Equal(got.Values, tc.want.Values) {
			t.Errorf("ParseSweepParam(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParseSweepParam(f *testing.F) {
	for _, s := range []string{"a=1,2", "a.b[0].c=lognormal(median=1ms, p99=5ms),2", `x="a,b"`, "=", "a=(,", "a=[1,2],{k: v}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseParam(s)
		if err != nil {
			return
		}
		// A parsed parameter has a path and distinct non-empty values.
		if p.Path == "" || len(p.Values) == 0 {
			t.Fatalf("ParseSweepParam(%q) = %+v without error", s, p)
		}
		for i, v := range p.Values {
			if v == "" || slices.Contains(p.Values[:i], v) {
				t.Fatalf("ParseSweepParam(%q): bad value %q in %q", s, v, p.Values)
			}
		}
	})
}

func TestSweepGridPointOrder(t *testing.T) {
	g := Grid{Sets: []string{"duration=1m"}, Params: []Param{
		{"a", []string{"1", "2"}}, {"b", []string{"x", "y", "z"}},
	}}
	if g.Points() != 6 {
		t.Fatalf("Points() = %d, want 6", g.Points())
	}
	// Nested loops, first parameter outermost.
	var got []string
	for i := range g.Points() {
		got = append(got, g.PointLabel(i))
	}
	want := []string{"a=1 b=x", "a=1 b=y", "a=1 b=z", "a=2 b=x", "a=2 b=y", "a=2 b=z"}
	if !slices.Equal(got, want) {
		t.Errorf("points %q, want %q", got, want)
	}
	if s := g.PointSets(4); !slices.Equal(s, []string{"duration=1m", "a=2", "b=y"}) {
		t.Errorf("PointSets(4) = %q", s)
	}
	// The hash changes with any part of the definition.
	h := g.Hash()
	g2 := g
	g2.Seed = 2
	g3 := g
	g3.Params = []Param{{"a", []string{"2", "1"}}, {"b", []string{"x", "y", "z"}}}
	if h == g2.Hash() || h == g3.Hash() || h != g.Hash() || len(h) != 64 {
		t.Errorf("hashes %s %s %s: want 64 hex digits, equal only for equal grids", h, g2.Hash(), g3.Hash())
	}
}

func ExampleGrid_Point() {
	g := Grid{Params: []Param{
		{Path: "traffic.multiplier", Values: []string{"1", "2"}},
		{Path: "flow.budget", Values: []string{"2s", "5s"}},
	}}
	for i := range g.Points() {
		fmt.Println(i, g.Point(i))
	}
	// Output:
	// 0 [1 2s]
	// 1 [1 5s]
	// 2 [2 2s]
	// 3 [2 5s]
}

// tinySets make one-station a fraction of a second per point.
var tinySets = []string{"duration=20s", "warmup=5s", "drain=5s", "replications=2"}

func tinyParams() []Param {
	return []Param{
		{"traffic.multiplier", []string{"0.5", "1"}},
		{"services[0].workers_per_instance", []string{"7", "8", "10"}},
	}
}

func TestNewSweepBadInput(t *testing.T) {
	for _, tc := range []struct {
		ref    string
		sets   []string
		params []Param
		want   []string
	}{
		{"one-station", tinySets, nil, []string{"no --param"}},
		{"one-station", tinySets, []Param{{"no_such.field", []string{"1"}}}, []string{"--param no_such.field", `"1"`}},
		{"one-station", tinySets, []Param{{"traffic.multiplier", []string{"1", "-2"}}}, []string{"--param traffic.multiplier", `"-2"`, "multiplier"}},
		{"one-station", tinySets, []Param{{"traffic.multiplier", []string{"abc"}}}, []string{"--param traffic.multiplier", `"abc"`}},
		{"one-station", tinySets, []Param{{"a", []string{"1"}}, {"a", []string{"2"}}}, []string{"--param a is given twice"}},
		// Each value is fine alone; the combination is not (warm-up as
		// long as the run): the error names the point.
		{"one-station", []string{"warmup=5s"}, []Param{{"duration", []string{"40s", "1m"}}, {"warmup", []string{"5s", "50s"}}},
			[]string{"point 1", "duration=40s warmup=50s", "warmup"}},
		{"no-such-scenario", nil, tinyParams(), []string{"no-such-scenario"}},
		{"testdata/missing.yaml", nil, tinyParams(), []string{"missing.yaml", "no such file"}},
	} {
		_, err := New(tc.ref, tc.sets, tc.params)
		if err == nil {
			t.Errorf("NewSweep(%s, %q, %+v): no error", tc.ref, tc.sets, tc.params)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("NewSweep(%s, %+v): error %q does not contain %q", tc.ref, tc.params, err, w)
			}
		}
	}
}

func sweepJSON(t *testing.T, r *Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := r.Write(&b, output.JSON); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func mustSweep(t *testing.T) *Sweep {
	t.Helper()
	sw, err := New("one-station", tinySets, tinyParams())
	if err != nil {
		t.Fatal(err)
	}
	return sw
}

// One sweep, computed whole, in shards merged, and interrupted then
// resumed, must give the same bytes; and the rows must reflect the
// parameters (more load, more throughput; more workers, less waiting).
func TestSweepShardMergeResume(t *testing.T) {
	ctx := context.Background()
	sw := mustSweep(t)
	full, err := sw.Run(ctx, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := sweepJSON(t, full)
	if len(full.Rows) != 6 || full.Pending != nil || full.Shard != nil {
		t.Fatalf("full run: %d rows, pending %v, shard %v", len(full.Rows), full.Pending, full.Shard)
	}
	for _, r := range full.Rows {
		if r.Seed != 1 || r.Replications != 2 || !slices.Equal(r.Values, sw.Grid.Point(r.Index)) {
			t.Errorf("row %+v: want seed 1 (common random numbers), 2 replications, the grid's values", r)
		}
	}
	m := func(i int) *Metrics { return &full.Rows[i].Metrics }
	tput := func(i int) float64 { return m(i).Get(metric.Throughput).Mean }
	mean := func(i int) float64 { return m(i).Get(metric.LatencyMean).Mean }
	if !(tput(4) > 1.5*tput(1)) {
		t.Errorf("throughput at multiplier 1 (%g) is not well above multiplier 0.5 (%g)", tput(4), tput(1))
	}
	if !(mean(3) > mean(5)) {
		t.Errorf("mean latency with 7 workers (%g) not above 10 workers (%g) at rho 0.86 vs 0.6", mean(3), mean(5))
	}

	// Another sweep value of workers changes nothing.
	again, err := mustSweep(t).Run(ctx, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := sweepJSON(t, again); !bytes.Equal(got, want) {
		t.Errorf("workers 1 vs 2 differ:\n%s\nvs\n%s", got, want)
	}

	// Three shards, each from a fresh Sweep, merged.
	var parts []*Result
	var names []string
	for i := range 3 {
		sh := &shard.Shard{Index: i, Count: 3}
		p, err := mustSweep(t).Run(ctx, Options{Shard: sh})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Rows) != 2 || p.Rows[0].Index != i || p.Rows[1].Index != i+3 {
			t.Fatalf("shard %s holds %+v, want points %d and %d", sh, p.Rows, i, i+3)
		}
		// Through the file format, as merge reads it.
		back, err := Decode(fmt.Sprintf("part-%d.json", i), sweepJSON(t, p))
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, back)
		names = append(names, fmt.Sprintf("part-%d.json", i))
	}
	merged, err := Merge([]string{names[2], names[0], names[1]}, []*Result{parts[2], parts[0], parts[1]})
	if err != nil {
		t.Fatal(err)
	}
	if got := sweepJSON(t, merged); !bytes.Equal(got, want) {
		t.Errorf("merged shards differ from the full run:\n%s\nvs\n%s", got, want)
	}

	// Interrupt after two points (cancel from the checkpoint), resume.
	cctx, cancel := context.WithCancel(ctx)
	var saved []byte
	partial, err := mustSweep(t).Run(cctx, Options{Checkpoint: func(r *Result) error {
		saved = sweepJSON(t, r)
		if len(r.Rows) == 2 {
			cancel()
		}
		return nil
	}})
	cancel()
	if err == nil || len(partial.Rows) != 2 || !slices.Equal(partial.Pending, []int{2, 3, 4, 5}) {
		t.Fatalf("interrupted run: err %v, rows %d, pending %v; want cancelled after 2 rows", err, len(partial.Rows), partial.Pending)
	}
	prev, err := Decode("checkpoint.json", saved)
	if err != nil {
		t.Fatalf("the checkpoint is not a valid sweep result: %v", err)
	}
	var ran []string
	resumed, err := mustSweep(t).Run(ctx, Options{Resume: prev, Progress: func(done, total int, label string) {
		if label != "" {
			ran = append(ran, label)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ran) != 4 || ran[0] != sw.Grid.PointLabel(2) {
		t.Errorf("resume ran %q, want only the 4 missing points", ran)
	}
	if got := sweepJSON(t, resumed); !bytes.Equal(got, want) {
		t.Errorf("resumed run differs from the full run")
	}

	// Resuming with another grid or shard is refused.
	other, err := New("one-station", tinySets, []Param{{"traffic.multiplier", []string{"0.5", "2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Run(ctx, Options{Resume: prev}); err == nil || !strings.Contains(err.Error(), "different parameters") {
		t.Errorf("resume with other parameters: %v", err)
	}
	if _, err := mustSweep(t).Run(ctx, Options{Resume: prev, Shard: &shard.Shard{Index: 0, Count: 2}}); err == nil || !strings.Contains(err.Error(), "shard") {
		t.Errorf("resume of an unsharded file as a shard: %v", err)
	}
}

func ExampleParseParam() {
	p, _ := ParseParam("services[0].cpu=exponential(mean=2ms),lognormal(median=1ms, p99=5ms)")
	fmt.Printf("%s: %q\n", p.Path, p.Values)
	_, err := ParseParam("traffic.multiplier=1,,2")
	fmt.Println(err)
	// Output:
	// services[0].cpu: ["exponential(mean=2ms)" "lognormal(median=1ms, p99=5ms)"]
	// --param "traffic.multiplier=1,,2": value 2 of traffic.multiplier is empty
}

func TestMetricsJSON(t *testing.T) {
	var m Metrics
	m.Attempts, m.MaxBacklog = 7, 3
	m.Set(metric.LatencyP99, 1.5, &experiments.CI{1, 2})
	m.Set(metric.DBQueriesPerCheckout, 6.5, nil)
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`{"attempts":7,"succeeded":0,`, `"latency_p99_s":1.5,"latency_p99_s_ci95":[1,2],`, `"db_queries_per_checkout_ci95":null,"max_backlog":3}`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON %s lacks %s", data, want)
		}
	}
	var back Metrics
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip: %+v, want %+v", back, m)
	}
	if err := json.Unmarshal([]byte(`{"attempts":1,"latency_p999_s":2}`), &back); err == nil || !strings.Contains(err.Error(), "latency_p999_s") {
		t.Errorf("unknown key: error %v, want one naming it", err)
	}
}

package sweep

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
)

// fakeSweep builds a result for a 2x2 grid without simulating: rows carry
// their index as throughput so merges can be checked.
func fakeSweep(seed uint64, sh *shard.Shard, indexes ...int) *Result {
	g := Grid{Scenario: "one-station", ScenarioSHA256: strings.Repeat("ab", 32),
		Params: []Param{{"a", []string{"1", "2"}}, {"b", []string{"x", "y"}}}, Seed: seed, Replications: 2, Sets: []string{}}
	r := &Result{Grid: g, GridSHA256: g.Hash(), Points: g.Points(), Shard: sh, Rows: []Row{}}
	for _, i := range indexes {
		r.Rows = append(r.Rows, Row{Index: i, Values: g.Point(i), Seed: seed, Replications: 2,
			Metrics: fakeMetrics(float64(i))})
	}
	return r
}

func encode(t *testing.T, r *Result) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := r.Write(&b, output.JSON); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMerge(t *testing.T) {
	full := fakeSweep(1, nil, 0, 1, 2, 3)
	p0, p1 := fakeSweep(1, &shard.Shard{Index: 0, Count: 2}, 0, 2), fakeSweep(1, &shard.Shard{Index: 1, Count: 2}, 1, 3)
	got, err := Merge([]string{"p1", "p0"}, []*Result{p1, p0})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, got), encode(t, full)) {
		t.Errorf("merge:\n%s\nwant\n%s", encode(t, got), encode(t, full))
	}

	// regrid is a part of shard 1/2 whose grid is changed by f.
	regrid := func(f func(g *Grid)) *Result {
		r := fakeSweep(1, &shard.Shard{Index: 1, Count: 2}, 1, 3)
		f(&r.Grid)
		r.GridSHA256 = r.Grid.Hash()
		return r
	}
	const rerun = "\n  sbatch --array=1 deploy/slurm/shard.sbatch sweep one-station --param a=1,2 --param b=x,y --shards 2\n"
	for _, tc := range []struct {
		name  string
		parts []*Result
		want  []string
	}{
		{"other seed", []*Result{p0, fakeSweep(2, &shard.Shard{Index: 1, Count: 2}, 1, 3)}, []string{"p0 and p1 belong to different sweeps", "grid.seed is 1 in p0, 2 in p1"}},
		{"other scenario content", []*Result{p0, regrid(func(g *Grid) { g.ScenarioSHA256 = strings.Repeat("cd", 32) })},
			[]string{"p0 and p1 belong to different sweeps", `grid.scenario_sha256 is "abab`, `in p0, "cdcd`}},
		{"other --set", []*Result{p0, regrid(func(g *Grid) { g.Sets = []string{"warmup=5s"} })},
			[]string{"p0 and p1 belong to different sweeps", `grid.sets is [] in p0, ["warmup=5s"] in p1`}},
		{"other scenario", []*Result{p0, regrid(func(g *Grid) { g.Scenario = "baseline" })},
			[]string{`grid.scenario is "one-station" in p0, "baseline" in p1`}},
		{"other shard count", []*Result{p0, fakeSweep(1, &shard.Shard{Index: 1, Count: 3}, 1)},
			[]string{"p0 and p1 come from different splits of the grid: shard.count is 2 in p0, 3 in p1"}},
		{"complete among parts", []*Result{p0, fakeSweep(1, nil, 1, 3)},
			[]string{"shard.count is 2 in p0, none (a complete result) in p1"}},
		{"duplicate shard", []*Result{p0, fakeSweep(1, &shard.Shard{Index: 0, Count: 2})}, []string{"shard 0/2 is in both p0 and p1"}},
		{"duplicate point", []*Result{fakeSweep(1, nil, 0, 1), fakeSweep(1, nil, 1, 2, 3)}, []string{"point 1 (a=1 b=y) is in both p0 and p1"}},
		{"missing shard", []*Result{p0}, []string{"2 of 4 points missing: 1, 3", "shards 1/2: missing", rerun}},
		{"interrupted shard", []*Result{p0, fakeSweep(1, &shard.Shard{Index: 1, Count: 2}, 1)}, []string{"1 of 4 points missing: 3", "shards 1/2", rerun, "--resume"}},
		{"none", nil, []string{"no part files"}},
		{"interrupted", []*Result{func() *Result { r := fakeSweep(1, nil, 0, 1); r.Pending = []int{2, 3}; return r }()},
			[]string{"2 of 4 points missing: 2, 3", "p0 is from an interrupted run"}},
	} {
		names := []string{"p0", "p1"}[:len(tc.parts)]
		_, err := Merge(names, tc.parts)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want %q", tc.name, err, w)
			}
		}
	}
}

// A grid's Args recreate the same grid.
func TestSweepGridArgs(t *testing.T) {
	g := fakeSweep(1, nil).Grid
	g.Sets = []string{"duration=20s", "seed=1"}
	g.Params[1].Values = []string{"lognormal(median=1ms, p99=5ms)", "[a, b]"}
	args := g.Args()
	if args[0] != "sweep" || args[1] != g.Scenario {
		t.Fatalf("Args %q", args)
	}
	var sets []string
	var params []Param
	for i := 2; i+1 < len(args); i += 2 {
		switch args[i] {
		case "--set":
			sets = append(sets, args[i+1])
		case "--param":
			p, err := ParseParam(args[i+1])
			if err != nil {
				t.Fatal(err)
			}
			params = append(params, p)
		default:
			t.Fatalf("Args %q: unexpected %s", args, args[i])
		}
	}
	if !slices.Equal(sets, g.Sets) || fmt.Sprint(params) != fmt.Sprint(g.Params) {
		t.Errorf("Args %q give sets %q params %v, want %q %v", args, sets, params, g.Sets, g.Params)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := encode(t, fakeSweep(1, &shard.Shard{Index: 0, Count: 2}, 0, 2))
	if _, err := Decode("part.json", good); err != nil {
		t.Fatalf("a valid part: %v", err)
	}
	edit := func(f func(r *Result)) []byte {
		r := fakeSweep(1, &shard.Shard{Index: 0, Count: 2}, 0, 2)
		f(r)
		b, _ := json.Marshal(r)
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the file is empty"},
		{"truncated", good[:len(good)/2], "invalid JSON"},
		{"not JSON", []byte("index,a,b\n0,1,x\n"), "invalid JSON at byte"},
		{"unknown field", []byte(`{"grid": {}, "extra": 1}`), `unknown field "extra"`},
		{"two objects", append(append([]byte{}, good...), good...), "extra data"},
		{"no grid", []byte(`{"rows": []}`), "no grid definition"},
		{"tampered grid", edit(func(r *Result) { r.Grid.Seed = 9 }), "does not match its grid"},
		{"wrong values", edit(func(r *Result) { r.Rows[1].Values = []string{"1", "x"} }), "point 2 has values"},
		{"wrong shard", edit(func(r *Result) { r.Rows[1].Index = 1; r.Rows[1].Values = r.Grid.Point(1) }), "not in shard 0/2"},
		{"out of range", edit(func(r *Result) { r.Rows[1].Index = 9 }), "outside 0..3"},
		{"unsorted", edit(func(r *Result) { r.Rows[0], r.Rows[1] = r.Rows[1], r.Rows[0] }), "increasing index order"},
		{"points", edit(func(r *Result) { r.Points = 5 }), "points 5"},
	} {
		_, err := Decode("part-7.json", tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "part-7.json: ") {
			t.Errorf("%s: error %v, want one starting with the file name and containing %q", tc.name, err, tc.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"grid":{"scenario":"x","params":[{"path":"a","values":["1"]}]}}`))
	f.Add([]byte(`{"rows":[{"index":-1}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode("f.json", data)
		if err != nil {
			return
		}
		// Whatever is accepted is self-consistent and can be merged.
		if _, err := Merge([]string{"f.json"}, []*Result{r}); err != nil && !strings.Contains(err.Error(), "missing") {
			t.Fatalf("accepted file does not merge: %v", err)
		}
	})
}

// fakeMetrics are metrics whose throughput is v.
func fakeMetrics(v float64) Metrics {
	var m Metrics
	m.Set(metric.Throughput, v, nil)
	return m
}

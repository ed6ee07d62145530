package experiments

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		s               string
		count           int
		envName, envVal string
		want            Shard
		err             string
	}{
		{"0/3", 0, "", "", Shard{0, 3}, ""},
		{"2/3", 0, "", "", Shard{2, 3}, ""},
		{"1", 4, "", "", Shard{1, 4}, ""},
		{"/5", 0, "JOB_COMPLETION_INDEX", "4", Shard{4, 5}, ""},
		{"", 5, "SLURM_ARRAY_TASK_ID", "0", Shard{0, 5}, ""},
		{"3/3", 0, "", "", Shard{}, "out of range"},
		{"-1/3", 0, "", "", Shard{}, "out of range"},
		{"0/0", 0, "", "", Shard{}, "must be >= 1"},
		{"0/-2", 0, "", "", Shard{}, "must be >= 1"},
		{"a/3", 0, "", "", Shard{}, `index "a" is not an integer`},
		{"1/x", 0, "", "", Shard{}, `count "x" is not an integer`},
		{"1", 0, "", "", Shard{}, "without a shard count"},
		{"1/3", 3, "", "", Shard{}, "give the shard count once"},
		{"/3", 0, "", "", Shard{}, "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID"},
		{"", 3, "JOB_COMPLETION_INDEX", "7", Shard{}, "JOB_COMPLETION_INDEX: shard index 7 out of range"},
		{"", 3, "SLURM_ARRAY_TASK_ID", "x1", Shard{}, `SLURM_ARRAY_TASK_ID: shard index "x1" is not an integer`},
	} {
		got, err := ParseShard(tc.s, tc.count, tc.envName, tc.envVal)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q, %d, %s=%q): error %v, want %q", tc.s, tc.count, tc.envName, tc.envVal, err, tc.err)
			}
			continue
		}
		if err != nil || *got != tc.want {
			t.Errorf("ParseShard(%q, %d, %s=%q) = %v, %v; want %v", tc.s, tc.count, tc.envName, tc.envVal, got, err, tc.want)
		}
	}
}

func FuzzParseShard(f *testing.F) {
	f.Add("1/3", 0, "7")
	f.Add("/4", 0, "2")
	f.Add("", 2, "1")
	f.Fuzz(func(t *testing.T, s string, count int, env string) {
		sh, err := ParseShard(s, count, "JOB_COMPLETION_INDEX", env)
		if err == nil && !(sh.Count >= 1 && sh.Index >= 0 && sh.Index < sh.Count) {
			t.Fatalf("ParseShard(%q, %d, %q) = %v: out of range without error", s, count, env, sh)
		}
	})
}

// fakeSweep builds a result for a 2x2 grid without simulating: rows carry
// their index as throughput so merges can be checked.
func fakeSweep(seed uint64, shard *Shard, indexes ...int) *SweepResult {
	g := SweepGrid{Scenario: "one-station", ScenarioSHA256: strings.Repeat("ab", 32),
		Params: []SweepParam{{"a", []string{"1", "2"}}, {"b", []string{"x", "y"}}}, Seed: seed, Replications: 2, Sets: []string{}}
	r := &SweepResult{Grid: g, GridSHA256: g.Hash(), Points: g.Points(), Shard: shard, Rows: []SweepRow{}}
	for _, i := range indexes {
		r.Rows = append(r.Rows, SweepRow{Index: i, Values: g.Point(i), Seed: seed, Replications: 2,
			Metrics: fakeMetrics(float64(i))})
	}
	return r
}

func encode(t *testing.T, r *SweepResult) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := r.Write(&b, output.JSON); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestMergeSweep(t *testing.T) {
	full := fakeSweep(1, nil, 0, 1, 2, 3)
	p0, p1 := fakeSweep(1, &Shard{0, 2}, 0, 2), fakeSweep(1, &Shard{1, 2}, 1, 3)
	got, err := MergeSweep([]string{"p1", "p0"}, []*SweepResult{p1, p0})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(encode(t, got), encode(t, full)) {
		t.Errorf("merge:\n%s\nwant\n%s", encode(t, got), encode(t, full))
	}

	// regrid is a part of shard 1/2 whose grid is changed by f.
	regrid := func(f func(g *SweepGrid)) *SweepResult {
		r := fakeSweep(1, &Shard{1, 2}, 1, 3)
		f(&r.Grid)
		r.GridSHA256 = r.Grid.Hash()
		return r
	}
	const rerun = "\n  sbatch --array=1 deploy/slurm/shard.sbatch sweep one-station --param a=1,2 --param b=x,y --shards 2\n"
	for _, tc := range []struct {
		name  string
		parts []*SweepResult
		want  []string
	}{
		{"other seed", []*SweepResult{p0, fakeSweep(2, &Shard{1, 2}, 1, 3)}, []string{"p0 and p1 belong to different sweeps", "grid.seed is 1 in p0, 2 in p1"}},
		{"other scenario content", []*SweepResult{p0, regrid(func(g *SweepGrid) { g.ScenarioSHA256 = strings.Repeat("cd", 32) })},
			[]string{"p0 and p1 belong to different sweeps", `grid.scenario_sha256 is "abab`, `in p0, "cdcd`}},
		{"other --set", []*SweepResult{p0, regrid(func(g *SweepGrid) { g.Sets = []string{"warmup=5s"} })},
			[]string{"p0 and p1 belong to different sweeps", `grid.sets is [] in p0, ["warmup=5s"] in p1`}},
		{"other scenario", []*SweepResult{p0, regrid(func(g *SweepGrid) { g.Scenario = "baseline" })},
			[]string{`grid.scenario is "one-station" in p0, "baseline" in p1`}},
		{"other shard count", []*SweepResult{p0, fakeSweep(1, &Shard{1, 3}, 1)},
			[]string{"p0 and p1 come from different splits of the grid: shard.count is 2 in p0, 3 in p1"}},
		{"complete among parts", []*SweepResult{p0, fakeSweep(1, nil, 1, 3)},
			[]string{"shard.count is 2 in p0, none (a complete result) in p1"}},
		{"duplicate shard", []*SweepResult{p0, fakeSweep(1, &Shard{0, 2})}, []string{"shard 0/2 is in both p0 and p1"}},
		{"duplicate point", []*SweepResult{fakeSweep(1, nil, 0, 1), fakeSweep(1, nil, 1, 2, 3)}, []string{"point 1 (a=1 b=y) is in both p0 and p1"}},
		{"missing shard", []*SweepResult{p0}, []string{"2 of 4 points missing: 1, 3", "shards 1/2: missing", rerun}},
		{"interrupted shard", []*SweepResult{p0, fakeSweep(1, &Shard{1, 2}, 1)}, []string{"1 of 4 points missing: 3", "shards 1/2", rerun, "--resume"}},
		{"none", nil, []string{"no part files"}},
		{"interrupted", []*SweepResult{func() *SweepResult { r := fakeSweep(1, nil, 0, 1); r.Pending = []int{2, 3}; return r }()},
			[]string{"2 of 4 points missing: 2, 3", "p0 is from an interrupted run"}},
	} {
		names := []string{"p0", "p1"}[:len(tc.parts)]
		_, err := MergeSweep(names, tc.parts)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %v, want %q", tc.name, err, w)
			}
		}
	}
}

// Several missing shards are rerun by one sbatch line; arguments the shell
// would split or expand are quoted, and the quoting survives a real shell.
func TestRerunHint(t *testing.T) {
	args := []string{"sweep", "my scenario.yaml", "--set", "note=it's", "--param", "services[0].cpu=lognormal(median=1ms, p99=5ms),exponential(mean=2ms)"}
	got := RerunHint([]int{1, 4}, 6, args)
	line := `sbatch --array=1,4 deploy/slurm/shard.sbatch sweep 'my scenario.yaml' --set 'note=it'\''s' --param 'services[0].cpu=lognormal(median=1ms, p99=5ms),exponential(mean=2ms)' --shards 6`
	for _, w := range []string{"shards 1/6, 4/6: missing or interrupted", "\n  " + line + "\n", "--shard i/6 --resume"} {
		if !strings.Contains(got, w) {
			t.Errorf("RerunHint:\n%s\nwant it to contain %q", got, w)
		}
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to check the quoting")
	}
	out, err := exec.Command(sh, "-c", "printf '%s\\n' "+strings.TrimPrefix(line, "sbatch ")).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"--array=1,4", SlurmTemplate}, args...)
	want = append(want, "--shards", "6")
	if words := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"); !slices.Equal(words, want) {
		t.Errorf("the shell reads the line as %q, want %q", words, want)
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
	var params []SweepParam
	for i := 2; i+1 < len(args); i += 2 {
		switch args[i] {
		case "--set":
			sets = append(sets, args[i+1])
		case "--param":
			p, err := ParseSweepParam(args[i+1])
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

func TestDecodeSweepResultErrors(t *testing.T) {
	good := encode(t, fakeSweep(1, &Shard{0, 2}, 0, 2))
	if _, err := DecodeSweepResult("part.json", good); err != nil {
		t.Fatalf("a valid part: %v", err)
	}
	edit := func(f func(r *SweepResult)) []byte {
		r := fakeSweep(1, &Shard{0, 2}, 0, 2)
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
		{"tampered grid", edit(func(r *SweepResult) { r.Grid.Seed = 9 }), "does not match its grid"},
		{"wrong values", edit(func(r *SweepResult) { r.Rows[1].Values = []string{"1", "x"} }), "point 2 has values"},
		{"wrong shard", edit(func(r *SweepResult) { r.Rows[1].Index = 1; r.Rows[1].Values = r.Grid.Point(1) }), "not in shard 0/2"},
		{"out of range", edit(func(r *SweepResult) { r.Rows[1].Index = 9 }), "outside 0..3"},
		{"unsorted", edit(func(r *SweepResult) { r.Rows[0], r.Rows[1] = r.Rows[1], r.Rows[0] }), "increasing index order"},
		{"points", edit(func(r *SweepResult) { r.Points = 5 }), "points 5"},
	} {
		_, err := DecodeSweepResult("part-7.json", tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "part-7.json: ") {
			t.Errorf("%s: error %v, want one starting with the file name and containing %q", tc.name, err, tc.want)
		}
	}
}

func FuzzDecodeSweepResult(f *testing.F) {
	f.Add([]byte(`{"grid":{"scenario":"x","params":[{"path":"a","values":["1"]}]}}`))
	f.Add([]byte(`{"rows":[{"index":-1}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := DecodeSweepResult("f.json", data)
		if err != nil {
			return
		}
		// Whatever is accepted is self-consistent and can be merged.
		if _, err := MergeSweep([]string{"f.json"}, []*SweepResult{r}); err != nil && !strings.Contains(err.Error(), "missing") {
			t.Fatalf("accepted file does not merge: %v", err)
		}
	})
}

func ExampleParseShard() {
	// As in a Kubernetes Indexed Job: --shards 4, JOB_COMPLETION_INDEX=2.
	s, err := ParseShard("", 4, "JOB_COMPLETION_INDEX", "2")
	fmt.Println(s, err)
	_, err = ParseShard("4/4", 0, "", "")
	fmt.Println(err)
	// Output:
	// 2/4 <nil>
	// --shard: shard index 4 out of range: want 0 <= index < 4
}

// fakeMetrics are metrics whose throughput is v.
func fakeMetrics(v float64) SweepMetrics {
	var m SweepMetrics
	m.Set(metric.Throughput, v, nil)
	return m
}

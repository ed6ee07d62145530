package saved

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/output"
)

var update = flag.Bool("update", false, "rewrite golden files")

// short are overrides that make baseline quick to run.
var short = []string{"warmup=5s", "drain=10s"}

// saveRun runs baseline (short) with seed and reps and saves it as source.
func saveRun(t *testing.T, dir, name string, seed uint64, reps int, source Source) string {
	t.Helper()
	s, err := Scenario("baseline", experiments.Overrides{Sets: short, Duration: "20s", Seed: &seed, Replications: reps})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(t.Context(), 2, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := s.Save(path, source); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeOut(t *testing.T, c *Comparison, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := c.Write(&b, format); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// Two saved results compare exactly as the two scenarios run afresh, in
// every format: the saved histograms, series and counts are exact.
func TestSavedCompareEqualsFresh(t *testing.T) {
	dir := t.TempDir()
	a := saveRun(t, dir, "a.json", 1, 2, Simulation)
	ov := experiments.Overrides{Sets: append(short, "traffic.multiplier=1.5"), Duration: "20s", Replications: 2}
	b, err := Scenario("baseline", ov)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Run(t.Context(), 2, nil); err != nil {
		t.Fatal(err)
	}
	bPath := filepath.Join(dir, "b.json")
	if err := b.Save(bPath, Simulation); err != nil {
		t.Fatal(err)
	}
	fresh := &Pair{}
	fresh.A, _ = Scenario("baseline", experiments.Overrides{Sets: short, Duration: "20s", Replications: 2})
	fresh.B, _ = Scenario("baseline", ov)
	if err := fresh.Run(t.Context(), 2, nil); err != nil {
		t.Fatal(err)
	}
	fromFiles, err := Load(a, bPath, experiments.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	if err := fromFiles.Run(t.Context(), 2, nil); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromFiles.B.Results, b.Results) {
		t.Fatal("results read back differ from the results saved")
	}
	if fromFiles.Pairing() != Paired {
		t.Fatalf("pairing %v, want paired", fromFiles.Pairing())
	}
	for _, f := range output.Formats {
		if got, want := writeOut(t, fromFiles.Compare(), f), writeOut(t, fresh.Compare(), f); got != want {
			t.Errorf("%s: compare of saved results differs from a fresh compare:\n%s\nwant\n%s", f, got, want)
		}
	}
}

// A saved side sets the scenario side's seed and replications unless
// the flags do; two saved sides refuse overrides; the pairing follows.
func TestLoadPairing(t *testing.T) {
	dir := t.TempDir()
	a := saveRun(t, dir, "a.json", 3, 2, Simulation)
	a5 := saveRun(t, dir, "a5.json", 5, 2, Simulation)
	a3 := saveRun(t, dir, "a3.json", 3, 3, Simulation)
	tb := saveRun(t, dir, "tb.json", 3, 1, Testbed)
	seven := uint64(7)
	for _, tc := range []struct {
		name string
		a, b string
		ov   experiments.Overrides
		seed uint64
		reps int
		want Pairing
		err  string
	}{
		{"saved then scenario", a, "baseline", experiments.Overrides{Sets: short, Duration: "20s"}, 3, 2, Paired, ""},
		{"scenario then saved", "baseline", a, experiments.Overrides{Sets: short, Duration: "20s"}, 3, 2, Paired, ""},
		{"--seed wins", a, "baseline", experiments.Overrides{Sets: short, Duration: "20s", Seed: &seven}, 7, 2, DifferentSeeds, ""},
		{"--replications wins", a, "baseline", experiments.Overrides{Sets: short, Duration: "20s", Replications: 4}, 3, 4, DifferentReps, ""},
		{"two saved, same", a, a, experiments.Overrides{}, 3, 2, Paired, ""},
		{"two saved, seeds", a, a5, experiments.Overrides{}, 5, 2, DifferentSeeds, ""},
		{"two saved, replications", a, a3, experiments.Overrides{}, 3, 3, DifferentReps, ""},
		{"testbed", tb, a, experiments.Overrides{}, 3, 2, TestbedRun, ""},
		{"two saved, overrides", a, a5, experiments.Overrides{Duration: "20s"}, 0, 0, 0, "A and B are both saved results"},
	} {
		p, err := Load(tc.a, tc.b, tc.ov)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if p.B.Seed != tc.seed || p.B.Reps != tc.reps || p.Pairing() != tc.want {
			t.Errorf("%s: B seed %d reps %d, %v; want %d, %d, %v", tc.name, p.B.Seed, p.B.Reps, p.Pairing(), tc.seed, tc.reps, tc.want)
		}
		if (tc.want == Paired) != (p.RequirePaired() == nil) {
			t.Errorf("%s: RequirePaired %v with %v", tc.name, p.RequirePaired(), tc.want)
		}
	}
}

// Unpaired: Welch intervals, and the table and JSON say so (golden).
func TestUnpairedOutput(t *testing.T) {
	dir := t.TempDir()
	p, err := Load(saveRun(t, dir, "a.json", 1, 3, Simulation), saveRun(t, dir, "b.json", 2, 2, Simulation), experiments.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Compare()
	table, js := writeOut(t, c, output.Table), writeOut(t, c, output.JSON)
	golden := filepath.Join("testdata", "unpaired.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if table != string(want) {
		t.Errorf("table differs from %s (go test -update to rewrite):\n%s", golden, table)
	}
	if !strings.Contains(js, `"pairing": "unpaired: different seeds",`) || !strings.HasPrefix(table, "compare baseline (A: seed 1, 3 replications) vs baseline (B: seed 2, 2 replications): unpaired: different seeds, Welch 95% CI\n") {
		t.Errorf("outputs do not say unpaired:\n%s\n%.400s", table, js)
	}
}

// Every built-in's results survive saving exactly (every histogram,
// series, breaker change and cohort), whatever its features.
func TestEveryBuiltinRoundTrips(t *testing.T) {
	dir := t.TempDir()
	for _, b := range experiments.BuiltinScenarios() {
		s, err := Scenario(b.Name, experiments.Overrides{Sets: []string{"warmup=5s", "drain=5s"}, Duration: "30s", Replications: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Run(t.Context(), 1, nil); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, b.Name+".json")
		if err := s.Save(path, Simulation); err != nil {
			t.Fatalf("%s: %v", b.Name, err)
		}
		back, err := Open(path, experiments.Overrides{})
		if err != nil {
			t.Fatalf("%s: %v", b.Name, err)
		}
		if !reflect.DeepEqual(back.Results, s.Results) || back.Scenario.Name != b.Name || back.Seed != s.Seed {
			t.Errorf("%s: the saved result read back differs from the run", b.Name)
		}
	}
}

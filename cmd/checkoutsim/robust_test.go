package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// robust of a scenario against a variant of itself: the table lists every
// metric with A, B, the change and the fraction of draws where B is better;
// the JSON holds the draws' values. Resuming from a checkpoint gives the
// same output.
func TestRobustCommand(t *testing.T) {
	dir := t.TempDir()
	b := filepath.Join(dir, "b.yaml")
	src, err := os.ReadFile(tinyScenario)
	if err != nil {
		t.Fatal(err)
	}
	// B has a larger database pool default; the uncertain inputs are the same.
	os.WriteFile(b, append(src, []byte("database: {pool_size: 150}\n")...), 0o644)
	var out, errb bytes.Buffer
	if code := run([]string{"robust", tinyScenario, b, "--samples", "4", "--plots", dir}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"4 Latin-hypercube draws of 3 shared uncertain inputs", "P99 latency", "Error rate", "B better"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "robust-error_rate.png")); err != nil {
		t.Errorf("no chart: %v", err)
	}
	jf := filepath.Join(dir, "r.json")
	if code := run([]string{"robust", tinyScenario, b, "--samples", "4", "-o", "json", "--out", jf}, &bytes.Buffer{}, &errb); code != exitOK {
		t.Fatalf("json: exit %d: %s", code, errb.String())
	}
	first, _ := os.ReadFile(jf)
	var r struct {
		Samples int
		Draws   [][]string
		Metrics []struct {
			Metric  string
			ValuesA []float64 `json:"values_a"`
			BBetter float64   `json:"fraction_b_better"`
		}
	}
	if err := json.Unmarshal(first, &r); err != nil || r.Samples != 4 || len(r.Draws) != 4 || len(r.Metrics) == 0 || len(r.Metrics[0].ValuesA) != 4 {
		t.Fatalf("JSON: %v %+v", err, r)
	}
	if _, err := os.Stat(jf + ".part"); !os.IsNotExist(err) {
		t.Errorf("checkpoint %s.part left behind after a complete run", jf)
	}
	// A checkpoint of the first two runs, then --resume.
	var part map[string]json.RawMessage
	if code := run([]string{"robust", tinyScenario, b, "--samples", "4", "--shard", "0/1", "--out", jf + ".part"}, &bytes.Buffer{}, &errb); code != exitOK {
		t.Fatal(errb.String())
	}
	data, _ := os.ReadFile(jf + ".part")
	json.Unmarshal(data, &part)
	var rows []json.RawMessage
	json.Unmarshal(part["rows"], &rows)
	part["rows"], _ = json.Marshal(rows[:2])
	delete(part, "shard")
	data, _ = json.Marshal(part)
	os.WriteFile(jf+".part", data, 0o644)
	errb.Reset()
	if code := run([]string{"robust", tinyScenario, b, "--samples", "4", "-o", "json", "--out", jf, "--resume"}, &bytes.Buffer{}, &errb); code != exitOK {
		t.Fatalf("resume: exit %d: %s", code, errb.String())
	}
	if again, _ := os.ReadFile(jf); !bytes.Equal(again, first) {
		t.Errorf("resumed output differs")
	}
	if n := strings.Count(errb.String(), "robust: "); n != 6 {
		t.Errorf("resume ran %d runs, want the 6 missing:\n%s", n, errb.String())
	}
}

func TestRobustBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"robust", tinyScenario, "baseline"}, "no uncertain input in common"},
		{[]string{"robust", tinyScenario}, "give two scenarios"},
		{[]string{"robust", tinyScenario, tinyScenario, "--samples", "1"}, "--samples"},
		{[]string{"robust", "--merge", "nope.json"}, "nope.json"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb); code != exitBadInput || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", c.args, code, errb.String(), c.want)
		}
	}
}

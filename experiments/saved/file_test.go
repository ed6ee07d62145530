package saved

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every malformed saved result is refused with the file, the line and
// the field, and nothing else is read from it.
func TestReadRefusesMalformed(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(saveRun(t, dir, "a.json", 1, 2, Simulation))
	if err != nil {
		t.Fatal(err)
	}
	text := string(good)
	sub := func(old, new string) string {
		if !strings.Contains(text, old) {
			t.Fatalf("the saved file has no %q", old)
		}
		return strings.Replace(text, old, new, 1)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"version", sub(`"version": 1,`, `"version": 2,`), `x.json:3: version: 2: this checkoutsim reads version 1`},
		{"format", sub(`"format": "checkoutsim-saved-result"`, `"format": "other"`), `x.json:2: format: "other", want "checkoutsim-saved-result"`},
		{"type", sub(`"replications": 2,`, `"replications": "2",`), `x.json:11: replications: cannot unmarshal string`},
		{"count", sub(`"replications": 2,`, `"replications": 3,`), `x.json:11: replications: 3, but results holds 2 replications`},
		{"seed", sub(`"seed": 1,`, `"seed": 4,`), `x.json:14: results[0]: seed 1, replication 0: want seed 4`},
		{"edited sets", sub(`"sets": [`, `"sets": ["traffic.multiplier=2",`), `x.json:7: scenario_sha256: does not match scenario_yaml and sets`},
		{"edited headline", regexp.MustCompile(`"headline": \{"[a-z0-9_]+":\[[0-9.e-]+`).ReplaceAllStringFunc(text, func(s string) string { return s + "1" }), `x.json:13: headline.`},
		{"unknown field", sub(`"seed": 1,`, `"seed": 1, "colour": 2,`), `x.json:10: colour: unknown field`},
		{"unknown result field", sub(`"Clicks":`, `"Klicks": 1, "Clicks":`), `x.json:15: results[0]: unknown field "Klicks"`},
		{"second result", strings.Replace(text, `"Replication":1,`, `"Replication":1,"Events":"many",`, 1), `x.json:16: results[1]: cannot unmarshal string`},
		{"histogram", sub(`"buckets":[[`, `"buckets":[[99999,1],[`), `x.json:15: results[0]: histogram bucket [99999, 1]`},
		{"truncated", text[:len(text)/2], `x.json:`},
		{"missing", sub(`"seed": 1,`, ``), `x.json:1: seed: missing`},
		{"array", "[1, 2]", `x.json:1: not a saved result: want a JSON object`},
	} {
		f, err := Parse("x.json", []byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) || f != nil {
			t.Errorf("%s: error %v, want %q and nothing read", tc.name, err, tc.want)
		}
	}
}

// Saved results are told from scenarios by content, whatever the file's
// name; checkoutsim's other JSON outputs are refused with what to do.
func TestIsSaved(t *testing.T) {
	dir := t.TempDir()
	savedPath := saveRun(t, dir, "a.json", 1, 2, Simulation)
	data, _ := os.ReadFile(savedPath)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, ref string
		want      bool
		err       string
	}{
		{"saved", savedPath, true, ""},
		{"saved, any name", write("results.yaml", string(data)), true, ""},
		{"saved, broken JSON", write("broken.json", string(data[:300])), true, ""},
		{"built-in", "baseline", false, ""},
		{"YAML scenario", write("mine.yaml", "name: mine\n"), false, ""},
		{"JSON scenario", write("mine.json", `{"name": "mine"}`), false, ""},
		{"missing file", filepath.Join(dir, "gone.json"), false, ""},
		{"run summary", write("run.json", `{"scenario": "baseline", "checkout": {}}`), false, "a run summary (run -o json), not a saved result"},
		{"comparison", write("cmp.json", `{"a": {}, "b": {}, "change": {}}`), false, "a comparison (compare -o json), not a saved result"},
	} {
		got, err := IsSaved(tc.ref)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v %v, want %v %q", tc.name, got, err, tc.want, tc.err)
		}
	}
}

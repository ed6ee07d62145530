package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/tune"
	"github.com/checkoutsim/checkoutsim/experiments/uncertainty"
)

// writeJSONFile writes v as JSON to dir/name.
func writeJSONFile(t *testing.T, dir, name string, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func sectionFiles(t *testing.T, dir string) (robust, tuned string) {
	r := &uncertainty.Robust{A: "retry-storm", B: "baseline", Seed: 1, Replications: 1, Samples: 4,
		Metrics: []uncertainty.MetricRobust{{Metric: "error_rate", Label: "Error rate", Unit: "fraction", Draws: 4, BBetter: 0.75}}}
	best := tune.Candidate{Index: 2, Set: []string{"payment.client.timeout=800ms"}, Feasible: true, Score: 1.2,
		Objective: []tune.Estimate{{Condition: "as-is", Mean: 1.2}}}
	tr := &tune.Result{Scenario: "payment-slowdown-after", SpecSHA256: "abc", Complete: true, Feasible: true,
		Objective: "checkout.latency_s.p99", Conditions: []string{"as-is"}, Best: &best,
		Settings: &tune.Settings{Set: best.Set}}
	return writeJSONFile(t, dir, "robust.json", r), writeJSONFile(t, dir, "tune.json", tr)
}

// A bad --robust or --tune file is refused with one line naming it, exit
// status 2, before anything runs, and no report is written.
func TestReportBadSectionFiles(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.html")
	robust, tuned := sectionFiles(t, dir)
	garbage := filepath.Join(dir, "garbage.json")
	if err := os.WriteFile(garbage, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	checkpoint := writeJSONFile(t, dir, "checkpoint.json", &tune.Result{Scenario: "x", SpecSHA256: "abc"})
	missing := filepath.Join(dir, "missing.json")
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"robust missing", []string{"--robust", missing}, []string{missing, "no such file"}},
		{"robust not JSON", []string{"--robust", garbage}, []string{garbage, "not a robust result"}},
		{"robust given a tune result", []string{"--robust", tuned}, []string{tuned, "not a robust result"}},
		{"robust of other scenarios", []string{"--robust", robust}, []string{robust, `field "a" is "retry-storm"`, `A is "flash-sale-before"`}},
		{"tune missing", []string{"--tune", missing}, []string{missing, "no such file"}},
		{"tune not JSON", []string{"--tune", garbage}, []string{garbage, "not a tune result"}},
		{"tune given a robust result", []string{"--tune", robust}, []string{robust, "not a tune result"}},
		{"tune checkpoint", []string{"--tune", checkpoint}, []string{checkpoint, `field "complete"`}},
	} {
		args := append([]string{"flash-sale-before", "flash-sale-after", "--out", out}, tc.args...)
		stdout, stderr, err := execReport(t, args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitBadInput {
			t.Errorf("%s: error %v, want exit status 2", tc.name, err)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q is more than one line", tc.name, msg)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
		if stdout != "" || stderr != "" {
			t.Errorf("%s: output %q %q, want none", tc.name, stdout, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: a report file exists after bad input", tc.name)
		}
	}
}

// Good --robust and --tune files add their sections.
func TestReportSectionsWritten(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	robust, tuned := sectionFiles(t, dir)
	if _, _, err := execReport(t, "retry-storm", "baseline", "--out", out, "--duration", "20s", "--set", "warmup=5s",
		"--replications", "1", "--robust", robust, "--tune", tuned); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`id="robust-table"`, "75.0%", `id="tune-table"`, "--set payment.client.timeout=800ms", "<b>payment-slowdown-after</b>"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --plots draws the run's charts (run) and the comparison's (compare), and
// --report writes the HTML evidence report.
func TestPlotsAndReportFlags(t *testing.T) {
	dir := t.TempDir()
	short := []string{"--duration", "20s", "--set", "warmup=5s", "--replications", "1"}
	if code, _, stderr := runCLI(t, append([]string{"run", "baseline", "--plots", filepath.Join(dir, "run")}, short...)...); code != 0 {
		t.Fatalf("run --plots: exit %d: %s", code, stderr)
	}
	report := filepath.Join(dir, "r.html")
	args := append([]string{"compare", "baseline", "retry-storm", "--plots", filepath.Join(dir, "cmp"), "--report", report}, short...)
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("compare --plots --report: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"run/baseline-latency.png", "run/baseline-latency.svg", "cmp/baseline-vs-retry-storm-latency-cdf.png"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("missing chart %s: %v", want, err)
		}
	}
	html, err := os.ReadFile(report)
	if err != nil || !strings.Contains(string(html), "retry-storm") {
		t.Fatalf("report: %v (%d bytes)", err, len(html))
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if code, _, _ := runCLI(t, "run", "baseline", "--plots", file); code != exitBadInput {
		t.Errorf("--plots naming a file: exit %d, want %d", code, exitBadInput)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Compare later: run --save writes results that run, compare and report
// take in place of a scenario, giving what a fresh run gives, byte for
// byte, without simulating.
func TestSavedResultsInPlaceOfScenarios(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.data") // told by content, not extension
	mustRun := func(args ...string) string {
		t.Helper()
		code, out, stderr := runCLI(t, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		return out
	}
	runA := mustRun(append([]string{"run", "retry-storm", "--save", a}, shortRun...)...)
	mustRun(append([]string{"run", "baseline", "--save", b}, shortRun...)...)
	if got := mustRun("run", a); got != runA {
		t.Errorf("run of the saved result differs from the run that saved it:\n%s\nwant\n%s", got, runA)
	}
	// The scenario side of a mixed pair runs with the saved side's seed
	// and replications (shortRun's --replications 2 agrees): paired, and
	// equal to the fresh comparison.
	fresh := mustRun(append([]string{"compare", "retry-storm", "baseline", "-o", "json"}, shortRun...)...)
	for _, args := range [][]string{
		{"compare", a, b, "-o", "json"},
		append([]string{"compare", a, "baseline", "-o", "json"}, shortRun...),
		append([]string{"compare", "retry-storm", b, "-o", "json"}, shortRun...),
	} {
		if got := mustRun(args...); got != fresh {
			t.Errorf("%v differs from the fresh compare", args)
		}
	}
	report := filepath.Join(dir, "r.html")
	if out := mustRun("report", a, b, "--out", report); out != "report: wrote "+report+": retry-storm vs baseline, seed 1, 2 replications each\n" {
		t.Errorf("report said %q", out)
	}
	if html, err := os.ReadFile(report); err != nil || !strings.Contains(string(html), "2 paired replications") {
		t.Errorf("report: %v, want the paired report", err)
	}
}

// Unpaired sides are compared with Welch intervals, said plainly; the
// report, whose intervals are paired, refuses them; saved results are
// fixed, and other JSON outputs are not saved results: exit 2 naming the
// file and what to do.
func TestSavedResultsRefusals(t *testing.T) {
	dir := t.TempDir()
	a, b7, summary := filepath.Join(dir, "a.json"), filepath.Join(dir, "b7.json"), filepath.Join(dir, "run.json")
	for _, args := range [][]string{
		append([]string{"run", "baseline", "--save", a, "-o", "json", "--out", summary}, shortRun...),
		append([]string{"run", "baseline", "--save", b7, "--seed", "7"}, shortRun...),
	} {
		if code, _, stderr := runCLI(t, args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	code, out, stderr := runCLI(t, "compare", a, b7)
	if code != exitOK || !strings.HasPrefix(out, "compare baseline (A: seed 1, 2 replications) vs baseline (B: seed 7, 2 replications): unpaired: different seeds, Welch 95% CI\n") {
		t.Errorf("unpaired compare: exit %d stderr %q, output:\n%s", code, stderr, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", a, b7, "--out", filepath.Join(dir, "r.html")}, "are unpaired: different seeds; the report's intervals are paired"},
		{[]string{"compare", a, b7, "--report", filepath.Join(dir, "r.html")}, "are unpaired: different seeds"},
		{[]string{"compare", a, b7, "--seed", "3"}, "A and B are both saved results"},
		{[]string{"run", a, "--set", "traffic.multiplier=2"}, "is a saved result: --set"},
		{[]string{"compare", summary, a}, "run.json: a run summary (run -o json), not a saved result"},
		{[]string{"report", a, a, "--ablation", "--out", filepath.Join(dir, "r.html")}, "both must be scenarios, not saved results"},
	} {
		code, out, stderr := runCLI(t, tc.args...)
		if code != exitBadInput || out != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d stdout %q stderr %q, want 2 and %q", tc.args, code, out, stderr, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "r.html")); !os.IsNotExist(err) {
		t.Errorf("a report file exists after refused input")
	}
}

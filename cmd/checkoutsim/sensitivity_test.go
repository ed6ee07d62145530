package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tinyScenario = "../../experiments/uncertainty/testdata/tiny.yaml"

// sensitivity on a user's scenario prints a tornado per headline metric
// with every uncertain input, ranks by Morris with --trajectories, draws
// the charts, and shows progress on stderr.
func TestSensitivityCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := run([]string{"sensitivity", tinyScenario, "--trajectories", "2", "--plots", dir}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"P99 latency:", "Error rate:", "traffic.sku_skew", "inventory.lock_timeout", "database.pool_size", "Morris screening (2 trajectories"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if !strings.Contains(errb.String(), "sensitivity: 15/15 runs") {
		t.Errorf("progress on stderr: %q", errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "tornado-latency_p99_s.svg")); err != nil {
		t.Errorf("no tornado chart: %v", err)
	}
	// --quiet silences the progress, not the result.
	var qout, qerr bytes.Buffer
	if code := run([]string{"sensitivity", tinyScenario, "--trajectories", "2", "--quiet"}, &qout, &qerr); code != exitOK || qerr.Len() != 0 || qout.String() != out.String() {
		t.Errorf("--quiet: exit %d stderr %q, same output %v; want 0, nothing, true", code, qerr.String(), qout.String() == out.String())
	}
}

// Sharded parts merged give the unsharded JSON, byte for byte.
func TestSensitivityShardMerge(t *testing.T) {
	dir := t.TempDir()
	var whole, errb bytes.Buffer
	if code := run([]string{"sensitivity", tinyScenario, "-o", "json"}, &whole, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var parts []string
	for _, s := range []string{"0/3", "1/3", "2/3"} {
		f := filepath.Join(dir, "part-"+s[:1]+".json")
		if code := run([]string{"sensitivity", tinyScenario, "--shard", s, "--out", f}, &bytes.Buffer{}, &errb); code != exitOK {
			t.Fatalf("shard %s: exit %d: %s", s, code, errb.String())
		}
		parts = append(parts, f)
	}
	var merged bytes.Buffer
	if code := run(append([]string{"sensitivity", "--merge", "-o", "json"}, parts...), &merged, &errb); code != exitOK {
		t.Fatalf("merge: exit %d: %s", code, errb.String())
	}
	if merged.String() != whole.String() {
		t.Errorf("merged parts differ from the unsharded run")
	}
	var generic bytes.Buffer // the batch templates' 'checkoutsim merge'
	if code := run(append([]string{"merge", "-o", "json"}, parts...), &generic, &errb); code != exitOK || generic.String() != whole.String() {
		t.Errorf("checkoutsim merge: exit %d, output differs from the unsharded run: %s", code, errb.String())
	}
	var s struct {
		Metrics []struct{ Metric string }
	}
	if err := json.Unmarshal(whole.Bytes(), &s); err != nil || len(s.Metrics) < 8 {
		t.Errorf("JSON: %v, %d metrics", err, len(s.Metrics))
	}
	errb.Reset()
	if code := run([]string{"sensitivity", "--merge", parts[0], parts[2]}, &bytes.Buffer{}, &errb); code != exitBadInput || !strings.Contains(errb.String(), "incomplete") {
		t.Errorf("merge of 2 of 3 parts: exit %d, %q", code, errb.String())
	}
}

// Bad input: a scenario without uncertain inputs, a bad range, bad flags:
// exit 2 with a message naming the problem.
func TestSensitivityBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("name: bad\nuncertain:\n  - {path: inventory.lock_timeout, range: \"-1s..2s\", why: x}\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sensitivity", "baseline"}, "declares no uncertain inputs"},
		{[]string{"sensitivity", bad}, "bad.yaml:3: uncertain[0].range: end -1s is not a valid inventory.lock_timeout"},
		{[]string{"sensitivity", tinyScenario, "--trajectories", "-1"}, "--trajectories"},
		{[]string{"sensitivity", tinyScenario, "-o", "csv"}, "want table or json"},
		{[]string{"sensitivity", tinyScenario, "--resume"}, "--resume needs --out"},
		{[]string{"sensitivity"}, "give one scenario"},
		{[]string{"validate", bad}, "uncertain[0].range"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(c.args, &out, &errb)
		if code != exitBadInput || !strings.Contains(out.String()+errb.String(), c.want) {
			t.Errorf("%v: exit %d, %q %q; want exit 2 and %q", c.args, code, out.String(), errb.String(), c.want)
		}
	}
}

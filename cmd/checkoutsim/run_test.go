package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A short baseline: 20 s of arrivals after a 5 s warm-up, two replications.
var shortRun = []string{"--duration", "20s", "--set", "warmup=5s", "--set", "drain=10s", "--replications", "2"}

// Flag parsing, apart from behaviour: the run function is replaced.
func TestRunFlags(t *testing.T) {
	def := simOptions{output: "table"}
	for _, tc := range []struct {
		args []string
		want runOptions
		err  string
	}{
		{[]string{"baseline"}, runOptions{simOptions: def, scenario: "baseline"}, ""},
		{[]string{"x.yaml", "--seed", "7", "--replications", "3", "-o", "json", "--out", "r.json", "--workers", "1", "--duration", "90s", "--set", "a=1", "--set", "b=x,y"},
			runOptions{simOptions: simOptions{seed: 7, seedSet: true, replications: 3, replicationsSet: true, duration: "90s",
				sets: []string{"a=1", "b=x,y"}, output: "json", out: "r.json", workers: 1}, scenario: "x.yaml"}, ""},
		{[]string{"baseline", "--output=csv"}, runOptions{simOptions: simOptions{output: "csv"}, scenario: "baseline"}, ""},
		{[]string{"baseline", "-o", "xml"}, runOptions{}, `unknown output format "xml": want table, json or csv`},
		{[]string{"baseline", "--replications", "0"}, runOptions{}, "--replications 0: want 1 to 10000"},
		{[]string{"baseline", "--replications", "10001"}, runOptions{}, "--replications 10001: want 1 to 10000"},
		{[]string{"baseline", "--workers", "-1"}, runOptions{}, "--workers -1"},
		{[]string{"baseline", "--duration", "soon"}, runOptions{}, `--duration "soon"`},
		{[]string{"baseline", "--duration", "0s"}, runOptions{}, `--duration "0s": want > 0`},
		{[]string{"baseline", "--out", os.TempDir()}, runOptions{}, "is a directory"},
		{[]string{}, runOptions{}, "want one SCENARIO"},
		{[]string{"a", "b"}, runOptions{}, "got 2 arguments"},
	} {
		var got *runOptions
		cmd := newRunCmdWith(func(_ context.Context, o *runOptions, _, _ io.Writer) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || got != nil {
				t.Errorf("%v: error %v, want %q without running", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || got == nil || !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%v: options %+v err %v, want %+v", tc.args, got, err, tc.want)
		}
	}
}

func TestRunBadInputExitsTwo(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.yaml")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "want one SCENARIO"},
		{[]string{"run", "baseline", "-o", "xml"}, "want table, json or csv"},
		{[]string{"run", "baseline", "--replications", "0"}, "--replications 0"},
		{[]string{"run", "baseline", "--replications", "many"}, "--replications"},
		{[]string{"run", "no-such-scenario"}, "no-such-scenario"},
		{[]string{"run", missing}, "missing.yaml"},
		{[]string{"run", "baseline", "--set", "traffic.multiplier=-1"}, "traffic.multiplier"},
		{[]string{"run", "baseline", "--set", "services[checkout-apii].instances=2"},
			`--set services[checkout-apii].instances=2: services has no element named "checkout-apii" (did you mean "checkout-api"?); its names: gateway, checkout-api,`},
		{[]string{"compare", "baseline", "retry-storm", "--set", "payments.providers[psp-z].concurrency=5"}, `payments.providers has no element named "psp-z"`},
		{[]string{"run", "baseline", "--duration", "30s"}, "hint: --duration 30s is not longer than the scenario's warm-up"}, // warm-up 1m
	} {
		code, out, stderr := runCLI(t, tc.args...)
		if code != exitBadInput || out != "" || !strings.HasPrefix(stderr, "checkoutsim: ") || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "panic") {
			t.Errorf("%v: exit %d stdout %q stderr %q, want exit 2 and a message with %q", tc.args, code, out, stderr, tc.want)
		}
	}
}

// --out writes the file atomically; a failing run leaves no file.
func TestRunOutFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	args := append([]string{"run", "baseline", "-o", "json", "--out", path}, shortRun...)
	code, out, stderr := runCLI(t, args...)
	if code != exitOK || out != "" || stderr != "" {
		t.Fatalf("exit %d stdout %q stderr %q, want 0 and nothing printed", code, out, stderr)
	}
	var doc struct {
		Scenario     string `json:"scenario"`
		Replications int    `json:"replications"`
	}
	data, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(data, &doc) != nil || doc.Scenario != "baseline" || doc.Replications != 2 {
		t.Errorf("file %s: %v %+v", path, err, doc)
	}
	bad := filepath.Join(dir, "bad.json")
	if code, _, _ := runCLI(t, "run", "baseline", "--set", "traffic.multiplier=-1", "--out", bad); code != exitBadInput {
		t.Errorf("bad run: exit %d", code)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after a failed run, want only r.json", len(entries))
	}
}

// Ctrl-C (a cancelled context) exits 130 and writes no file.
func TestRunInterrupted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.json")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := &runOptions{simOptions: simOptions{output: "json", out: path}, scenario: "baseline"}
	err := runRun(ctx, o, io.Discard, io.Discard)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitInterrupted || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("error %v, want exit status %d 'interrupted'", err, exitInterrupted)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("%s exists after an interrupted run", path)
	}
}

// Nothing on stderr when it is not a terminal, and the three formats.
func TestRunFormats(t *testing.T) {
	for _, tc := range []struct{ format, prefix string }{
		{"table", "scenario baseline: seed 1, 2 replications"},
		{"json", "{\n  \"scenario\": \"baseline\","},
		{"csv", "metric,value,ci_lo,ci_hi\nscenario,baseline,,\n"},
	} {
		code, out, stderr := runCLI(t, append([]string{"run", "baseline", "-o", tc.format}, shortRun...)...)
		if code != exitOK || stderr != "" || !strings.HasPrefix(out, tc.prefix) {
			t.Errorf("-o %s: exit %d stderr %q output starts %q, want %q", tc.format, code, stderr, out[:min(len(out), 60)], tc.prefix)
		}
	}
}

package main

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Argument and flag parsing, apart from behaviour: the run function is replaced.
func TestValidateArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want *validateOptions
	}{
		{[]string{"a.yaml"}, &validateOptions{files: []string{"a.yaml"}}},
		{[]string{"a.yaml", "baseline", "--set", "seed=3", "--set", "flow.budget=5s"},
			&validateOptions{files: []string{"a.yaml", "baseline"}, sets: []string{"seed=3", "flow.budget=5s"}}},
		{[]string{"--set=traffic.profile=[{at: 0s, rate: 10/s}]", "x.yaml"},
			&validateOptions{files: []string{"x.yaml"}, sets: []string{"traffic.profile=[{at: 0s, rate: 10/s}]"}}},
		{nil, nil}, // at least one scenario
	} {
		var got *validateOptions
		cmd := newValidateCmdWith(func(o *validateOptions, _ io.Writer) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tc.want == nil {
			if err == nil || got != nil {
				t.Errorf("%v: err %v, ran %v; want an error without running", tc.args, err, got != nil)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: options %+v err %v, want %+v", tc.args, got, err, tc.want)
		}
	}
}

func TestValidateGoodScenarios(t *testing.T) {
	good := filepath.Join(t.TempDir(), "good.yaml")
	if err := os.WriteFile(good, []byte("name: good\ntraffic:\n  multiplier: 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "validate", good, "baseline", "retry-storm", "--set", "duration=2m")
	want := good + ": ok\nbaseline: ok\nretry-storm: ok\n"
	if code != exitOK || out != want || stderr != "" {
		t.Errorf("exit %d\nstdout %q\nstderr %q\nwant exit 0 and %q", code, out, stderr, want)
	}
}

// Every problem of every file is printed, then one summary line; exit 2.
func TestValidateBadScenario(t *testing.T) {
	bad := filepath.Join("..", "..", "experiments", "testdata", "scenarios", "bad.yaml")
	code, out, stderr := runCLI(t, "validate", "baseline", bad, "no-such-scenario")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != exitBadInput {
		t.Errorf("exit %d, want %d", code, exitBadInput)
	}
	if lines[0] != "baseline: ok" {
		t.Errorf("first line %q, want baseline: ok", lines[0])
	}
	wantPrefixes := []string{
		bad + ":6: traffic.profile[1].rate: must be a finite rate >= 0, got -50",
		bad + ":7: traffic.multipler: unknown field; did you mean \"multiplier\"?",
		bad + ":8: traffic.skus: expected a whole number, got string \"many\"",
		bad + ":12: services[0].workers_per_instance: must be >= 1, got 0",
		bad + ":13: services[0].cpu: dist: parse",
		bad + ":16: database.pool_size: duplicate key (first set at line 15)",
		bad + ":22: flow.steps[0].service: no service named \"payments\" (services: checkout-api)",
		"no-such-scenario: unknown scenario \"no-such-scenario\": no such file, and no built-in scenario of that name (built-ins: baseline,",
	}
	if len(lines) != 1+len(wantPrefixes) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), 1+len(wantPrefixes), out)
	}
	for i, w := range wantPrefixes {
		if !strings.HasPrefix(lines[i+1], w) {
			t.Errorf("line %d: %q\nwant prefix %q", i+2, lines[i+1], w)
		}
	}
	if stderr != "checkoutsim: validate: 2 of 3 scenarios invalid\n" {
		t.Errorf("stderr %q", stderr)
	}
	if strings.Contains(out+stderr, "panic") || strings.Contains(out+stderr, "goroutine") {
		t.Error("a Go panic trace was printed")
	}
	code, out, stderr = runCLI(t, "validate")
	if code != exitBadInput || out != "" || !strings.Contains(stderr, "give at least one scenario") {
		t.Errorf("validate with no argument: exit %d stdout %q stderr %q", code, out, stderr)
	}
}

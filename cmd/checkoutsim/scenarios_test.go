package main

import (
	"io"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
)

func TestScenariosArgs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want *scenariosOptions
	}{
		{nil, &scenariosOptions{}},
		{[]string{"show", "baseline"}, &scenariosOptions{show: "baseline"}},
		{[]string{"show"}, nil},
		{[]string{"show", "a", "b"}, nil},
		{[]string{"baseline"}, nil},
	} {
		var got *scenariosOptions
		cmd := newScenariosCmdWith(func(o *scenariosOptions, _ io.Writer) error { got = o; return nil })
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
		if err != nil || got == nil || *got != *tc.want {
			t.Errorf("%v: options %+v err %v, want %+v", tc.args, got, err, tc.want)
		}
	}
}

// The list has one aligned line per built-in: name, then description.
func TestScenariosList(t *testing.T) {
	code, out, stderr := runCLI(t, "scenarios")
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
	list := experiments.BuiltinScenarios()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(list) {
		t.Fatalf("%d lines for %d built-ins:\n%s", len(lines), len(list), out)
	}
	col := -1
	for i, b := range list {
		if !strings.HasPrefix(lines[i], b.Name+" ") || !strings.HasSuffix(lines[i], b.Description) {
			t.Errorf("line %q, want %s ... %s", lines[i], b.Name, b.Description)
		}
		c := strings.Index(lines[i], b.Description)
		if col >= 0 && c != col {
			t.Errorf("descriptions not aligned: column %d then %d\n%s", col, c, out)
		}
		col = c
	}
}

func TestScenariosShow(t *testing.T) {
	for _, b := range experiments.BuiltinScenarios() {
		code, out, _ := runCLI(t, "scenarios", "show", b.Name)
		want, err := experiments.BuiltinYAML(b.Name)
		if err != nil || code != exitOK || out != string(want) {
			t.Errorf("show %s: exit %d, output differs from the embedded file (%v)", b.Name, code, err)
		}
	}
	code, out, stderr := runCLI(t, "scenarios", "show", "nope")
	if code != exitBadInput || out != "" || !strings.Contains(stderr, `unknown scenario "nope"`) || !strings.Contains(stderr, "baseline") {
		t.Errorf("show nope: exit %d stdout %q stderr %q", code, out, stderr)
	}
}

// Cobra's completion command is kept, and every command has examples.
func TestCompletionAndExamples(t *testing.T) {
	code, out, _ := runCLI(t, "completion", "bash")
	if code != exitOK || !strings.Contains(out, "bash completion") || !strings.Contains(out, "checkoutsim") {
		t.Errorf("completion bash: exit %d, %d bytes", code, len(out))
	}
	code, out, _ = runCLI(t, "__complete", "scenarios", "show", "")
	if code != exitOK || !strings.Contains(out, "baseline\n") || !strings.Contains(out, "retry-storm\n") {
		t.Errorf("completing scenarios show: exit %d\n%s", code, out)
	}
	for _, c := range []string{"validate", "scenarios"} {
		_, out, _ := runCLI(t, c, "--help")
		if !strings.Contains(out, "Examples:\n  checkoutsim "+c) {
			t.Errorf("%s --help has no examples:\n%s", c, out)
		}
	}
}

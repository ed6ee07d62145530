package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReportFlags(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.html")
	for _, tc := range []struct {
		args []string
		want reportOptions
		err  string
	}{
		{[]string{"a.yaml", "b.yaml", "--out", out},
			reportOptions{simOptions: simOptions{output: "table", out: out}, a: "a.yaml", b: "b.yaml"}, ""},
		{[]string{"a", "b", "--out", out, "--seed", "3", "--replications", "4", "--duration", "2m", "--set", "x=1", "--set", "y=2", "--title", "Q3 sale", "--workers", "1"},
			reportOptions{simOptions: simOptions{seed: 3, seedSet: true, replications: 4, replicationsSet: true, duration: "2m", sets: []string{"x=1", "y=2"}, output: "table", out: out, workers: 1}, a: "a", b: "b", title: "Q3 sale"}, ""},
		{[]string{"a", "b"}, reportOptions{}, "--out FILE is required"},
		{[]string{"a", "--out", out}, reportOptions{}, "want two scenarios A and B"},
		{[]string{"a", "b", "c", "--out", out}, reportOptions{}, "got 3 arguments"},
		{[]string{"a", "b", "--out", out, "--replications", "0"}, reportOptions{}, "--replications 0"},
		{[]string{"a", "b", "--out", out, "--duration", "soon"}, reportOptions{}, `--duration "soon"`},
		{[]string{"a", "b", "--out", dir}, reportOptions{}, "is a directory"},
		{[]string{"a", "b", "--out", filepath.Join(dir, "missing", "r.html")}, reportOptions{}, "does not exist"},
		{[]string{"a", "b", "--out", out, "-o", "json"}, reportOptions{}, "unknown shorthand flag"},
	} {
		var got *reportOptions
		cmd := newReportCmdWith(func(_ context.Context, o *reportOptions, _, _ io.Writer) error { got = o; return nil })
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

// execReport runs the report command in-process and returns its error.
func execReport(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := newReportCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err = cmd.Execute()
	return out.String(), errb.String(), err
}

func TestReportBadScenarios(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.html")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("traffic:\n  multiplier: -1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"baseline", "nope", "--out", out}, []string{"nope"}},
		{[]string{"nope-a", "nope-b", "--out", out}, []string{"nope-a", "nope-b"}}, // both reported
		{[]string{bad, "baseline", "--out", out}, []string{"bad.yaml", "traffic.multiplier"}},
		{[]string{"baseline", "baseline", "--out", out, "--set", "no.such.field=1"}, []string{"--set: no: unknown field"}},
	} {
		stdout, stderr, err := execReport(t, tc.args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitBadInput {
			t.Errorf("%v: error %v, want exit status 2", tc.args, err)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", tc.args, err, w)
			}
		}
		if stdout != "" || stderr != "" {
			t.Errorf("%v: output %q %q, want none", tc.args, stdout, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v: a report file exists after bad input", tc.args)
		}
	}
}

func TestReportWritesFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "report.html")
	stdout, stderr, err := execReport(t, "retry-storm", "baseline", "--out", out,
		"--duration", "40s", "--set", "warmup=10s", "--replications", "2", "--seed", "5", "--title", "Sale <rehearsal>")
	if err != nil {
		t.Fatal(err)
	}
	if want := "report: wrote " + out + ": retry-storm vs baseline, seed 5, 2 replications each\n"; stdout != want || stderr != "" {
		t.Errorf("output %q %q, want %q and no progress (stderr is not a file)", stdout, stderr, want)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	html := string(data)
	for _, want := range []string{
		"<title>Sale &lt;rehearsal&gt;</title>", "seed 5", "2 paired replications",
		"warmup=10s", "duration=40s", "# retry-storm:", "# baseline:", `id="before-after-table"`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the output directory, want only the report (no temporary files)", len(entries))
	}
}

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyTune is a search over the payment client on 30-second runs at a
// quarter of payment-slowdown-after's traffic: 4 candidates, one rung.
func tinyTuneSpec(t *testing.T, constraint string) string {
	t.Helper()
	spec := `scenario: payment-slowdown-after
set: [duration=30s, warmup=10s, drain=10s, traffic.multiplier=0.25]
knobs:
  payments.client.timeout: log:300ms..2s
  payments.client.retry.max_attempts: 1..3
minimize: p99
constraints: ["` + constraint + `"]
candidates: 4
schedule: [{fraction: 0.5, replications: 1}]
final_replications: 2
`
	f := filepath.Join(t.TempDir(), "tune.yaml")
	if err := os.WriteFile(f, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// Bad input: exit 2 before anything runs, one line per problem naming its
// flag or file:line, nothing on stdout and no output file.
func TestTuneBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	spec := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(spec, []byte("knobs:\n  payments.client.timeout: 3s..1s\nminimize: p99\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"tune", "payment-slowdown-after", "--out", out}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--knob", "payments.client.timeot=1s..2s", "--minimize", "p99"}, []string{`tune: --knob payments.client.timeot=1s..2s: value 1s is not accepted: --set: payments.client.timeot: unknown field; did you mean "timeout"?`}},
		{[]string{"--knob", "payments.client.retry.max_attempts=0..4", "--minimize", "p99"}, []string{"tune: --knob payments.client.retry.max_attempts=0..4: value 0 is not accepted"}},
		{[]string{"--knob", "payments.client.timeout=1s..2s", "--minimize", "p99", "--constraint", "bogus<=1"}, []string{`tune: --constraint "bogus<=1": unknown metric "bogus"`}},
		{[]string{"--minimize", "p99"}, []string{"tune: --knob: the space is empty"}},
		{[]string{"--knob", "payments.client.timeout=1s..2s", "--minimize", "p99", "--constraint", "checkout.latency_s.p99>=0.5"}, []string{`tune: --constraint "checkout.latency_s.p99>=0.5": the objective minimizes p99`}},
		{[]string{"--knob", "payments.client.timeout=1s..2s", "--minimize", "p99", "--condition", "spike:traffic.multiplierr=2"}, []string{"tune: --condition: condition spike: --set: traffic.multiplierr: unknown field"}},
		{[]string{"--knob", "payments.client.timeout=1s..2s", "--minimize", "p99", "--budget", "5"}, []string{"tune: --budget: 5 runs is too small"}},
		{[]string{"--knob", "a=1..", "--minimize", "p99", "--constraint", "p99", "-o", "xml"}, []string{"tune: --knob a=1..: an interval needs both ends", `tune: --constraint "p99": expected METRIC<=X`, `tune: --output: unknown output format "xml"`}},
		{[]string{"--spec", spec}, []string{"tune: " + spec + ":2 payments.client.timeout=3s..1s: lo is greater than hi"}},
	} {
		var stdout, stderr bytes.Buffer
		code := run(append(base, tc.args...), &stdout, &stderr)
		lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(stderr.String(), "checkoutsim: ")), "\n")
		if code != exitBadInput || stdout.Len() != 0 || len(lines) != len(tc.want) {
			t.Errorf("%v: exit %d, stdout %q, stderr:\n%s\nwant exit 2 and %d lines", tc.args, code, stdout.String(), stderr.String(), len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%v: line %d = %q, want prefix %q", tc.args, i+1, lines[i], w)
			}
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%v: %s was written", tc.args, out)
		}
	}
}

// A search from a spec file writes its answer; one whose constraint no
// candidate holds exits 1 and names it.
func TestTuneRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates about 30 short runs")
	}
	out := filepath.Join(t.TempDir(), "tune.json")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"tune", "--spec", tinyTuneSpec(t, "error_rate<=5%"), "-o", "json", "--out", out}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"complete": true`, `"best": {`, `"set": [`, `"runners_up": [`, `"pareto": [`, `"current": {`, `"runs_used": `, "policy.StackConfig{"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON lacks %s", want)
		}
	}
	stdout.Reset()
	stderr.Reset()
	code := run([]string{"tune", "--spec", tinyTuneSpec(t, "error_rate<=0"), "--workers", "1"}, &stdout, &stderr)
	if code != exitFailed || !strings.Contains(stderr.String(), "no feasible candidate: checkout.error_rate<=0 was broken by 4 of 4 candidates") &&
		!strings.Contains(stderr.String(), "no feasible candidate: error_rate<=0 was broken by 4 of 4 candidates") {
		t.Errorf("infeasible: exit %d, stderr %s", code, stderr.String())
	}
}

// Sharded from the command line: each stage's shards, merged, then the
// next stage from the merged state; the answer is the unsharded one. In
// each stage shard 1 first does not run: merge refuses, naming it and the
// sbatch line that reruns it (with --state from the second stage on), and
// that line's command, run as shard.sbatch runs it (index from
// SLURM_ARRAY_TASK_ID), completes the stage.
func TestTuneShardsAndMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates about 40 short runs")
	}
	dir := t.TempDir()
	spec := tinyTuneSpec(t, "error_rate<=5%")
	whole := filepath.Join(dir, "whole.json")
	runArgs := func(args ...string) (int, string) {
		t.Helper()
		var stdout, stderr bytes.Buffer
		return run(args, &stdout, &stderr), stderr.String()
	}
	mustRun := func(args ...string) {
		t.Helper()
		if code, stderr := runArgs(args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	mustRun("tune", "--spec", spec, "-o", "json", "--out", whole)
	state := ""
	for stage := range 2 {
		part := func(i int) string { return filepath.Join(dir, fmt.Sprintf("part-%d-%d.json", stage, i)) }
		args := []string{"tune", "--spec", spec, "--shard", "0/2", "--out", part(0)}
		if state != "" {
			args = append(args, "--state", state)
		}
		mustRun(args...)
		next := filepath.Join(dir, fmt.Sprintf("state-%d.json", stage))
		code, stderr := runArgs("merge", "--out", next, part(0))
		_, line, _ := strings.Cut(stderr, "\n  sbatch --array=1 deploy/slurm/shard.sbatch ")
		line, _, _ = strings.Cut(line, "\n")
		if code != exitBadInput || !strings.Contains(stderr, "shards 1/2: missing or interrupted") || !strings.HasSuffix(line, " --shards 2") {
			t.Fatalf("stage %d, shard 1 missing: merge exit %d: %s\nwant exit 2 naming shard 1/2 and its sbatch line", stage, code, stderr)
		}
		if _, err := os.Stat(next); err == nil {
			t.Fatalf("stage %d: a refused merge wrote %s", stage, next)
		}
		want := "tune --spec " + spec
		if state != "" {
			want += " --state " + state
		}
		if got := strings.TrimSuffix(line, " --shards 2"); got != want || strings.ContainsAny(line, `'"`) {
			t.Fatalf("stage %d: the rerun line runs %q, want %q", stage, got, want)
		}
		t.Setenv("SLURM_ARRAY_TASK_ID", "1")
		mustRun(append(strings.Fields(line), "--resume", "--out", part(1))...)
		mustRun("merge", "--out", next, part(0), part(1))
		state = next
	}
	a, _ := os.ReadFile(whole)
	b, _ := os.ReadFile(state)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatal("the merged shards differ from the unsharded search")
	}
}

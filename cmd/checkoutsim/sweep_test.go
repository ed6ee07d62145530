package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments/sweep"
)

// A tiny grid over one-station: 6 points of 20 simulated seconds.
var tinySweep = []string{"one-station", "--duration", "20s", "--set", "warmup=5s", "--set", "drain=5s", "--replications", "2",
	"--param", "traffic.multiplier=0.5,1", "--param", "services[0].workers_per_instance=7,8,10"}

// Flag parsing, apart from behaviour: the run function and environment
// are replaced.
func TestSweepFlags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		env    map[string]string
		shard  string // want o.shard.String()
		output string
		err    string
	}{
		{[]string{"baseline", "--param", "a=1,2"}, nil, "none", "table", ""},
		{[]string{"baseline", "--param", "a=1,2", "--shard", "1/3"}, nil, "1/3", "json", ""},
		{[]string{"baseline", "--param", "a=1,2", "--shard", "1/3", "-o", "json"}, nil, "1/3", "json", ""},
		{[]string{"baseline", "--param", "a=1,2", "--shards", "4"}, map[string]string{"JOB_COMPLETION_INDEX": "3"}, "3/4", "json", ""},
		{[]string{"baseline", "--param", "a=1,2", "--shard", "/4"}, map[string]string{"SLURM_ARRAY_TASK_ID": "2"}, "2/4", "json", ""},
		{[]string{"baseline", "--param", "a=1,2", "--shards", "4"},
			map[string]string{"JOB_COMPLETION_INDEX": "1", "SLURM_ARRAY_TASK_ID": "2"}, "1/4", "json", ""},
		{[]string{"baseline", "--param", "a=1,2", "--shard", "2", "--shards", "4"}, nil, "2/4", "json", ""},
		// Environment alone does not shard: sharding is asked for by a flag.
		{[]string{"baseline", "--param", "a=1,2"}, map[string]string{"JOB_COMPLETION_INDEX": "1"}, "none", "table", ""},
		{[]string{"baseline", "--param", "a=1,2", "--out", "s.json", "-o", "json", "--resume"}, nil, "none", "json", ""},
		{[]string{"baseline"}, nil, "", "", "at least one --param"},
		{[]string{"baseline", "--param", "a"}, nil, "", "", "expected path=v1,v2"},
		{[]string{"baseline", "--param", "a=1,,2"}, nil, "", "", "is empty"},
		{[]string{"baseline", "--param", "a=1", "--shard", "3/3"}, nil, "", "", "out of range"},
		{[]string{"baseline", "--param", "a=1", "--shard", "0/0"}, nil, "", "", "must be >= 1"},
		{[]string{"baseline", "--param", "a=1", "--shard", "x/2"}, nil, "", "", "not an integer"},
		{[]string{"baseline", "--param", "a=1", "--shards", "2"}, nil, "", "", "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID"},
		{[]string{"baseline", "--param", "a=1", "--shards", "2"}, map[string]string{"JOB_COMPLETION_INDEX": "2"}, "", "", "JOB_COMPLETION_INDEX: shard index 2 out of range"},
		{[]string{"baseline", "--param", "a=1", "--shard", "0/2", "-o", "table"}, nil, "", "", "drop -o table"},
		{[]string{"baseline", "--param", "a=1", "--resume"}, nil, "", "", "--resume needs --out"},
		{[]string{"baseline", "--param", "a=1", "--resume", "--out", "s.csv", "-o", "csv"}, nil, "", "", "--resume needs -o json"},
		{[]string{"baseline", "--param", "a=1", "-o", "xml"}, nil, "", "", "want table, json or csv"},
		{[]string{"baseline", "--param", "a=1", "--shard", "0/2", "--plots", "p"}, nil, "", "", "give it to 'checkoutsim merge'"},
		{[]string{"baseline", "--param", "a=1", "--param", "b=1", "--param", "c=1", "--plots", "p"}, nil, "", "", "this grid has 3"},
	} {
		var got *sweepOptions
		getenv := func(k string) string { return tc.env[k] }
		cmd := newSweepCmdWith(getenv, func(_ context.Context, o *sweepOptions, _, _ io.Writer) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || got != nil {
				t.Errorf("%v %v: error %v, want %q without running", tc.args, tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || got == nil || got.shard.String() != tc.shard || got.output != tc.output || len(got.params) != 1 {
			t.Errorf("%v %v: options %+v err %v, want shard %s output %s", tc.args, tc.env, got, err, tc.shard, tc.output)
		}
	}
}

// Bad input of every kind: exit 2, one message, no panic, no file.
func TestSweepMergeBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	corrupt := filepath.Join(dir, "corrupt.json")
	os.WriteFile(corrupt, []byte(`{"grid": {"scenario": "one-station", `), 0o644)
	notJSON := filepath.Join(dir, "table.txt")
	os.WriteFile(notJSON, []byte("Sweep of one-station\n"), 0o644)
	base := []string{"sweep", "one-station", "--out", out, "--duration", "20s", "--set", "warmup=5s"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(base, "--param", "traffic.multiplier"), "expected path=v1,v2"},
		{append(base, "--param", "traffic.multiplier=1", "--out", filepath.Join(dir, "no", "such", "dir", "o.json")), "does not exist"},
		{append(base, "--param", "traffic.multiplier="), "is empty"},
		{append(base, "--param", "no.such.field=1,2"), "--param no.such.field"},
		{append(base, "--param", "traffic.multiplier=1,-1"), `value "-1"`},
		{append(base, "--param", "traffic.multiplier=1", "--shard", "2/2"), "out of range"},
		{append(base, "--param", "traffic.multiplier=1", "--shard", "0/0"), "must be >= 1"},
		{append(base, "--param", "traffic.multiplier=1", "--shard", "one/2"), "not an integer"},
		{append(base, "--param", "traffic.multiplier=1", "--shard", "/2"), "neither JOB_COMPLETION_INDEX"},
		{append(base, "--param", "traffic.multiplier=1", "--resume", "-o", "json", "--out", corrupt), "corrupt.json"},
		{[]string{"sweep", "no-such-scenario", "--param", "traffic.multiplier=1"}, "no-such-scenario"},
		{[]string{"merge", corrupt, "--out", out}, "corrupt.json: not a sweep result"},
		{[]string{"merge", notJSON, "--out", out}, "table.txt: not a sweep result: invalid JSON at byte 1"},
		{[]string{"merge", filepath.Join(dir, "nope.json"), "--out", out}, "nope.json: no such file"},
		{[]string{"merge"}, "want one or more part files"},
		{[]string{"merge", corrupt, "-o", "xml"}, "want table, json or csv"},
		{[]string{"capacity", "one-station", "--max-error-rate", "0.01"}, "--slo-p99 is required"},
		{[]string{"capacity", "one-station", "--slo-p99", "1s"}, "--max-error-rate is required"},
		{[]string{"capacity", "one-station", "--slo-p99", "fast", "--max-error-rate", "0.01"}, `--slo-p99 "fast"`},
		{[]string{"capacity", "one-station", "--slo-p99", "-1s", "--max-error-rate", "0.01"}, "--slo-p99"},
		{[]string{"capacity", "one-station", "--slo-p99", "1s", "--max-error-rate", "5"}, `invalid argument "5" for "--max-error-rate" flag: "5" is not a fraction in [0, 1]: for 5 percent write 5%`},
		{[]string{"capacity", "one-station", "--slo-p99", "1s", "--max-error-rate", "1,5%"}, `"1,5%" is not a fraction`},
		{[]string{"capacity", "one-station", "--slo-p99", "1s", "--max-error-rate", "0.01", "--tolerance", "0"}, "--tolerance 0"},
		{[]string{"capacity", "one-station", "--slo-p99", "1s", "--max-error-rate", "0.01", "--strict", "--replications", "1"}, "--strict"},
		{[]string{"capacity", "one-station", "--slo-p99", "1s", "--max-error-rate", "0.01", "--set", "traffic.multiplier=0"}, "traffic.multiplier"},
		{[]string{"capacity", "--slo-p99", "1s", "--max-error-rate", "0.01"}, "want one SCENARIO"},
	} {
		code, stdout, stderr := runCLI(t, tc.args...)
		if code != exitBadInput || stdout != "" || !strings.HasPrefix(stderr, "checkoutsim: ") || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "panic") {
			t.Errorf("%v: exit %d stdout %q stderr %q, want exit 2 and a message with %q", tc.args, code, stdout, stderr, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%v: left an output file", tc.args)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 2 {
			t.Fatalf("%v: the directory holds %d files, want only the 2 inputs", tc.args, len(entries))
		}
	}
}

// runBinary runs the built binary in dir with extra environment variables
// and returns its exit status, stdout and stderr.
func runBinary(t *testing.T, bin, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return code, out.String(), errb.String()
}

// Sweep, merge and resume through the binary, built once (buildBinary is
// in e2e_test.go).
func TestSweepBinary(t *testing.T) {
	bin := buildBinary(t)
	t.Run("shard-merge", func(t *testing.T) { testShardMergeProcesses(t, bin) })
	t.Run("interrupt-resume", func(t *testing.T) { testSweepInterruptResume(t, bin) })
}

// The batch-engine path end to end: three shards as separate processes,
// their index given three ways (flag, JOB_COMPLETION_INDEX,
// SLURM_ARRAY_TASK_ID), merged by a fourth; the merged file must be
// byte-identical to an unsharded run's, in every format.
func testShardMergeProcesses(t *testing.T, bin string) {
	dir := t.TempDir()
	clean := []string{"JOB_COMPLETION_INDEX=", "SLURM_ARRAY_TASK_ID="}
	sweep := func(env []string, extra ...string) {
		t.Helper()
		// --quiet: piped stderr would otherwise get progress lines.
		args := append(append([]string{"sweep", "--quiet"}, tinySweep...), extra...)
		if code, _, stderr := runBinary(t, bin, dir, append(clean, env...), args...); code != 0 || stderr != "" {
			t.Fatalf("%v %v: exit %d, stderr %q", env, args, code, stderr)
		}
	}
	start := time.Now()
	sweep(nil, "-o", "json", "--out", "full.json")
	t.Logf("unsharded sweep of 6 points: %v", time.Since(start))
	sweep(nil, "--shard", "0/3", "--out", "part-0.json")
	sweep([]string{"JOB_COMPLETION_INDEX=1"}, "--shards", "3", "--out", "part-1.json")
	sweep([]string{"SLURM_ARRAY_TASK_ID=2"}, "--shard", "/3", "--out", "part-2.json")

	code, _, stderr := runBinary(t, bin, dir, clean, "merge", "part-2.json", "part-0.json", "part-1.json", "--out", "merged.json", "--plots", "plots")
	if code != 0 {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	if pngs, _ := filepath.Glob(filepath.Join(dir, "plots", "sweep-*.png")); len(pngs) != 4 {
		t.Errorf("merge --plots wrote %q, want 4 heat maps", pngs)
	}
	full, _ := os.ReadFile(filepath.Join(dir, "full.json"))
	merged, _ := os.ReadFile(filepath.Join(dir, "merged.json"))
	if len(full) == 0 || !bytes.Equal(full, merged) {
		t.Fatalf("merged JSON differs from the unsharded run:\n%s\nvs\n%s", merged, full)
	}
	for _, f := range []string{"table", "csv"} {
		sweep(nil, "-o", f, "--out", "full."+f)
		_, mergedOut, _ := runBinary(t, bin, dir, clean, "merge", "part-0.json", "part-1.json", "part-2.json", "-o", f)
		want, _ := os.ReadFile(filepath.Join(dir, "full."+f))
		if mergedOut != string(want) {
			t.Errorf("merge -o %s:\n%s\nwant\n%s", f, mergedOut, want)
		}
	}

	// An incomplete set names the missing points and shard; nothing is written.
	code, stdout, stderr := runBinary(t, bin, dir, clean, "merge", "part-0.json", "part-2.json", "--out", "bad.json")
	if code != exitBadInput || stdout != "" || !strings.Contains(stderr, "2 of 6 points missing: 1, 4") || !strings.Contains(stderr, "shards 1/3") {
		t.Errorf("incomplete merge: exit %d, stderr %q", code, stderr)
	}
	// A duplicate part is refused.
	code, _, stderr = runBinary(t, bin, dir, clean, "merge", "part-0.json", "part-1.json", "part-2.json", "part-1.json")
	if code != exitBadInput || !strings.Contains(stderr, "is in both part-1.json and part-1.json") {
		t.Errorf("duplicate merge: exit %d, stderr %q", code, stderr)
	}
	// A part of another grid (another seed) is refused, saying why.
	sweep(nil, "--shard", "1/3", "--seed", "2", "--out", "other-1.json")
	code, _, stderr = runBinary(t, bin, dir, clean, "merge", "part-0.json", "other-1.json", "part-2.json")
	if code != exitBadInput || !strings.Contains(stderr, "belong to different sweeps") || !strings.Contains(stderr, "seed") {
		t.Errorf("mixed-grid merge: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.json")); err == nil {
		t.Errorf("a refused merge left its output file")
	}
}

// Ctrl-C in the middle of a sweep keeps the completed points in a valid
// file; --resume computes only the rest, and the result is the same bytes
// as an uninterrupted run.
func testSweepInterruptResume(t *testing.T, bin string) {
	dir := t.TempDir()
	out := filepath.Join(dir, "sweep.json")
	// Longer points than tinySweep, so the signal lands mid-sweep.
	args := []string{"sweep", "one-station", "--duration", "2m", "--set", "warmup=5s", "--set", "drain=5s", "--replications", "2",
		"--param", "traffic.multiplier=0.5,0.75,1,1.1", "--param", "services[0].workers_per_instance=8,10", "-o", "json", "--out", out}
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(out); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no checkpoint after 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	part, rerr := sweep.Read(out)
	if rerr != nil {
		t.Fatalf("after Ctrl-C the file is not a valid sweep result: %v", rerr)
	}
	if code == 0 {
		t.Logf("the sweep finished before the signal arrived; nothing to resume")
	} else {
		if code != exitInterrupted || !strings.Contains(stderr.String(), "--resume") || len(part.Pending) == 0 || len(part.Rows)+len(part.Pending) != 8 {
			t.Fatalf("interrupted: exit %d, stderr %q, %d rows + %d pending; want 130, a hint to --resume, 8 points", code, stderr.String(), len(part.Rows), len(part.Pending))
		}
		t.Logf("interrupted with %d of 8 points done", len(part.Rows))
	}
	if c, _, e := runBinary(t, bin, dir, nil, append(args, "--resume")...); c != 0 {
		t.Fatalf("--resume: exit %d: %s", c, e)
	}
	resumed, _ := os.ReadFile(out)
	fullPath := filepath.Join(dir, "full.json")
	full := append(args[:len(args)-1:len(args)-1], fullPath)
	if c, _, e := runBinary(t, bin, dir, nil, full...); c != 0 {
		t.Fatalf("full run: exit %d: %s", c, e)
	}
	want, _ := os.ReadFile(fullPath)
	if !bytes.Equal(resumed, want) {
		t.Errorf("resumed file differs from an uninterrupted run")
	}
	// Resuming with another grid is refused and leaves the file alone.
	other := append(append([]string{}, args[:len(args)-2]...), "--out", out, "--resume", "--seed", "9")
	if c, _, e := runBinary(t, bin, dir, nil, other...); c != exitBadInput || !strings.Contains(e, "cannot resume") {
		t.Errorf("resume of another grid: exit %d, stderr %q", c, e)
	}
	if after, _ := os.ReadFile(out); !bytes.Equal(after, want) {
		t.Errorf("a refused resume changed the file")
	}
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments/progress"
)

// buildBinary builds checkoutsim into a temporary directory, as a user
// would from a fresh checkout.
func buildBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go toolchain to build the binary")
	}
	bin := filepath.Join(t.TempDir(), "checkoutsim")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// End to end through the binary: run a built-in scenario with -o json,
// check the contract fields, and check that GOMAXPROCS=1 and 2 give
// byte-identical output (replications run in parallel on all cores).
func TestEndToEndRunJSON(t *testing.T) {
	bin := buildBinary(t)
	args := append([]string{"run", "baseline", "-o", "json"}, shortRun...)
	outputs := map[string][]byte{}
	for _, procs := range []string{"1", "2"} {
		args := args
		if procs == "1" {
			args = append(args, "--quiet") // the output does not depend on it either
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "GOMAXPROCS="+procs)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("GOMAXPROCS=%s %s %v: %v\n%s", procs, bin, args, err, stderr.String())
		}
		// Piped stderr gets progress lines only (none with --quiet, none
		// when the run takes under a second).
		for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
			if line != "" && (procs == "1" || !strings.HasPrefix(line, "run baseline: ")) {
				t.Errorf("GOMAXPROCS=%s %v: stderr line %q, want none or progress", procs, args, line)
			}
		}
		outputs[procs] = stdout.Bytes()
	}
	if !bytes.Equal(outputs["1"], outputs["2"]) {
		t.Errorf("checkoutsim %v: output with GOMAXPROCS=1 differs from GOMAXPROCS=2", args)
	}
	var doc struct {
		Scenario     string `json:"scenario"`
		Seed         uint64 `json:"seed"`
		Replications int    `json:"replications"`
		Checkout     struct {
			Attempts       int64    `json:"attempts"`
			Succeeded      int64    `json:"succeeded"`
			ErrorRate      *float64 `json:"error_rate"`
			ThroughputPerS float64  `json:"throughput_per_s"`
			Latency        struct {
				P50   float64     `json:"p50"`
				P99   float64     `json:"p99"`
				P99CI *[2]float64 `json:"p99_ci95"`
				P999  float64     `json:"p999"`
			} `json:"latency_s"`
		} `json:"checkout"`
		Signals struct {
			CacheHitRatio *float64 `json:"cache_hit_ratio"`
		} `json:"signals"`
		Cost struct {
			USD float64 `json:"usd"`
		} `json:"cost"`
		Cohorts []struct {
			Cohort string `json:"cohort"`
		} `json:"cohorts"`
	}
	if err := json.Unmarshal(outputs["1"], &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.Checkout
	l := c.Latency
	switch {
	case doc.Scenario != "baseline" || doc.Seed != 1 || doc.Replications != 2:
		t.Errorf("header %q seed %d replications %d", doc.Scenario, doc.Seed, doc.Replications)
	case c.Attempts <= 0 || c.Succeeded > c.Attempts || c.ErrorRate == nil || c.ThroughputPerS <= 0:
		t.Errorf("checkout %+v", c)
	case !(0 < l.P50 && l.P50 <= l.P99 && l.P99 <= l.P999) || l.P99CI == nil || !(l.P99CI[0] <= l.P99 && l.P99 <= l.P99CI[1]):
		t.Errorf("latency %+v: want 0 < p50 <= p99 <= p999 and p99 inside its interval", l)
	case doc.Signals.CacheHitRatio == nil || doc.Cost.USD <= 0 || len(doc.Cohorts) == 0:
		t.Errorf("signals %+v cost %+v cohorts %d", doc.Signals, doc.Cost, len(doc.Cohorts))
	}
}

// Ctrl-C through the binary: SIGINT during a run stops it after the
// replication in flight, exits 130 and leaves no output file.
func TestEndToEndInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT on windows")
	}
	bin := buildBinary(t)
	out := filepath.Join(t.TempDir(), "r.json")
	// 20 replications of the full baseline would take half a minute.
	cmd := exec.Command(bin, "run", "baseline", "--replications", "20", "--workers", "1", "-o", "json", "--out", out)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once the run is under way: its first progress line (piped
	// stderr gets one after a second) comes after the handler is
	// installed, however slow the machine is to start the binary.
	lines := make(chan string, 64) // buffered: the reader never blocks if the test stops early
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var stderr strings.Builder
	select {
	case l := <-lines:
		stderr.WriteString(l + "\n")
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("no progress line on stderr after 2 minutes")
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		stderr.WriteString(l + "\n")
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("after SIGINT: %v, stderr %q; want exit %d and 'interrupted'", err, stderr.String(), exitInterrupted)
	}
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 0 {
		t.Errorf("%d files left in the output directory after an interrupt, want none", len(entries))
	}
}

// Piped stderr (a notebook, CI) gets a plain progress line within the
// first seconds of a longer job, with the share done by simulated time
// and the time left, then a closing line; --quiet silences them.
func TestEndToEndProgressPiped(t *testing.T) {
	bin := buildBinary(t)
	args := []string{"run", "baseline", "--duration", "6m", "--replications", "2", "--workers", "1", "-o", "json"}
	for _, quiet := range []bool{false, true} {
		a := args
		if quiet {
			a = append(a, "--quiet")
		}
		cmd := exec.Command(bin, a...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v\n%s", a, err, stderr.String())
		}
		took := time.Since(start)
		got := stderr.String()
		switch {
		case quiet && got != "":
			t.Errorf("--quiet: stderr %q, want nothing", got)
		case !quiet && took < progress.Delay && got != "":
			t.Errorf("a %v run (under %v): stderr %q, want nothing", took, progress.Delay, got)
		// Past Delay by half a second, a progress line has certainly come
		// (the watch reports every 2^15 events, well under that).
		case !quiet && took > progress.Delay+500*time.Millisecond && !regexp.MustCompile(`(?m)^run baseline: \d+%, \d+ s elapsed, about \d+ s left\n(.*\n)*run baseline: done in \d+ s\n$`).MatchString(got):
			t.Errorf("a %v run: stderr %q, want progress lines and the closing line", took, got)
		}
	}
}

package main

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"strings"
	"testing"
	"time"
)

// Flag parsing, apart from behaviour: the run function is replaced.
func TestCapacityFlags(t *testing.T) {
	var got *capacityOptions
	cmd := newCapacityCmdWith(func(_ context.Context, o *capacityOptions, _, _ io.Writer) error { got = o; return nil })
	cmd.SetArgs([]string{"baseline", "--slo-p99", "1.5s", "--max-error-rate", "0.01", "--tolerance", "0.05", "--strict",
		"--replications", "3", "-o", "json", "--set", "traffic.multiplier=2"})
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil || got == nil {
		t.Fatalf("err %v", err)
	}
	if got.scenario != "baseline" || got.sloP99 != 1500*time.Millisecond || got.maxErrorRate != 0.01 || got.tolerance != 0.05 ||
		!got.strict || got.replications != 3 || !got.replicationsSet || got.output != "json" || len(got.sets) != 1 {
		t.Errorf("options %+v", got)
	}
}

// End to end in-process on the M/M/1 test scenario: the JSON contract
// fields, and the answer against the closed form
// m* = (mu - ln(100)/D)/lambda with lambda = 10/s, mu = 20/s (a loose
// check here; experiments.TestCapacityMM1Analytic is the tight one).
func TestCapacityJSON(t *testing.T) {
	const d = 1.0
	mStar := (20 - math.Log(100)/d) / 10
	code, out, stderr := runCLI(t, "capacity", "../../experiments/capacity/testdata/mm1.yaml", "--slo-p99", "1s",
		"--max-error-rate", "0.01", "--duration", "5m", "--replications", "4", "--tolerance", "0.05", "-o", "json")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got struct {
		SustainableMultiplier    *float64 `json:"sustainable_multiplier"`
		SustainableCheckoutsPerS *float64 `json:"sustainable_checkouts_per_s"`
		Curve                    []struct {
			Multiplier  float64  `json:"multiplier"`
			OfferedPerS float64  `json:"offered_checkouts_per_s"`
			P99S        *float64 `json:"p99_s"`
			ErrorRate   *float64 `json:"error_rate"`
			Throughput  *float64 `json:"throughput_per_s"`
			Pass        *bool    `json:"pass"`
		} `json:"curve"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.SustainableMultiplier == nil || got.SustainableCheckoutsPerS == nil || len(got.Curve) < 3 {
		t.Fatalf("missing fields:\n%s", out)
	}
	if m := *got.SustainableMultiplier; math.Abs(m-mStar)/mStar > 0.15 {
		t.Errorf("sustainable multiplier %g, analytic %g", m, mStar)
	}
	for _, p := range got.Curve {
		if p.P99S == nil || p.ErrorRate == nil || p.Throughput == nil || p.Pass == nil || p.OfferedPerS != 10*p.Multiplier {
			t.Errorf("curve point %+v incomplete", p)
		}
	}
	// The table says the same in words.
	_, table, _ := runCLI(t, "capacity", "../../experiments/capacity/testdata/mm1.yaml", "--slo-p99", "1s",
		"--max-error-rate", "0.01", "--duration", "5m", "--replications", "4", "--tolerance", "0.05")
	if !strings.Contains(table, "Sustainable multiplier") || !strings.Contains(table, "pass") || !strings.Contains(table, "fail") {
		t.Errorf("table:\n%s", table)
	}
}

// No limit found: exit 1 with the curve explored on stdout.
func TestCapacityNoLimitExitsOne(t *testing.T) {
	code, out, stderr := runCLI(t, "capacity", "one-station", "--slo-p99", "1ms", "--max-error-rate", "0.01",
		"--duration", "10s", "--set", "warmup=2s", "--set", "drain=2s", "--replications", "2", "-o", "csv")
	if code != exitFailed || !strings.Contains(stderr, "no capacity limit found") || !strings.HasPrefix(out, "multiplier,") {
		t.Errorf("exit %d, stderr %q, stdout %q", code, stderr, out)
	}
}

// --max-error-rate takes a fraction or a percentage (one parser,
// scenario.ParseFraction); a bad value exits 2 with a message naming the
// flag, before any simulation.
func TestCapacityMaxErrorRatePercent(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
	}{{"1%", 0.01}, {"0.01", 0.01}, {"0.5 %", 0.005}, {"0", 0}} {
		var got *capacityOptions
		cmd := newCapacityCmdWith(func(_ context.Context, o *capacityOptions, _, _ io.Writer) error { got = o; return nil })
		cmd.SetArgs([]string{"baseline", "--slo-p99", "1.5s", "--max-error-rate", c.in})
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		if err := cmd.Execute(); err != nil || got == nil || float64(got.maxErrorRate) != c.want {
			t.Errorf("--max-error-rate %q: err %v, options %+v, want %v", c.in, err, got, c.want)
		}
	}
	for _, bad := range []string{"1,5%", "150%", "5", "abc", "-1%"} {
		code, out, stderr := runCLI(t, "capacity", "baseline", "--slo-p99", "1.5s", "--max-error-rate", bad)
		if code != exitBadInput || out != "" || !strings.Contains(stderr, `"--max-error-rate"`) || strings.Contains(stderr, "strconv") {
			t.Errorf("--max-error-rate %q: exit %d, stdout %q, stderr %q", bad, code, out, stderr)
		}
	}
}

// Warnings reach stderr and the JSON: one replication gives no interval
// for the knee, and says so.
func TestCapacityWarnsOnStderr(t *testing.T) {
	code, out, stderr := runCLI(t, "capacity", "../../experiments/capacity/testdata/mm1.yaml", "--slo-p99", "1s",
		"--max-error-rate", "1%", "--duration", "3m", "--replications", "1", "--tolerance", "0.1", "-o", "json")
	var got struct {
		KneeCI   *[2]float64 `json:"sustainable_multiplier_ci95"`
		Warnings []string    `json:"warnings"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	const want = "1 replication: no interval for the knee or any value; use --replications >= 3"
	if got.KneeCI != nil || len(got.Warnings) == 0 || got.Warnings[0] != want || !strings.Contains(stderr, "capacity: warning: "+want+"\n") {
		t.Errorf("knee interval %v, warnings %q, stderr %q; want none, and %q in both", got.KneeCI, got.Warnings, stderr, want)
	}
}

package main

import (
	"encoding/json"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim/queueing"
)

// Flag parsing, apart from behaviour: the run function is replaced.
func TestVerifyFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want verifyOptions
		err  string
	}{
		{nil, verifyOptions{seed: 1, replications: queueing.DefaultReplications, output: "table"}, ""},
		{[]string{"--seed", "7", "--replications", "5", "-o", "json"}, verifyOptions{seed: 7, replications: 5, output: "json"}, ""},
		{[]string{"--output=table"}, verifyOptions{seed: 1, replications: queueing.DefaultReplications, output: "table"}, ""},
		{[]string{"-o", "xml"}, verifyOptions{}, `--output "xml": want table or json`},
		{[]string{"--replications", "1"}, verifyOptions{}, "--replications 1"},
	} {
		var got *verifyOptions
		cmd := newVerifyCmdWith(func(o *verifyOptions, _ io.Writer) error { got = o; return nil })
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
		if err != nil || got == nil || *got != tc.want {
			t.Errorf("%v: options %+v err %v, want %+v", tc.args, got, err, tc.want)
		}
	}
}

func TestVerifyBadInputExitsTwo(t *testing.T) {
	for _, args := range [][]string{
		{"verify", "-o", "xml"},
		{"verify", "--replications", "0"},
		{"verify", "--seed", "-3"},
		{"verify", "extra"},
	} {
		code, out, stderr := runCLI(t, args...)
		if code != exitBadInput || out != "" || !strings.HasPrefix(stderr, "checkoutsim: ") {
			t.Errorf("%v: exit %d stdout %q stderr %q, want exit 2 and a message", args, code, out, stderr)
		}
	}
	_, _, stderr := runCLI(t, "verify", "-o", "xml")
	if !strings.Contains(stderr, "want table or json") {
		t.Errorf("stderr %q does not say what is allowed", stderr)
	}
}

type verifyJSON struct {
	Cases []struct {
		Model     string             `json:"model"`
		Params    map[string]float64 `json:"params"`
		Metric    string             `json:"metric"`
		Analytic  float64            `json:"analytic"`
		Simulated float64            `json:"simulated"`
		CI95      [2]float64         `json:"ci95"`
		Pass      bool               `json:"pass"`
	} `json:"cases"`
}

// The real thing, as CI runs it: every case of the grid, all passing.
func TestVerifyJSONAllPass(t *testing.T) {
	code, out, stderr := runCLI(t, "verify", "-o", "json")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, stderr, out)
	}
	var got verifyJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("output is not the documented JSON: %v\n%s", err, out)
	}
	cases := queueing.Cases()
	if len(got.Cases) != len(cases) {
		t.Fatalf("%d cases, want %d", len(got.Cases), len(cases))
	}
	for i, c := range got.Cases {
		if c.Model != cases[i].Model || c.Metric != cases[i].Metric || c.Params["lambda"] != cases[i].Lambda || c.Params["mu"] != cases[i].Mu {
			t.Errorf("case %d: %+v, want %s", i, c, cases[i])
		}
		if !c.Pass {
			t.Errorf("case %d failed (seed 1): %+v", i, c)
		}
	}
	if !strings.HasPrefix(out, "{\n  \"cases\": [\n    {\n      \"model\": ") {
		t.Errorf("unexpected JSON layout: %.80q", out)
	}
}

// Byte-identical output across runs and GOMAXPROCS. Two replications keep
// this cheap; exit status and output must match whatever the verdicts.
func TestVerifyDeterministic(t *testing.T) {
	prev := runtime.GOMAXPROCS(1)
	c1, out1, _ := runCLI(t, "verify", "--seed", "5", "--replications", "2", "-o", "json")
	runtime.GOMAXPROCS(3)
	c2, out2, _ := runCLI(t, "verify", "--seed", "5", "--replications", "2", "-o", "json")
	runtime.GOMAXPROCS(prev)
	if c1 != c2 || out1 != out2 || out1 == "" {
		t.Fatalf("runs differ: exit %d vs %d, outputs equal: %v", c1, c2, out1 == out2)
	}
	_, table, _ := runCLI(t, "verify", "--seed", "5", "--replications", "2")
	for _, want := range []string{"MODEL", "M/M/c+M", "littles_law_rel_err", "(seed 5, 2 replications"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q", want)
		}
	}
}

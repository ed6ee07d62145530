package main

import (
	"context"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCompareFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want compareOptions
		err  string
	}{
		{[]string{"a.yaml", "b.yaml"}, compareOptions{simOptions: simOptions{output: "table"}, a: "a.yaml", b: "b.yaml"}, ""},
		{[]string{"a", "b", "--seed", "3", "-o", "csv", "--set", "x=1"},
			compareOptions{simOptions: simOptions{seed: 3, seedSet: true, output: "csv", sets: []string{"x=1"}}, a: "a", b: "b"}, ""},
		{[]string{"a"}, compareOptions{}, "want two scenarios A and B"},
		{[]string{"a", "b", "c"}, compareOptions{}, "got 3 arguments"},
		{[]string{"a", "b", "-o", "yaml"}, compareOptions{}, `unknown output format "yaml"`},
		{[]string{"a", "b", "--replications", "-2"}, compareOptions{}, "--replications -2"},
		{[]string{"a", "b", "--slo-p99", "1.5s"}, compareOptions{simOptions: simOptions{output: "table", sloP99: 1500 * time.Millisecond}, a: "a", b: "b"}, ""},
		{[]string{"a", "b", "--slo-p99", "-1s"}, compareOptions{}, "--slo-p99 -1s: want > 0"},
	} {
		var got *compareOptions
		cmd := newCompareCmdWith(func(_ context.Context, o *compareOptions, _, _ io.Writer) error { got = o; return nil })
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

func TestCompareBadInputExitsTwo(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"compare", "baseline"}, []string{"want two scenarios"}},
		{[]string{"compare", "baseline", "nope"}, []string{"nope"}},
		{[]string{"compare", "nope-a", "nope-b"}, []string{"nope-a", "nope-b"}}, // both reported
		{[]string{"compare", "baseline", "baseline", "-o", "xml"}, []string{"want table, json or csv"}},
	} {
		code, out, stderr := runCLI(t, tc.args...)
		ok := code == exitBadInput && out == "" && strings.HasPrefix(stderr, "checkoutsim: ")
		for _, w := range tc.want {
			ok = ok && strings.Contains(stderr, w)
		}
		if !ok {
			t.Errorf("%v: exit %d stdout %q stderr %q, want exit 2 and %q", tc.args, code, out, stderr, tc.want)
		}
	}
}

// A scenario against itself (common random numbers make every pair
// equal): the JSON holds both summaries and a change per headline metric,
// each a ratio of exactly 1.
func TestCompareJSON(t *testing.T) {
	args := append([]string{"compare", "baseline", "baseline", "-o", "json", "--set", "traffic.multiplier=1"}, shortRun...)
	code, out, stderr := runCLI(t, args...)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
	var doc struct {
		A      struct{ Scenario string } `json:"a"`
		B      struct{ Scenario string } `json:"b"`
		Change map[string]struct {
			A, B  float64
			Ratio *float64
			Diff  float64
		} `json:"change"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.A.Scenario != "baseline" || doc.B.Scenario != "baseline" || len(doc.Change) != 11 {
		t.Fatalf("a %q b %q, %d changes, want baseline twice and 11", doc.A.Scenario, doc.B.Scenario, len(doc.Change))
	}
	p99 := doc.Change["latency_p99_s"]
	if p99.Ratio == nil || *p99.Ratio != 1 || p99.Diff != 0 || p99.A <= 0 {
		t.Errorf("same scenario twice: p99 change %+v, want ratio 1 and diff 0", p99)
	}
}

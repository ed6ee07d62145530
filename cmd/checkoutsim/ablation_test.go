package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestAblationFlags(t *testing.T) {
	parse := func(args ...string) (*ablationOptions, error) {
		var got *ablationOptions
		cmd := newAblationCmdWith(func(_ context.Context, o *ablationOptions, _, _ io.Writer) error { got = o; return nil })
		cmd.SetArgs(args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		return got, cmd.Execute()
	}
	o, err := parse("a", "b")
	if err != nil || len(o.groups) != 3 || o.groups[1].Name != "B" {
		t.Fatalf("default groups: %v %+v", err, o)
	}
	o, err = parse("a", "b", "--group", "retries=payments.client,flow.gateway_policy", "--group", "locks=inventory")
	if err != nil || len(o.groups) != 2 || len(o.groups[0].Paths) != 2 || o.groups[1].Paths[0] != "inventory" {
		t.Fatalf("custom groups: %v %+v", err, o.groups)
	}
	o, err = parse("a", "b", "--slo-p99", "3s", "--max-error-rate", "1%")
	if err != nil || o.sloP99.Seconds() != 3 || o.maxErrorRate != 0.01 {
		t.Fatalf("capacity SLO flags: %v %+v", err, o)
	}
	for _, bad := range [][]string{{"a"}, {"a", "b", "--group", "nopaths="}, {"a", "b", "--group", "=x"}, {"a", "b", "-o", "csv"},
		{"a", "b", "--slo-p99", "3s"}, {"a", "b", "--max-error-rate", "0.01"}, {"a", "b", "--slo-p99", "3s", "--max-error-rate", "2"}} {
		if _, err := parse(bad...); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	code, _, stderr := runCLI(t, "ablation", "baseline", "no-such-scenario")
	if code != exitBadInput || !strings.Contains(stderr, "no-such-scenario") {
		t.Errorf("unknown AFTER: exit %d, %q", code, stderr)
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestBadUsageExitsTwo(t *testing.T) {
	cases := [][]string{
		{"no-such-command"},
		{"version", "--no-such-flag"},
		{"version", "extra-arg"},
	}
	for _, args := range cases {
		code, _, stderr := runCLI(t, args...)
		if code != exitBadInput {
			t.Errorf("%v: exit %d, want %d", args, code, exitBadInput)
		}
		if !strings.HasPrefix(stderr, "checkoutsim: ") || strings.Contains(stderr, "panic") {
			t.Errorf("%v: stderr %q", args, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "checkoutsim ") {
		t.Fatalf("version: exit %d, out %q", code, out)
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"
)

// These need no server: refusals and bad flags are caught before any
// connection, and an unreachable server is exit status 3.
func TestTestbedExitStatus(t *testing.T) {
	after := "../../testbed/scenarios/testbed-after.yaml"
	cases := []struct {
		name string
		args []string
		code int
		want []string // in stderr
		not  []string
	}{
		{"refused fields", []string{"testbed", "run", "flash-sale-before"}, exitBadInput,
			[]string{"services[1].autoscale", "services[2].autoscale", "database.pool_size", "--approximate"}, nil},
		{"postgres unreachable", []string{"testbed", "run", after, "--dsn", "postgres://alice:s3cret@127.0.0.1:1/x"}, exitUnreachable,
			[]string{"PostgreSQL at 127.0.0.1:1", "pg_ctlcluster"}, []string{"s3cret"}},
		{"bad multiplier", []string{"testbed", "run", after, "--multiplier", "-1"}, exitBadInput, []string{"--multiplier"}, nil},
		{"bad scenario", []string{"testbed", "run", "no-such-scenario"}, exitBadInput, []string{"no-such-scenario"}, nil},
		{"bad load", []string{"testbed", "check", after, "--loads", "0"}, exitBadInput, []string{"--loads"}, nil},
		{"csv check", []string{"testbed", "check", after, "-o", "csv"}, exitBadInput, []string{"csv"}, nil},
		{"bad slo", []string{"testbed", "check", after, "--slo-p99", "soon"}, exitBadInput, []string{"--slo-p99"}, nil},
		{"bad replications", []string{"testbed", "check", after, "--replications", "0"}, exitBadInput, []string{"--replications 0: want 1 to 100"}, nil},
		{"check unreachable", []string{"testbed", "check", after, "--replications", "2", "--dsn", "host=127.0.0.1 port=1 password=hunter2"}, exitUnreachable,
			[]string{"127.0.0.1:1"}, []string{"hunter2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(c.args, &stdout, &stderr)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, stderr.String())
			}
			for _, w := range c.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			for _, n := range c.not {
				if strings.Contains(stderr.String()+stdout.String(), n) {
					t.Errorf("output leaks %q", n)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty: %q", stdout.String())
			}
		})
	}
}

package tune

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/space"
)

func TestParseConstraint(t *testing.T) {
	tests := []struct {
		in     string
		metric string
		op     Op
		bound  float64
	}{
		{"error_rate<=0.01", "error_rate", AtMost, 0.01},
		{"error_rate <= 1%", "error_rate", AtMost, 0.01},
		{"p99<=1.5s", "p99", AtMost, 1.5},
		{"checkout.latency_s.p99<=800ms", "checkout.latency_s.p99", AtMost, 0.8},
		{"throughput>=190", "throughput", AtLeast, 190},
	}
	for _, tt := range tests {
		c, err := ParseConstraint("--constraint", tt.in)
		if err != nil || c.Metric != tt.metric || c.Op != tt.op || c.Bound != tt.bound {
			t.Errorf("%s: got %+v, %v", tt.in, c, err)
		}
	}
	for _, bad := range []string{"error_rate", "<=1", "p99<=", "p99<=fast", "p99<=NaN", "p99<=1%%"} {
		if _, err := ParseConstraint("--constraint", bad); err == nil || !strings.HasPrefix(err.Error(), "--constraint ") {
			t.Errorf("%q: got %v, want an error naming --constraint", bad, err)
		}
	}
}

func TestConstraintViolation(t *testing.T) {
	c := Constraint{Metric: "error_rate", Op: AtMost, Bound: 0.01}
	if !c.Holds(0.01) || c.Holds(0.011) || c.Violation(0.005) != 0 || c.Violation(0.015) < 0.49 || c.Violation(0.015) > 0.51 {
		t.Errorf("<=: holds/violation wrong")
	}
	g := Constraint{Metric: "throughput", Op: AtLeast, Bound: 100}
	if !g.Holds(100) || g.Holds(99) || g.Violation(90) != 0.1 {
		t.Errorf(">=: holds/violation wrong: %g", g.Violation(90))
	}
}

func TestParseCondition(t *testing.T) {
	c, err := ParseCondition("--condition", "spike:traffic.multiplier=2,payments.providers[0].latency=lognormal(median=1s, p99=3s)")
	if err != nil || c.Name != "spike" || len(c.Sets) != 2 || c.Sets[1] != "payments.providers[0].latency=lognormal(median=1s, p99=3s)" {
		t.Fatalf("got %+v, %v", c, err)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "purge.yaml")
	if err := os.WriteFile(f, []byte("name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err = ParseCondition("--condition", f)
	if err != nil || c.Name != "purge" || c.Scenario != f {
		t.Fatalf("file: got %+v, %v", c, err)
	}
	for _, bad := range []string{"", "spike:", "nofile.yaml", "spike:=2"} {
		if _, err := ParseCondition("--condition", bad); err == nil || !strings.HasPrefix(err.Error(), "--condition") {
			t.Errorf("%q: got %v", bad, err)
		}
	}
}

func TestParseBudget(t *testing.T) {
	for in, want := range map[string]Budget{"300": {Runs: 300}, "300 runs": {Runs: 300}, "1 run": {Runs: 1}, "40h": {SimTime: 40 * 3600e9}} {
		if b, err := ParseBudget("--budget", in); err != nil || b != want {
			t.Errorf("%q: got %+v, %v", in, b, err)
		}
	}
	for _, bad := range []string{"0", "-3", "lots", "-1h"} {
		if _, err := ParseBudget("--budget", bad); err == nil || !strings.HasPrefix(err.Error(), "--budget") {
			t.Errorf("%q: got %v", bad, err)
		}
	}
}

const goodSpec = `scenario: payment-slowdown-after
set: [duration=40s]
knobs:
  payments.client.timeout: log:300ms..3s
  payments.client.retry.max_attempts: 1..4
  payments.client.retry.backoff.kind: [constant, exponential]
minimize: p99
constraints:
  - error_rate <= 2%
conditions:
  spike: {traffic.multiplier: 1.5}
  slow: ["payments.providers[0].episodes[0].latency_factor=4"]
budget: 400 runs
seed: 7
candidates: 16
schedule: [{fraction: 0.5, replications: 1}]
final_replications: 3
`

func TestParseSpec(t *testing.T) {
	s, err := ParseSpec("tune.yaml", []byte(goodSpec))
	if err != nil {
		t.Fatal(err)
	}
	if s.Scenario != "payment-slowdown-after" || len(s.Knobs) != 3 || s.Objective.Metric != "p99" || s.Objective.Maximize ||
		len(s.Constraints) != 1 || len(s.Conditions) != 2 || s.Conditions[0].Sets[0] != "traffic.multiplier=1.5" ||
		s.Budget.Runs != 400 || s.Seed != 7 || s.Candidates != 16 || len(s.Schedule) != 1 || s.FinalReplications != 3 {
		t.Fatalf("parsed %+v", s)
	}
	if s.Knobs[0].Source != "tune.yaml:4" || s.Constraints[0].Source != "tune.yaml:9" {
		t.Errorf("sources %q %q, want file:line", s.Knobs[0].Source, s.Constraints[0].Source)
	}
}

func TestParseSpecErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"knobs:\n  a.b: 4..1\n", "tune.yaml:2 a.b=4..1: lo is greater than hi"},
		{"minimize: p99\nmaximize: throughput\n", "tune.yaml:2: give minimize or maximize, not both"},
		{"constraints: [p99 < 1]\n", `tune.yaml:1 "p99 < 1": expected METRIC<=X`},
		{"colour: blue\n", `tune.yaml:1: unknown key "colour"`},
		{"candidates: 2\n", "tune.yaml:1: candidates: want a whole number in [4, 4096]"},
		{"schedule: [{fraction: 2, replications: 1}]\n", "tune.yaml:1: schedule: rung 1: fraction must be in (0, 1]"},
		{"conditions:\n  spike: missing.yaml\n", "tune.yaml:2: conditions: spike: scenario file"},
		{"budget: lots\n", `tune.yaml:1 "lots": want a number of runs`},
		{"- a\n", "tune.yaml:1: a spec is a mapping"},
		{"knobs: [\n", "tune.yaml: "},
	}
	for _, tt := range tests {
		_, err := ParseSpec("tune.yaml", []byte(tt.spec))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want %q", tt.spec, err, tt.want)
		}
	}
}

// Bad input is found before anything runs, one line per problem, each
// naming its flag or file:line.
func TestNewRejectsBadInput(t *testing.T) {
	knob := func(s string) Spec {
		d, err := ParseKnobFlag(s)
		if err != nil {
			t.Fatal(err)
		}
		return Spec{Scenario: "payment-slowdown-after", Knobs: []space.Dimension{d}, Objective: Objective{Metric: "p99", Source: "--minimize"}}
	}
	tests := []struct {
		name string
		spec Spec
		want []string
	}{
		{"unknown knob path", knob("payments.client.timeot=1s..2s"), []string{`--knob payments.client.timeot=1s..2s: value 1s is not accepted: --set: payments.client.timeot: unknown field; did you mean "timeout"?`}},
		{"range outside limits", knob("payments.client.breaker.failure_rate_threshold=0.2..1.5"), []string{"--knob payments.client.breaker.failure_rate_threshold=0.2..1.5: value 1.5 is not accepted"}},
		{"empty space", Spec{Scenario: "payment-slowdown-after", Objective: Objective{Metric: "p99"}}, []string{"--knob: the space is empty"}},
		{"unknown objective", func() Spec { s := knob("payments.client.timeout=1s..2s"); s.Objective.Metric = "p999x"; return s }(), []string{`--minimize: unknown metric "p999x"`}},
		{"unknown constraint", func() Spec {
			s := knob("payments.client.timeout=1s..2s")
			s.Constraints = []Constraint{{Metric: "bogus", Op: AtMost, Bound: 1, Source: "--constraint"}}
			return s
		}(), []string{`--constraint "bogus<=1": unknown metric "bogus"`}},
		{"objective bounded the other way", func() Spec {
			s := knob("payments.client.timeout=1s..2s")
			s.Constraints = []Constraint{{Metric: "checkout.latency_s.p99", Op: AtLeast, Bound: 1, Source: "tune.yaml:9"}}
			return s
		}(), []string{`tune.yaml:9 "checkout.latency_s.p99>=1": the objective minimizes p99`}},
		{"bad condition", func() Spec {
			s := knob("payments.client.timeout=1s..2s")
			s.Conditions = []Condition{{Name: "spike", Sets: []string{"traffic.multiplierr=2"}, Source: "--condition"}}
			return s
		}(), []string{"--condition: condition spike: --set: traffic.multiplierr: unknown field"}},
		{"two problems", func() Spec {
			s := knob("payments.client.timeot=1s..2s")
			s.Objective.Metric = "nope"
			return s
		}(), []string{`--minimize: unknown metric "nope"`, "--knob payments.client.timeot=1s..2s"}},
	}
	for _, tt := range tests {
		_, err := New(tt.spec)
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != len(tt.want) {
			t.Errorf("%s: %d lines, want %d:\n%v", tt.name, len(lines), len(tt.want), err)
			continue
		}
		for i, w := range tt.want {
			if !strings.HasPrefix(lines[i], w) {
				t.Errorf("%s: line %d = %q, want prefix %q", tt.name, i+1, lines[i], w)
			}
		}
	}
}

func FuzzParseSpec(f *testing.F) {
	f.Add([]byte(goodSpec))
	f.Add([]byte("knobs: {a: 1..2}\nconstraints: [x>=1]\n"))
	f.Add([]byte("conditions: {a: [b=1]}\nschedule: [{fraction: 0.5}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec("f.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if s == nil {
			t.Fatal("nil spec without an error")
		}
	})
}

func FuzzParseConstraint(f *testing.F) {
	for _, s := range []string{"error_rate<=0.01", "p99<=1.5s", "t>=1%", "<=", ">=>="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseConstraint("--constraint", s)
		if err != nil {
			return
		}
		if c.Metric == "" || (c.Op != AtMost && c.Op != AtLeast) {
			t.Fatalf("%q parsed to %+v", s, c)
		}
	})
}

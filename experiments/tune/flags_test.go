package tune

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The flags build the question: they add to --spec's knobs and
// constraints, replace its objective, and --set/--duration come after its
// sets; every bad flag is reported, not just the first.
func TestFlagsSpec(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "spec.yaml")
	yaml := "scenario: baseline\nset: [\"traffic.multiplier=2\"]\nknobs:\n  payments.client.timeout: 100ms..2s\nminimize: p99\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	seed := uint64(9)
	spec, errs := Flags{SpecFile: file, Sets: []string{"warmup=10s"}, Duration: "5m", Knobs: []string{"payments.retry.max_attempts=1..4"},
		Maximize: "throughput_per_s", Constraints: []string{"error_rate<=1%"}, Seed: &seed}.Spec()
	if len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	if want := []string{"traffic.multiplier=2", "warmup=10s", "duration=5m"}; !slices.Equal(spec.Sets, want) {
		t.Errorf("sets %q, want %q", spec.Sets, want)
	}
	if len(spec.Knobs) != 2 || !spec.Objective.Maximize || spec.Objective.Metric != "throughput_per_s" || len(spec.Constraints) != 1 || spec.Seed != 9 {
		t.Errorf("spec %+v: want 2 knobs, maximize throughput_per_s, 1 constraint, seed 9", spec)
	}

	_, errs = Flags{Knobs: []string{"x"}, Minimize: "p99", Maximize: "p50", Budget: "lots"}.Spec()
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{"no scenario", "--knob", "give one objective", "--budget"} {
		if !strings.Contains(all, want) {
			t.Errorf("errors\n%s\nlack %q", all, want)
		}
	}
}

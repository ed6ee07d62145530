package experiments

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim/queueing"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// The three scenarios this package ships; others may add more files.
var wantBuiltins = []string{"baseline", "one-station", "retry-storm"}

func TestBuiltinScenariosListed(t *testing.T) {
	list := BuiltinScenarios()
	var names []string
	for _, b := range list {
		names = append(names, b.Name)
		if b.Description == "" || strings.Contains(b.Description, "\n") {
			t.Errorf("%s: description %q, want one line", b.Name, b.Description)
		}
	}
	if !sort.StringsAreSorted(names) {
		t.Errorf("not sorted by name: %v", names)
	}
	for _, w := range wantBuiltins {
		if !contains(names, w) {
			t.Errorf("built-in %q missing from %v", w, names)
		}
	}
	// Every YAML file in the folder is listed (nothing else to register).
	files, _ := filepath.Glob(filepath.Join("scenarios", "*.yaml"))
	if len(files) != len(names) {
		t.Errorf("%d files in scenarios/, %d built-ins listed", len(files), len(names))
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// show prints the file exactly as written, comments included.
func TestBuiltinYAMLIsTheFile(t *testing.T) {
	for _, b := range BuiltinScenarios() {
		got, err := BuiltinYAML(b.Name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("scenarios", b.Name+".yaml"))
		if err != nil || string(got) != string(want) {
			t.Errorf("%s: embedded bytes differ from the file (%v)", b.Name, err)
		}
	}
	for _, bad := range []string{"", "nope", "../load", "baseline.yaml", "scenarios/baseline"} {
		if _, err := BuiltinYAML(bad); err == nil || !strings.Contains(err.Error(), "built-ins: baseline,") {
			t.Errorf("BuiltinYAML(%q): %v, want an error listing the built-ins", bad, err)
		}
	}
}

// healthy built-ins have no failed, abandoned or unfinished checkouts.
var healthy = map[string]bool{"baseline": true, "one-station": true}

// Every built-in loads, validates, is named after its file, and runs: each
// is simulated briefly (30 s) through the model.
func TestBuiltinScenariosLoadAndRun(t *testing.T) {
	for _, b := range BuiltinScenarios() {
		t.Run(b.Name, func(t *testing.T) {
			s, err := LoadScenario(b.Name, nil)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if s.Name != b.Name || s.Description != b.Description {
				t.Errorf("name %q description %q, want %q and the listed one", s.Name, s.Description, b.Name)
			}
			short, err := LoadScenario(b.Name, []string{"duration=30s", "warmup=5s", "drain=10s"})
			if err != nil {
				t.Fatalf("load with --set: %v", err)
			}
			res, err := checkout.Run(&short.Config, short.Seed, 0)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			c := res.Checkout
			if c.Attempts == 0 {
				t.Errorf("30 s of %s: %+v, want checkouts", b.Name, c)
			}
			// The healthy ones complete every checkout.
			if healthy[b.Name] && (c.Succeeded != c.Attempts || c.Unfinished != 0) {
				t.Errorf("30 s of %s: %+v, want every checkout to succeed", b.Name, c)
			}
		})
	}
}

// baseline is the defaults written out: loading it gives DefaultScenario
// field for field, so the file documents the defaults truthfully.
func TestBaselineIsTheDefaults(t *testing.T) {
	s, err := LoadScenario("baseline", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultScenario()
	want.Name, want.Description = s.Name, s.Description
	if !reflect.DeepEqual(s, want) {
		v, w := reflect.ValueOf(s.Config), reflect.ValueOf(want.Config)
		for i := 0; i < v.NumField(); i++ {
			if !reflect.DeepEqual(v.Field(i).Interface(), w.Field(i).Interface()) {
				t.Errorf("baseline.yaml %s differs from checkout.Default():\n got %+v\nwant %+v",
					v.Type().Field(i).Name, v.Field(i).Interface(), w.Field(i).Interface())
			}
		}
		t.Errorf("baseline differs from the defaults (seed %d/%d, replications %d/%d)", s.Seed, want.Seed, s.Replications, want.Replications)
	}
}

// one-station is an M/M/c queue: its mean response time over replications
// must agree with Erlang C, W = C(c, a) / (c mu - lambda) + 1/mu
// (Kleinrock, Queueing Systems vol. 1, eq. 3.40).
func TestOneStationMatchesErlangC(t *testing.T) {
	s, err := LoadScenario("one-station", nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := s.Services[0]
	c := svc.Instances * svc.WorkersPerInstance
	lambda := s.Traffic.Profile[0].Rate * s.Traffic.Multiplier
	mu := 1 / svc.CPU.Mean()
	wq, err := queueing.MMcWait(lambda, mu, c)
	if err != nil {
		t.Fatal(err)
	}
	want := wq + 1/mu
	var w stats.Summary
	for rep := 0; rep < s.Replications; rep++ {
		res, err := checkout.Run(&s.Config, s.Seed, rep)
		if err != nil {
			t.Fatal(err)
		}
		if f := res.Checkout.Failed + res.Checkout.Abandoned; f != 0 {
			t.Fatalf("rep %d: %d checkouts failed or abandoned in a plain queue", rep, f)
		}
		w.Add(res.Latency.Mean())
	}
	lo, hi := w.CI(0.999)
	msg := fmt.Sprintf("seed %d, %d replications, M/M/%d lambda %g mu %g: mean response %.5fs, 99.9%% CI [%.5f, %.5f], Erlang C %.5fs",
		s.Seed, s.Replications, c, lambda, mu, w.Mean(), lo, hi, want)
	if want < lo || want > hi {
		t.Fatal(msg)
	}
	// The file's comment promises a 95% interval within about 1 ms.
	if lo95, hi95 := w.CI95(); hi95-lo95 > 0.002 {
		t.Errorf("95%% CI [%.5f, %.5f] wider than 2 ms; %s", lo95, hi95, msg)
	}
	t.Log(msg)
}

// retry-storm's claim: after the slowdown ends (6m) checkout stays down
// with the retries, and recovers without them. Measured over 7m-8m.
func TestRetryStormOutlastsTheSlowdown(t *testing.T) {
	window := []string{"warmup=7m", "duration=8m", "drain=0s"}
	noRetries := []string{"payments.client.retry.max_attempts=1",
		"flow.gateway_policy.retry.max_attempts=1", "flow.steps[4].policy.retry.max_attempts=1"}
	ratio := func(sets []string) float64 {
		t.Helper()
		s, err := LoadScenario("retry-storm", append(window, sets...))
		if err != nil {
			t.Fatal(err)
		}
		res, err := checkout.Run(&s.Config, s.Seed, 0)
		if err != nil {
			t.Fatal(err)
		}
		c := res.Checkout
		return float64(c.Succeeded) / float64(max(c.Attempts+c.Unfinished, 1))
	}
	storm, calm := ratio(nil), ratio(noRetries)
	t.Logf("success ratio over 7m-8m: %.3f with retries, %.3f without", storm, calm)
	if storm > 0.5 || calm < 0.9 {
		t.Errorf("seed 1, 7m-8m: success ratio %.3f with retries (want < 0.5), %.3f without (want > 0.9)", storm, calm)
	}
}

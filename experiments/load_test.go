package experiments

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// solo is a consistent one-service system for cases that replace the
// services list: a flow that names only "solo".
const solo = `services:
  - {name: solo, instances: 1, workers_per_instance: %WORKERS%}
flow:
  gateway: ""
  orchestrator: solo
  browse: {service: ""}
  steps:
    - {name: work, service: %SERVICE%}
`

func soloYAML(workers, service string) string {
	return strings.NewReplacer("%WORKERS%", workers, "%SERVICE%", service).Replace(solo)
}

// Every kind of bad input gives exactly one message naming the file, the
// line, the field path and the value.
func TestLoadScenarioBadInput(t *testing.T) {
	const trafficFields = "profile, multiplier, trace, browse_ratio, cohorts, cart_size, max_cart_lines, skus, sku_skew, patience, reclick"
	for _, tc := range []struct {
		name string
		yaml string
		sets []string
		want string
	}{
		{"unknown field", "traffic:\n  multipler: 2\n", nil,
			`t.yaml:2: traffic.multipler: unknown field; did you mean "multiplier"? (valid fields: ` + trafficFields + ")"},
		{"unknown top-level field", "sedd: 3\n", nil,
			`t.yaml:1: sedd: unknown field; did you mean "seed"? (valid fields: name, description, seed, replications, uncertain, duration, warmup, drain, sample_interval, traffic, services, database, inventory, cache, pricing, payments, flow, host)`},
		{"wrong type", "traffic:\n  skus: many\n", nil,
			`t.yaml:2: traffic.skus: expected a whole number, got string "many"`},
		{"wrong type for a mapping", "database: 200\n", nil,
			`t.yaml:1: database: expected a mapping of fields, got number 200`},
		{"duplicate key", "database:\n  pool_size: 50\n  pool_size: 60\n", nil,
			`t.yaml:3: database.pool_size: duplicate key (first set at line 2)`},
		{"negative rate", "traffic:\n  profile:\n    - {at: 0s, rate: 100/s}\n    - {at: 1m, rate: -50/s}\n", nil,
			`t.yaml:4: traffic.profile[1].rate: must be a finite rate >= 0, got -50`},
		{"empty profile", "traffic:\n  profile: []\n", nil,
			`t.yaml:2: traffic.profile: needs at least one point`},
		{"profile out of order", "traffic:\n  profile:\n    - {at: 2m, rate: 100/s}\n    - at: 1m\n      rate: 200/s\n", nil,
			`t.yaml:4: traffic.profile[1].at: 1m0s is before the previous point's 2m0s`},
		{"p99 below median", "database:\n  statement: lognormal(median=300ms, p99=100ms)\n", nil,
			`t.yaml:2: database.statement: dist: parse "lognormal(median=300ms, p99=100ms)": at offset 0: lognormal: p99 (0.1) must be greater than median (0.3)`},
		{"p99 below median, mapping form", "database:\n  statement: {kind: lognormal, median: 300ms, p99: 100ms}\n", nil,
			`t.yaml:2: database.statement: dist: parse "lognormal(median=300ms, p99=100ms)": at offset 0: lognormal: p99 (0.1) must be greater than median (0.3)`},
		{"zero workers", soloYAML("0", `""`), nil,
			`t.yaml:2: services[0].workers_per_instance: must be >= 1, got 0`},
		{"step naming a missing service", soloYAML("4", "nowhere"), nil,
			`t.yaml:8: flow.steps[0].service: no service named "nowhere" (services: solo)`},
		{"step naming a missing default service", "flow:\n  steps:\n    - {name: pay, kind: payment, service: payment}\n", nil,
			`t.yaml:3: flow.steps[0].service: no service named "payment" (services: gateway, checkout-api, pricing, inventory, payments, catalog, confirm-worker)`},
		{"zero max_attempts", "payments:\n  client:\n    retry: {max_attempts: 0}\n", nil,
			`t.yaml:3: payments.client.retry.max_attempts: must be in [1, 1000], got 0`},
		{"unknown outcome", "payments:\n  client:\n    retry:\n      retry_on: [timeout, flaky]\n", nil,
			`t.yaml:4: payments.client.retry.retry_on[1]: unknown outcome "flaky" (want one of success, failure, timeout, overloaded, rejected, ignored)`},
		{"warmup not below duration", "duration: 1m\nwarmup: 1m\n", nil,
			`t.yaml:2: warmup: must be >= 0 and less than duration (1m0s), got 1m0s`},
		{"host negative background", "host:\n  cores: 2\n  background_load: -1\n", nil,
			`t.yaml:3: host.background_load: must be a number of runnable threads in [0, 1e6], got -1`},
		{"host cpu without cores", "host:\n  statement_cpu: constant(0.1ms)\n", nil,
			`t.yaml:1: host.cores: must be >= 1 when statement_cpu, request_cpu or background_load is set (0: not modelled) (default)`},
		{"host negative cores", "host:\n  cores: -2\n", nil,
			`t.yaml:2: host.cores: must be >= 0 (0: not modelled), got -2`},
		{"zero replications", "replications: 0\n", nil,
			`t.yaml:1: replications: must be in [1, 10000], got 0`},
		{"bare number duration", "duration: 600\n", nil,
			`t.yaml:1: duration: a duration needs a unit, e.g. 600ms or 600s (a bare number is ambiguous)`},
		{"set without =", "seed: 1\n", []string{"duration"},
			`--set duration: expected path=value`},
		{"set with a bad value", "seed: 1\n", []string{"duration=abc"},
			`--set: duration: invalid duration "abc": want a number with a unit (ns, us, ms, s, m, h), e.g. 250ms or 1m30s`},
		{"set of an unknown field", "seed: 1\n", []string{"traffic.multipler=2"},
			`--set: traffic.multipler: unknown field; did you mean "multiplier"? (valid fields: ` + trafficFields + ")"},
		{"set of a negative rate", "traffic:\n  profile: [{at: 0s, rate: 10/s}]\n", []string{"traffic.profile[0].rate=-1/s"},
			`--set: traffic.profile[0].rate: must be a finite rate >= 0, got -1`},
		{"set of an index out of range", "traffic:\n  profile: [{at: 0s, rate: 10/s}]\n", []string{"traffic.profile[3].rate=1"},
			`--set traffic.profile[3].rate=1: index 3 is out of range: traffic.profile has 1 elements`},
		{"empty file", "", nil,
			"t.yaml:1: the file is empty; a scenario is a YAML mapping of fields (see `checkoutsim scenarios show`)"},
		{"not a mapping", "- a\n- b\n", nil,
			`t.yaml:1: a scenario must be a mapping of fields (key: value), got a list`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LoadScenarioBytes("t.yaml", []byte(tc.yaml), tc.sets)
			if err == nil {
				t.Fatalf("no error (scenario %q); want %s", s.Name, tc.want)
			}
			var l scenario.ErrorList
			if !errors.As(err, &l) {
				t.Fatalf("error %T %v, want a scenario.ErrorList", err, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tc.want)
			}
		})
	}
}

// All the errors of a file come at once, in line order, then the --set
// ones. This is also what `checkoutsim validate` prints for the file.
func TestLoadScenarioReportsAllErrorsInLineOrder(t *testing.T) {
	_, err := LoadScenario(filepath.Join("testdata", "scenarios", "bad.yaml"),
		[]string{"seed=-1", "flow.steps[0].policy.retry={max_attempts: 0}"})
	want := `testdata/scenarios/bad.yaml:6: traffic.profile[1].rate: must be a finite rate >= 0, got -50
testdata/scenarios/bad.yaml:7: traffic.multipler: unknown field; did you mean "multiplier"? (valid fields: profile, multiplier, trace, browse_ratio, cohorts, cart_size, max_cart_lines, skus, sku_skew, patience, reclick)
testdata/scenarios/bad.yaml:8: traffic.skus: expected a whole number, got string "many"
testdata/scenarios/bad.yaml:12: services[0].workers_per_instance: must be >= 1, got 0
testdata/scenarios/bad.yaml:13: services[0].cpu: dist: parse "lognormal(median=300ms, p99=100ms)": at offset 0: lognormal: p99 (0.1) must be greater than median (0.3)
testdata/scenarios/bad.yaml:16: database.pool_size: duplicate key (first set at line 15)
testdata/scenarios/bad.yaml:22: flow.steps[0].service: no service named "payments" (services: checkout-api)
--set: seed: must not be negative, got -1
--set: flow.steps[0].policy.retry.max_attempts: must be in [1, 1000], got 0`
	if err == nil || filepath.ToSlash(err.Error()) != want {
		t.Errorf("errors\n got:\n%v\nwant:\n%s", err, want)
	}
}

// A file's scenario starts from the defaults: a partial file changes only
// what it sets, and its name defaults to the file's base name.
func TestLoadScenarioPartialFile(t *testing.T) {
	s, err := LoadScenario(filepath.Join("testdata", "scenarios", "empirical.yaml"), []string{"replications=3"})
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultScenario()
	if s.Name != "empirical" || s.Replications != 3 || s.Seed != want.Seed || s.Duration != want.Duration {
		t.Errorf("name %q replications %d seed %d duration %v; want empirical, 3, %d, %v",
			s.Name, s.Replications, s.Seed, s.Duration, want.Seed, want.Duration)
	}
	if !reflect.DeepEqual(s.Flow, want.Flow) || !reflect.DeepEqual(s.Services, want.Services) {
		t.Error("fields the file does not set differ from the defaults")
	}
	// The mapping form read the CSV next to the file, in milliseconds.
	p := s.Payments.Providers
	if len(p) != 1 || p[0].Name != "psp-a" || s.Payments.Fallback {
		t.Fatalf("providers %+v fallback %v", p, s.Payments.Fallback)
	}
	// dist.Empirical interpolates between order statistics, so its mean is
	// (sum - (min + max)/2) / (n - 1).
	if m, wantMean := p[0].Latency.Mean(), (0.120+0.250+0.310+0.480+0.900-(0.120+0.900)/2)/4; !near(m, wantMean, 1e-12) {
		t.Errorf("empirical latency mean %v, want %v", m, wantMean)
	}
	// The provider's unset fields are zero (a new list element), not psp-a's defaults.
	if p[0].ErrorRate != 0 || p[0].LoadLatency != 0 {
		t.Errorf("new provider: error_rate %v load_latency %v, want zeros", p[0].ErrorRate, p[0].LoadLatency)
	}
}

func near(a, b, tol float64) bool { return a-b <= tol && b-a <= tol }

// A short policy block is complete: the decoder starts it from the
// library defaults, so each of these validates.
func TestLoadScenarioPolicyBlockDefaults(t *testing.T) {
	const y = `flow:
  gateway_policy:
    retry: {max_attempts: 3}
    breaker: {}
    bulkhead: {max_concurrent: 50}
  browse:
    policy:
      retry: {}
      ratio_budget: {retry_ratio: 10%}
services:
  - {name: gateway, autoscale: {max: 8}}
  - {name: checkout-api}
  - {name: pricing}
  - {name: inventory}
  - {name: payments}
  - {name: catalog}
  - {name: confirm-worker}
`
	s, err := LoadScenarioBytes("p.yaml", []byte(y), []string{"payments.client.token_bucket={max_tokens: 20}"})
	if err != nil {
		t.Fatal(err)
	}
	gp := s.Flow.GatewayPolicy
	wantRetry := DefaultRetry()
	wantRetry.MaxAttempts = 3
	if !reflect.DeepEqual(*gp.Retry, wantRetry) {
		t.Errorf("retry %+v, want %+v", *gp.Retry, wantRetry)
	}
	if !reflect.DeepEqual(*gp.Breaker, DefaultBreaker()) {
		t.Errorf("breaker %+v, want the default", *gp.Breaker)
	}
	if gp.Bulkhead.MaxConcurrent != 50 || gp.AttemptTimeout != 10*sim.Second {
		t.Errorf("bulkhead %+v timeout %v: want 50 and the default 10s kept", *gp.Bulkhead, gp.AttemptTimeout)
	}
	if rb := s.Flow.Browse.Policy.RatioBudget; rb.RetryRatio != 0.1 || rb.TTL != DefaultRatioBudget().TTL {
		t.Errorf("ratio budget %+v", *rb)
	}
	// An existing block is updated, not replaced by the library default.
	if tb := s.Payments.Client.TokenBucket; tb.MaxTokens != 20 || tb.TokenRatio != 0.1 {
		t.Errorf("token bucket %+v, want max 20 and the default system's ratio 0.1", *tb)
	}
	if a := s.Services[0].Autoscale; a == nil || a.Max != 8 || a.Target != DefaultAutoscale().Target {
		t.Errorf("autoscale %+v", a)
	}
	if sv := s.Services[1]; !reflect.DeepEqual(sv, withName(DefaultService(), "checkout-api")) {
		t.Errorf("new service %+v, want DefaultService", sv)
	}
	// And each default validates on its own.
	for name, v := range map[string]interface{ Validate() error }{
		"retry": DefaultRetry(), "token_bucket": DefaultTokenBucket(), "ratio_budget": DefaultRatioBudget(),
		"breaker": DefaultBreaker(), "bulkhead": DefaultBulkhead(),
	} {
		if err := v.Validate(); err != nil {
			t.Errorf("%s default: %v", name, err)
		}
	}
	if DefaultBreaker().Mode != policy.BreakerCountWindow {
		t.Error("the default breaker is not Resilience4j's count window")
	}
}

func withName[T any](v T, name string) T {
	reflect.ValueOf(&v).Elem().FieldByName("Name").SetString(name)
	return v
}

// A reference is a file when it looks like one or exists; otherwise a
// built-in name, and an unknown name lists the built-ins.
func TestLoadScenarioRef(t *testing.T) {
	names := builtinNames()
	for _, tc := range []struct {
		ref, want string
	}{
		{"no-such-scenario", `no-such-scenario: unknown scenario "no-such-scenario": no such file, and no built-in scenario of that name (built-ins: ` + strings.Join(names, ", ") + ")"},
		{"missing.yaml", "missing.yaml: cannot read the scenario file: no such file"},
		{"dir/baseline", `dir/baseline: cannot read the scenario file: no such file; the built-in scenario is named "baseline", without a path or extension`},
		{"retry-storm.yaml", `retry-storm.yaml: cannot read the scenario file: no such file; the built-in scenario is named "retry-storm", without a path or extension`},
		{"dir/mine.yml", "dir/mine.yml: cannot read the scenario file: no such file"},
		{"testdata", `testdata: unknown scenario "testdata": no such file, and no built-in scenario of that name (built-ins: ` + strings.Join(names, ", ") + ")"},
	} {
		_, err := LoadScenario(tc.ref, nil)
		if err == nil || err.Error() != tc.want {
			t.Errorf("LoadScenario(%q): %v\nwant %s", tc.ref, err, tc.want)
		}
	}
	// A file in the working directory whose name has no extension is a
	// file, not a built-in.
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("mine", []byte("name: \"\"\nseed: 9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadScenario("mine", nil)
	if err != nil || s.Seed != 9 || s.Name != "mine" {
		t.Fatalf("LoadScenario(mine): %+v %v", s, err)
	}
	// Built-ins load from any directory.
	if s, err := LoadScenario("baseline", nil); err != nil || s.Name != "baseline" {
		t.Fatalf("LoadScenario(baseline) from %s: %v", dir, err)
	}
}

// The compact and mapping forms of a distribution give the same value.
func TestLoadScenarioDistributionForms(t *testing.T) {
	for _, y := range []string{
		"database:\n  statement: lognormal(median=2ms, p99=12ms)\n",
		"database:\n  statement: {kind: lognormal, median: 2ms, p99: 12ms}\n",
		"database:\n  statement:\n    kind: lognormal\n    median: 2ms\n    p99: 12ms\n",
	} {
		s, err := LoadScenarioBytes("d.yaml", []byte(y), nil)
		if err != nil {
			t.Fatal(err)
		}
		want := dist.MustParse("lognormal(median=0.002, p99=0.012)")
		if !reflect.DeepEqual(s.Database.Statement, want) {
			t.Errorf("%q: %v, want %v", y, s.Database.Statement, want)
		}
	}
	// null removes an optional distribution (users wait for ever).
	s, err := LoadScenarioBytes("d.yaml", []byte("traffic:\n  patience: null\n"), nil)
	if err != nil || s.Traffic.Patience != nil {
		t.Fatalf("patience: null: %v %v", s.Traffic.Patience, err)
	}
}

// The default system written as YAML by encodeNode loads back to itself,
// so filling a file's missing list from the defaults changes nothing else.
func TestEncodeDefaultsRoundTrip(t *testing.T) {
	def := DefaultScenario()
	data, err := yaml.Marshal(encodeNode(reflect.ValueOf(def).Elem(), 0))
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadScenarioBytes("defaults.yaml", data, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	def.Name = "defaults"
	if !reflect.DeepEqual(s, def) {
		t.Errorf("the encoded defaults decode differently:\n%s", data)
	}
}

// --set can index into a list the file leaves at its default.
func TestSetIntoDefaultList(t *testing.T) {
	s, err := LoadScenarioBytes("p.yaml", []byte("seed: 2\n"), []string{
		"flow.steps[4].policy.retry.max_attempts=3",
		"services[1].workers_per_instance=48",
		"payments.providers[0].episodes=[{start: 1m, end: 2m, latency_factor: 3}]",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultScenario()
	want.Name, want.Seed = "p", 2
	retry := DefaultRetry()
	retry.MaxAttempts = 3
	want.Flow.Steps[4].Policy.Retry = &retry
	want.Services[1].WorkersPerInstance = 48
	want.Payments.Providers[0].Episodes = []payment.Episode{{Start: sim.Minute, End: 2 * sim.Minute, LatencyFactor: 3}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got steps[4].policy %+v services[1] %+v episodes %+v; everything else should be the defaults",
			s.Flow.Steps[4].Policy, s.Services[1], s.Payments.Providers[0].Episodes)
	}
	// The default list's length still bounds the index, and the file's
	// own lists are not filled from the defaults.
	for _, tc := range []struct{ yaml, set, want string }{
		{"seed: 2\n", "flow.steps[9].name=x", "--set flow.steps[9].name=x: index 9 is out of range: flow.steps has 6 elements"},
		{"flow:\n  steps: [{name: a}]\n", "flow.steps[1].name=x", "--set flow.steps[1].name=x: index 1 is out of range: flow.steps has 1 elements"},
		{"flow: null\n", "flow.steps[0].service=nope", `--set: flow.steps[0].service: no service named "nope" (services: gateway, checkout-api, pricing, inventory, payments, catalog, confirm-worker)`},
	} {
		_, err := LoadScenarioBytes("p.yaml", []byte(tc.yaml), []string{tc.set})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q with --set %s: %v\nwant %s", tc.yaml, tc.set, err, tc.want)
		}
	}
}

// Services, providers, steps and cohorts are addressable by name in --set,
// in a file that writes the list and in one that keeps the default.
func TestSetByName(t *testing.T) {
	sets := []string{
		"services[checkout-api].instances=2",
		"payments.providers[psp-a].latency=constant(600ms)",
		"flow.steps[payment].policy.timeout=4s",
		"traffic.cohorts[us-mobile].weight=40",
	}
	for _, ref := range []string{"baseline", "empty.yaml"} {
		var s *Scenario
		var err error
		if ref == "baseline" {
			s, err = LoadScenario(ref, sets)
		} else {
			s, err = LoadScenarioBytes(ref, []byte("seed: 3\n"), sets)
		}
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		if s.Services[1].Name != "checkout-api" || s.Services[1].Instances != 2 {
			t.Errorf("%s: services[1] = %s x %d, want checkout-api x 2", ref, s.Services[1].Name, s.Services[1].Instances)
		}
		if got := s.Payments.Providers[0].Latency.String(); got != "constant(0.6)" {
			t.Errorf("%s: psp-a latency %s, want constant(0.6)", ref, got)
		}
		if got := s.Flow.Steps[4].Policy.AttemptTimeout; s.Flow.Steps[4].Name != "payment" || got != 4*sim.Second {
			t.Errorf("%s: step %s timeout %v, want payment 4s", ref, s.Flow.Steps[4].Name, got)
		}
		if co := s.Traffic.Cohorts[3]; co.Name != "us-mobile" || co.Weight != 40 {
			t.Errorf("%s: cohort %+v, want us-mobile weight 40", ref, co)
		}
	}
	_, err := LoadScenario("baseline", []string{"services[checkout-apii].instances=2"})
	want := `--set services[checkout-apii].instances=2: services has no element named "checkout-apii" (did you mean "checkout-api"?); its names: gateway, checkout-api, pricing, inventory, payments, catalog, confirm-worker`
	if err == nil || err.Error() != want {
		t.Errorf("bad name: %v\nwant %s", err, want)
	}
}

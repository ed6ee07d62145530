package experiments

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/models/traffic"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Run defaults of a scenario that does not set them.
const (
	DefaultSeed         = 1
	DefaultReplications = 5
)

// DefaultScenario is what every scenario file starts from: the default
// checkout system (checkout.Default) with seed 1 and 5 replications. A file
// overwrites only the fields it sets.
func DefaultScenario() *Scenario {
	return &Scenario{Seed: DefaultSeed, Replications: DefaultReplications, Config: *checkout.Default()}
}

// LoadScenario loads a scenario by reference and applies the --set
// overrides ("path=value") in order. ref is a file path when it contains a
// path separator, ends in .yaml or .yml, or names an existing file;
// otherwise it is the name of a built-in scenario (BuiltinScenarios).
//
// The scenario starts from DefaultScenario; distributions are read in their
// compact or mapping form, with empirical files relative to the scenario
// file's directory. The result is validated. The error, if any, is a
// scenario.ErrorList holding every problem at once, each as
// "file:line: path: message" or "--set: path: message", sorted by line.
func LoadScenario(ref string, sets []string) (*Scenario, error) {
	if isScenarioPath(ref) {
		data, err := os.ReadFile(ref)
		if err != nil {
			msg := readError(err)
			base := filepath.Base(ref)
			if name := strings.TrimSuffix(base, filepath.Ext(base)); errors.Is(err, os.ErrNotExist) && builtinExists(name) {
				msg += fmt.Sprintf("; the built-in scenario is named %q, without a path or extension", name)
			}
			return nil, scenario.ErrorList{{File: ref, Msg: msg}}
		}
		return LoadScenarioBytes(ref, data, sets)
	}
	data, err := BuiltinYAML(ref)
	if err != nil {
		return nil, scenario.ErrorList{{File: ref, Msg: err.Error()}}
	}
	return loadBytes(ref+".yaml", "", data, sets)
}

// LoadScenarioBytes is LoadScenario for a file's contents: name is the
// file name used in error messages, as the default scenario name (its base
// name without extension) and to resolve relative paths (its directory).
func LoadScenarioBytes(name string, data []byte, sets []string) (*Scenario, error) {
	return loadBytes(name, filepath.Dir(name), data, sets)
}

func loadBytes(name, baseDir string, data []byte, sets []string) (*Scenario, error) {
	root, err := scenario.ParseNode(name, data)
	if err != nil {
		return nil, err
	}
	var errs scenario.ErrorList
	for _, s := range sets {
		fillDefaultList(root, s)
		if err := scenario.ApplySet(root, s); err != nil {
			var e *scenario.Error
			if errors.As(err, &e) {
				errs = append(errs, e)
			} else {
				errs = append(errs, &scenario.Error{File: scenario.SetFile, Msg: err.Error()})
			}
		}
	}
	doc := scenarioDoc{Scenario: DefaultScenario()}
	opts := decodeOptions()
	if baseDir != "" {
		opts = append(opts, scenario.WithBaseDir(baseDir))
	}
	if err := scenario.DecodeNode(name, root, &doc, opts...); err != nil {
		var l scenario.ErrorList
		if !errors.As(err, &l) {
			return nil, err // a program error (out is always a struct pointer)
		}
		errs = append(l, errs...)
	}
	if len(errs) > 0 {
		relocateNested(errs, root)
		errs.Sort()
		return nil, errs
	}
	s := doc.Scenario
	for i := range s.Uncertain { // where each entry is written, for experiments/uncertainty's errors
		s.Uncertain[i].Source = name
		if n := nodeAt(root, fmt.Sprintf("uncertain[%d]", i)); n != nil && n.Line > 0 {
			s.Uncertain[i].Source = fmt.Sprintf("%s:%d", name, n.Line)
		}
	}
	if s.Name == "" {
		base := filepath.Base(name)
		s.Name = strings.TrimSuffix(base, filepath.Ext(base))
	}
	return s, nil
}

// scenarioDoc is what a scenario file decodes into: the Scenario, inlined,
// plus a Validate that checks the run fields and then the checkout system.
// (The decoder calls the outermost Validate of an inlined struct; see
// scenario.DecodeNode. Declaring it here keeps Scenario itself a plain
// value type that other packages can build in code.)
type scenarioDoc struct {
	*Scenario `yaml:",inline"`
}

// Validate checks the run fields, then the checkout system's cross-field
// rules (its components validate themselves).
func (d *scenarioDoc) Validate() error {
	var errs []error
	if d.Replications < 1 || d.Replications > 10_000 {
		errs = append(errs, check.Field("replications", "must be in [1, 10000], got %d", d.Replications))
	}
	errs = append(errs, d.Config.Validate())
	return check.Join(errs...)
}

// isScenarioPath tells a file reference from a built-in name.
func isScenarioPath(ref string) bool {
	if strings.ContainsRune(ref, '/') || strings.ContainsRune(ref, filepath.Separator) {
		return true
	}
	if ext := strings.ToLower(filepath.Ext(ref)); ext == ".yaml" || ext == ".yml" {
		return true
	}
	fi, err := os.Stat(ref)
	return err == nil && fi.Mode().IsRegular()
}

func readError(err error) string {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "cannot read the scenario file: no such file"
	case errors.Is(err, os.ErrPermission):
		return "cannot read the scenario file: permission denied"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return "cannot read the scenario file: " + pe.Err.Error()
	}
	return "cannot read the scenario file: " + err.Error()
}

// decodeOptions are the type hooks and the defaults of structs that a file
// adds (a policy block on an edge, a list element).
func decodeOptions() []scenario.Option {
	return []scenario.Option{
		scenario.WithTypeHook(reflect.TypeFor[dist.Dist](), distHook),
		scenario.WithTypeHook(reflect.TypeFor[policy.Outcome](), outcomeHook),
		scenario.WithDefault(DefaultRetry()),
		scenario.WithDefault(DefaultTokenBucket()),
		scenario.WithDefault(DefaultRatioBudget()),
		scenario.WithDefault(DefaultBreaker()),
		scenario.WithDefault(DefaultThrottle()),
		scenario.WithDefault(DefaultBulkhead()),
		scenario.WithDefault(DefaultAutoscale()),
		scenario.WithDefault(DefaultService()),
		scenario.WithDefault(DefaultStep()),
		scenario.WithDefault(traffic.Cohort{Weight: 1}),
		scenario.WithDefault(payment.Episode{LatencyFactor: 1}),
	}
}

// distHook reads a distribution in its compact form
// ("lognormal(median=300ms, p99=2s)") or its mapping form
// ({kind: lognormal, median: 300ms, p99: 2s}); null means none.
func distHook(n *yaml.Node, ctx scenario.HookContext) (reflect.Value, error) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return reflect.Value{}, nil
	}
	spec, err := scenario.CompactFromMapping(n)
	if err != nil {
		return reflect.Value{}, err
	}
	d, err := dist.Parse(spec, dist.WithBaseDir(ctx.BaseDir))
	if err != nil {
		return reflect.Value{}, err
	}
	return reflect.ValueOf(&d).Elem(), nil
}

// outcomeHook reads a call outcome by name ("timeout", "failure", ...).
func outcomeHook(n *yaml.Node, _ scenario.HookContext) (reflect.Value, error) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		return reflect.Value{}, fmt.Errorf("expected an outcome name such as timeout or failure")
	}
	o, err := policy.ParseOutcome(n.Value)
	if err != nil {
		return reflect.Value{}, err
	}
	return reflect.ValueOf(o), nil
}

// The defaults below are the starting values of a policy block that a
// scenario adds where the default system has none, so that a short block
// such as `retry: {max_attempts: 3}` is complete and valid. They are the
// published defaults of the libraries each policy follows.

// DefaultRetry is one attempt with exponential backoff and full jitter,
// base 100 ms, cap 1 s (AWS Architecture Blog, "Exponential Backoff and
// Jitter", 2015; the same as the default payment client), so setting only
// max_attempts gives well-behaved retries. A storm needs an explicit
// `backoff: {kind: constant, base: 0s, jitter: none}`.
func DefaultRetry() policy.RetryConfig {
	return policy.RetryConfig{MaxAttempts: 1, Backoff: policy.BackoffConfig{
		Kind: policy.BackoffExponential, Base: 100 * time.Millisecond, Cap: time.Second,
		Multiplier: 2, Jitter: policy.JitterFull}}
}

// DefaultTokenBucket is gRPC's retry throttling example (gRFC A6):
// max_tokens 10, token_ratio 0.1, which stops retries once more than about
// one call in eleven fails.
func DefaultTokenBucket() policy.TokenBucketConfig {
	return policy.TokenBucketConfig{MaxTokens: 10, TokenRatio: 0.1}
}

// DefaultRatioBudget is Finagle's RetryBudget default: retries up to 20% of
// calls over a 10 s window, plus 10 retries per second in reserve.
func DefaultRatioBudget() policy.RatioBudgetConfig {
	return policy.RatioBudgetConfig{TTL: 10 * time.Second, MinRetriesPerSec: 10, RetryRatio: 0.2, Buckets: 10}
}

// DefaultBreaker is Resilience4j's CircuitBreakerConfig default: a count
// window of 100 calls, trip at a 50% failure rate once 100 calls are in the
// window, stay open 60 s, 10 trial calls when half-open; slow calls not
// tracked. ConsecutiveFailures 5 (gobreaker's ReadyToTrip) applies only in
// consecutive mode, and the 60 s window of 60 buckets only in time_window
// mode.
func DefaultBreaker() policy.BreakerConfig {
	return policy.BreakerConfig{
		Mode: policy.BreakerCountWindow, ConsecutiveFailures: 5,
		WindowSize: 100, WindowDuration: time.Minute, WindowBuckets: 60, MinimumCalls: 100,
		FailureRateThreshold: 0.5, SlowCallRateThreshold: 1,
		OpenDuration: time.Minute, HalfOpenPermits: 10,
	}
}

// DefaultThrottle is the SRE book's client-side adaptive throttling: K = 2
// over a 2-minute window (here in 12 buckets of 10 s).
func DefaultThrottle() policy.ThrottleConfig {
	return policy.ThrottleConfig{K: 2, Window: 2 * time.Minute, Buckets: 12}
}

// DefaultBulkhead is Resilience4j's SemaphoreBulkhead default: 25 calls in
// flight, no queue (a call beyond that is rejected at once).
func DefaultBulkhead() policy.BulkheadConfig {
	return policy.BulkheadConfig{MaxConcurrent: 25}
}

// DefaultAutoscale tracks 70% utilisation, re-evaluated every 15 s (the
// Kubernetes HPA sync period), with new instances ready after 60 s (image
// pull, start-up and readiness of a typical JVM service), between 1 and 20
// instances.
func DefaultAutoscale() service.AutoscaleConfig {
	return service.AutoscaleConfig{Target: 0.7, Interval: 15 * sim.Second, ProvisionDelay: 60 * sim.Second, Min: 1, Max: 20}
}

// DefaultService is the start of a service added in a scenario's services
// list: like the default system's pricing service, 2 instances of 32
// workers, 1 ms median CPU per request, $0.20 per instance-hour.
func DefaultService() service.Config {
	return service.Config{Instances: 2, WorkersPerInstance: 32,
		CPU:                 dist.MustParse("lognormal(median=1ms, p99=5ms)"),
		CostPerInstanceHour: 0.20}
}

// DefaultStep is the start of a flow step: a generic step (CPU and
// statements only) made once per checkout.
func DefaultStep() checkout.Step {
	return checkout.Step{Kind: checkout.KindGeneric, Calls: "once"}
}

// nestedPathRE matches a validation message that starts with a path below
// the field it was reported on: traffic.Profile.Validate returns plain
// errors such as "profile[0].rate: must be ...", which reach the decoder as
// a field error on "traffic.profile" with that text as the message.
var nestedPathRE = regexp.MustCompile(`^([a-z0-9_]+)((?:\[[0-9]+\]|\.[a-z0-9_]+)+): (.*)$`)

// relocateNested moves such an error to the nested path and to the line
// that sets it, so the user reads "file:12: traffic.profile[1].rate: must
// be ..." rather than the list's line with the path twice. Errors that do
// not repeat the last element of their path are left alone.
func relocateNested(errs scenario.ErrorList, root *yaml.Node) {
	for _, e := range errs {
		last := e.Path[strings.LastIndex(e.Path, ".")+1:]
		if last != "" && strings.HasPrefix(e.Msg, last+": ") {
			e.Msg = strings.TrimPrefix(e.Msg, last+": ") // "profile: needs at least one point"
			continue
		}
		m := nestedPathRE.FindStringSubmatch(e.Msg)
		if m == nil || (e.Path != m[1] && !strings.HasSuffix(e.Path, "."+m[1])) {
			continue
		}
		e.Path, e.Msg = e.Path+m[2], m[3]
		if e.File == scenario.SetFile || e.Line == 0 {
			continue
		}
		switch n := nodeAt(root, e.Path); {
		case n == nil:
		case n.Line == 0: // the value came from --set
			e.File, e.Line, e.Column = scenario.SetFile, 0, 0
		default:
			e.Line, e.Column = n.Line, n.Column
		}
	}
}

// nodeAt finds the node that sets a field path ("a.b[2].c") in a parsed
// scenario: the key node of a mapping entry, the element of a list; nil
// when the file does not set it plainly (merge keys are not followed). A
// node with line 0 means a --set override put the value there (ApplySet
// leaves its nodes at line 0).
func nodeAt(root *yaml.Node, path string) *yaml.Node {
	n := root
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	var at *yaml.Node
	for _, seg := range splitPath(path) {
		for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 64; i++ {
			n = n.Alias
		}
		if n == nil {
			return nil
		}
		if idx, err := strconv.Atoi(seg); err == nil && n.Kind == yaml.SequenceNode {
			if idx < 0 || idx >= len(n.Content) {
				return nil
			}
			n = n.Content[idx]
			at = n
			continue
		}
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var key, val *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value == seg {
				key, val = k, n.Content[i+1]
			}
		}
		if key == nil {
			return nil
		}
		n, at = val, key
		if val.Line == 0 {
			at = val
		}
	}
	return at
}

// splitPath splits "a.b[2].c" into a, b, 2, c.
func splitPath(path string) []string {
	path = strings.NewReplacer("[", ".", "]", "").Replace(path)
	return strings.Split(path, ".")
}

// fillDefaultList lets a --set index into a list that the file does not
// write, such as flow.steps[4].policy.timeout=1s on a file that keeps the
// default steps. ApplySet edits the file's YAML before the defaults are
// merged, so it would find no list there. When the rest of the path holds
// an index, the default value at the first key missing from the file is
// written into the tree (with line 0, as --set nodes are); decoding it
// gives the default back, so nothing else changes.
func fillDefaultList(root *yaml.Node, assignment string) {
	path, _, ok := strings.Cut(assignment, "=")
	if !ok || !strings.Contains(path, "[") || root == nil {
		return
	}
	segs := splitPath(strings.TrimSpace(path))
	n := root
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	v := reflect.ValueOf(DefaultScenario()).Elem()
	for i, seg := range segs {
		for j := 0; j < 64 && n.Kind == yaml.AliasNode && n.Alias != nil; j++ {
			n = n.Alias
		}
		for v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return // an index (the file writes this list) or a leaf
		}
		if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
			*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} // null keeps the default, as {} does
		}
		if n.Kind != yaml.MappingNode {
			return
		}
		f, ok := scenario.FieldByKey(v, seg)
		if !ok {
			return // the decoder reports the unknown field
		}
		if j := scenario.FindKey(n, seg); j >= 0 {
			n, v = n.Content[j+1], f
			continue
		}
		if !strings.ContainsAny(strings.Join(segs[i+1:], "."), "0123456789") {
			return // no index below: ApplySet creates the mappings itself
		}
		if val := encodeNode(f, 0); val != nil {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: seg}, val)
		}
		return
	}
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	simTimeType  = reflect.TypeFor[sim.Time]()
	outcomeType  = reflect.TypeFor[policy.Outcome]()
)

// encodeNode writes a configuration value as the YAML a scenario file
// would hold, so that decoding it gives the value back: durations as
// "1m30s", distributions in their compact form, outcomes by name, nil
// pointers, interfaces and slices left out (nil: keep the default).
func encodeNode(v reflect.Value, depth int) *yaml.Node {
	if depth > 32 || !v.IsValid() {
		return nil
	}
	scalar := func(tag, s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s} }
	switch v.Type() {
	case durationType, simTimeType:
		return scalar("!!str", time.Duration(v.Int()).String())
	case outcomeType:
		return scalar("!!str", policy.Outcome(v.Uint()).String())
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		if d, ok := v.Interface().(dist.Dist); ok && v.Kind() == reflect.Interface {
			return scalar("!!str", d.String())
		}
		return encodeNode(v.Elem(), depth+1)
	case reflect.Struct:
		m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, f := range scenario.Fields(v) {
			if c := encodeNode(f.Value, depth+1); c != nil {
				m.Content = append(m.Content, scalar("!!str", f.Key), c)
			}
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for i := 0; i < v.Len(); i++ {
			c := encodeNode(v.Index(i), depth+1)
			if c == nil {
				c = scalar("!!null", "null")
			}
			seq.Content = append(seq.Content, c)
		}
		return seq
	case reflect.Bool:
		return scalar("!!bool", strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return scalar("!!int", strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return scalar("!!int", strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		return scalar("!!float", strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.String:
		n := scalar("!!str", v.String())
		n.Style = yaml.DoubleQuotedStyle
		return n
	}
	return nil // maps and other kinds do not occur in scenario configs
}

// ScenarioSource returns the bytes a scenario reference loads: the file's,
// or the embedded built-in's. It is what ScenarioSHA256 hashes.
func ScenarioSource(ref string) ([]byte, error) {
	if isScenarioPath(ref) {
		data, err := os.ReadFile(ref)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", ref, readError(err))
		}
		return data, nil
	}
	return BuiltinYAML(ref)
}

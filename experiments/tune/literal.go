package tune

import (
	"fmt"
	"go/format"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/experiments/space"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/policy"
)

// settings writes candidate c's knobs as --set lines, a YAML fragment and
// the policy.StackConfig literal of every policy they touch.
func (t *Tuner) settings(c int) *Settings {
	sets := t.CandidateSets(c)
	st := &Settings{Set: sets, YAML: YAMLFragment(sets)}
	sc, err := experiments.LoadScenario(t.Spec.Scenario, append(slices.Clone(t.Spec.Sets), sets...))
	if err != nil { // New loaded every end; a point in between loads too
		st.Go = "// " + space.OneLine(err)
		return st
	}
	st.Go = StackLiterals(sc, sets)
	return st
}

// YAMLFragment writes overrides as the YAML to paste into a scenario:
// nested mappings for key paths; a path with a list index is written as
// a comment holding its --set form, since the entry is in a list the
// fragment cannot address.
func YAMLFragment(sets []string) string {
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	var indexed []string
	for _, s := range sets {
		path, _, _ := strings.Cut(s, "=")
		if strings.Contains(path, "[") {
			indexed = append(indexed, s)
			continue
		}
		if err := scenario.ApplySet(root, s); err != nil {
			indexed = append(indexed, s)
		}
	}
	var b strings.Builder
	if len(root.Content) > 0 {
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2) // as the scenario files are written
		if err := enc.Encode(root); err != nil {
			b.Reset()
		}
		enc.Close()
	}
	for _, s := range indexed {
		fmt.Fprintf(&b, "# list entry: --set %s\n", s)
	}
	return b.String()
}

// StackLiterals writes, for each policy the overrides touch (found by
// walking their paths through the loaded scenario to a call.Policy), the
// policy.StackConfig literal production code passes to policy/live,
// derived with call.Policy.Stack: the composition the simulated edge uses.
func StackLiterals(sc *experiments.Scenario, sets []string) string {
	var b strings.Builder
	var done []string
	for _, s := range sets {
		path, _, _ := strings.Cut(s, "=")
		p, prefix, ok := PolicyAt(sc, path)
		if !ok || slices.Contains(done, prefix) {
			continue
		}
		done = append(done, prefix)
		fmt.Fprintf(&b, "// %s\n%s\n", prefix, StackLiteral(p.Stack()))
	}
	if b.Len() == 0 {
		return "// the knobs set no call policy (retry, timeout, budget, breaker, bulkhead)\n"
	}
	return b.String()
}

var callPolicyType = reflect.TypeFor[call.Policy]()

// PolicyAt walks a field path ("payments.client.retry.max_attempts")
// through a scenario and returns the deepest call.Policy on the way and
// its path ("payments.client").
func PolicyAt(sc *experiments.Scenario, path string) (call.Policy, string, bool) {
	v := reflect.ValueOf(sc).Elem()
	var found call.Policy
	foundAt, ok := "", false
	done := ""
	for _, seg := range strings.Split(strings.NewReplacer("[", ".[", "]", "").Replace(path), ".") {
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				return found, foundAt, ok
			}
			v = v.Elem()
		}
		if idx, isIndex := strings.CutPrefix(seg, "["); isIndex {
			i, err := strconv.Atoi(idx)
			if err != nil || v.Kind() != reflect.Slice || i < 0 || i >= v.Len() {
				break
			}
			v = v.Index(i)
			done += "[" + idx + "]"
		} else {
			f, fok := fieldByKey(v, seg)
			if !fok {
				break
			}
			v = f
			if done != "" {
				done += "."
			}
			done += seg
		}
		if v.Type() == callPolicyType {
			found, foundAt, ok = v.Interface().(call.Policy), done, true
		}
	}
	return found, foundAt, ok
}

// fieldByKey finds the field of struct v named key in scenario files (the
// yaml tag's name, else the snake_case Go name), through inlined structs.
func fieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if strings.Contains(","+opts+",", ",inline,") || (sf.Anonymous && name == "") {
			fv := v.Field(i)
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			if f, ok := fieldByKey(fv, key); ok {
				return f, true
			}
			continue
		}
		if name == "" {
			name = scenario.SnakeCase(sf.Name)
		}
		if name == key {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// enumNames are the Go names of policy's enum constants.
var enumNames = map[any]string{
	policy.BackoffConstant: "BackoffConstant", policy.BackoffExponential: "BackoffExponential",
	policy.JitterNone: "JitterNone", policy.JitterFull: "JitterFull", policy.JitterEqual: "JitterEqual",
	policy.JitterDecorrelated: "JitterDecorrelated",
	policy.BreakerConsecutive: "BreakerConsecutive", policy.BreakerCountWindow: "BreakerCountWindow",
	policy.BreakerTimeWindow: "BreakerTimeWindow",
	policy.Success:           "Success", policy.Failure: "Failure", policy.Timeout: "Timeout",
	policy.Overloaded: "Overloaded", policy.Rejected: "Rejected", policy.Ignored: "Ignored",
}

var durationType = reflect.TypeFor[time.Duration]()

// StackLiteral writes c as a gofmt-formatted Go composite literal that
// compiles in a file importing "time" and policy: zero fields left out,
// durations as multiples of time units, enums by constant name.
func StackLiteral(c policy.StackConfig) string {
	src := literal(reflect.ValueOf(c))
	out, err := format.Source([]byte("package p\nvar _ = " + src))
	if err != nil {
		return src
	}
	return strings.TrimPrefix(string(out), "package p\n\nvar _ = ")
}

func literal(v reflect.Value) string {
	if v.Type() == durationType {
		return durationLiteral(time.Duration(v.Int()))
	}
	if k := v.Kind(); k == reflect.String || k == reflect.Uint8 {
		if name, ok := enumNames[v.Interface()]; ok {
			return "policy." + name
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		return "&" + literal(v.Elem())
	case reflect.Struct:
		var b strings.Builder
		b.WriteString(typeName(v.Type()) + "{\n")
		for i := range v.NumField() {
			f := v.Field(i)
			if !v.Type().Field(i).IsExported() || f.IsZero() {
				continue
			}
			fmt.Fprintf(&b, "%s: %s,\n", v.Type().Field(i).Name, literal(f))
		}
		b.WriteString("}")
		return b.String()
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = literal(v.Index(i))
		}
		return "[]" + typeName(v.Type().Elem()) + "{" + strings.Join(parts, ", ") + "}"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float64, reflect.Float32:
		s := strconv.FormatFloat(v.Float(), 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.String:
		return typeName(v.Type()) + "(" + strconv.Quote(v.String()) + ")"
	}
	return fmt.Sprintf("%#v", v.Interface())
}

func typeName(t reflect.Type) string {
	if t.PkgPath() == "" {
		return t.Name()
	}
	return t.String() // "policy.RetryConfig"
}

// durationLiteral writes d as the largest whole multiple of a unit.
func durationLiteral(d time.Duration) string {
	units := []struct {
		d    time.Duration
		name string
	}{{time.Hour, "time.Hour"}, {time.Minute, "time.Minute"}, {time.Second, "time.Second"},
		{time.Millisecond, "time.Millisecond"}, {time.Microsecond, "time.Microsecond"}}
	for _, u := range units {
		if d%u.d == 0 {
			if d == u.d {
				return u.name
			}
			return strconv.FormatInt(int64(d/u.d), 10) + " * " + u.name
		}
	}
	return strconv.FormatInt(int64(d), 10) + " * time.Nanosecond"
}

package experiments

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/call"
	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/models/traffic"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite the generated field tables in docs/scenarios.md")

const (
	docsPath    = "../docs/scenarios.md"
	beginFields = "<!-- BEGIN GENERATED FIELDS: go test ./experiments -run TestScenarioDocs -update-docs -->"
	endFields   = "<!-- END GENERATED FIELDS -->"
	policyPath  = "<policy>"
)

// policyStacks are the fields of type call.Policy; the reference lists a
// policy stack's fields once, under <policy>.
var policyStacks = []string{"payments.client", "flow.gateway_policy", "flow.steps[].policy", "flow.browse.policy"}

// newElementDefaults are the starting values of structs a file adds (list
// elements, policy blocks), as registered with scenario.WithDefault; a
// struct not listed here starts from zero.
var newElementDefaults = map[string]any{
	"traffic.profile[]":               traffic.RatePoint{},
	"traffic.cohorts[]":               traffic.Cohort{Weight: 1},
	"services[]":                      DefaultService(),
	"services[].autoscale":            DefaultAutoscale(),
	"cache.events[]":                  cache.Event{},
	"payments.providers[]":            payment.ProviderConfig{},
	"payments.providers[].episodes[]": payment.Episode{LatencyFactor: 1},
	"flow.steps[]":                    DefaultStep(),
	policyPath + ".retry":             DefaultRetry(),
	policyPath + ".token_bucket":      DefaultTokenBucket(),
	policyPath + ".ratio_budget":      DefaultRatioBudget(),
	policyPath + ".breaker":           DefaultBreaker(),
	policyPath + ".throttle":          DefaultThrottle(),
	policyPath + ".bulkhead":          DefaultBulkhead(),
}

// docRow is one line of a generated table.
type docRow struct{ path, typ, def, meaning string }

// scenarioDocRows lists every scenario field: the top-level table (policy
// stacks collapsed to one row each) and the <policy> table.
func scenarioDocRows() (fields, policyFields []docRow, missing []string) {
	meaningOf := func(path string) string {
		m, ok := fieldMeanings[path]
		if !ok || m == "" {
			missing = append(missing, path)
		}
		return m
	}
	all := scenario.Describe(reflect.TypeFor[Scenario](), DefaultScenario())
	for _, f := range all {
		if under(f.Path, policyStacks) != "" {
			continue // listed once under <policy>, below
		}
		def := f.Default
		if d, ok := elementDefault(f.Path); ok {
			def = d
		} else if strings.Contains(f.Path, "[]") || strings.HasPrefix(f.Type, "list of mapping") {
			def = listDefault(f.Path)
		}
		if contains(policyStacks, f.Path) {
			def = policySummary(f.Path)
		}
		fields = append(fields, docRow{f.Path, typeName(f.Path, f.Type), def, meaningOf(f.Path)})
	}
	for _, f := range scenario.Describe(reflect.TypeFor[call.Policy](), call.Policy{}) {
		p := policyPath + "." + f.Path
		def := f.Default
		if d, ok := elementDefault(p); ok {
			def = d
		}
		policyFields = append(policyFields, docRow{p, typeName(p, f.Type), def, meaningOf(p)})
	}
	return fields, policyFields, missing
}

// under returns the policy stack that path is strictly inside, or "".
func under(path string, prefixes []string) string {
	for _, p := range prefixes {
		if strings.HasPrefix(path, p+".") {
			return p
		}
	}
	return ""
}

// elementDefault is the default of a field inside a struct that a file
// adds (a list element or a policy block), or false when path is not one.
func elementDefault(path string) (string, bool) {
	best := ""
	for prefix := range newElementDefaults {
		if strings.HasPrefix(path, prefix+".") && len(prefix) > len(best) && newElementDefaults[prefix] != nil {
			best = prefix
		}
	}
	if best == "" {
		return "", false
	}
	v := newElementDefaults[best]
	rel := strings.TrimPrefix(path, best+".")
	for _, f := range scenario.Describe(reflect.TypeOf(v), v) {
		if f.Path == rel {
			return f.Default, true
		}
	}
	return "", true
}

// listDefault summarises a default list: the names of its elements, or
// "none".
func listDefault(path string) string {
	v, ok := valueAt(reflect.ValueOf(DefaultScenario()).Elem(), path)
	if !ok || v.Kind() != reflect.Slice {
		return ""
	}
	if v.Len() == 0 {
		return "none"
	}
	var parts []string
	for i := 0; i < v.Len(); i++ {
		e := v.Index(i)
		if n := e.FieldByName("Name"); n.IsValid() {
			parts = append(parts, n.String())
			continue
		}
		var kv []string
		for _, f := range scenario.Describe(e.Type(), e.Interface()) {
			kv = append(kv, f.Path+": "+f.Default)
		}
		parts = append(parts, "{"+strings.Join(kv, ", ")+"}")
	}
	return strings.Join(parts, ", ")
}

// valueAt walks a struct value along a field path of scenario keys (no
// list indexes).
func valueAt(v reflect.Value, path string) (reflect.Value, bool) {
	for _, key := range strings.Split(path, ".") {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		f, ok := scenario.FieldByKey(v, key)
		if !ok {
			return reflect.Value{}, false
		}
		v = f
	}
	return v, true
}

// policySummary writes the non-zero fields of a default policy stack.
func policySummary(path string) string {
	v, ok := valueAt(reflect.ValueOf(DefaultScenario()).Elem(), path)
	if !ok {
		return ""
	}
	var parts []string
	for _, f := range scenario.Describe(v.Type(), v.Interface()) {
		switch f.Default {
		case "", "0s", "0", "false", "[]":
			continue
		}
		if f.Type == "mapping" {
			continue
		}
		parts = append(parts, f.Path+": "+f.Default)
	}
	if len(parts) == 0 {
		return "none (one attempt, no timeout)"
	}
	return strings.Join(parts, ", ")
}

// typeName is the type column: Describe's type with the scenario's names.
func typeName(path, t string) string {
	switch {
	case t == "dist.Dist":
		return "distribution"
	case strings.HasSuffix(path, "retry_on") || strings.HasSuffix(path, "ignore_outcomes"):
		return "list of outcome"
	case t == "mapping" && contains(policyStacks, path):
		return "policy stack"
	}
	if u, ok := fieldUnits[path]; ok {
		return t + " (" + u + ")"
	}
	return t
}

// renderFieldTables writes the generated part of docs/scenarios.md.
func renderFieldTables() (string, []string) {
	fields, policyFields, missing := scenarioDocRows()
	var b strings.Builder
	fmt.Fprintln(&b, beginFields)
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "### Every field")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "Defaults are those of `checkout.Default()` (the `baseline` scenario). For a list,")
	fmt.Fprintln(&b, "the default lists what it holds; the fields of its elements (`[]`) show the value")
	fmt.Fprintln(&b, "an element starts from when a file adds one. A policy stack is a mapping whose")
	fmt.Fprintln(&b, "fields are in the next table.")
	fmt.Fprintln(&b)
	writeTable(&b, fields)
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "### Policy stack fields")
	fmt.Fprintln(&b)
	fmt.Fprintln(&b, "Each policy stack (`"+strings.Join(policyStacks, "`, `")+"`)")
	fmt.Fprintln(&b, "takes these fields; `"+policyPath+"` stands for the stack's path. The default")
	fmt.Fprintln(&b, "of a field inside `retry`, `token_bucket`, `ratio_budget`, `breaker` or `bulkhead`")
	fmt.Fprintln(&b, "is the value a block starts from when a file adds it where the default stack has")
	fmt.Fprintln(&b, "none; a block the default stack already has (the payment client's `retry` and")
	fmt.Fprintln(&b, "`token_bucket`) starts from its own values, shown in the table above.")
	fmt.Fprintln(&b)
	writeTable(&b, policyFields)
	fmt.Fprintln(&b)
	fmt.Fprint(&b, endFields)
	return b.String(), missing
}

func writeTable(b *strings.Builder, rows []docRow) {
	fmt.Fprintln(b, "| Field | Type | Default | Meaning |")
	fmt.Fprintln(b, "| --- | --- | --- | --- |")
	esc := strings.NewReplacer("|", `\|`, "\n", " ")
	for _, r := range rows {
		def := r.def
		if def != "" {
			def = "`" + esc.Replace(def) + "`"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", r.path, esc.Replace(r.typ), def, esc.Replace(r.meaning))
	}
}

// docs/scenarios.md documents every field: the test fails when a struct
// field has no explanation here, and when the generated tables in the
// file are stale (rerun with -update-docs).
func TestScenarioDocs(t *testing.T) {
	gen, missing := renderFieldTables()
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("scenario fields with no explanation in fieldMeanings (experiments/docs_test.go):\n%s",
			strings.Join(missing, "\n"))
	}
	var extra []string
	fields, policyFields, _ := scenarioDocRows()
	known := map[string]bool{}
	for _, r := range append(fields, policyFields...) {
		known[r.path] = true
	}
	for p := range fieldMeanings {
		if !known[p] {
			extra = append(extra, p)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("fieldMeanings explains fields that no longer exist:\n%s", strings.Join(extra, "\n"))
	}
	data, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i, j := strings.Index(doc, beginFields), strings.Index(doc, endFields)
	if i < 0 || j < i {
		t.Fatalf("%s: no %q ... %q section", docsPath, beginFields, endFields)
	}
	updated := doc[:i] + gen + doc[j+len(endFields):]
	if updated == doc {
		return
	}
	if *updateDocs {
		if err := os.WriteFile(filepath.Clean(docsPath), []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the field tables are stale; run go test ./experiments -run TestScenarioDocs -update-docs", docsPath)
}

// The prose of docs/scenarios.md shows real syntax: every YAML example in
// it between ```yaml fences loads.
func TestScenarioDocsExamplesLoad(t *testing.T) {
	data, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(data), "```yaml\n")
	if len(blocks) < 2 {
		t.Fatal("no ```yaml examples in docs/scenarios.md")
	}
	for i, blk := range blocks[1:] {
		y, _, _ := strings.Cut(blk, "```")
		if _, err := LoadScenarioBytes(fmt.Sprintf("example%d.yaml", i+1), []byte(y), nil); err != nil {
			t.Errorf("example %d in docs/scenarios.md does not load:\n%s\n%v", i+1, y, err)
		}
	}
}

// The error example in docs/scenarios.md is real output: the errors of
// testdata/scenarios/bad.yaml with --set seed=-1, as validate prints them.
func TestScenarioDocsErrorExample(t *testing.T) {
	data, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	_, blk, ok := strings.Cut(string(data), "```text\n$ checkoutsim validate bad.yaml --set seed=-1\n")
	if !ok {
		t.Fatal("docs/scenarios.md: no validate example")
	}
	blk, _, _ = strings.Cut(blk, "```")
	lines := strings.Split(strings.TrimSuffix(blk, "\n"), "\n")
	shown := strings.Join(lines[:len(lines)-1], "\n") // the last line is the exit summary
	t.Chdir(filepath.Join("testdata", "scenarios"))
	_, err = LoadScenario("bad.yaml", []string{"seed=-1"})
	if err == nil || err.Error() != shown {
		t.Errorf("docs show:\n%s\nthe loader says:\n%v", shown, err)
	}
}

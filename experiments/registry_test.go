package experiments

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
)

// Each metric's Path names the value `run -o json` prints for it, and
// that value is the registry's estimate: one definition for both.
func TestRegistryPathsMatchRunJSON(t *testing.T) {
	sc := shortScenario("paths")
	results, err := RunReplications(t.Context(), sc, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Summarize(sc, 1, results).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, m := range metric.All() {
		var v any = doc
		for _, part := range strings.Split(m.Path, ".") {
			obj, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%s: path %s: %q is not under an object", m.Key, m.Path, part)
			}
			v = obj[part]
		}
		got, ok := v.(float64)
		if !ok {
			t.Errorf("%s: path %s is %v in run JSON, not a number", m.Key, m.Path, v)
			continue
		}
		if want, _ := metric.Over(results, m); got != want {
			t.Errorf("%s: run JSON %s = %g, registry %g", m.Key, m.Path, got, want)
		}
	}
}

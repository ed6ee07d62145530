package experiments

import (
	"bytes"
	"encoding/json"
	"reflect"
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

func TestSweepMetricsJSON(t *testing.T) {
	var m SweepMetrics
	m.Attempts, m.MaxBacklog = 7, 3
	m.Set(metric.LatencyP99, 1.5, &CI{1, 2})
	m.Set(metric.DBQueriesPerCheckout, 6.5, nil)
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`{"attempts":7,"succeeded":0,`, `"latency_p99_s":1.5,"latency_p99_s_ci95":[1,2],`, `"db_queries_per_checkout_ci95":null,"max_backlog":3}`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("JSON %s lacks %s", data, want)
		}
	}
	var back SweepMetrics
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Errorf("round trip: %+v, want %+v", back, m)
	}
	if err := json.Unmarshal([]byte(`{"attempts":1,"latency_p999_s":2}`), &back); err == nil || !strings.Contains(err.Error(), "latency_p999_s") {
		t.Errorf("unknown key: error %v, want one naming it", err)
	}
}

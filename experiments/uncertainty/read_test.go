package uncertainty

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/metric"
)

// ReadRobust reads a saved robust comparison, or analyses a complete
// robust part, and refuses anything else with the file's name.
func TestReadRobust(t *testing.T) {
	dir := t.TempDir()
	d := Design{Kind: "robust", Scenarios: []string{"a", "b"}, Samples: 2}
	d.Runs = []Run{{Scenario: 0}, {Scenario: 1}, {Scenario: 0}, {Scenario: 1}}
	p := &Part{Design: d, DesignSHA256: d.Hash()}
	for i, v := range []float64{0.04, 0.01, 0.03, 0.02} {
		p.Rows = append(p.Rows, Row{Index: i, Metrics: map[string]float64{metric.ErrorRate.Key: v}})
	}
	analysed, err := AnalyseRobust(p)
	if err != nil {
		t.Fatal(err)
	}
	sens := &Part{Design: Design{Kind: "sensitivity", Scenarios: []string{"a"}}}
	sens.DesignSHA256 = sens.Design.Hash()
	write := func(name string, v any) string {
		data, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name, path, err string
	}{
		{"analysis", write("robust.json", analysed), ""},
		{"complete part", write("part.json", p), ""},
		{"sensitivity part", write("sens.json", sens), "not a robust result"},
		{"tune-like JSON", write("tune.json", map[string]any{"spec_sha256": "x", "scenario": "a"}), "not a robust result"},
		{"no a/b", write("empty.json", map[string]any{"samples": 2}), `field "a" or "b" is missing`},
		{"not JSON", write("bad.json", "x"), "not a robust result"},
		{"missing", filepath.Join(dir, "nope.json"), "no such file"},
	}
	for _, tt := range tests {
		r, err := ReadRobust(tt.path)
		if tt.err == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			} else if r.A != "a" || r.B != "b" || len(r.Metrics) != 1 || r.Metrics[0].BBetter != 1 {
				t.Errorf("%s: read %+v, want a vs b with error rate better in every draw", tt.name, r)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), tt.path) {
			t.Errorf("%s: error %v, want %q naming %s", tt.name, err, tt.err, tt.path)
		}
	}
}

// The robust table states a rate's change in points (B - A over the
// draws), the others relatively, as compare and the report do.
func TestRobustTableChangeScales(t *testing.T) {
	r := &Robust{A: "a", B: "b", Samples: 2, Metrics: []MetricRobust{
		{Metric: "error_rate", Label: "Error rate", Unit: "fraction", Draws: 2, Change: Percentiles{P5: -0.05, P50: -0.02, P95: 0.01}, RelChange: Percentiles{P5: -0.9, P50: -0.5, P95: 0.2}},
		{Metric: "latency_p99_s", Label: "P99 latency", Unit: "s", Draws: 2, Change: Percentiles{P5: -2, P50: -1, P95: 0}, RelChange: Percentiles{P5: -0.8, P50: -0.5, P95: 0}},
	}}
	var b strings.Builder
	if err := WriteRobustTable(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-2 pp [-5, +1]", "-50.0% [-80.0, +0.0]"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("robust table lacks %q:\n%s", want, b.String())
		}
	}
}

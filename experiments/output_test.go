package experiments

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// The golden files pin the exact output of a small run and comparison.
// After an intended change to the outputs or to the model, regenerate them
// and review the diff:
//
//	go test ./experiments -run TestGolden -update
var updateGolden = flag.Bool("update", false, "rewrite experiments/testdata/golden/*")

// goldenRun is the run behind the golden files: the default system over
// 20 s, seed 1, 2 replications.
func goldenRun(t *testing.T) (*Scenario, []*checkout.Result) {
	t.Helper()
	sc := shortScenario("golden")
	res, err := RunReplications(t.Context(), sc, 1, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	return sc, res
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (seed 1, 2 replications of the default system over 20 s); if intended, rerun with -update and review the diff.\ngot:\n%s", path, got)
	}
}

func TestGoldenRun(t *testing.T) {
	sc, res := goldenRun(t)
	s := Summarize(sc, 1, res)
	for _, f := range output.Formats {
		var b bytes.Buffer
		if err := s.Write(&b, f); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "run."+f, b.Bytes())
	}
}

func TestGoldenCompare(t *testing.T) {
	a := shortScenario("golden")
	b := shortScenario("golden-busier")
	b.Traffic.Multiplier = 1.5
	cs, err := compare(t, a, b, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range output.Formats {
		var buf bytes.Buffer
		if err := cs.Write(&buf, f); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "compare."+f, buf.Bytes())
	}
}

// Every CSV row is a scalar of the JSON at the row's path, with the same
// value and interval; the series are left out.
func TestCSVMatchesJSON(t *testing.T) {
	sc, res := goldenRun(t)
	s := Summarize(sc, 1, res)
	var jb, cb bytes.Buffer
	if err := s.WriteJSON(&jb); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteCSV(&cb); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(jb.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&cb).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "metric,value,ci_lo,ci_hi" {
		t.Fatalf("header %v", rows[0])
	}
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		metric := row[0]
		if seen[metric] {
			t.Errorf("duplicate row %s", metric)
		}
		seen[metric] = true
		v, ok := lookup(doc, jsonPath(doc, metric))
		if !ok {
			t.Errorf("row %s has no JSON counterpart", metric)
			continue
		}
		if f, isNum := v.(float64); isNum {
			if got, _ := strconv.ParseFloat(row[1], 64); got != f {
				t.Errorf("%s: CSV %s, JSON %v", metric, row[1], f)
			}
		}
		ci, hasCI := lookup(doc, jsonPath(doc, metric)+"_ci95")
		if hasCI != (row[2] != "") {
			t.Errorf("%s: CSV interval %q..%q, JSON interval %v", metric, row[2], row[3], ci)
		}
	}
	for _, must := range []string{"checkout.latency_s.p99", "cohorts.eu-mobile.latency_s.p99", "signals.amplification.checkout-api->pricing.attempts_per_call"} {
		if !seen[must] {
			t.Errorf("no CSV row %s", must)
		}
	}
	for m := range seen {
		if strings.HasPrefix(m, "series") {
			t.Errorf("CSV has series row %s", m)
		}
	}
}

// jsonPath turns a CSV metric name, whose list elements are named
// ("cohorts.eu-mobile.error_rate"), into a lookup path with indexes
// ("cohorts.1.error_rate"). Names may hold dots, so it matches greedily
// against the document.
func jsonPath(doc any, metric string) string {
	parts := strings.Split(metric, ".")
	var out []string
	cur := doc
	for i := 0; i < len(parts); i++ {
		switch v := cur.(type) {
		case map[string]any:
			out = append(out, parts[i])
			cur = v[parts[i]]
		case []any:
			found := false
			for j, el := range v {
				m, _ := el.(map[string]any)
				for k := len(parts); k > i && !found; k-- {
					name := strings.Join(parts[i:k], ".")
					if first := firstString(m); first == name {
						out = append(out, strconv.Itoa(j))
						cur, i, found = el, k-1, true
					}
				}
				if found {
					break
				}
			}
			if !found {
				return metric
			}
		}
	}
	return strings.Join(out, ".")
}

// firstString returns the naming field of a list element (cohort, step,
// layer, service, cause, span).
func firstString(m map[string]any) string {
	for _, k := range []string{"cohort", "step", "layer", "service", "cause", "span", "provider"} {
		if s, ok := m[k].(string); ok {
			return s
		}
	}
	return ""
}

// A format that is not one of output.Formats is an error.
func TestWriteUnknownFormat(t *testing.T) {
	if err := (&RunSummary{}).Write(&bytes.Buffer{}, "yaml"); err == nil {
		t.Error("Write with format yaml: no error")
	}
}

// A percentile's interval that is no wider than its histogram bucket says
// so; a wider one, or an exact zero, does not.
func TestQuantileLineMarksBucketLimited(t *testing.T) {
	lo, hi := stats.BucketOf(4.66)
	cases := []struct {
		name string
		v    float64
		ci   *CI
		want bool
	}{
		{"the bucket itself", 4.66, &CI{lo, hi}, true},
		{"wider than the bucket", 4.66, &CI{lo - 0.5, hi + 0.5}, false},
		{"no interval", 4.66, nil, false},
		{"an exact zero", 0, &CI{0, 0}, false},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		tw := output.NewTable(&buf)
		quantileLine(tw, "latency p95", c.v, c.ci, "s")
		if err := tw.Flush(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(buf.String(), "(bucket-limited)"); got != c.want {
			t.Errorf("%s: %q: marked %v, want %v", c.name, buf.String(), got, c.want)
		}
	}
}

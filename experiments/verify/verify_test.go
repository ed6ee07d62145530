package verify

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim/queueing"
)

func sampleReport() Report {
	return Report{Seed: 1, Replications: 20, Cases: []Case{
		{Model: "M/M/c", Params: Params{{Name: "lambda", Value: 4}, {Name: "mu", Value: 1}, {Name: "c", Value: 5}},
			Metric: "mean_wait_s", Analytic: 0.5, Simulated: 0.51, CI95: [2]float64{0.49, 0.53}, Pass: true},
		{Model: "M/D/1", Params: Params{{Name: "lambda", Value: 0.8}, {Name: "mu", Value: 1}},
			Metric: "mean_wait_s", Analytic: 2, Simulated: 3, CI95: [2]float64{2.9, 3.1}, Pass: false},
	}}
}

// The JSON shape is a contract for scripts: keys and their order are fixed.
func TestVerifyJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := sampleReport().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	compact := new(bytes.Buffer)
	if err := json.Compact(compact, b.Bytes()); err != nil {
		t.Fatal(err)
	}
	want := `{"cases":[{"model":"M/M/c","params":{"lambda":4,"mu":1,"c":5},"metric":"mean_wait_s","analytic":0.5,"simulated":0.51,"ci95":[0.49,0.53],"pass":true},` +
		`{"model":"M/D/1","params":{"lambda":0.8,"mu":1},"metric":"mean_wait_s","analytic":2,"simulated":3,"ci95":[2.9,3.1],"pass":false}]}`
	if compact.String() != want {
		t.Fatalf("JSON\n%s\nwant\n%s", compact, want)
	}
	bad := sampleReport()
	bad.Cases[0].CI95[1] = math.Inf(1)
	if err := bad.WriteJSON(&b); err == nil || !strings.Contains(err.Error(), "non-finite") {
		t.Fatalf("infinite CI: error %v", err)
	}
}

func TestVerifyTable(t *testing.T) {
	var b bytes.Buffer
	r := sampleReport()
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"MODEL", "lambda=4 mu=1 c=5", "[0.49, 0.53]", "PASS", "FAIL", "1 of 2 cases pass (seed 1, 20 replications"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if r.Failures() != 1 {
		t.Errorf("failures %d, want 1", r.Failures())
	}
}

func TestVerifyCasesRuns(t *testing.T) {
	cases := []queueing.Case{
		{Model: queueing.ModelMMc, Lambda: 1.6, Mu: 1, C: 2, Metric: queueing.MetricPWait, Customers: 20000, Warmup: 2000},
	}
	r, err := Cases(cases, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := queueing.MMcPWait(1.6, 1, 2)
	c := r.Cases[0]
	if len(r.Cases) != 1 || c.Analytic != want || !c.Pass || c.Params.String() != "lambda=1.6 mu=1 c=2" {
		t.Fatalf("report %+v", r)
	}
	if _, err := Cases(cases, 1, 1); err == nil {
		t.Fatal("1 replication accepted")
	}
}

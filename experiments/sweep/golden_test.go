package sweep

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
)

var updateSweepGolden = flag.Bool("update-sweep", false, "rewrite experiments/sweep/testdata/*.golden")

// goldenSweep is a 2x2 result with every kind of value: intervals, none,
// a point not computed yet (3).
func goldenSweep() *Result {
	r := fakeSweep(7, nil, 0, 1, 2)
	r.Pending = []int{3}
	for k := range r.Rows {
		m := &r.Rows[k].Metrics
		f := float64(k + 1)
		m.Attempts, m.Succeeded, m.Failed, m.Abandoned = 1000*int64(k+1), 990*int64(k+1), 7*int64(k+1), 3*int64(k+1)
		m.Set(metric.LatencyP50, 0.1*f, nil)
		m.Set(metric.LatencyP95, 0.5*f, nil)
		m.Set(metric.LatencyP99, 1.25*f, &experiments.CI{1.1 * f, 1.4 * f})
		m.Set(metric.LatencyMean, 0.2*f, nil)
		m.Set(metric.ErrorRate, 0.007, &experiments.CI{0.005, 0.009})
		m.Set(metric.Throughput, 99.5*f, nil)
		m.Set(metric.Cost, 0.0642, nil)
		m.Set(metric.CacheHitRatio, 0.986, nil)
		m.Set(metric.PaymentAttemptsPerPayment, 1+0.1*f, nil)
		m.Set(metric.DBQueriesPerCheckout, 6.9, nil)
		m.MaxBacklog = 16 * k
	}
	return r
}

// Golden tests pin the three formats of sweep results
// (go test ./experiments/sweep -run Golden -update-sweep rewrites them).
func TestSweepCapacityGolden(t *testing.T) {
	type goldenCase struct {
		file  string
		write func(b *bytes.Buffer) error
	}
	var cases []goldenCase
	for _, f := range []string{output.Table, output.JSON, output.CSV} {
		cases = append(cases,
			goldenCase{"sweep." + f + ".golden", func(b *bytes.Buffer) error { return goldenSweep().Write(b, f) }})
	}
	for _, tc := range cases {
		var b bytes.Buffer
		if err := tc.write(&b); err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		path := filepath.Join("testdata", tc.file)
		if *updateSweepGolden {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update-sweep to create it)", err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s changed (-update-sweep to accept):\n%s", tc.file, b.String())
		}
	}
	// The JSON golden reads back as the same result.
	data, _ := os.ReadFile(filepath.Join("testdata", "sweep.json.golden"))
	back, err := Decode("sweep.json.golden", data)
	if err != nil || len(back.Rows) != 3 || back.Pending[0] != 3 {
		t.Errorf("sweep.json.golden does not read back: %v %+v", err, back)
	}
	if err := (&Result{}).Write(&bytes.Buffer{}, "xml"); err == nil {
		t.Errorf("format xml accepted")
	}
}

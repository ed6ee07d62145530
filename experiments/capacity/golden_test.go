package capacity

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/output"
)

var update = flag.Bool("update", false, "rewrite experiments/capacity/testdata/*.golden")

func goldenCapacity() *Result {
	ci := func(lo, hi float64) *experiments.CI { return &experiments.CI{lo, hi} }
	// The row at 1.609375 fails by 0.3 ms: its P99 must print with the
	// digits that show it (1.1503 s against 1.15 s), and its error rate,
	// just under the bound, likewise (0.99996%).
	return &Result{Scenario: "mm1", Seed: 1, Replications: 10, SLOP99S: 1.15, MaxErrorRate: 0.01, JudgedOn: "mean",
		Tolerance: 0.02, SustainableMultiplier: 1.59375, SustainableMultiplierCI: ci(1.5625, 1.625),
		SustainableOfferedPerS: 15.9375, SustainableOfferedPerSCI: ci(15.625, 16.25),
		SustainableCheckoutsPerS: 15.9, SustainableCheckoutsPerSCI: ci(15.8, 16),
		FailingMultiplier: 1.609375, Warnings: []string{"an example warning"},
		Curve: []Point{
			{Multiplier: 1, OfferedPerS: 10, P99S: 0.447, P99SCI: ci(0.427, 0.466), ErrorRate: 0, ErrorRateCI: ci(0, 0), ThroughputPerS: 10, Completed: 114000, Pass: true},
			{Multiplier: 1.59375, OfferedPerS: 15.9375, P99S: 1.08, P99SCI: ci(0.957, 1.19), ThroughputPerS: 15.9, Completed: 181000, Pass: true},
			{Multiplier: 1.609375, OfferedPerS: 16.09375, P99S: 1.1503, P99SCI: ci(1.04, 1.26), ErrorRate: 0.0099996, ThroughputPerS: 16.1, Completed: 183000, Pass: false},
			{Multiplier: 1.625, OfferedPerS: 16.25, P99S: 1.16, ErrorRate: 0.02, ThroughputPerS: 16.2, Completed: 185000, Pass: false},
		}}
}

// The golden test pins the three formats of a capacity result
// (go test ./experiments/capacity -run Golden -update rewrites them).
func TestCapacityGolden(t *testing.T) {
	for _, f := range output.Formats {
		var b bytes.Buffer
		if err := goldenCapacity().Write(&b, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		path := filepath.Join("testdata", "capacity."+f+".golden")
		if *update {
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s changed (-update to accept):\n%s", path, b.String())
		}
	}
}

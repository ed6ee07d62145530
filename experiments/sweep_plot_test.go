package experiments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSweepWritePlots(t *testing.T) {
	dir := t.TempDir()
	// Point 3 missing: drawn gray, not an error.
	if err := fakeSweep(1, nil, 0, 1, 2).WritePlots(dir); err != nil {
		t.Fatal(err)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "sweep-*.png"))
	svgs, _ := filepath.Glob(filepath.Join(dir, "sweep-*.svg"))
	if len(pngs) != len(sweepPlotMetrics) || len(svgs) != len(sweepPlotMetrics) {
		t.Fatalf("wrote %q and %q, want %d of each", pngs, svgs, len(sweepPlotMetrics))
	}
	svg, _ := os.ReadFile(svgs[0])
	if !strings.Contains(string(svg), "<svg") {
		t.Errorf("%s is not an SVG", svgs[0])
	}

	one := fakeSweep(1, nil)
	one.Grid.Params = one.Grid.Params[:1]
	one.Rows = []SweepRow{{Index: 1, Values: []string{"2"}}}
	if err := one.WritePlots(t.TempDir()); err != nil {
		t.Errorf("one-parameter grid: %v", err)
	}
	three := fakeSweep(1, nil)
	three.Grid.Params = append(three.Grid.Params, SweepParam{"c", []string{"p"}})
	if err := three.WritePlots(t.TempDir()); err == nil || !strings.Contains(err.Error(), "has 3") {
		t.Errorf("three-parameter grid: %v, want an error", err)
	}
}

func TestCapacityWritePlot(t *testing.T) {
	dir := t.TempDir()
	r := &CapacityResult{Scenario: "mm1", SLOP99S: 1, MaxErrorRate: 0.01, Curve: []CapacityPoint{
		{Multiplier: 1, OfferedPerS: 10, P99S: 0.46, Pass: true},
		{Multiplier: 2, OfferedPerS: 20, P99S: 12, Pass: false},
	}}
	if err := r.WritePlot(dir); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "mm1*capacity*")); len(files) != 2 {
		t.Errorf("wrote %q, want a PNG and an SVG", files)
	}
}

package chart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/capacity"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/sweep"
)

// sweep2x2 is a result over a 2x2 grid with the points given computed.
func sweep2x2(points ...int) *sweep.Result {
	g := sweep.Grid{Scenario: "one-station",
		Params: []sweep.Param{{Path: "a", Values: []string{"1", "2"}}, {Path: "b", Values: []string{"x", "y"}}}}
	r := &sweep.Result{Grid: g, Points: g.Points()}
	for _, i := range points {
		row := sweep.Row{Index: i, Values: g.Point(i)}
		row.Metrics.Set(metric.Throughput, float64(i), nil)
		r.Rows = append(r.Rows, row)
	}
	return r
}

func TestWriteSweep(t *testing.T) {
	dir := t.TempDir()
	// Point 3 missing: drawn gray, not an error.
	if err := WriteSweep(dir, sweep2x2(0, 1, 2)); err != nil {
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

	one := sweep2x2()
	one.Grid.Params = one.Grid.Params[:1]
	one.Rows = []sweep.Row{{Index: 1, Values: []string{"2"}}}
	if err := WriteSweep(t.TempDir(), one); err != nil {
		t.Errorf("one-parameter grid: %v", err)
	}
	three := sweep2x2()
	three.Grid.Params = append(three.Grid.Params, sweep.Param{Path: "c", Values: []string{"p"}})
	if err := WriteSweep(t.TempDir(), three); err == nil || !strings.Contains(err.Error(), "has 3") {
		t.Errorf("three-parameter grid: %v, want an error", err)
	}
}

func TestWriteCapacity(t *testing.T) {
	dir := t.TempDir()
	r := &capacity.Result{Scenario: "mm1", SLOP99S: 1, MaxErrorRate: 0.01, Curve: []capacity.Point{
		{Multiplier: 1, OfferedPerS: 10, P99S: 0.46, Pass: true},
		{Multiplier: 2, OfferedPerS: 20, P99S: 12, Pass: false},
	}}
	if err := WriteCapacity(dir, r); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "mm1*capacity*")); len(files) != 2 {
		t.Errorf("wrote %q, want a PNG and an SVG", files)
	}
}

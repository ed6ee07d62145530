package chart_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/checkoutsim/checkoutsim/experiments/capacity"
	"github.com/checkoutsim/checkoutsim/experiments/chart"
)

// A heat map of P99 over a two-parameter sweep: one PNG and one SVG named
// after the title.
func ExampleWriteSweepHeatmap() {
	dir, err := os.MkdirTemp("", "heatmap")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	xs := []string{"1", "2", "3"} // payment.retry.max_attempts
	ys := []string{"250ms", "1s"} // payment.timeout, bottom row first
	p99 := [][]float64{{0.8, 1.1, 1.9}, {1.2, 2.6, 5.4}}
	if err := chart.WriteSweepHeatmap(dir, "P99 latency (s)", "max attempts", "timeout", xs, ys, p99); err != nil {
		fmt.Println(err)
		return
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output:
	// sweep-p99-latency-s.png
	// sweep-p99-latency-s.svg
}

// The load curve of a capacity search, in the order the search ran it.
func ExampleWriteCapacityPlot() {
	dir, err := os.MkdirTemp("", "capacity")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	curve := []capacity.Point{
		{Multiplier: 1, OfferedPerS: 100, P99S: 0.9, ErrorRate: 0.002, Pass: true},
		{Multiplier: 2, OfferedPerS: 200, P99S: 6.5, ErrorRate: 0.04},
		{Multiplier: 1.5, OfferedPerS: 150, P99S: 1.6, ErrorRate: 0.006, Pass: true},
	}
	err = chart.WriteCapacityPlot(dir, "flash-sale-after", curve, 2, 0.01)
	fmt.Println(err)
	_, err = os.Stat(filepath.Join(dir, "flash-sale-after-capacity.svg"))
	fmt.Println(err)
	// Output:
	// <nil>
	// <nil>
}

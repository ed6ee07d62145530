package chart

// Charts of sweep and capacity results, drawn with the plot helpers of
// heatmap.go: heat maps of the headline metrics over a grid of one or
// two parameters, and the load curve of a capacity search.

import (
	"fmt"
	"math"

	"github.com/checkoutsim/checkoutsim/experiments/capacity"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/sweep"
)

// sweepPlotMetrics are the metrics drawn as heat maps, one chart each,
// titled by their Axis.
var sweepPlotMetrics = []*metric.Metric{metric.LatencyP99, metric.ErrorRate, metric.Throughput, metric.Cost}

// WriteSweep writes heat maps of P99, error rate, throughput and cost over
// the grid to dir (which must exist), as sweep-<metric>.png and .svg. The
// first parameter runs up the y axis, the second (if any) along the x
// axis; a point not computed yet is drawn gray. Grids of more than two
// parameters have no heat map: that is an error.
func WriteSweep(dir string, r *sweep.Result) error {
	g := &r.Grid
	if len(g.Params) > 2 {
		return fmt.Errorf("plots: a heat map shows one or two parameters; this sweep has %d (use -o csv and a tool of your own)", len(g.Params))
	}
	ys := g.Params[0].Values
	xs, xLabel := []string{""}, ""
	if len(g.Params) == 2 {
		xs, xLabel = g.Params[1].Values, g.Params[1].Path
	}
	for _, m := range sweepPlotMetrics {
		values := make([][]float64, len(ys))
		for i := range values {
			values[i] = make([]float64, len(xs))
			for j := range values[i] {
				values[i][j] = math.NaN()
			}
		}
		for _, row := range r.Rows {
			values[row.Index/len(xs)][row.Index%len(xs)] = row.Metrics.Get(m).Mean
		}
		title := m.Axis + " — " + g.Scenario
		if err := WriteSweepHeatmap(dir, title, xLabel, g.Params[0].Path, xs, ys, values); err != nil {
			return err
		}
	}
	return nil
}

// WriteCapacity writes the load curve of the search (P99 and error rate
// against the offered checkout rate, with the SLO and the knee's 95%
// interval shaded) to dir as <scenario>-capacity.png and .svg.
func WriteCapacity(dir string, r *capacity.Result) error {
	return writeCapacityPlot(dir, r.Scenario, r.Curve, r.SLOP99S, r.MaxErrorRate, r.SustainableMultiplierCI)
}

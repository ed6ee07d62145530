// Package chart draws every chart of the simulator with gonum/plot, as PNG
// and SVG files: a run's constraint signals over time (WriteRunPlots), two
// runs compared (WriteComparePlots, and CompareInline for the evidence
// report's page), a sweep's heat maps (WriteSweep, WriteSweepHeatmap) and
// a capacity search's load curve (WriteCapacity, WriteCapacityPlot). It
// takes replication results and the result types of experiments, and
// draws the same bytes for the same input. Time charts mark the
// scenario's scheduled events and the P99 SLO (Marks, marks.go); the
// report's inline charts carry hover titles (hover.go).
//
// It may import experiments (the result types and scenarios),
// experiments/metric and experiments/output, models/checkout, models/cache
// (the invalidation modes an event is labelled with) and sim/stats; only
// cmd and experiments/report import it.
package chart

package chart

// This file draws the charts of a comparison (`checkoutsim compare A B
// --plots DIR`) and of the evidence report: the latency distributions of
// A and B overlaid on a log axis, and the constraint signals of A and B
// over time on the same axes.

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"

	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// WriteComparePlots writes the charts of a comparison of runs A and B to
// dir (which must exist), each as <A>-vs-<B>-<chart>.png and .svg:
//
//	latency-cdf   the CDF of checkout latency of all replications merged,
//	              A and B overlaid, log-scaled latency axis
//	latency-tail  the share of clicks slower than each latency (1 - CDF),
//	              log-log, with the P99 and P99.9 levels: the tail in detail
//	p99, errors, cache-hit-ratio, lock-wait, payment-attempts
//	              the series of A and B over simulated minutes, same axes
//
// A is drawn in vermillion and B in blue in every chart. The series
// charts mark marks.Events; the p99 chart, the CDF and the tail draw the
// P99 SLO when marks.SLOP99S is set.
func WriteComparePlots(dir, nameA, nameB string, a, b []*checkout.Result, marks Marks) error {
	figs, err := compareFigures(nameA, nameB, a, b, false, marks)
	if err != nil {
		return err
	}
	return writeFigures(dir, drawables(figs))
}

// compareSignal is one A-vs-B time series chart.
type compareSignal struct {
	file     string // suffix of the file name
	title    string
	quantity string
	series   []string // summed when several (total backlog)
	prefix   string   // or: every series with this prefix, summed
	latency  bool     // a per-interval percentile: zeros are gaps
	yr       yRange
}

// compareSignals are the time series of WriteComparePlots; the report
// adds reportSignals.
var compareSignals = []compareSignal{
	{file: "p99", title: "P99 checkout latency per interval", quantity: "P99 latency", series: []string{checkout.SeriesLatencyP99}, latency: true, yr: yRange{slo: true}},
	{file: "errors", title: "Failed checkouts per second", quantity: "failed checkouts", series: []string{checkout.SeriesFailed}},
	{file: "cache-hit-ratio", title: "Cache hit ratio per interval", quantity: "hit ratio", series: []string{checkout.SeriesCacheHitRatio}, yr: yRange{percent: true, minCap: 0.9}},
	{file: "lock-wait", title: "Mean inventory lock wait per interval", quantity: "lock wait", series: []string{checkout.SeriesLockWaitMean}},
	{file: "payment-attempts", title: "Payment provider attempts per second (retries included)", quantity: "payment attempts", series: []string{checkout.SeriesPaymentAttempts}},
}

// reportSignals are the extra constraint signals of the report.
var reportSignals = []compareSignal{
	{file: "gateway-attempts", title: "Gateway attempts per second (user clicks and retries)", quantity: "gateway attempts", series: []string{checkout.SeriesGatewayAttempts}},
	{file: "backlog", title: "Requests waiting for a worker, all services", quantity: "backlog", prefix: checkout.SeriesBacklog},
}

// compareFigures builds the CDF and the A-vs-B series charts; with
// report, also reportSignals, and titles name the chart only (the report
// names the runs around it).
func compareFigures(nameA, nameB string, a, b []*checkout.Result, report bool, marks Marks) ([]*figure, error) {
	if len(a) == 0 || len(b) == 0 {
		return nil, errors.New("plots: a comparison needs results for both runs")
	}
	prefix := fileSlug(nameA) + "-vs-" + fileSlug(nameB) + "-"
	suffix := ": " + nameA + " vs " + nameB
	if report {
		suffix = ""
	}
	cdf, err := cdfFigure(prefix+"latency-cdf", "Checkout latency distribution"+suffix, nameA, nameB, a, b, marks.SLOP99S)
	if err != nil {
		return nil, err
	}
	tail, err := tailFigure(prefix+"latency-tail", "Checkout latency tail"+suffix, nameA, nameB, a, b, marks.SLOP99S)
	if err != nil {
		return nil, err
	}
	figs := []*figure{cdf, tail}
	signals := compareSignals
	if report {
		signals = append(append([]compareSignal{}, compareSignals...), reportSignals...)
	}
	ivA, ivB := sampleInterval(a), sampleInterval(b)
	for _, sig := range signals {
		va, unit, okA := signalSeries(a, sig)
		vb, _, okB := signalSeries(b, sig)
		if !okA && !okB {
			continue
		}
		// Each run on its own time axis (the scenarios may sample at
		// different intervals); A's warm-up is shaded.
		ax := timeAxis{intervalS: ivA, warmupMin: warmupMinutes(a, len(va), ivA), marks: marks}
		f, err := timeChart(prefix+sig.file, sig.title+suffix, sig.quantity, unit, ax, sig.yr, []seriesLine{
			{label: "A: " + nameA, vals: va, color: colorA, intervalS: ivA},
			{label: "B: " + nameB, vals: vb, color: colorB, intervalS: ivB},
		})
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// signalSeries reads one signal's mean series.
func signalSeries(results []*checkout.Result, sig compareSignal) ([]float64, string, bool) {
	names := sig.series
	if sig.prefix != "" {
		names = seriesWithPrefix(results, sig.prefix)
	}
	if sig.latency && len(names) == 1 {
		v, unit, ok := meanSeries(results, names[0])
		if ok {
			v = meanLatencySeries(results, names[0])
		}
		return v, unit, ok
	}
	return sumSeries(results, names)
}

// mergedLatency merges the latency histograms of all replications.
func mergedLatency(results []*checkout.Result) *stats.Histogram {
	h := new(stats.Histogram)
	for _, r := range results {
		if r != nil && r.Latency != nil {
			h.Merge(r.Latency)
		}
	}
	return h
}

// cdfFigure overlays the latency CDFs of A and B on a log latency axis,
// with the P50 and P99 levels marked. The x axis holds log10 of the
// seconds on a linear scale (see tailFigure for why not plot.LogScale).
func cdfFigure(file, title, nameA, nameB string, a, b []*checkout.Result, sloP99S float64) (*figure, error) {
	f := newFigure(file, title, "checkout latency (log scale)", "fraction of clicks answered within")
	ha, hb := mergedLatency(a), mergedLatency(b)
	if ha.Count() == 0 && hb.Count() == 0 {
		return nil, fmt.Errorf("chart %s: no latencies recorded in either run", file)
	}
	lo, hi := math.Inf(1), 0.0
	for i, h := range []*stats.Histogram{ha, hb} {
		pts := h.CDF()
		if len(pts) == 0 {
			continue
		}
		var line xy
		// Start each curve at 0 just left of its first point, so it rises
		// from the axis.
		first := pts[0].Seconds
		if first > 0 {
			line.xs, line.ys = append(line.xs, math.Log10(first/1.05)), append(line.ys, 0)
			lo = math.Min(lo, first/1.05)
		}
		for _, p := range pts {
			if p.Seconds <= 0 {
				continue // not on a log axis
			}
			line.xs, line.ys = append(line.xs, math.Log10(p.Seconds)), append(line.ys, 100*p.Fraction)
			lo, hi = math.Min(lo, p.Seconds), math.Max(hi, p.Seconds)
		}
		label, c := "A: "+nameA, colorA
		if i == 1 {
			label, c = "B: "+nameB, colorB
		}
		if err := f.addLine(label, line, c, nil, 1.8); err != nil {
			return nil, err
		}
	}
	if !(lo > 0) || !(hi > 0) {
		return nil, fmt.Errorf("chart %s: no positive latency to draw on a log axis", file)
	}
	if sloP99S > 0 {
		lo, hi = math.Min(lo, sloP99S), math.Max(hi, sloP99S)
	}
	lo, hi = decadeFloor(lo), decadeCeil(hi)
	if err := f.addSLOVertical(sloP99S, 0, 100); err != nil {
		return nil, err
	}
	f.addQuantilePoints(nameA, nameB, ha, hb, func(q float64) float64 { return 100 * q })
	for _, q := range []struct {
		level float64
		label string
	}{{0.99, "P99 level"}, {0.5, "P50 level"}} {
		dash := dashes[2]
		if q.level == 0.5 {
			dash = dashes[1]
		}
		if err := f.addLine(q.label, xy{[]float64{math.Log10(lo), math.Log10(hi)}, []float64{100 * q.level, 100 * q.level}}, gray, dash, 1); err != nil {
			return nil, err
		}
	}
	p := f.p
	p.X.Tick.Marker = log10LatencyTicks{}
	p.X.Min, p.X.Max = math.Log10(lo), math.Log10(hi)
	p.Y.Min, p.Y.Max = 0, 100
	p.Y.Tick.Marker = niceTicks{suffix: "%"}
	return f, nil
}

// addSLOVertical draws the P99 SLO as a vertical line from y0 to y1 on a
// log10-latency x axis, with a legend entry; nothing when sloS is 0.
func (f *figure) addSLOVertical(sloS, y0, y1 float64) error {
	if sloS <= 0 {
		return nil
	}
	x := math.Log10(sloS)
	return f.addLine("SLO: P99 ≤ "+output.Human(sloS, "s"), xy{[]float64{x, x}, []float64{y0, y1}}, sloColor, dashes[3], 1.2)
}

// addQuantilePoints titles each run's P50, P90, P99 and P99.9 on a
// log10-latency x axis, y(q) being the quantile's height on the chart.
func (f *figure) addQuantilePoints(nameA, nameB string, ha, hb *stats.Histogram, y func(q float64) float64) {
	for i, h := range []*stats.Histogram{ha, hb} {
		if h.Count() == 0 {
			continue
		}
		name := "A: " + nameA
		if i == 1 {
			name = "B: " + nameB
		}
		for _, q := range []struct {
			q     float64
			label string
		}{{0.5, "P50"}, {0.9, "P90"}, {0.99, "P99"}, {0.999, "P99.9"}} {
			v := h.Quantile(q.q)
			if v > 0 {
				f.hover.points = append(f.hover.points, hoverPoint{x: math.Log10(v), y: y(q.q), title: name + ": " + q.label + " " + output.Human(v, "s")})
			}
		}
	}
	f.recordArea()
}

// decadeFloor and decadeCeil round a positive value down or up to 1, 2 or
// 5 times a power of ten, so a log axis ends on a labelled tick.
func decadeFloor(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{5, 2, 1} {
		if m*p <= v*(1+1e-9) {
			return m * p
		}
	}
	return p
}

func decadeCeil(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// tailFigure draws the complementary CDF (the share of clicks slower than
// x) of A and B on log-log axes, down to one click in 10 000, with the P99
// and P99.9 levels: where the CDF crowds its top 1% into a hair, this
// spreads each decade of the tail over the same height. Both axes hold
// log10 of their values on a linear scale, labelled in the values: gonum's
// LogScale places an axis label's glyph box at the arithmetic mean of the
// axis range, which on a log axis sits near its end and squeezes the plot
// (seen in v0.17).
func tailFigure(file, title, nameA, nameB string, a, b []*checkout.Result, sloP99S float64) (*figure, error) {
	const floorExp = -4 // 0.01%
	f := newFigure(file, title, "checkout latency (log scale)", "clicks slower than that")
	lo, hi := math.Inf(1), 0.0
	ha, hb := mergedLatency(a), mergedLatency(b)
	for i, h := range []*stats.Histogram{ha, hb} {
		var line xy
		for _, p := range h.CDF() {
			if s := 1 - p.Fraction; p.Seconds > 0 && s >= math.Pow(10, floorExp) {
				line.xs, line.ys = append(line.xs, math.Log10(p.Seconds)), append(line.ys, math.Log10(s))
				lo, hi = math.Min(lo, p.Seconds), math.Max(hi, p.Seconds)
			}
		}
		label, c := "A: "+nameA, colorA
		if i == 1 {
			label, c = "B: "+nameB, colorB
		}
		if err := f.addLine(label, line, c, nil, 1.8); err != nil {
			return nil, err
		}
	}
	if !(lo > 0) || !(hi > 0) {
		return nil, fmt.Errorf("chart %s: no latency tail to draw", file)
	}
	if sloP99S > 0 {
		lo, hi = math.Min(lo, sloP99S), math.Max(hi, sloP99S)
	}
	lo, hi = decadeFloor(lo), decadeCeil(hi)
	if err := f.addSLOVertical(sloP99S, floorExp, 0); err != nil {
		return nil, err
	}
	f.addQuantilePoints(nameA, nameB, ha, hb, func(q float64) float64 { return math.Log10(1 - q) })
	for _, q := range []struct {
		exp   float64
		label string
		dash  int
	}{{-2, "P99 level (1% slower)", 1}, {-3, "P99.9 level (0.1% slower)", 2}} {
		if err := f.addLine(q.label, xy{[]float64{math.Log10(lo), math.Log10(hi)}, []float64{q.exp, q.exp}}, gray, dashes[q.dash], 1); err != nil {
			return nil, err
		}
	}
	p := f.p
	p.X.Tick.Marker = log10LatencyTicks{}
	p.Y.Tick.Marker = log10ShareTicks{}
	p.X.Min, p.X.Max = math.Log10(lo), math.Log10(hi)
	p.Y.Min, p.Y.Max = floorExp, 0
	return f, nil
}

// log10ShareTicks label an axis of log10(share) at each power of ten as a
// percentage ("100%", "10%", "1%", "0.1%", "0.01%"), with unlabelled
// ticks at 2..9 times each.
type log10ShareTicks struct{}

// Ticks implements plot.Ticker.
func (log10ShareTicks) Ticks(lo, hi float64) []plot.Tick {
	if !isFinite(lo) || !isFinite(hi) || hi < lo {
		return nil
	}
	var ticks []plot.Tick
	for e := math.Floor(lo); e <= math.Ceil(hi); e++ {
		for m := 1; m < 10; m++ {
			v := e + math.Log10(float64(m))
			if v < lo-1e-9 || v > hi+1e-9 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 {
				t.Label = strconv.FormatFloat(100*math.Pow(10, e), 'g', 3, 64) + "%"
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// log10LatencyTicks are latencyTicks for an axis that holds log10 of
// seconds.
type log10LatencyTicks struct{}

// Ticks implements plot.Ticker.
func (log10LatencyTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := latencyTicks{}.Ticks(math.Pow(10, lo), math.Pow(10, hi))
	for i := range ticks {
		ticks[i].Value = math.Log10(ticks[i].Value)
	}
	return ticks
}

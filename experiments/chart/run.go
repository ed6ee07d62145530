package chart

// This file draws the charts of one run (`checkoutsim run --plots DIR`):
// each a time series over simulated minutes, the mean over replications
// at each sample point.

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/checkoutsim/checkoutsim/experiments/recovery"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// WriteRunPlots writes the charts of one run to dir (which must exist),
// each as <name>-<chart>.png and .svg, name made file-safe (fileSlug):
//
//	latency      P50, P95 and P99 of the clicks answered in each interval
//	throughput   succeeded, failed and abandoned checkouts per s, arrivals
//	cache-hit-ratio, lock-wait (mean wait of the lock waits in an interval)
//	attempts     gateway and payment attempts per s against arrivals
//	breakers     each payment provider's breaker state
//	backlog      requests waiting for a worker, per service
//	instances    instances per service (autoscaling)
//	db-pool      database connections in use and requests waiting
//
// Every point is the mean over the replications at that sample; the x
// axis is simulated time in minutes, the warm-up shaded, and every chart
// marks marks.Events; the latency chart draws the P99 SLO when
// marks.SLOP99S is set. A chart whose series no result has (breakers
// without payment providers) is left out.
func WriteRunPlots(dir string, name string, results []*checkout.Result, marks Marks) error {
	figs, err := runFigures(name, results, marks)
	if err != nil {
		return err
	}
	return writeFigures(dir, drawables(figs))
}

// seriesLine is one line of a time chart: a mean series and its look.
type seriesLine struct {
	label string
	vals  []float64
	// intervalS is the line's own sample spacing; 0: the axis's.
	intervalS float64
	color     color.Color
	dash      []vg.Length
	width     float64
}

// timeAxis is what every time chart of one set of results shares.
type timeAxis struct {
	intervalS float64 // sample spacing
	warmupMin float64 // shaded; 0: none
	marks     Marks   // the events on every chart; the SLO where yRange.slo
}

// yRange forces the y axis: the zero value starts it at 0 and lets the
// maximum follow the data.
type yRange struct {
	percent bool    // a 0..1 fraction drawn as 0-100%: ticks every 10%
	state   bool    // breaker state: ticks "closed", "half-open", "open"
	minCap  float64 // with percent: the axis starts at most here (0..1)
	slo     bool    // a P99 latency: draw the P99 SLO, when known
}

// timeChart builds a chart of lines over simulated minutes. quantity
// names what the y axis shows ("latency"); unit is the series unit, shown
// in a readable scale (ms below 1 s, % for fractions).
func timeChart(file, title, quantity, unit string, ax timeAxis, yr yRange, lines []seriesLine) (*figure, error) {
	var all [][]float64
	n := 0
	for _, l := range lines {
		all = append(all, l.vals)
		n = max(n, len(l.vals))
	}
	if n == 0 || ax.intervalS <= 0 {
		return nil, fmt.Errorf("chart %s: no samples", file)
	}
	scale, shown := timeScale(unit, maxAbs(all...))
	switch {
	case yr.percent:
		scale = 100
	case yr.state:
		scale = 1
	}
	yLabel := quantity
	switch {
	case yr.percent:
		yLabel += " (%)"
	case yr.state:
	case shown != "" && shown != quantity:
		yLabel += " (" + shown + ")"
	}
	f := newFigure(file, title, "simulated time (min)", yLabel)
	xMax := 0.0
	for _, l := range lines {
		if iv := l.intervalS; iv > 0 {
			xMax = math.Max(xMax, float64(len(l.vals))*iv/60)
		} else {
			xMax = math.Max(xMax, float64(len(l.vals))*ax.intervalS/60)
		}
	}
	if ax.warmupMin > 0 {
		if err := f.shade(0, ax.warmupMin, "warm-up (not measured)"); err != nil {
			return nil, err
		}
	}
	f.addEvents(ax.marks.Events) // behind the lines
	for _, l := range lines {
		w := l.width
		if w == 0 {
			w = 1.6
		}
		iv := ax.intervalS
		if l.intervalS > 0 {
			iv = l.intervalS
		}
		xs := minutes(len(l.vals), iv)
		if err := f.addLine(l.label, xy{xs, scaled(l.vals, scale)}, l.color, l.dash, w); err != nil {
			return nil, err
		}
		hu := unit
		if yr.state {
			hu = "" // 0 closed, 0.5 half-open, 1 open
		}
		f.hover.lines = append(f.hover.lines, hoverLine{label: l.label, xs: xs, vals: l.vals, unit: hu})
	}
	f.recordArea()
	p := f.p
	p.X.Min, p.X.Max = 0, xMax
	top := maxAbs(all...) * scale
	switch {
	case yr.percent:
		lo := 0.0
		if yr.minCap > 0 {
			lo = math.Min(yr.minCap, math.Floor(minFinite(all...)*10)/10)
		}
		p.Y.Min, p.Y.Max = 100*math.Max(lo, 0), 100
		p.Y.Tick.Marker = niceTicks{suffix: "%"}
	case yr.state:
		p.Y.Min, p.Y.Max = -0.05, 1.05
		p.Y.Tick.Marker = plot.ConstantTicks{{Value: 0, Label: "closed"}, {Value: 0.5, Label: "half-open"}, {Value: 1, Label: "open"}}
	default:
		p.Y.Min = 0
		if top <= 0 {
			p.Y.Max = 1
		} else {
			p.Y.Max = top * 1.05
		}
	}
	if yr.slo && ax.marks.SLOP99S > 0 {
		if err := f.addSLOLine(ax.marks.SLOP99S, ax.marks.SLOP99S*scale); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// minFinite is the smallest finite value of vs (1 when none).
func minFinite(vs ...[]float64) float64 {
	m := math.Inf(1)
	for _, v := range vs {
		for _, x := range v {
			if isFinite(x) {
				m = math.Min(m, x)
			}
		}
	}
	if math.IsInf(m, 1) {
		return 1
	}
	return m
}

// shade fills the x range [x0, x1] over the whole y range in light gray
// (drawn behind the lines), with a legend entry.
func (f *figure) shade(x0, x1 float64, label string) error {
	// The band is drawn from y = -1e12 to 1e12 and clipped by the plot
	// area; it does not take part in the axis range.
	b := &band{x0: x0, x1: x1, color: color.RGBA{0xF0, 0xF0, 0xF0, 0xFF}}
	f.p.Add(b)
	if label != "" {
		f.addLegend(label, b)
	}
	return nil
}

// runFigures builds the charts of one run.
func runFigures(name string, results []*checkout.Result, marks Marks) ([]*figure, error) {
	if len(results) == 0 {
		return nil, errors.New("plots: no results")
	}
	iv := sampleInterval(results)
	lat, _, ok := meanSeries(results, checkout.SeriesLatencyP99)
	if !ok || iv <= 0 {
		return nil, fmt.Errorf("plots %s: the results have no time series", name)
	}
	ax := timeAxis{intervalS: iv, warmupMin: warmupMinutes(results, len(lat), iv), marks: marks}
	prefix := fileSlug(name) + "-"
	var figs []*figure
	add := func(f *figure, err error) error {
		if err != nil {
			return err
		}
		if f != nil {
			figs = append(figs, f)
		}
		return nil
	}
	get := func(series string) []float64 {
		v, _, _ := meanSeries(results, series)
		return v
	}
	specs := []func() (*figure, error){
		func() (*figure, error) {
			return timeChart(prefix+"latency", name+": checkout latency percentiles per interval", "latency", "s", ax, yRange{slo: true}, []seriesLine{
				{label: "P99", vals: meanLatencySeries(results, checkout.SeriesLatencyP99), color: lineColors[1]},
				{label: "P95", vals: meanLatencySeries(results, checkout.SeriesLatencyP95), color: lineColors[4]},
				{label: "P50", vals: meanLatencySeries(results, checkout.SeriesLatencyP50), color: lineColors[0]},
			})
		},
		func() (*figure, error) {
			return timeChart(prefix+"throughput", name+": checkouts resolved per second", "checkouts", "1/s", ax, yRange{}, []seriesLine{
				{label: "arrivals", vals: get(checkout.SeriesArrivals), color: gray, dash: dashes[1], width: 1.2},
				{label: "succeeded", vals: get(checkout.SeriesSucceeded), color: lineColors[2]},
				{label: "failed", vals: get(checkout.SeriesFailed), color: lineColors[1]},
				{label: "abandoned", vals: get(checkout.SeriesAbandoned), color: lineColors[4]},
			})
		},
		func() (*figure, error) {
			return timeChart(prefix+"cache-hit-ratio", name+": cache hit ratio per interval", "hit ratio", "fraction", ax, yRange{percent: true, minCap: 0.9}, []seriesLine{
				{label: "cache hit ratio", vals: get(checkout.SeriesCacheHitRatio), color: lineColors[0]},
			})
		},
		func() (*figure, error) {
			return timeChart(prefix+"lock-wait", name+": mean inventory lock wait per interval", "lock wait", "s", ax, yRange{}, []seriesLine{
				{label: "mean lock wait", vals: get(checkout.SeriesLockWaitMean), color: lineColors[1]},
			})
		},
		func() (*figure, error) {
			return timeChart(prefix+"attempts", name+": attempts and retries", "attempts", "1/s", ax, yRange{}, []seriesLine{
				{label: "checkouts arriving", vals: get(checkout.SeriesArrivals), color: gray, dash: dashes[1], width: 1.2},
				{label: "gateway attempts", vals: get(checkout.SeriesGatewayAttempts), color: lineColors[0]},
				{label: "payment attempts", vals: get(checkout.SeriesPaymentAttempts), color: lineColors[1]},
			})
		},
		func() (*figure, error) {
			return groupChart(results, ax, checkout.SeriesBreakerOpen, prefix+"breakers", name+": payment provider circuit breakers (mean over replications)", "breaker state", yRange{state: true})
		},
		func() (*figure, error) {
			return groupChart(results, ax, checkout.SeriesBacklog, prefix+"backlog", name+": requests waiting for a worker", "backlog", yRange{})
		},
		func() (*figure, error) {
			return groupChart(results, ax, checkout.SeriesInstances, prefix+"instances", name+": instances per service", "instances", yRange{})
		},
		func() (*figure, error) {
			return timeChart(prefix+"db-pool", name+": database connection pool", "connections / requests", "", ax, yRange{}, []seriesLine{
				{label: "connections in use", vals: get(checkout.SeriesDBPoolInUse), color: lineColors[0]},
				{label: "requests waiting", vals: get(checkout.SeriesDBPoolWaiting), color: lineColors[1]},
			})
		},
		func() (*figure, error) { return recoveryChart(results, ax, prefix+"recovery", name) },
	}
	for _, s := range specs {
		if err := add(s()); err != nil {
			return nil, err
		}
	}
	return figs, nil
}

// recoveryChart draws goodput (succeeded per arrived checkout) per
// interval against the scheduled trigger, so a reader sees whether the
// system came back after the trigger ended; nil without a trigger.
func recoveryChart(results []*checkout.Result, ax timeAxis, file, name string) (*figure, error) {
	if len(results[0].Triggers) == 0 {
		return nil, nil
	}
	arr, _, _ := meanSeries(results, checkout.SeriesArrivals)
	ok, _, _ := meanSeries(results, checkout.SeriesSucceeded)
	n := min(len(arr), len(ok))
	goodput := make([]float64, n)
	trigger := make([]float64, n)
	for i := range n {
		goodput[i] = 1
		if arr[i] > 0 {
			goodput[i] = math.Min(ok[i]/arr[i], 1.5)
		}
		mid := (float64(i) + 0.5) * ax.intervalS
		for _, t := range results[0].Triggers {
			if mid >= t.Start.Seconds() && mid < t.End.Seconds() {
				trigger[i] = 1
			}
		}
	}
	rs := recovery.Summarize(results, ax.warmupMin*60, float64(n)*ax.intervalS)
	verdict := fmt.Sprintf("%d of %d runs recovered", rs.Recovered, len(rs.Runs))
	return timeChart(file, name+": goodput around the trigger ("+verdict+")", "goodput", "fraction", ax, yRange{percent: true}, []seriesLine{
		{label: "trigger active", vals: trigger, color: gray, dash: dashes[1], width: 1.2},
		{label: "succeeded / arrived", vals: goodput, color: lineColors[2]},
	})
}

// groupChart draws every series named prefix+X as a line labelled X; nil
// when there is none. Lines cycle through the dash patterns as well as
// the colours, so lines that coincide (two breakers both closed, two
// services at the same size) stay visible.
func groupChart(results []*checkout.Result, ax timeAxis, prefix, file, title, quantity string, yr yRange) (*figure, error) {
	names := seriesWithPrefix(results, prefix)
	if len(names) == 0 {
		return nil, nil
	}
	var lines []seriesLine
	unit := ""
	for i, n := range names {
		v, u, _ := meanSeries(results, n)
		unit = u
		lines = append(lines, seriesLine{label: strings.TrimPrefix(n, prefix), vals: v, color: lineColor(i), dash: dashes[i%len(dashes)]})
	}
	if yr.state {
		unit = ""
	}
	return timeChart(file, title, quantity, unit, ax, yr, lines)
}

// band is a vertical stripe over an x range: the shaded warm-up.
type band struct {
	x0, x1 float64
	color  color.Color
}

// Plot implements plot.Plotter.
func (b *band) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x0, x1 := trX(b.x0), trX(b.x1)
	pts := []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}}
	c.FillPolygon(b.color, c.ClipPolygonX(pts))
}

// Thumbnail implements plot.Thumbnailer.
func (b *band) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}}
	c.FillPolygon(b.color, pts)
}

var _ plot.Plotter = (*band)(nil)

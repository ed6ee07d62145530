package chart

// This file draws the charts of a sweep (a heat map of one metric over a
// two-parameter grid) and of a capacity search (P99 and error rate
// against the offered load, with the SLO).

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/capacity"
	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// WriteSweepHeatmap writes a heat map of values over a grid to dir (which
// must exist) as sweep-<title>.png and .svg (title made file-safe).
// values[i][j] is the value at row ys[i] (bottom row first) and column
// xs[j]; NaN marks a point without a value (drawn gray, "n/a"). Each cell
// is labelled with its value; the colour bar runs from light (low) to dark
// red (high), so for latency and error rate darker is worse.
func WriteSweepHeatmap(dir, title, xLabel, yLabel string, xs, ys []string, values [][]float64) error {
	f, err := heatmapFigure("sweep-"+fileSlug(title), title, xLabel, yLabel, xs, ys, values)
	if err != nil {
		return err
	}
	return writeFigures(dir, []drawable{f})
}

// grid adapts values to plotter.GridXYZ: column c at x = c, row r at y = r.
type grid struct{ v [][]float64 }

func (g grid) Dims() (c, r int)   { return len(g.v[0]), len(g.v) }
func (g grid) Z(c, r int) float64 { return g.v[r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }
func (g grid) minMax() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, row := range g.v {
		for _, v := range row {
			if isFinite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	return lo, hi
}

// heatPalette is ColorBrewer's sequential YlOrRd (Brewer, colorbrewer2.org).
func heatPalette(n int) (palette.Palette, error) {
	return brewer.GetPalette(brewer.TypeSequential, "YlOrRd", n)
}

func heatmapFigure(file, title, xLabel, yLabel string, xs, ys []string, values [][]float64) (*figure, error) {
	if len(xs) == 0 || len(ys) == 0 {
		return nil, fmt.Errorf("heat map %q: xs and ys must not be empty (got %d and %d)", title, len(xs), len(ys))
	}
	if len(values) != len(ys) {
		return nil, fmt.Errorf("heat map %q: %d rows of values for %d ys", title, len(values), len(ys))
	}
	for i, row := range values {
		if len(row) != len(xs) {
			return nil, fmt.Errorf("heat map %q: row %d (%s) has %d values for %d xs", title, i, ys[i], len(row), len(xs))
		}
	}
	g := grid{values}
	lo, hi := g.minMax()
	if math.IsInf(lo, 1) { // every value NaN: one flat colour
		lo, hi = 0, 1
	}
	if hi == lo {
		hi = lo + math.Max(math.Abs(lo)*0.01, 1e-9)
	}
	pal, err := heatPalette(9)
	if err != nil {
		return nil, fmt.Errorf("heat map %q: %w", title, err)
	}
	f := newFigure(file, title, xLabel, yLabel)
	f.p.Add(heatCells(g, pal, lo, hi))
	f.p.Add(&cellLabels{g: g, pal: pal, lo: lo, hi: hi})
	f.p.X.Tick.Marker = nominalTicks(xs)
	f.p.Y.Tick.Marker = nominalTicks(ys)
	f.p.X.Min, f.p.X.Max = -0.5, float64(len(xs))-0.5
	f.p.Y.Min, f.p.Y.Max = -0.5, float64(len(ys))-0.5

	f.p.X.Padding, f.p.Y.Padding = 0, 0

	// The colour bar: one block per palette colour over the values that
	// get it, on an axis in the map's values.
	side := plot.New()
	side.HideX()
	side.Add(&colorBar{pal: pal, lo: lo, hi: hi})
	side.Y.Min, side.Y.Max = lo, hi
	side.Y.Tick.Marker = niceTicks{}
	side.Y.Tick.Label.Font = font.From(chartFont, 10)
	side.Y.Padding = 0
	side.X.Min, side.X.Max = 0, 1
	f.side, f.sideWidth = side, 0.9*vg.Inch
	return f, nil
}

// heatCells is a vector heat map over g.
func heatCells(g plotter.GridXYZ, pal palette.Palette, lo, hi float64) *plotter.HeatMap {
	hm := plotter.NewHeatMap(g, pal)
	hm.Min, hm.Max = lo, hi
	hm.NaN = color.RGBA{0xDD, 0xDD, 0xDD, 0xFF}
	return hm
}

// colorIndex is the palette index plotter.HeatMap gives value v in the
// range lo..hi (hi > lo): round((v - lo) / (hi - lo) · (n - 1)).
func colorIndex(v, lo, hi float64, n int) int {
	k := int((v-lo)*float64(n-1)/(hi-lo) + 0.5)
	return min(max(k, 0), n-1)
}

// colorBar draws the blocks of a heat map's palette: colour k over the
// values colorIndex maps to k.
type colorBar struct {
	pal    palette.Palette
	lo, hi float64
}

// Plot implements plot.Plotter.
func (b *colorBar) Plot(c draw.Canvas, p *plot.Plot) {
	cols := b.pal.Colors()
	n := len(cols)
	step := (b.hi - b.lo) / float64(n-1)
	trX, trY := p.Transforms(&c)
	x0, x1 := trX(0), trX(1)
	for k, col := range cols {
		v0 := math.Max(b.lo+(float64(k)-0.5)*step, b.lo)
		v1 := math.Min(b.lo+(float64(k)+0.5)*step, b.hi)
		y0, y1 := trY(v0), trY(v1)
		c.FillPolygon(col, []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	}
}

// cellLabels writes each cell's value in its centre, black on light
// cells and white on dark ones.
type cellLabels struct {
	g      grid
	pal    palette.Palette
	lo, hi float64
}

// Plot implements plot.Plotter.
func (l *cellLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	cols := l.pal.Colors()
	nc, nr := l.g.Dims()
	size := font.Length(11)
	if nc > 8 || nr > 12 {
		size = 9
	}
	for r := range nr {
		for cc := range nc {
			v := l.g.Z(cc, r)
			label, fill := "n/a", color.Color(color.Black)
			if isFinite(v) {
				label = output.Sig(v)
				if luminance(cols[colorIndex(v, l.lo, l.hi, len(cols))]) < 0.45 {
					fill = color.White
				}
			}
			sty := text.Style{Color: fill, Font: font.From(chartFont, size), XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
			c.FillText(sty, vg.Point{X: trX(float64(cc)), Y: trY(float64(r))}, label)
		}
	}
}

// luminance is the relative luminance of c (ITU-R BT.709 weights on the
// gamma-encoded channels: good enough to choose black or white text).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	return (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xFFFF
}

// nominalTicks labels integer positions 0..n-1 with names.
func nominalTicks(names []string) plot.ConstantTicks {
	ticks := make(plot.ConstantTicks, len(names))
	for i, n := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: n}
	}
	return ticks
}

// WriteCapacityPlot writes the load curve of a capacity search to dir
// (which must exist) as <name>-capacity.png and .svg: P99 (top) and error
// rate (bottom) against the offered checkout rate, each with its SLO
// limit, passing points as filled circles and failing ones as crosses,
// the largest passing load marked. The points are drawn in order of load
// whatever their order in curve.
func WriteCapacityPlot(dir, name string, curve []capacity.Point, sloP99S, maxErrorRate float64) error {
	return writeCapacityPlot(dir, name, curve, sloP99S, maxErrorRate, nil)
}

// writeCapacityPlot is WriteCapacityPlot with the knee's 95% interval (in
// multipliers; nil: none), shaded on both panels.
func writeCapacityPlot(dir, name string, curve []capacity.Point, sloP99S, maxErrorRate float64, knee *experiments.CI) error {
	s, err := capacityChart(name, curve, sloP99S, maxErrorRate, knee)
	if err != nil {
		return err
	}
	return writeFigures(dir, []drawable{s})
}

func capacityChart(name string, curve []capacity.Point, sloP99S, maxErrorRate float64, knee *experiments.CI) (*stack, error) {
	if len(curve) == 0 {
		return nil, errors.New("capacity plot: empty curve")
	}
	if !(sloP99S > 0) {
		return nil, fmt.Errorf("capacity plot: slo p99 must be > 0, got %g", sloP99S)
	}
	pts := slices.Clone(curve)
	slices.SortStableFunc(pts, func(a, b capacity.Point) int { return cmpFloat(a.Multiplier, b.Multiplier) })
	useOffered := true
	for _, p := range pts {
		if !(p.OfferedPerS > 0) {
			useOffered = false
		}
	}
	xOf := func(p capacity.Point) float64 {
		if useOffered {
			return p.OfferedPerS
		}
		return p.Multiplier
	}
	xLabel := "offered load (checkouts per s)"
	if !useOffered {
		xLabel = "traffic multiplier"
	}
	best := math.NaN()
	for _, p := range pts {
		if p.Pass && (math.IsNaN(best) || xOf(p) > best) {
			best = xOf(p)
		}
	}
	top := newFigure(fileSlug(name)+"-capacity-p99", name+": capacity search, P99 and error rate against load", "", "checkout P99 latency")
	bottom := newFigure(fileSlug(name)+"-capacity-errors", "", xLabel, "error rate (%)")
	xs := make([]float64, len(pts))
	p99 := make([]float64, len(pts))
	errs := make([]float64, len(pts))
	for i, p := range pts {
		xs[i], p99[i], errs[i] = xOf(p), p.P99S, 100*p.ErrorRate
	}
	xlo, xhi := minFinite(xs), maxAbs(xs)
	pad := (xhi - xlo) * 0.05
	if pad == 0 {
		pad = math.Max(xhi*0.05, 1e-3)
	}
	xlo, xhi = math.Max(xlo-pad, 0), xhi+pad
	for _, panel := range []struct {
		f     *figure
		ys    []float64
		limit float64
		label string
	}{
		{top, p99, sloP99S, "SLO: P99 " + latencyLabel(sloP99S)},
		{bottom, errs, 100 * maxErrorRate, "SLO: error rate " + output.Sig(100*maxErrorRate) + "%"},
	} {
		f := panel.f
		if knee != nil { // first, so it is drawn behind the lines
			x0, x1 := knee[0], knee[1]
			if useOffered {
				rate := pts[0].OfferedPerS / pts[0].Multiplier
				x0, x1 = rate*x0, rate*x1
			}
			if err := f.shade(x0, x1, "knee, 95% CI"); err != nil {
				return nil, err
			}
		}
		if err := f.addLine("explored loads", xy{xs, panel.ys}, gray, nil, 1.2); err != nil {
			return nil, err
		}
		if err := f.addLine(panel.label, xy{[]float64{xlo, xhi}, []float64{panel.limit, panel.limit}}, lineColors[1], dashes[1], 1.2); err != nil {
			return nil, err
		}
		if err := f.addMarks("SLO met", xs, panel.ys, pts, true); err != nil {
			return nil, err
		}
		if err := f.addMarks("SLO broken", xs, panel.ys, pts, false); err != nil {
			return nil, err
		}
		ymax := math.Max(maxAbs(panel.ys), panel.limit) * 1.1
		if ymax <= 0 {
			ymax = 1
		}
		if !math.IsNaN(best) {
			if err := f.addLine("largest load meeting the SLO", xy{[]float64{best, best}, []float64{0, ymax * 10}}, lineColors[2], dashes[2], 1.2); err != nil {
				return nil, err
			}
		}
		f.p.X.Min, f.p.X.Max = xlo, xhi
		f.p.Y.Min, f.p.Y.Max = 0, ymax
	}
	if mx := maxAbs(p99); mx > 0 {
		scale, unit := timeScale("s", mx)
		top.p.Y.Label.Text = "checkout P99 latency (" + unit + ")"
		top.p.Y.Tick.Marker = scaledTicks{scale: scale}
	}
	// Both panels reserve the same legend width so their x axes line up.
	w := max(legendWidth(&top.legend), legendWidth(&bottom.legend))
	top.minLegend, bottom.minLegend = w, w
	return &stack{file: fileSlug(name) + "-capacity", rows: []*figure{top, bottom}, rowHeight: 3.5 * vg.Inch}, nil
}

// addMarks adds a scatter of the points whose Pass equals pass: filled
// circles in green when they pass, crosses in vermillion when not.
func (f *figure) addMarks(label string, xs, ys []float64, pts []capacity.Point, pass bool) error {
	var data plotter.XYs
	for i, p := range pts {
		if p.Pass == pass && isFinite(xs[i]) && isFinite(ys[i]) {
			data = append(data, plotter.XY{X: xs[i], Y: ys[i]})
		}
	}
	if len(data) == 0 {
		return nil
	}
	s, err := plotter.NewScatter(data)
	if err != nil {
		return fmt.Errorf("chart %s: %w", f.file, err)
	}
	s.GlyphStyle = draw.GlyphStyle{Color: lineColors[2], Radius: vg.Points(3.5), Shape: draw.CircleGlyph{}}
	if !pass {
		s.GlyphStyle = draw.GlyphStyle{Color: lineColors[1], Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
	}
	f.p.Add(s)
	f.addLegend(label, s)
	return nil
}

// scaledTicks are niceTicks on values shown multiplied by scale (seconds
// shown in ms).
type scaledTicks struct{ scale float64 }

// Ticks implements plot.Ticker.
func (s scaledTicks) Ticks(lo, hi float64) []plot.Tick {
	ticks := niceTicks{}.Ticks(lo*s.scale, hi*s.scale)
	for i := range ticks {
		ticks[i].Value /= s.scale
	}
	return ticks
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

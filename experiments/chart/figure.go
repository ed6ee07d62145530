package chart

// This file holds what every chart shares: the look (fonts, colours, line
// widths), a figure that draws its legend beside the plot rather than over
// the data, rendering to PNG and SVG bytes, and writing both files
// atomically. The charts themselves are in run.go, compare.go, heatmap.go,
// sweep.go and inline.go.
//
// Rendering is deterministic: gonum/plot draws in the order plotters were
// added, the PNG encoder and the SVG writer have no hidden state, and the
// fonts are the Liberation fonts compiled into the binary, so the same
// inputs give the same bytes (chart_test.go checks it for SVG and PNG).

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
)

// Chart size and resolution. 9 x 4.5 inches at 120 dpi is a 1080 x 540
// PNG: wide enough for a time axis of a whole sale, small enough to read
// on a laptop without scaling.
const (
	chartWidth  = 9 * vg.Inch
	chartHeight = 4.5 * vg.Inch
	chartDPI    = 120
)

// chartFont is the typeface of all chart text: Liberation Sans, metric
// compatible with Arial/Helvetica, so an SVG shown without the embedded
// font still lays out as measured.
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// lineColors is the Okabe-Ito colour-blind-safe palette (Okabe & Ito, "Color
// Universal Design", 2008), black last; darker tones first so the most
// important line of a chart is the most legible.
var lineColors = []color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x66, 0x4E, 0x3C, 0xFF}, // brown (instead of Okabe-Ito's yellow, unreadable on white)
	{0x00, 0x00, 0x00, 0xFF}, // black
}

// colorA and colorB are the colours of the two runs of a comparison: the
// "before" run in vermillion, the "after" run in blue, in every chart.
var (
	colorA = lineColors[1]
	colorB = lineColors[0]
	gray   = color.RGBA{0x88, 0x88, 0x88, 0xFF}
	light  = color.RGBA{0xE4, 0xE4, 0xE4, 0xFF}
)

// lineColor is the i-th palette colour, cycling.
func lineColor(i int) color.Color { return lineColors[i%len(lineColors)] }

// dashes are the dash patterns that tell apart lines of the same colour
// (percentiles of one run): solid, dashed, dotted, dash-dot.
var dashes = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(1.5), vg.Points(2.5)},
	{vg.Points(6), vg.Points(2.5), vg.Points(1.5), vg.Points(2.5)},
}

// drawable is a chart: a figure, or figures stacked in one image.
type drawable interface {
	// name is the base name of the chart's files, without extension.
	name() string
	draw(c draw.Canvas) error
	// size is the chart's width and height.
	size() (w, h vg.Length)
}

// figure is a plot with its legend drawn to the right of the plot area,
// where it can never hide data, or, instead of a legend, a side plot (a
// heat map's colour bar).
type figure struct {
	file   string
	p      *plot.Plot
	legend plot.Legend
	side   *plot.Plot
	// sideWidth is the side plot's column width.
	sideWidth vg.Length
	// minLegend is the least width of the legend column (to align the
	// x axes of stacked figures).
	minLegend vg.Length
	// w, h override the chart size when not zero.
	w, h vg.Length
	// legendAbove draws the legend as rows of entries above the plot
	// instead of a column beside it (for narrow charts).
	legendAbove bool
	items       []legendItem
	// hover is what the report's hover titles need (hover.go).
	hover hoverInfo
}

// legendItem is one legend entry, kept for the legend above the plot.
type legendItem struct {
	label string
	thumb plot.Thumbnailer
}

// addLegend adds a legend entry.
func (f *figure) addLegend(label string, thumb plot.Thumbnailer) {
	f.legend.Add(label, thumb)
	f.items = append(f.items, legendItem{label, thumb})
}

func (f *figure) name() string { return f.file }

func (f *figure) size() (w, h vg.Length) {
	if f.w > 0 && f.h > 0 {
		return f.w, f.h
	}
	return chartWidth, chartHeight
}

// newFigure returns a figure with a titled plot whose axes are labelled,
// a light grid behind the data, and an empty legend.
func newFigure(file, title, xLabel, yLabel string) *figure {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(chartFont, 14)
	p.Title.Padding = vg.Points(8)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(chartFont, 11)
		a.Tick.Label.Font = font.From(chartFont, 10)
		a.Padding = vg.Points(2)
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	p.X.Label.Padding = vg.Points(4)
	p.Y.Label.Padding = vg.Points(4)
	g := plotter.NewGrid()
	g.Vertical.Color, g.Horizontal.Color = light, light
	g.Vertical.Width, g.Horizontal.Width = vg.Points(0.5), vg.Points(0.5)
	p.Add(g)
	l := plot.NewLegend()
	l.TextStyle.Font = font.From(chartFont, 10)
	l.Top, l.Left = true, true
	l.Padding = vg.Points(3)
	l.ThumbnailWidth = vg.Points(24)
	return &figure{file: file, p: p, legend: l}
}

// xy is one line's points.
type xy struct{ xs, ys []float64 }

// addLine adds a line with a legend entry when label is not empty. A
// non-finite point (an interval without data) is a gap: the line is split
// there rather than drawn across it.
func (f *figure) addLine(label string, pts xy, c color.Color, dash []vg.Length, width float64) error {
	var segs []plotter.XYs
	var cur plotter.XYs
	for i := range pts.xs {
		x, y := pts.xs[i], pts.ys[i]
		if isFinite(x) && isFinite(y) {
			cur = append(cur, plotter.XY{X: x, Y: y})
			continue
		}
		if len(cur) > 0 {
			segs, cur = append(segs, cur), nil
		}
	}
	if len(cur) > 0 {
		segs = append(segs, cur)
	}
	for i, seg := range segs {
		l, err := plotter.NewLine(seg)
		if err != nil {
			return fmt.Errorf("chart %s: line %q: %w", f.file, label, err)
		}
		l.Color = c
		l.Dashes = dash
		l.Width = vg.Points(width)
		f.p.Add(l)
		if i == 0 && label != "" {
			f.addLegend(label, l)
		}
	}
	return nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// draw draws the plot and, when it has entries, the legend in a column
// on the right, top-aligned with the plot area (or the side plot there).
// A panic inside gonum/plot (it panics on, e.g., a log axis over
// non-positive values) becomes an error naming the chart.
func (f *figure) draw(c draw.Canvas) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chart %s: %v", f.file, r)
		}
	}()
	// The right column starts below the title, level with the top of the
	// plot area.
	top := vg.Length(0)
	if f.p.Title.Text != "" {
		top = f.p.Title.TextStyle.Rectangle(f.p.Title.Text).Size().Y + f.p.Title.Padding
	}
	gap := vg.Points(10)
	if f.legendAbove && len(f.items) > 0 {
		// Title, then the legend rows, then the plot.
		if title := f.p.Title.Text; title != "" {
			sty := f.p.Title.TextStyle
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
			c.FillText(sty, vg.Point{X: c.Center().X, Y: c.Max.Y}, title)
			f.p.Title.Text = ""
			defer func() { f.p.Title.Text = title }()
		}
		h := f.drawLegendRows(draw.Crop(c, 0, 0, 0, -top))
		f.p.Draw(draw.Crop(c, 0, 0, 0, -(top + h)))
		return nil
	}
	if f.side != nil {
		f.p.Draw(draw.Crop(c, 0, -(f.sideWidth + gap), 0, 0))
		f.side.Draw(draw.Crop(c, c.Max.X-c.Min.X-f.sideWidth, -vg.Points(6), 0, -top))
		return nil
	}
	lw := max(legendWidth(&f.legend), f.minLegend)
	if lw == 0 {
		f.p.Draw(c)
		return nil
	}
	f.p.Draw(draw.Crop(c, 0, -(lw + gap), 0, 0))
	f.legend.Draw(draw.Crop(c, c.Max.X-c.Min.X-lw-vg.Points(4), -vg.Points(4), 0, -top))
	return nil
}

// drawLegendRows draws the legend entries left to right in rows across
// the top of c, wrapping when a row is full, and returns the height used
// (from c's top; the title, if any, is above c).
func (f *figure) drawLegendRows(c draw.Canvas) vg.Length {
	sty := f.legend.TextStyle
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	rowH := sty.Height("Mg") + vg.Points(4)
	thumbW := f.legend.ThumbnailWidth
	sep := vg.Points(5)
	gap := vg.Points(16)
	left := c.Min.X + vg.Points(40) // roughly past the y axis labels
	x, y := left, c.Max.Y-rowH
	for _, it := range f.items {
		w := thumbW + sep + sty.Width(it.label)
		if x > left && x+w > c.Max.X {
			x, y = left, y-rowH
		}
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: y + vg.Points(2)}, Max: vg.Point{X: x + thumbW, Y: y + rowH - vg.Points(2)}}}
		it.thumb.Thumbnail(&icon)
		c.FillText(sty, vg.Point{X: x + thumbW + sep, Y: y + rowH/2}, it.label)
		x += w + gap
	}
	return c.Max.Y - y + vg.Points(4)
}

// legendWidth is the width a legend's entries need.
func legendWidth(l *plot.Legend) vg.Length {
	r := l.Rectangle(draw.Canvas{})
	return r.Max.X - r.Min.X
}

// stack is figures drawn one above the other in one image, sharing its
// width; each row is rowHeight high.
type stack struct {
	file      string
	rows      []*figure
	rowHeight vg.Length
}

func (s *stack) name() string { return s.file }

func (s *stack) size() (w, h vg.Length) { return chartWidth, s.rowHeight * vg.Length(len(s.rows)) }

func (s *stack) draw(c draw.Canvas) error {
	h := c.Max.Y - c.Min.Y
	row := h / vg.Length(len(s.rows))
	for i, f := range s.rows {
		top := -vg.Length(i) * row
		if err := f.draw(draw.Crop(c, 0, 0, h-row*vg.Length(i+1), top)); err != nil {
			return err
		}
	}
	return nil
}

// renderPNG renders a chart as a PNG image at chartDPI on white.
func renderPNG(d drawable) ([]byte, error) {
	w, h := d.size()
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	if err := d.draw(draw.New(c)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart %s: png: %w", d.name(), err)
	}
	return b.Bytes(), nil
}

// renderSVG renders a chart as an SVG document. With embed the fonts are
// embedded, so the file shows the same everywhere; the report embeds them
// once for all its charts instead.
func renderSVG(d drawable, embed bool) ([]byte, error) {
	w, h := d.size()
	c := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(embed))
	if err := d.draw(draw.New(c)); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if _, err := c.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("chart %s: svg: %w", d.name(), err)
	}
	return b.Bytes(), nil
}

// writeFigures writes every chart as dir/<name>.png and dir/<name>.svg
// (fonts embedded), each atomically. dir must exist.
func writeFigures(dir string, charts []drawable) error {
	if dir == "" {
		return errors.New("plots: no directory given")
	}
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("plots: %w", err)
	} else if !st.IsDir() {
		return fmt.Errorf("plots: %s is not a directory", dir)
	}
	for _, d := range charts {
		png, err := renderPNG(d)
		if err != nil {
			return err
		}
		svg, err := renderSVG(d, true)
		if err != nil {
			return err
		}
		for _, out := range []struct {
			ext  string
			data []byte
		}{{".png", png}, {".svg", svg}} {
			path := filepath.Join(dir, d.name()+out.ext)
			if err := atomicfile.WriteFile(path, func(w io.Writer) error {
				_, err := w.Write(out.data)
				return err
			}); err != nil {
				return fmt.Errorf("plots: %w", err)
			}
		}
	}
	return nil
}

// drawables converts figures for writeFigures.
func drawables(figs []*figure) []drawable {
	out := make([]drawable, len(figs))
	for i, f := range figs {
		out[i] = f
	}
	return out
}

// fileSlug turns a user-supplied name into a safe file name part: ASCII
// letters and digits kept (lower-cased), anything else a single '-'.
func fileSlug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '.' || r == '_' {
			if r == '.' && b.Len() == 0 {
				continue // no hidden files
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return "chart"
	}
	return out
}

// timeScale picks the display unit of a series unit for axis labels:
// seconds are shown in ms when every value is below 1 s, fractions as
// percentages. It returns the factor to multiply values by and the label.
func timeScale(unit string, maxAbs float64) (scale float64, label string) {
	switch unit {
	case "s":
		if maxAbs < 1 {
			return 1e3, "ms"
		}
		return 1, "s"
	case "fraction":
		return 100, "%"
	case "1/s":
		return 1, "per s"
	}
	return 1, unit
}

// latencyTicks labels a logarithmic latency axis (values in seconds) at
// 1, 2 and 5 times each power of ten, in ms below a second and s above:
// "1 ms", "20 ms", "500 ms", "2 s".
type latencyTicks struct{}

// Ticks implements plot.Ticker.
func (latencyTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || !(hi >= lo) || math.IsInf(hi, 0) {
		return nil
	}
	// Label 1, 2 and 5 times each power of ten over up to two and a half
	// decades, 1 and 5 up to four, then powers of ten only, so labels
	// never run into each other.
	decades := math.Log10(hi / lo)
	labelled := func(m int) bool { return m == 1 || m == 2 || m == 5 }
	switch {
	case decades > 4:
		labelled = func(m int) bool { return m == 1 }
	case decades > 2.5:
		labelled = func(m int) bool { return m == 1 || m == 5 }
	}
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		p := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := float64(m) * p
			if v < lo*0.999 || v > hi*1.001 {
				continue
			}
			t := plot.Tick{Value: v}
			if labelled(m) {
				t.Label = latencyLabel(v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// latencyLabel formats seconds for an axis: "500 ms", "2 s", "0.5 ms".
func latencyLabel(s float64) string {
	if s < 1 {
		return strconv.FormatFloat(s*1e3, 'g', 3, 64) + " ms"
	}
	return strconv.FormatFloat(s, 'g', 3, 64) + " s"
}

// niceTicks labels a linear axis at 1, 2, 2.5 or 5 times a power of ten,
// about five labels over the range, with four unlabelled ticks between
// (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
// Large values read "160k", "2.5M".
type niceTicks struct{ suffix string }

// Ticks implements plot.Ticker.
func (n niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !isFinite(lo) || !isFinite(hi) || hi <= lo {
		return nil
	}
	step := niceStep((hi - lo) / 5)
	minor := step / 5
	var ticks []plot.Tick
	first := math.Ceil(lo/minor-1e-9) * minor
	for i := 0; ; i++ {
		v := first + float64(i)*minor
		if v > hi+minor*1e-6 || i > 1000 {
			break
		}
		t := plot.Tick{Value: v}
		if r := v / step; math.Abs(r-math.Round(r)) < 1e-6 {
			t.Value = math.Round(r) * step
			t.Label = tickLabel(t.Value, step) + n.suffix
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// niceStep rounds a raw step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= raw*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// tickLabel formats a tick value with as many decimals as its step needs,
// with k and M suffixes from 10 000 on.
func tickLabel(v, step float64) string {
	if v == 0 {
		return "0"
	}
	suffix := ""
	switch {
	case math.Abs(v) >= 1e7 || step >= 1e6:
		v, step, suffix = v/1e6, step/1e6, "M"
	case math.Abs(v) >= 1e4 || step >= 1e3:
		v, step, suffix = v/1e3, step/1e3, "k"
	}
	dec := 0
	for s := step; dec < 6 && math.Abs(s-math.Round(s)) > 1e-9*math.Max(1, math.Abs(s)); s *= 10 {
		dec++
	}
	return strconv.FormatFloat(v, 'f', dec, 64) + suffix
}

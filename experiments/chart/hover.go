package chart

// This file gives the report's inline charts hover values: SVG <title>
// elements, which a browser shows as a tooltip, on transparent shapes laid
// over the drawing. A time chart gets one strip per sample time, titled
// with every line's value there; a latency distribution gets a dot at
// each run's P50, P90, P99 and P99.9; each event marker and the SLO line
// get their label. gonum/plot's SVG has no titles, so the shapes are
// placed from the plot area a recorder plotter notes while the chart is
// drawn, and written into the SVG after it.

import (
	"fmt"
	"html"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// hoverInfo is what a figure's hover titles need.
type hoverInfo struct {
	area   *areaRecorder
	lines  []hoverLine
	points []hoverPoint
	events []*eventMark
	slo    *sloMark
}

// hoverLine is one time chart line: its label, the x of each value (in
// minutes) and the values in their unit.
type hoverLine struct {
	label string
	xs    []float64
	vals  []float64
	unit  string
}

// hoverPoint is one titled dot at data coordinates.
type hoverPoint struct {
	x, y  float64
	title string
}

// areaRecorder notes the plot area and its transforms when the plot is
// drawn; it draws nothing.
type areaRecorder struct {
	c        draw.Canvas
	trX, trY func(float64) vg.Length
	drawn    bool
}

// Plot implements plot.Plotter.
func (a *areaRecorder) Plot(c draw.Canvas, p *plot.Plot) {
	a.c, a.drawn = c, true
	a.trX, a.trY = p.Transforms(&c)
}

// recordArea adds the recorder to the plot (once).
func (f *figure) recordArea() {
	if f.hover.area == nil {
		f.hover.area = &areaRecorder{}
		f.p.Add(f.hover.area)
	}
}

// hoverSVG is the SVG of the hover shapes of a figure drawn on a canvas
// of height h (points): the SVG's y axis points down, gonum's up.
func (f *figure) hoverSVG(h vg.Length) string {
	a := f.hover.area
	if a == nil || !a.drawn {
		return ""
	}
	var b strings.Builder
	flip := func(y vg.Length) float64 { return float64(h - y) }
	rect := func(x0, x1, y0, y1 vg.Length, title string) {
		if x1 < x0 {
			x0, x1 = x1, x0
		}
		if y1 < y0 {
			y0, y1 = y1, y0
		}
		fmt.Fprintf(&b, `<rect class="hover" x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="#000" fill-opacity="0"><title>%s</title></rect>`+"\n",
			float64(x0), flip(y1), float64(x1-x0), float64(y1-y0), escapeTitle(title))
	}
	minX, maxX, minY, maxY := a.c.Min.X, a.c.Max.X, a.c.Min.Y, a.c.Max.Y
	clampX := func(x vg.Length) vg.Length { return max(minX, min(maxX, x)) }
	b.WriteString(`<g class="hover-values">` + "\n")
	if len(f.hover.lines) > 0 {
		base := f.hover.lines[0]
		for _, l := range f.hover.lines[1:] {
			if len(l.xs) > len(base.xs) {
				base = l
			}
		}
		for k, x := range base.xs {
			lo, hi := x, x
			if k > 0 {
				lo = (base.xs[k-1] + x) / 2
			} else if len(base.xs) > 1 {
				lo = x - (base.xs[1]-x)/2
			}
			if k+1 < len(base.xs) {
				hi = (base.xs[k+1] + x) / 2
			} else if k > 0 {
				hi = x + (x-base.xs[k-1])/2
			}
			parts := []string{"at " + clock(x) + " min"}
			for _, l := range f.hover.lines {
				if v, ok := valueAt(l, x); ok {
					parts = append(parts, l.label+": "+output.Human(v, l.unit))
				}
			}
			rect(clampX(a.trX(lo)), clampX(a.trX(hi)), minY, maxY, strings.Join(parts, "\n"))
		}
	}
	for _, p := range f.hover.points {
		x, y := a.trX(p.x), a.trY(p.y)
		if x < minX || x > maxX || y < minY || y > maxY {
			continue
		}
		fmt.Fprintf(&b, `<circle class="hover" cx="%.2f" cy="%.2f" r="4" fill="#000" fill-opacity="0.35"><title>%s</title></circle>`+"\n",
			float64(x), flip(y), escapeTitle(p.title))
	}
	for _, e := range f.hover.events {
		if !e.drawn {
			continue
		}
		title := e.ev.Label + " at " + clock(e.x0) + " min"
		if e.x1 > e.x0 {
			title = e.ev.Label + " from " + clock(e.x0) + " to " + clock(e.x1) + " min"
		}
		x1 := max(e.at.x1, e.at.x0+vg.Points(3))
		rect(e.at.x0-vg.Points(3), x1, e.at.y0, e.at.y1, title)
	}
	if s := f.hover.slo; s != nil {
		if y := a.trY(s.y); y >= minY && y <= maxY {
			rect(minX, maxX, y-vg.Points(3), y+vg.Points(3), s.label)
		}
	}
	b.WriteString("</g>\n")
	return b.String()
}

// clock formats minutes of simulated time as m:ss ("8:30").
func clock(min float64) string {
	s := int(math.Round(min * 60))
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// valueAt is the line's value at x (minutes): the sample drawn there, or
// false when the line has none (a gap, or past its end).
func valueAt(l hoverLine, x float64) (float64, bool) {
	for i, lx := range l.xs {
		if math.Abs(lx-x) < 1e-9 && isFinite(l.vals[i]) {
			return l.vals[i], true
		}
	}
	return 0, false
}

// escapeTitle escapes text for an SVG <title>, a newline as a character
// reference so that the tooltip breaks the line.
func escapeTitle(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "&#10;")
}

// withHover inserts the figure's hover shapes at the end of its SVG
// document, above everything drawn.
func withHover(svg []byte, f *figure) []byte {
	_, h := f.size()
	extra := f.hoverSVG(h)
	s := string(svg)
	i := strings.LastIndex(s, "</svg>")
	if extra == "" || i < 0 {
		return svg
	}
	return []byte(s[:i] + extra + s[i:])
}

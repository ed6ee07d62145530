package chart

// This file marks what tells a time chart's story besides its data: the
// P99 SLO, when one is known, as a line on the latency charts, and the
// events the scenario schedules (a promotion with its cache purge or
// invalidation, a payment provider's slow episode) as labelled lines and
// bands on every time chart.

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/cache"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// Marks are what the charts mark besides their data.
type Marks struct {
	// SLOP99S is the checkout P99 SLO in seconds (0: none known): a
	// horizontal line on the P99 charts and a vertical one on the latency
	// distributions.
	SLOP99S float64
	// Events are the scenario's scheduled events, on every time chart.
	Events []Event
}

// Event is one scheduled event: an instant (EndS == StartS), drawn as a
// labelled vertical line, or an episode, drawn as a labelled band.
type Event struct {
	Label        string
	StartS, EndS float64 // simulated seconds from the start of the run
}

// ScenarioMarks are the marks of the runs of one or two scenarios: the
// SLO (sloP99S seconds, 0 for none) and every event the scenarios
// schedule. An event both scenarios schedule alike is listed once; with
// two scenarios, one that only A or only B schedules is labelled "A: " or
// "B: ".
func ScenarioMarks(sloP99S float64, scs ...*experiments.Scenario) Marks {
	m := Marks{SLOP99S: sloP99S}
	var per [][]Event
	for _, sc := range scs {
		if sc != nil {
			per = append(per, ScenarioEvents(&sc.Config))
		}
	}
	if len(per) == 1 {
		m.Events = per[0]
		return m
	}
	if len(per) == 2 {
		for _, e := range per[0] {
			if !slices.Contains(per[1], e) {
				e.Label = "A: " + e.Label
			}
			m.Events = append(m.Events, e)
		}
		for _, e := range per[1] {
			if !slices.Contains(per[0], e) {
				e.Label = "B: " + e.Label
				m.Events = append(m.Events, e)
			}
		}
		slices.SortStableFunc(m.Events, func(a, b Event) int { return cmpFloat(a.StartS, b.StartS) })
	}
	return m
}

// ScenarioEvents lists the events a checkout configuration schedules, in
// time order: each promotion (cache.events: the campaign's price change,
// which purges the cache or invalidates the promoted SKUs' entries) and
// each payment provider's degradation episode
// (payments.providers[].episodes). The traffic profile is a rate curve,
// not an event, and is not listed.
func ScenarioEvents(cfg *checkout.Config) []Event {
	var evs []Event
	for _, ev := range cfg.Cache.Events {
		what := "cache purged"
		if cfg.Cache.Invalidation == cache.InvalidateTargeted {
			what = strconv.FormatFloat(100*ev.Fraction, 'g', 3, 64) + "% of SKUs invalidated"
		}
		if cfg.Cache.Prewarm > 0 {
			what += ", pre-warmed"
		}
		t := ev.At.Seconds()
		evs = append(evs, Event{Label: "promotion, " + what, StartS: t, EndS: t})
	}
	for _, p := range cfg.Payments.Providers {
		for _, ep := range p.Episodes {
			label := fmt.Sprintf("%s slow x%g", p.Name, ep.LatencyFactor)
			if ep.ErrorRateAdd > 0 {
				label += ", errors +" + strconv.FormatFloat(100*ep.ErrorRateAdd, 'g', 3, 64) + "%"
			}
			evs = append(evs, Event{Label: label, StartS: ep.Start.Seconds(), EndS: ep.End.Seconds()})
		}
	}
	slices.SortStableFunc(evs, func(a, b Event) int { return cmpFloat(a.StartS, b.StartS) })
	return evs
}

// Colours of the marks: events in a dark amber that no data line uses,
// episodes as a light amber band, the SLO in black.
var (
	eventColor = color.RGBA{0x8A, 0x5A, 0x00, 0xFF}
	bandColor  = color.RGBA{0xFF, 0xEF, 0xCC, 0xFF}
	sloColor   = color.RGBA{0x00, 0x00, 0x00, 0xFF}
)

// addEvents draws the events on a chart whose x axis is in minutes: a
// band behind the data for an episode, a dashed line at each start (and
// an episode's end), and the label written upwards beside the start line,
// from the top of the plot.
func (f *figure) addEvents(evs []Event) {
	for i, e := range evs {
		m := &eventMark{ev: e, x0: e.StartS / 60, x1: e.EndS / 60}
		for _, prev := range evs[:i] {
			if prev.StartS == e.StartS {
				m.slot++ // A's and B's promotions at the same time: labels side by side
			}
		}
		f.p.Add(m)
		f.hover.events = append(f.hover.events, m)
	}
}

// eventMark is one event on a time chart.
type eventMark struct {
	ev     Event
	x0, x1 float64 // minutes
	slot   int     // labels of events at the same time already drawn
	// at is where the mark was drawn (canvas points): the start line's x,
	// the end's, and the plot area's bottom and top; for hover titles.
	at struct{ x0, x1, y0, y1 vg.Length }
	// drawn is false when the event lies outside the x axis.
	drawn bool
}

// Plot implements plot.Plotter.
func (m *eventMark) Plot(c draw.Canvas, p *plot.Plot) {
	if m.x0 < p.X.Min || m.x0 > p.X.Max {
		return
	}
	trX, _ := p.Transforms(&c)
	x0, x1 := trX(m.x0), trX(math.Min(m.x1, p.X.Max))
	m.drawn = true
	m.at.x0, m.at.x1, m.at.y0, m.at.y1 = x0, x1, c.Min.Y, c.Max.Y
	if x1 > x0 {
		pts := []vg.Point{{X: x0, Y: c.Min.Y}, {X: x1, Y: c.Min.Y}, {X: x1, Y: c.Max.Y}, {X: x0, Y: c.Max.Y}}
		c.FillPolygon(bandColor, c.ClipPolygonX(pts))
	}
	ls := draw.LineStyle{Color: eventColor, Width: vg.Points(1), Dashes: dashes[1]}
	c.StrokeLine2(ls, x0, c.Min.Y, x0, c.Max.Y)
	if x1 > x0 && m.x1 <= p.X.Max {
		c.StrokeLine2(ls, x1, c.Min.Y, x1, c.Max.Y)
	}
	sty := draw.TextStyle{Color: eventColor, Font: font.From(chartFont, 8), Rotation: math.Pi / 2,
		XAlign: draw.XRight, YAlign: draw.YTop, Handler: p.Title.TextStyle.Handler}
	x := x0 + vg.Points(1.5) + vg.Length(m.slot)*sty.Height("Mg")
	c.FillText(sty, vg.Point{X: x, Y: c.Max.Y - vg.Points(3)}, fitText(sty, m.ev.Label, c.Max.Y-c.Min.Y-vg.Points(6)))
}

// fitText shortens s with an ellipsis until it is at most w long in sty
// (the hover title keeps the whole label).
func fitText(sty draw.TextStyle, s string, w vg.Length) string {
	if sty.Width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && sty.Width(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return strings.TrimRight(string(r), " ,") + "…"
}

// addSLOLine draws the P99 SLO at y (in the chart's y units) across the
// plot, with a legend entry, and raises the y axis to show it.
func (f *figure) addSLOLine(sloS, y float64) error {
	xMin, xMax := f.p.X.Min, f.p.X.Max
	label := "SLO: P99 ≤ " + output.Human(sloS, "s")
	if err := f.addLine(label, xy{[]float64{xMin, xMax}, []float64{y, y}}, sloColor, dashes[3], 1.2); err != nil {
		return err
	}
	f.p.Y.Max = math.Max(f.p.Y.Max, y*1.08)
	f.hover.slo = &sloMark{label: label, y: y}
	return nil
}

// sloMark is where the SLO line is, for its hover title.
type sloMark struct {
	label string
	y     float64 // in y units
}

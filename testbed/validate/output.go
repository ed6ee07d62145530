package validate

import (
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func pct(v float64) string {
	if math.IsInf(v, 0) {
		return "inf"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

func num(name string, v float64) string {
	switch {
	case strings.HasSuffix(name, "_s"):
		if v < 1 {
			return fmt.Sprintf("%.3g ms", v*1000)
		}
		return fmt.Sprintf("%.3g s", v)
	case name == metric.ErrorRate.Key || name == "hit_ratio":
		return fmt.Sprintf("%.2f%%", 100*v)
	}
	return fmt.Sprintf("%.3g", v)
}

// WriteTable writes the calibration, one table per scenario and load, the
// knees and the checks, and the verdict.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	c := &r.Calibration
	fmt.Fprintf(tw, "CALIBRATION (light load, %s)\n", c.Machine)
	fmt.Fprintf(tw, "  MEASURED\tN\tMEDIAN\tP99\tFIT\tKS D\n")
	row := func(what string, f Fitted) {
		fmt.Fprintf(tw, "  %s\t%d\t%.3g ms\t%.3g ms\t%s\t%.3f\n", what, f.N, f.MedianS*1000, f.P99S*1000, f.Dist, f.KS)
	}
	row("database statement", c.Statement)
	row("Redis GET", c.Redis)
	for _, h := range c.Hops {
		row("hop "+h.Scenario+"/"+h.Service, h.Fitted)
	}
	if h := &c.Host; h.Measured {
		fmt.Fprintf(tw, "  host CPU: %d cores; per statement %.3g ms (client + PostgreSQL), per request %.3g ms (client + server), per Redis GET %.3g ms (not charged); over %gs idle other processes kept %.2f cores busy, load %.2f runnable threads\n",
			h.Cores, h.StatementCPUS*1000, h.RequestCPUS*1000, h.RedisCPUS*1000, h.IdleS, h.OtherCores, h.BackgroundLoad)
	} else {
		fmt.Fprintf(tw, "  host CPU: not measured (no /proc); the host is not modelled\n")
	}
	for _, p := range r.Points {
		verdict := "pass"
		if !p.Pass {
			verdict = "MISS"
		}
		fmt.Fprintf(tw, "\n%s at %gx (%s; %d checkouts; sim: the same traffic, replication 0 of %d)\n", p.Scenario, p.Load, verdict, p.Real.Checkout.Attempts, p.SimReplications.Replications)
		fmt.Fprintf(tw, "  METRIC\tREAL\tSIM\tERROR\tGOAL\tWITHIN\n")
		for _, m := range p.Metrics {
			within := "yes"
			if m.NotJudged != "" {
				within = "n/a (" + m.NotJudged + ")"
			} else if m.Known {
				within = "NO (known)"
			} else if !m.Within {
				within = "NO"
			}
			goal := pct(m.Goal)
			if strings.HasPrefix(m.Kind, "absolute") {
				goal = "±" + num(m.Name, m.Goal)
				if m.Name == metric.ErrorRate.Key {
					goal = "±1 point or 25%"
				}
			}
			errv := pct(m.Error)
			if strings.HasPrefix(m.Kind, "absolute") {
				errv = num(m.Name, m.Error)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", m.Name, num(m.Name, m.Real), num(m.Name, m.Sim), errv, goal, within)
		}
	}
	fmt.Fprintf(tw, "\nCHECKS (SLO: P99 <= %gs, errors <= %g%%)\n", r.SLOP99, 100*r.MaxError)
	for _, v := range r.Verdicts {
		ok := "pass"
		if v.Known {
			ok = "MISS (known)"
		} else if !v.Pass {
			ok = "MISS"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", ok, v.Check, v.Note)
	}
	verdict := "PASS: every goal met"
	if r.Pass && r.knownMissed() {
		verdict = "PASS: every goal met but the known misses (rows marked known: model gaps in docs/validation.md)"
	}
	if !r.Pass {
		verdict = "FAIL: goals missed (rows marked NO / MISS)"
	}
	fmt.Fprintf(tw, "\n%s\n", verdict)
	return tw.Flush()
}

// palette for the chart's scenarios.
var palette = []color.Color{
	color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
	color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
	color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
}

// WriteChart draws P99 and error rate against load: real runs as points,
// the simulator as a line with its 95% CI as error bars.
func WriteChart(file string, r *Report) error {
	panels := []struct {
		title, unit string
		real        func(p *Point) float64
		sim         func(p *Point) (float64, float64, float64)
	}{
		{"Checkout P99 latency vs load", "P99 (s)", func(p *Point) float64 { return p.Real.Checkout.Latency.P99 },
			func(p *Point) (float64, float64, float64) {
				l := p.SimReplications.Checkout.Latency
				lo, hi := l.P99, l.P99
				if l.P99CI != nil {
					lo, hi = l.P99CI[0], l.P99CI[1]
				}
				return l.P99, lo, hi
			}},
		{"Checkout error rate vs load", "error rate", func(p *Point) float64 { return p.Real.Checkout.ErrorRate },
			func(p *Point) (float64, float64, float64) {
				c := p.SimReplications.Checkout
				lo, hi := c.ErrorRate, c.ErrorRate
				if c.ErrorRateCI != nil {
					lo, hi = c.ErrorRateCI[0], c.ErrorRateCI[1]
				}
				return c.ErrorRate, lo, hi
			}},
	}
	var names []string
	for _, p := range r.Points {
		if len(names) == 0 || names[len(names)-1] != p.Scenario {
			names = append(names, p.Scenario)
		}
	}
	img := vgimg.New(vg.Points(900), vg.Points(420))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(20), PadY: vg.Points(10), PadLeft: vg.Points(10), PadRight: vg.Points(10), PadTop: vg.Points(10), PadBottom: vg.Points(10)}
	for k, pan := range panels {
		pl := plot.New()
		pl.Title.Text = pan.title
		pl.X.Label.Text = "load (x the scenario's rate)"
		pl.Y.Label.Text = pan.unit
		pl.Legend.Top = true
		pl.Legend.Left = true
		for i, name := range names {
			col := palette[i%len(palette)]
			var real, sim plotter.XYs
			var bars plotter.XYs
			var errs plotter.YErrors
			for j := range r.Points {
				p := &r.Points[j]
				if p.Scenario != name {
					continue
				}
				real = append(real, plotter.XY{X: p.Load, Y: pan.real(p)})
				m, lo, hi := pan.sim(p)
				sim = append(sim, plotter.XY{X: p.Load, Y: m})
				bars = append(bars, plotter.XY{X: p.Load, Y: m})
				errs = append(errs, struct{ Low, High float64 }{math.Max(m-lo, 0), math.Max(hi-m, 0)})
			}
			line, err := plotter.NewLine(sim)
			if err != nil {
				return err
			}
			line.Color = col
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			sc, err := plotter.NewScatter(real)
			if err != nil {
				return err
			}
			sc.Color = col
			sc.Shape = draw.CircleGlyph{}
			sc.Radius = vg.Points(4)
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{bars, errs})
			if err != nil {
				return err
			}
			eb.Color = col
			pl.Add(line, sc, eb)
			pl.Legend.Add(name+" sim (95% CI)", line)
			pl.Legend.Add(name+" real", sc)
		}
		pl.Draw(tiles.At(dc, k, 0))
	}
	return atomicfile.WriteFile(file, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}

// knownMissed reports whether any goal was missed as a known miss.
func (r *Report) knownMissed() bool {
	for _, p := range r.Points {
		for _, m := range p.Metrics {
			if m.Known {
				return true
			}
		}
	}
	for _, v := range r.Verdicts {
		if v.Known {
			return true
		}
	}
	return false
}

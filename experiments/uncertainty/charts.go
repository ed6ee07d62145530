package uncertainty

import (
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
)

var (
	lowColor  = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	highColor = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
)

// WriteTornadoCharts draws one tornado chart per metric into dir (PNG and
// SVG): each input's bar runs from the metric at the input's low end to
// the metric at its high end, as a change from the scenario's value.
func WriteTornadoCharts(dir string, s *Sensitivity) error {
	for _, m := range s.Metrics {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s: %s, one input at a time", s.Scenario, m.Label)
		p.X.Label.Text = fmt.Sprintf("change from %s (%s)", fmtVal(m.Base, m.Unit), unitLabel(m.Unit))
		n := len(m.Tornado)
		low, high := make(plotter.Values, n), make(plotter.Values, n)
		names := make([]string, n)
		for i, b := range m.Tornado {
			k := n - 1 - i // largest swing on top
			low[k], high[k] = b.AtLow-m.Base, b.AtHigh-m.Base
			names[k] = b.Path
		}
		w := vg.Points(8)
		bl, err := plotter.NewBarChart(low, w)
		if err != nil {
			return err
		}
		bh, err := plotter.NewBarChart(high, w)
		if err != nil {
			return err
		}
		bl.Horizontal, bh.Horizontal = true, true
		bl.Color, bh.Color = lowColor, highColor
		bl.Offset, bh.Offset = -w/2, w/2
		p.Add(bl, bh, plotter.NewGrid())
		p.Legend.Add("input at its low end", bl)
		p.Legend.Add("input at its high end", bh)
		p.Legend.Top = false // the largest bars are on top
		p.NominalY(names...)
		if err := save(p, dir, "tornado-"+m.Metric, vg.Points(640), vg.Points(float64(160+28*n))); err != nil {
			return err
		}
	}
	return nil
}

// WriteRobustCharts draws one chart per metric into dir: box plots of A
// and B over the draws (the box is the middle half, the whiskers the rest).
func WriteRobustCharts(dir string, r *Robust) error {
	for _, m := range r.Metrics {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s over %d draws (B better in %.0f%%)", m.Label, m.Draws, 100*m.BBetter)
		p.Y.Label.Text = unitLabel(m.Unit)
		w := vg.Points(40)
		ba, err := plotter.NewBoxPlot(w, 0, plotter.Values(m.ValuesA))
		if err != nil {
			return err
		}
		bb, err := plotter.NewBoxPlot(w, 1, plotter.Values(m.ValuesB))
		if err != nil {
			return err
		}
		p.Add(ba, bb, plotter.NewGrid())
		p.NominalX("A: "+r.A, "B: "+r.B)
		p.X.Min, p.X.Max = -0.5, 1.5 // room for both boxes
		if err := save(p, dir, "robust-"+m.Metric, vg.Points(480), vg.Points(360)); err != nil {
			return err
		}
	}
	return nil
}

func unitLabel(u string) string {
	switch u {
	case "s":
		return "seconds"
	case "fraction":
		return "fraction"
	case "":
		return "ratio"
	}
	return u
}

// save writes p as name.png and name.svg in dir, each atomically.
func save(p *plot.Plot, dir, name string, w, h vg.Length) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, ext := range []string{"png", "svg"} {
		wt, err := p.WriterTo(w, h, ext)
		if err != nil {
			return err
		}
		file := filepath.Join(dir, strings.ReplaceAll(name, "/", "-")+"."+ext)
		if err := atomicfile.WriteFile(file, func(out io.Writer) error { _, err := wt.WriteTo(out); return err }); err != nil {
			return err
		}
	}
	return nil
}

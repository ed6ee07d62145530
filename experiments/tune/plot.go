package tune

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// WritePlots draws, for each constraint, the first rung's candidates
// (objective against the constraint, worst case over conditions), the
// Pareto front through them, the constraint's bound, and the best
// candidate, as pareto-<n>.png and .svg in dir.
func (r *Result) WritePlots(dir string) error {
	for i, front := range r.Pareto {
		con := r.Spec.Constraints[i]
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s vs %s (first rung, worst case over conditions)", r.Objective, con.Metric)
		p.X.Label.Text = con.Metric
		p.Y.Label.Text = r.Objective
		all := r.firstRungPoints(i)
		if len(all) > 0 {
			s, err := plotter.NewScatter(all)
			if err != nil {
				return err
			}
			s.GlyphStyle.Color = color.Gray{Y: 150}
			s.GlyphStyle.Radius = vg.Points(2)
			p.Add(s)
			p.Legend.Add("candidates", s)
		}
		var pts plotter.XYs
		for _, pt := range front.Points {
			pts = append(pts, plotter.XY{X: pt.Constraint, Y: pt.Objective})
		}
		if len(pts) > 0 {
			l, s, err := plotter.NewLinePoints(pts)
			if err != nil {
				return err
			}
			l.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
			s.GlyphStyle.Color = l.Color
			s.GlyphStyle.Shape = draw.CircleGlyph{}
			s.GlyphStyle.Radius = vg.Points(3)
			p.Add(l, s)
			p.Legend.Add("Pareto front", l, s)
		}
		if lo, hi, ok := yRange(all); ok {
			bound, err := plotter.NewLine(plotter.XYs{{X: con.Bound, Y: lo}, {X: con.Bound, Y: hi}})
			if err != nil {
				return err
			}
			bound.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			bound.Color = color.RGBA{R: 214, G: 39, B: 40, A: 255}
			p.Add(bound)
			p.Legend.Add("bound "+con.String(), bound)
		}
		p.Legend.Top = true
		base := filepath.Join(dir, fmt.Sprintf("pareto-%d-%s", i+1, slug(con.Metric)))
		for _, ext := range []string{".png", ".svg"} {
			if err := p.Save(16*vg.Centimeter, 11*vg.Centimeter, base+ext); err != nil {
				return err
			}
		}
	}
	return nil
}

// firstRungPoints are every first-rung candidate's (constraint i,
// objective) worst cases, recomputed from the evaluations.
func (r *Result) firstRungPoints(i int) plotter.XYs {
	type acc struct{ sum, n [2]float64 }
	per := map[[2]int]*acc{} // (candidate, condition)
	for _, ev := range r.Evaluations {
		if ev.Stage != 0 || ev.Candidate < 0 {
			continue
		}
		k := [2]int{ev.Candidate, ev.Condition}
		a := per[k]
		if a == nil {
			a = &acc{}
			per[k] = a
		}
		for j, v := range []*float64{ev.Values[0], ev.Values[i+1]} {
			if v != nil {
				a.sum[j] += *v
				a.n[j]++
			}
		}
	}
	con := r.Spec.Constraints[i]
	var out plotter.XYs
	for c := range r.Spec.Candidates {
		x, y, ok := math.NaN(), math.NaN(), true
		for k := range r.Conditions {
			a := per[[2]int{c, k}]
			if a == nil || a.n[0] == 0 || a.n[1] == 0 {
				ok = false
				break
			}
			o, v := a.sum[0]/a.n[0], a.sum[1]/a.n[1]
			if math.IsNaN(y) || (r.Maximize && o < y) || (!r.Maximize && o > y) {
				y = o
			}
			if math.IsNaN(x) || (con.Op == AtLeast && v < x) || (con.Op == AtMost && v > x) {
				x = v
			}
		}
		if ok {
			out = append(out, plotter.XY{X: x, Y: y})
		}
	}
	return out
}

func yRange(pts plotter.XYs) (lo, hi float64, ok bool) {
	if len(pts) == 0 {
		return 0, 0, false
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
	}
	return lo, hi, true
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(s))
}

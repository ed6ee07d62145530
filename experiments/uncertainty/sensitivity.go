package uncertainty

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/checkoutsim/checkoutsim/experiments/space"
	"github.com/checkoutsim/checkoutsim/sim/rng"
)

// Morris screening uses a grid of MorrisLevels levels per input and steps
// of MorrisLevels / (2 (MorrisLevels - 1)) of the unit interval (Saltelli
// et al., Global Sensitivity Analysis: The Primer, 2008, sec. 3.3).
const MorrisLevels = 4

// SensitivityDesign lists the runs of a sensitivity analysis of scenario
// ref: the base run (index 0), each uncertain input at its low then its
// high end with the others at their scenario values (one at a time), and
// with trajectories > 0 that many Morris trajectories of len(dims)+1
// points each, drawn from seed.
func SensitivityDesign(ref, sha string, sets []string, seed uint64, reps int, dims []space.Dimension, trajectories int) *Design {
	d := &Design{Kind: "sensitivity", Scenarios: []string{ref}, ScenarioSHA: []string{sha}, Sets: sets,
		Seed: seed, Replications: reps, Trajectories: trajectories}
	for _, dm := range dims {
		d.Dims = append(d.Dims, Dim{Path: dm.Path, Range: dm.Range})
	}
	d.Runs = append(d.Runs, Run{Label: "base"})
	for _, dm := range dims {
		d.Runs = append(d.Runs,
			Run{Sets: []string{dm.Path + "=" + dm.Value(0)}, Label: dm.Path + " low"},
			Run{Sets: []string{dm.Path + "=" + dm.Value(1)}, Label: dm.Path + " high"})
	}
	for t, traj := range morrisTrajectories(trajectories, len(dims), seed) {
		for k, u := range traj {
			var s []string
			for i, dm := range dims {
				s = append(s, dm.Path+"="+dm.Value(u[i]))
			}
			d.Runs = append(d.Runs, Run{Sets: s, Label: fmt.Sprintf("morris %d.%d", t, k)})
		}
	}
	return d
}

// morrisTrajectories returns r trajectories in [0,1]^k: a random start on
// the grid {0, 1/(p-1), ...} and then each input, in a random order, moved
// once by +-delta (up when it fits, else down).
func morrisTrajectories(r, k int, seed uint64) [][][]float64 {
	if r <= 0 || k == 0 {
		return nil
	}
	p := float64(MorrisLevels)
	delta := p / (2 * (p - 1))
	rnd := rng.New(seed, 0).Stream("uncertainty/morris")
	out := make([][][]float64, r)
	for t := range out {
		x := make([]float64, k)
		for i := range x {
			// starting levels from which +delta stays in [0, 1]
			x[i] = float64(rnd.IntN(MorrisLevels/2)) / (p - 1)
		}
		traj := [][]float64{slices.Clone(x)}
		for _, i := range rnd.Perm(k) {
			if x[i]+delta <= 1+1e-9 {
				x[i] += delta
			} else {
				x[i] -= delta
			}
			traj = append(traj, slices.Clone(x))
		}
		out[t] = traj
	}
	return out
}

// TornadoBar is one input's one-at-a-time effect on a metric.
type TornadoBar struct {
	Path      string  `json:"path"`
	Low       string  `json:"low"`  // the input's value at the low end
	High      string  `json:"high"` // and at the high end
	AtLow     float64 `json:"at_low"`
	AtHigh    float64 `json:"at_high"`
	Swing     float64 `json:"swing"` // |AtHigh - AtLow|
	LowValid  bool    `json:"-"`
	HighValid bool    `json:"-"`
}

// MorrisEffect is one input's elementary effects on a metric: mean |EE|
// (mu*, the importance), mean EE (mu, its sign) and their standard
// deviation (sigma: non-linearity or interaction), over trajectories.
type MorrisEffect struct {
	Path    string  `json:"path"`
	MuStar  float64 `json:"mu_star"`
	Mu      float64 `json:"mu"`
	Sigma   float64 `json:"sigma"`
	Effects int     `json:"effects"`
}

// MetricSensitivity is the analysis of one metric.
type MetricSensitivity struct {
	Metric  string         `json:"metric"`
	Label   string         `json:"label"`
	Unit    string         `json:"unit"`
	Base    float64        `json:"base"`
	Tornado []TornadoBar   `json:"tornado"`          // by swing, largest first
	Morris  []MorrisEffect `json:"morris,omitempty"` // by mu*, largest first
}

// Sensitivity is a complete sensitivity analysis.
type Sensitivity struct {
	Scenario     string              `json:"scenario"`
	Seed         uint64              `json:"seed"`
	Replications int                 `json:"replications"`
	Dims         []Dim               `json:"dims"`
	Trajectories int                 `json:"trajectories"`
	Metrics      []MetricSensitivity `json:"metrics"`
}

// AnalyseSensitivity computes the tornado and Morris effects of every
// metric from a complete sensitivity result.
func AnalyseSensitivity(p *Part, dims []space.Dimension) (*Sensitivity, error) {
	d := &p.Design
	if d.Kind != "sensitivity" {
		return nil, fmt.Errorf("not a sensitivity result (kind %q)", d.Kind)
	}
	if len(p.Rows) != len(d.Runs) {
		return nil, fmt.Errorf("incomplete sensitivity result: %d of %d runs", len(p.Rows), len(d.Runs))
	}
	out := &Sensitivity{Scenario: d.Scenarios[0], Seed: d.Seed, Replications: d.Replications, Dims: d.Dims, Trajectories: d.Trajectories}
	k := len(d.Dims)
	for _, m := range Metrics() {
		val := func(i int) (float64, bool) { v, ok := p.Rows[i].Metrics[m.Key]; return v, ok }
		base, ok := val(0)
		if !ok {
			continue
		}
		ms := MetricSensitivity{Metric: m.Key, Label: m.Label, Unit: string(m.Unit), Base: base}
		for j, dm := range d.Dims {
			lo, okL := val(1 + 2*j)
			hi, okH := val(2 + 2*j)
			bar := TornadoBar{Path: dm.Path, AtLow: lo, AtHigh: hi, LowValid: okL, HighValid: okH}
			if j < len(dims) {
				bar.Low, bar.High = dims[j].Value(0), dims[j].Value(1)
			}
			if okL && okH {
				bar.Swing = math.Abs(hi - lo)
			}
			ms.Tornado = append(ms.Tornado, bar)
		}
		slices.SortStableFunc(ms.Tornado, func(a, b TornadoBar) int { return -cmp.Compare(a.Swing, b.Swing) })
		if d.Trajectories > 0 {
			traj := morrisTrajectories(d.Trajectories, k, d.Seed)
			effects := make([][]float64, k)
			start := 1 + 2*k
			for t, pts := range traj {
				for s := 1; s < len(pts); s++ {
					i := changed(pts[s-1], pts[s])
					y0, ok0 := val(start + t*(k+1) + s - 1)
					y1, ok1 := val(start + t*(k+1) + s)
					if i < 0 || !ok0 || !ok1 {
						continue
					}
					effects[i] = append(effects[i], (y1-y0)/(pts[s][i]-pts[s-1][i]))
				}
			}
			for j, dm := range d.Dims {
				e := MorrisEffect{Path: dm.Path, Effects: len(effects[j])}
				for _, v := range effects[j] {
					e.MuStar += math.Abs(v)
					e.Mu += v
				}
				if n := float64(len(effects[j])); n > 0 {
					e.MuStar /= n
					e.Mu /= n
					for _, v := range effects[j] {
						e.Sigma += (v - e.Mu) * (v - e.Mu)
					}
					if n > 1 {
						e.Sigma = math.Sqrt(e.Sigma / (n - 1))
					} else {
						e.Sigma = 0
					}
				}
				ms.Morris = append(ms.Morris, e)
			}
			slices.SortStableFunc(ms.Morris, func(a, b MorrisEffect) int { return -cmp.Compare(a.MuStar, b.MuStar) })
		}
		out.Metrics = append(out.Metrics, ms)
	}
	return out, nil
}

// changed is the index of the one coordinate in which a and b differ.
func changed(a, b []float64) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

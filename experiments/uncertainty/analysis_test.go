package uncertainty

import (
	"context"
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
	"github.com/checkoutsim/checkoutsim/experiments/space"
)

const tiny = "testdata/tiny.yaml"

func tinyDims(t *testing.T) []space.Dimension {
	t.Helper()
	sc, err := experiments.LoadScenario(tiny, nil)
	if err != nil {
		t.Fatal(err)
	}
	dims, err := Dimensions(sc, tiny, nil)
	if err != nil {
		t.Fatal(err)
	}
	return dims
}

// A Morris trajectory starts on the grid, moves every input exactly once
// by delta = p/(2(p-1)), one input per step, and stays in [0, 1].
func TestMorrisTrajectories(t *testing.T) {
	const r, k = 5, 4
	delta := float64(MorrisLevels) / (2 * (MorrisLevels - 1))
	trajs := morrisTrajectories(r, k, 9)
	if len(trajs) != r {
		t.Fatalf("%d trajectories, want %d", len(trajs), r)
	}
	for n, tr := range trajs {
		if len(tr) != k+1 {
			t.Fatalf("trajectory %d has %d points, want %d", n, len(tr), k+1)
		}
		moved := map[int]bool{}
		for s := 1; s < len(tr); s++ {
			i := changed(tr[s-1], tr[s])
			if i < 0 || moved[i] || math.Abs(math.Abs(tr[s][i]-tr[s-1][i])-delta) > 1e-9 {
				t.Fatalf("trajectory %d step %d: %v -> %v", n, s, tr[s-1], tr[s])
			}
			moved[i] = true
			for j := range tr[s] {
				if j != i && tr[s][j] != tr[s-1][j] {
					t.Fatalf("trajectory %d step %d moves two inputs", n, s)
				}
				if tr[s][j] < 0 || tr[s][j] > 1+1e-9 {
					t.Fatalf("trajectory %d leaves [0,1]: %v", n, tr[s])
				}
			}
		}
	}
	if !reflect.DeepEqual(trajs, morrisTrajectories(r, k, 9)) {
		t.Error("the same seed gave other trajectories")
	}
}

func TestPercentiles(t *testing.T) {
	v := make([]float64, 21) // 0..20 shuffled
	for i := range v {
		v[i] = float64((i * 8) % 21)
	}
	got := percentiles(v)
	if got != (Percentiles{P5: 1, P50: 10, P95: 19}) {
		t.Errorf("percentiles of 0..20: %+v, want 1, 10, 19", got)
	}
}

// The robust analysis pairs A and B per draw and counts B better by the
// metric's direction: lower error rate, higher throughput.
func TestAnalyseRobustDirections(t *testing.T) {
	d := Design{Kind: "robust", Scenarios: []string{"a", "b"}, Samples: 4}
	for j := 0; j < 4; j++ {
		d.Runs = append(d.Runs, Run{Scenario: 0}, Run{Scenario: 1})
	}
	errA := []float64{0.04, 0.05, 0.02, 0.03}
	errB := []float64{0.01, 0.06, 0.01, 0.01} // better in 3 of 4
	thrA := []float64{100, 100, 100, 100}
	thrB := []float64{120, 90, 90, 90} // better in 1 of 4
	p := &Part{Design: d}
	for j := 0; j < 4; j++ {
		p.Rows = append(p.Rows,
			Row{Index: 2 * j, Metrics: map[string]float64{metric.ErrorRate.Key: errA[j], metric.Throughput.Key: thrA[j]}},
			Row{Index: 2*j + 1, Metrics: map[string]float64{metric.ErrorRate.Key: errB[j], metric.Throughput.Key: thrB[j]}})
	}
	r, err := AnalyseRobust(p)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, m := range r.Metrics {
		got[m.Metric] = m.BBetter
	}
	if got[metric.ErrorRate.Key] != 0.75 || got[metric.Throughput.Key] != 0.25 || len(r.Metrics) != 2 {
		t.Errorf("fraction B better: %v, want error_rate 0.75, throughput 0.25 and no other metric", got)
	}
}

// The designs: one base run, a low and a high run per input, r(k+1) Morris
// runs; robust runs A and B under the same overrides for each draw, every
// input's values within its range.
func TestDesigns(t *testing.T) {
	dims := tinyDims(t)
	k := len(dims)
	s := SensitivityDesign(tiny, "x", nil, 3, 1, dims, 2)
	if len(s.Runs) != 1+2*k+2*(k+1) || len(s.Runs[0].Sets) != 0 {
		t.Errorf("sensitivity: %d runs (base %v), want %d", len(s.Runs), s.Runs[0].Sets, 1+2*k+2*(k+1))
	}
	if s.Runs[1].Sets[0] != "traffic.sku_skew=0.6" || s.Runs[2].Sets[0] != "traffic.sku_skew=1.2" {
		t.Errorf("first input's ends: %v %v", s.Runs[1].Sets, s.Runs[2].Sets)
	}
	r := RobustDesign(tiny, "x", tiny, "x", nil, 3, 1, dims, 8)
	if len(r.Runs) != 16 {
		t.Fatalf("robust: %d runs, want 16", len(r.Runs))
	}
	for j := 0; j < 8; j++ {
		a, b := r.Runs[2*j], r.Runs[2*j+1]
		if a.Scenario != 0 || b.Scenario != 1 || !reflect.DeepEqual(a.Sets, b.Sets) || len(a.Sets) != k {
			t.Errorf("draw %d: A %+v, B %+v", j, a, b)
		}
	}
}

// Sharded, resumed and parallel executions give the rows of one
// sequential run, byte for byte.
func TestExecuteShardResumeDeterministic(t *testing.T) {
	dims := tinyDims(t)
	d := RobustDesign(tiny, "x", tiny, "x", []string{"traffic.multiplier=2"}, 3, 1, dims, 3)
	ctx := context.Background()
	whole, err := Execute(ctx, d, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	parallel, err := Execute(ctx, d, Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	var parts []*Part
	for i := 0; i < 2; i++ {
		p, err := Execute(ctx, d, Options{Shard: &shard.Shard{Index: i, Count: 2}, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	merged, err := Merge([]string{"p0", "p1"}, parts)
	if err != nil {
		t.Fatal(err)
	}
	partial := &Part{Design: whole.Design, DesignSHA256: whole.DesignSHA256, Rows: whole.Rows[:2]}
	resumed, err := Execute(ctx, d, Options{Resume: partial, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	js := func(p *Part) string { b, _ := json.Marshal(p); return string(b) }
	for name, p := range map[string]*Part{"parallel": parallel, "merged": merged, "resumed": resumed} {
		if js(p) != js(whole) {
			t.Errorf("%s differs from the sequential run:\n%s\n%s", name, js(p), js(whole))
		}
	}
	if _, err := Merge([]string{"p0"}, parts[:1]); err == nil {
		t.Error("merge of one of two shards: accepted")
	}
	if _, err := Merge([]string{"p0", "p0 again"}, []*Part{parts[0], parts[0]}); err == nil {
		t.Error("merge of a shard twice: accepted")
	}
	other := RobustDesign(tiny, "x", tiny, "x", nil, 4, 1, dims, 3)
	if _, err := Execute(ctx, other, Options{Resume: partial}); err == nil {
		t.Error("resume from another design's checkpoint: accepted")
	}
}

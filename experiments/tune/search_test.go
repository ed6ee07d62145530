package tune

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
	"github.com/checkoutsim/checkoutsim/experiments/space"
)

// smallSpec is a search small enough for a test: 40-second runs at half
// the scenario's traffic, 6 candidates, two conditions, one rung.
func smallSpec(t testing.TB) Spec {
	t.Helper()
	var dims []space.Dimension
	for _, k := range []string{
		"payments.client.timeout=log:200ms..2s",
		"payments.client.retry.max_attempts=1..3",
		"payments.client.retry.backoff.kind=constant,exponential",
	} {
		d, err := ParseKnobFlag(k)
		if err != nil {
			t.Fatal(err)
		}
		dims = append(dims, d)
	}
	return Spec{
		Scenario:    "payment-slowdown-after",
		Sets:        []string{"duration=40s", "warmup=10s", "drain=10s", "traffic.multiplier=0.5", "payments.providers[0].episodes[0].start=15s", "payments.providers[0].episodes[0].end=30s"},
		Knobs:       dims,
		Objective:   Objective{Metric: "p99"},
		Constraints: []Constraint{{Metric: "error_rate", Op: AtMost, Bound: 0.05}},
		Conditions:  []Condition{{Name: "spike", Sets: []string{"traffic.multiplier=0.8"}}},
		Seed:        3, Candidates: 6, Keep: 2,
		Schedule:          []Rung{{Fraction: 0.5, Replications: 1}},
		FinalReplications: 3,
	}
}

func runJSON(t *testing.T, spec Spec, opt Options) (string, *Result) {
	t.Helper()
	tu, err := New(spec)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tu.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := res.Write(&b, output.JSON); err != nil {
		t.Fatal(err)
	}
	return b.String(), res
}

// One search, run with 1 and 3 workers, interrupted and resumed, and
// sharded in two with a merge after each stage: the same bytes.
func TestSearchDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs about 60 short simulations")
	}
	spec := smallSpec(t)
	want, res := runJSON(t, spec, Options{Workers: 1})
	if !res.Complete || res.Best == nil || len(res.Finalists) != 3 || res.Current == nil {
		t.Fatalf("incomplete answer: complete %v, best %v, %d finalists, current %v", res.Complete, res.Best, len(res.Finalists), res.Current)
	}
	// 6 candidates x 2 conditions x 1 rep, then (the best half, 3
	// finalists, + current) x 2 conditions x 3 reps.
	if res.RunsUsed != 12+24 {
		t.Errorf("runs used %d, want 36", res.RunsUsed)
	}
	// vs_best is (this - best): its midpoint is the difference of scores.
	for _, f := range append(slices.Clone(res.Finalists), *res.Current) {
		if f.VsBest == nil {
			continue
		}
		if mid, d := (f.VsBest[0]+f.VsBest[1])/2, f.Score-res.Best.Score; math.Abs(mid-d) > 1e-9 {
			t.Errorf("candidate %d: vs_best %v is centred on %g, its score minus the best's is %g", f.Index, *f.VsBest, mid, d)
		}
	}
	if got, _ := runJSON(t, spec, Options{Workers: 3}); got != want {
		t.Fatal("3 workers gave other bytes than 1")
	}

	// Interrupted after 7 runs (the checkpoint says stop), then resumed.
	tu, _ := New(spec)
	var saved *Result
	stop := errors.New("stop")
	n := 0
	_, err := tu.Run(context.Background(), Options{Workers: 2, Checkpoint: func(r *Result) error {
		saved = r
		if n++; n == 7 {
			return stop
		}
		return nil
	}})
	if !errors.Is(err, stop) || saved == nil || saved.Complete || len(saved.Evaluations) != 7 {
		t.Fatalf("interrupt: %v, saved %d evaluations", err, len(saved.Evaluations))
	}
	if got, _ := runJSON(t, spec, Options{Resume: roundTrip(t, saved)}); got != want {
		t.Fatal("a resumed search gave other bytes")
	}

	// Two shards per stage, merged after each.
	var state *Result
	for stage := 0; stage < 2; stage++ {
		var parts []*Result
		for i := range 2 {
			tu, _ := New(spec)
			p, err := tu.Run(context.Background(), Options{Shard: &shard.Shard{Index: i, Count: 2}, Resume: state})
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, roundTrip(t, p))
		}
		if state != nil {
			parts = append(parts, state)
		}
		merged, err := Merge([]string{"part-0", "part-1", "state"}, parts)
		if err != nil {
			t.Fatal(err)
		}
		state = merged
	}
	var b bytes.Buffer
	if err := state.Write(&b, output.JSON); err != nil {
		t.Fatal(err)
	}
	if b.String() != want {
		t.Fatal("sharded and merged search gave other bytes")
	}
	// A result of another search is refused.
	other := smallSpec(t)
	other.Seed = 4
	tu, _ = New(other)
	if _, err := tu.Run(context.Background(), Options{Resume: res}); err == nil || !strings.Contains(err.Error(), "different search") {
		t.Errorf("resume from another search: %v", err)
	}

	// The answer in every format.
	for _, f := range []string{output.Table, output.CSV} {
		b.Reset()
		if err := res.Write(&b, f); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"payments.client.timeout", "spike"} {
			if !strings.Contains(b.String(), s) {
				t.Errorf("%s output lacks %q:\n%s", f, s, b.String())
			}
		}
	}
	if err := res.WritePlots(t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

// roundTrip writes a result as JSON and reads it back, as a checkpoint
// or a part file is.
func roundTrip(t *testing.T, r *Result) *Result {
	t.Helper()
	var b bytes.Buffer
	if err := r.Write(&b, output.JSON); err != nil {
		t.Fatal(err)
	}
	f := t.TempDir() + "/r.json"
	if err := writeFile(f, b.Bytes()); err != nil {
		t.Fatal(err)
	}
	out, err := ReadResult(f)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFile(name string, data []byte) error { return os.WriteFile(name, data, 0o644) }

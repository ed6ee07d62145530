package experiments

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
)

// shortScenario is the default checkout system over 20 s (5 s warm-up,
// 10 s drain): about 1500 checkouts and 0.1 s of CPU per replication.
func shortScenario(name string) *Scenario {
	sc := &Scenario{Name: name, Description: "default system, 20 s", Seed: 1, Replications: 2, Config: *checkout.Default()}
	sc.Duration, sc.Warmup, sc.Drain = 20*sim.Second, 5*sim.Second, 10*sim.Second
	return sc
}

func TestRunReplicationsIndependentOfWorkers(t *testing.T) {
	sc := shortScenario("workers")
	const seed, reps = 3, 3
	var outs [][]byte
	for _, workers := range []int{1, 2, 3} {
		res, err := RunReplications(t.Context(), sc, seed, reps, workers)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Replication != i || r.Seed != seed {
				t.Fatalf("workers %d: result %d is replication %d seed %d, want %d seed %d", workers, i, r.Replication, r.Seed, i, seed)
			}
		}
		var b bytes.Buffer
		if err := Summarize(sc, seed, res).WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b.Bytes())
	}
	for i := 1; i < len(outs); i++ {
		if !bytes.Equal(outs[0], outs[i]) {
			t.Errorf("seed %d reps %d: JSON with %d workers differs from 1 worker", seed, reps, i+1)
		}
	}
}

// Progress counts simulated milliseconds: it never goes back, reaches
// the total, and advances within a replication, not only after one.
func TestRunReplicationsProgress(t *testing.T) {
	sc := shortScenario("p")
	sc.Traffic.Multiplier = 4 // enough events for the engine's watch to fire within a replication
	var got []int
	_, err := RunReplicationsProgress(t.Context(), sc, 1, 3, 2, func(done, total int, _ string) {
		if total != 3*20_000 {
			t.Errorf("total %d, want 60000 ms (3 replications of 20 s)", total)
		}
		got = append(got, done)
	})
	if err != nil {
		t.Fatal(err)
	}
	within := slices.ContainsFunc(got, func(d int) bool { return d%20_000 != 0 })
	if !slices.IsSorted(got) || len(got) == 0 || got[len(got)-1] != 60_000 || !within {
		t.Errorf("progress %v: want non-decreasing to 60000, some within a replication", got)
	}
}

func TestRunReplicationsCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := RunReplications(ctx, shortScenario("c"), 1, 4, 2)
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Errorf("cancelled run: results %v err %v, want nil and context.Canceled", res, err)
	}
}

// Cancelling after the first replication stops the run between
// replications: nothing more is started and no results are returned.
func TestRunReplicationsCancelMidway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	last := 0
	res, err := RunReplicationsProgress(ctx, shortScenario("c"), 1, 6, 1, func(done, total int, _ string) {
		last = done
		cancel()
	})
	if !errors.Is(err, context.Canceled) || res != nil || last != 20_000 {
		t.Errorf("results %v err %v after %d simulated ms, want nil, context.Canceled after the first replication's 20000", res, err, last)
	}
}

func TestRunReplicationsBadInput(t *testing.T) {
	bad := shortScenario("bad")
	bad.Duration = 0
	for _, tc := range []struct {
		name string
		sc   *Scenario
		reps int
		want string
	}{
		{"nil scenario", nil, 1, "no scenario"},
		{"zero replications", shortScenario("z"), 0, "replications must be >= 1, got 0"},
		{"invalid config", bad, 2, "run bad: replication 0: "},
	} {
		res, err := RunReplications(t.Context(), tc.sc, 1, tc.reps, 2)
		if err == nil || !strings.Contains(err.Error(), tc.want) || res != nil {
			t.Errorf("%s: results %v err %v, want error containing %q", tc.name, res, err, tc.want)
		}
	}
}

func ExampleRunReplications() {
	sc := &Scenario{Name: "demo", Seed: 1, Replications: 3, Config: *checkout.Default()}
	sc.Duration, sc.Warmup, sc.Drain = 10*sim.Second, 2*sim.Second, 5*sim.Second
	// Replication i draws from (seed, i) alone, so workers (0: GOMAXPROCS)
	// changes the wall time, never the results.
	results, err := RunReplications(context.Background(), sc, 7, 3, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := Summarize(sc, 7, results)
	var total int64
	for _, r := range results {
		total += r.Checkout.Attempts
	}
	fmt.Println(s.Scenario, s.Seed, s.Replications, len(s.Cohorts), s.Checkout.Attempts == total)
	// Output: demo 7 3 5 true
}

package experiments

// This file runs a scenario's replications in parallel. Each replication
// builds its own system on its own engine (checkout.Run), so replications
// share nothing but the read-only configuration; results are stored by
// replication index, which makes every output independent of the number
// of workers and of GOMAXPROCS.

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
)

// Progress is told how far a long job is: done of total steps and the
// label of the step under way ("" when none). It is the one progress type
// of the runner (simulated milliseconds, see SimMillis), sweep (before
// each point) and capacity (before each multiplier), and is called from
// one goroutine at a time, never concurrently.
type Progress func(done, total int, label string)

// SimMillis is the simulated ms of reps replications of sc: the runner's progress total.
func SimMillis(sc *Scenario, reps int) int { return reps * int(sc.Duration/sim.Millisecond) }

// RunReplications runs replications 0..reps-1 of sc with the given seed on
// workers goroutines (0 or less: runtime.GOMAXPROCS(0)) and returns their
// results in replication order. Replication i draws its random numbers from
// (seed, i) alone, so the results are the same whatever workers is.
//
// Cancelling ctx stops the run between replications: replications already
// running finish, none is started, and the error is ctx.Err(). A failing
// replication stops the run the same way and its error is returned.
func RunReplications(ctx context.Context, sc *Scenario, seed uint64, reps int, workers int) ([]*checkout.Result, error) {
	return RunReplicationsProgress(ctx, sc, seed, reps, workers, nil)
}

// RunReplicationsProgress is RunReplications reporting progress (may be
// nil) in simulated milliseconds as the replications' clocks advance.
func RunReplicationsProgress(ctx context.Context, sc *Scenario, seed uint64, reps int, workers int, progress Progress) ([]*checkout.Result, error) {
	if sc == nil {
		return nil, fmt.Errorf("run: no scenario")
	} else if reps < 1 {
		return nil, fmt.Errorf("run %s: replications must be >= 1, got %d", sc.Name, reps)
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, reps)

	results := make([]*checkout.Result, reps)
	errs := make([]error, reps)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex                     // serialises progress calls
	done, covered := 0, make([]int, reps) // simulated ms in all, and per replication
	advance := func(rep int, now sim.Time) {
		mu.Lock()
		ms := int(min(now, sc.Duration) / sim.Millisecond)
		done, covered[rep] = done+ms-covered[rep], ms
		progress(done, SimMillis(sc, reps), "")
		mu.Unlock()
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for rep := range next {
				var watch func(sim.Time) // reads the clock only: results do not depend on it
				if progress != nil {
					watch = func(now sim.Time) { advance(rep, now) }
				}
				res, err := checkout.RunWatched(&sc.Config, seed, rep, watch)
				if err != nil {
					errs[rep] = fmt.Errorf("run %s: replication %d: %w", sc.Name, rep, err)
					cancel()
					continue
				}
				results[rep] = res
				if progress != nil {
					advance(rep, sc.Duration)
				}
			}
		}()
	}
feed:
	for rep := range reps {
		select {
		case <-runCtx.Done():
			break feed
		case next <- rep:
		}
	}
	close(next)
	wg.Wait()
	for _, err := range errs { // the lowest failing replication, deterministically
		if err != nil {
			return nil, err
		}
	}
	for _, r := range results {
		if r == nil { // not started: cancelled
			return nil, ctx.Err()
		}
	}
	return results, nil
}

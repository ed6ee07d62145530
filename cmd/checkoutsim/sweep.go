package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
	"github.com/checkoutsim/checkoutsim/experiments/chart"
	"github.com/checkoutsim/checkoutsim/experiments/sweep"
	"github.com/spf13/cobra"
)

func newSweepCmd() *cobra.Command {
	return newSweepCmdWith(os.Getenv, runSweep)
}

// newSweepCmdWith builds the command around an environment and a run
// function, so tests can check flag parsing without simulating.
func newSweepCmdWith(getenv func(string) string, runF func(ctx context.Context, o *sweepOptions, stdout, stderr io.Writer) error) *cobra.Command {
	o := &sweepOptions{}
	cmd := &cobra.Command{
		Use:   "sweep SCENARIO --param path=v1,v2,... [--param ...]",
		Short: "Run a grid of scenario variants and report one row of headline metrics per point",
		Long: `sweep runs SCENARIO once per point of a grid: the Cartesian product of the
--param values, first parameter outermost (for --param a=1,2 --param b=x,y
the points are 0: a=1 b=x, 1: a=1 b=y, 2: a=2 b=x, 3: a=2 b=y). A point
applies its values as --set overrides, after the --set flags. Every value
and every point is validated before anything runs. All points run with the
same seed (common random numbers), so differences between rows come from
the parameters, not from sampling. Each row holds the headline metrics of
'checkoutsim run' with 95% confidence intervals.

Sharding: --shard i/N runs only the points with index % N == i and writes a
part file (JSON) that records the grid definition (scenario and its
SHA-256, overrides, parameters, seed, replications) and the points it holds;
'checkoutsim merge' puts the parts together, byte-identical to an unsharded
run. In a batch engine the index can come from the environment: with
--shards N (or --shard /N) it is read from JOB_COMPLETION_INDEX (Kubernetes
Indexed Job) or else SLURM_ARRAY_TASK_ID (Slurm job array).

Ctrl-C: with --out, the file is rewritten (atomically) after each point, so
it always holds the completed points; rerun the same command with --resume
to compute only the missing ones (the grid must be the same). Exit status
130 when interrupted.`,
		Example: `  checkoutsim sweep baseline --param traffic.multiplier=1,2,4 --replications 3
  checkoutsim sweep baseline --param traffic.multiplier=1,1.5 \
      --param 'services[0].cpu=lognormal(median=1ms, p99=5ms),exponential(mean=2ms)' -o csv
  checkoutsim sweep baseline --param traffic.multiplier=1,2,3,4 -o json --out sweep.json --plots plots/
  checkoutsim sweep baseline --param traffic.multiplier=1,2,3,4 -o json --out sweep.json --resume
  checkoutsim sweep baseline --param traffic.multiplier=1,2,3,4 --shard 0/2 --out part-0.json
  JOB_COMPLETION_INDEX=1 checkoutsim sweep baseline --param traffic.multiplier=1,2,3,4 --shards 2 --out part-1.json
  checkoutsim merge part-0.json part-1.json -o table`,
		Args: oneScenarioArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.scenario = args[0]
			o.readSimFlags(cmd)
			if err := o.validate(cmd, getenv); err != nil {
				return badInput(err)
			}
			return runF(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addSimFlags(cmd, &o.simOptions)
	f := cmd.Flags()
	f.StringArrayVar(&o.rawParams, "param", nil, "a grid axis, path=v1,v2,... (repeatable; commas inside (), [], {} or quotes do not split)")
	o.addShardFlags(f, "points")
	f.StringVar(&o.plots, "plots", "", "write heat maps (PNG and SVG) of P99, error rate, throughput and cost to this directory (1 or 2 parameters)")
	f.BoolVar(&o.resume, "resume", false, "keep the points already in --out (same grid) and compute only the missing ones")
	return cmd
}

func runSweep(ctx context.Context, o *sweepOptions, stdout, stderr io.Writer) error {
	if o.out != "" {
		// Checked before the first point is computed, but here rather than
		// in flag parsing: the directory is a property of the machine that
		// runs the sweep, not of the command line (deploy templates name
		// directories that exist only inside their job).
		if st, err := os.Stat(filepath.Dir(o.out)); err != nil || !st.IsDir() {
			return badInput(fmt.Errorf("sweep: --out %s: directory %s does not exist", o.out, filepath.Dir(o.out)))
		}
	}
	sw, err := sweep.New(o.scenario, o.gridSets(), o.params)
	if err != nil {
		return badInput(err)
	}
	var prev *sweep.Result
	if o.resume {
		if _, err := os.Stat(o.out); err == nil {
			if prev, err = sweep.Read(o.out); err != nil {
				return badInput(fmt.Errorf("sweep --resume: %w", err))
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return badInput(fmt.Errorf("sweep --resume: %w", err))
		}
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	bar := o.newProgress(stderr, "sweep "+sw.Grid.Scenario, "points")
	opt := sweep.Options{Shard: o.shard, Workers: o.workers, Resume: prev, Progress: bar.Update}
	if o.out != "" {
		opt.Checkpoint = func(r *sweep.Result) error {
			return atomicfile.WriteFile(o.out, func(w io.Writer) error { return r.Write(w, o.output) })
		}
	}
	res, err := sw.Run(ctx, opt)
	bar.Finish()
	if err != nil {
		if res == nil { // --resume refused the file
			return badInput(fmt.Errorf("sweep --resume: %s: %w", o.out, err))
		}
		if errors.Is(err, context.Canceled) {
			if o.out == "" {
				return &exitError{code: exitInterrupted, err: fmt.Errorf("sweep interrupted after %d of %d points; nothing written (use --out FILE to keep completed points)", len(res.Rows), len(res.Rows)+len(res.Pending))}
			}
			return &exitError{code: exitInterrupted, err: fmt.Errorf("sweep interrupted: %s holds %d points, %d to go; rerun the same command with --resume to compute only those", o.out, len(res.Rows), len(res.Pending))}
		}
		return runError(err)
	}
	if err := o.write(stdout, func(w io.Writer) error { return res.Write(w, o.output) }); err != nil {
		return err
	}
	return writeSweepPlots(res, o.plots)
}

// writeSweepPlots draws the heat maps into dir (created if missing);
// nothing when dir is "".
func writeSweepPlots(res *sweep.Result, dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return badInput(fmt.Errorf("--plots: %w", err))
	}
	return chart.WriteSweep(dir, res)
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
	"github.com/checkoutsim/checkoutsim/experiments/tune"
	"github.com/spf13/cobra"
)

func newTuneCmd() *cobra.Command { return newTuneCmdWith(os.Getenv, runTune) }

func newTuneCmdWith(getenv func(string) string, runF func(ctx context.Context, o *tuneOptions, stdout, stderr io.Writer) error) *cobra.Command {
	o := &tuneOptions{}
	cmd := &cobra.Command{
		Use:   "tune [SCENARIO] --knob PATH=RANGE ... --minimize METRIC [--constraint 'METRIC<=X' ...] [--condition ...]",
		Short: "Find retry, timeout, budget and breaker settings that hold the SLO under disturbance",
		Long: `tune searches the knobs' space for the settings that optimise a metric
while holding every constraint in every condition, and prints them as
--set lines, a YAML fragment and the policy.StackConfig Go literal.

Knobs: --knob PATH=RANGE, PATH as for --set, RANGE one of 200ms..3s,
1..4 (whole numbers), 0.05..0.5, log:10ms..2s, or a list
constant,exponential. Metrics: a path in 'run -o json'
(checkout.latency_s.p99, checkout.error_rate, cost.usd) or a short name
(p99, error_rate). Conditions: the scenario as it is ("base"), plus each
--condition NAME:PATH=VALUE[,PATH=VALUE...] or --condition FILE (a scenario
file to run instead, knobs applied on top). A candidate's score is its
objective in its worst condition (per replication, averaged); it is infeasible if it breaks a
constraint in any condition.

The search: a Latin hypercube of --candidates points; successive halving
(a quarter of the measured window with one replication for all, half with
two replications for the best quarter; common random numbers throughout);
then the finalists and the current settings re-run on a fresh seed with 5
replications for 95% intervals. A finalist is feasible when every
constraint holds at the far end of its interval. --budget caps the runs
("300", "300 runs") or the simulated time ("40h"): the candidates shrink to
fit.

Bad input (an unknown knob path, a range outside the field's limits, an
unknown metric, an empty space, an objective bounded the other way by a
constraint) is reported before anything runs, one line each: exit 2. No
feasible candidate: exit 1, naming the constraint broken most often and the
closest miss.

--out FILE is rewritten after every run; Ctrl-C and --resume continue. With
--shard i/N (or --shards N, the index from the batch engine) a process runs
its share of the next stage and writes a part file; 'checkoutsim merge'
combines the parts (the full answer once every stage is done, else a state
file to pass back with --state), or names a shard missing from the stage
and the line that reruns it.`,
		Example: `  checkoutsim tune payment-slowdown-after --duration 10m \
      --knob payments.client.timeout=log:300ms..3s --knob payments.client.retry.max_attempts=1..4 \
      --knob payments.client.retry.backoff.kind=constant,exponential \
      --minimize p99 --constraint 'error_rate<=1%' --condition spike:traffic.multiplier=1.5
  checkoutsim tune --spec tune.yaml -o json --out tune.json --plots charts/`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.scenario = args[0]
			}
			o.args = shard.Args("tune", args, cmd.Flags())
			if err := o.resolve(cmd, getenv); err != nil {
				return badInput(err)
			}
			return runF(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.specFile, "spec", "", "a YAML file holding the question (knobs, minimize/maximize, constraints, conditions, budget, ...)")
	f.StringArrayVar(&o.knobs, "knob", nil, "a knob, PATH=RANGE (repeatable): 200ms..3s, 1..4, log:10ms..2s, constant,exponential")
	f.StringVar(&o.minimize, "minimize", "", "the metric to minimise (p99, checkout.latency_s.p99, cost.usd, ...)")
	f.StringVar(&o.maximize, "maximize", "", "the metric to maximise (throughput, ...)")
	f.StringArrayVar(&o.constraints, "constraint", nil, "METRIC<=X or METRIC>=X, in every condition (repeatable); X may be 1% or 1.5s")
	f.StringArrayVar(&o.conditions, "condition", nil, "a disturbance, NAME:PATH=VALUE[,PATH=VALUE...] or a scenario FILE (repeatable)")
	f.StringVar(&o.budget, "budget", "", `cap on replication runs ("300") or simulated time ("40h")`)
	f.Uint64Var(&o.seed, "seed", tune.DefaultSeed, "seed of the design and the rungs (the final re-run uses a seed derived from it)")
	f.IntVar(&o.candidates, "candidates", tune.DefaultCandidates, "points of the Latin hypercube")
	f.StringArrayVar(&o.sets, "set", nil, "override a scenario field in every run, path=value (repeatable)")
	f.StringVar(&o.duration, "duration", "", `simulated arrival time of a full run, e.g. "10m" (default: the scenario's)`)
	f.StringVarP(&o.output, "output", "o", output.Table, "output format: table, json or csv")
	f.StringVar(&o.out, "out", "", "write the output to this file (atomically), rewritten after every run")
	f.StringVar(&o.plots, "plots", "", "write the Pareto fronts (PNG and SVG) to this directory")
	f.IntVar(&o.workers, "workers", 0, "runs in parallel (default: GOMAXPROCS); the output does not depend on it")
	o.addShardFlags(f, "next stage's runs")
	f.BoolVar(&o.resume, "resume", false, "keep the runs already in --out (same search) and compute only the missing ones")
	f.StringVar(&o.state, "state", "", "runs computed so far (a file 'checkoutsim merge' wrote), for the next stage of a sharded search")
	return cmd
}

func runTune(ctx context.Context, o *tuneOptions, stdout, stderr io.Writer) error {
	t, err := tune.New(o.spec)
	if err != nil {
		return badInput(prefixAll("tune", []error{err}))
	}
	var states []string // what the run starts from
	if o.state != "" {
		states = append(states, o.state)
	}
	if _, err := os.Stat(o.out); o.resume && err == nil {
		states = append(states, o.out)
	}
	prev, err := tune.ReadStates(states...)
	if err != nil {
		return badInput(fmt.Errorf("tune: %w", err))
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	opt := tune.Options{Shard: o.shard, Args: o.args, Workers: o.workers, Resume: prev}
	if !o.quiet {
		opt.Progress = newTuneProgress(stderr, t)
	}
	if o.out != "" {
		opt.Checkpoint = func(r *tune.Result) error {
			return atomicfile.WriteFile(o.out, func(w io.Writer) error { return r.Write(w, output.JSON) })
		}
	}
	res, err := t.Run(ctx, opt)
	if err != nil {
		if res == nil {
			return badInput(fmt.Errorf("tune: %w", err))
		}
		if errors.Is(err, context.Canceled) {
			if o.out == "" {
				return &exitError{code: exitInterrupted, err: fmt.Errorf("tune interrupted after %d runs; nothing written (use --out FILE to keep them)", res.RunsUsed)}
			}
			return &exitError{code: exitInterrupted, err: fmt.Errorf("tune interrupted: %s holds %d runs; rerun the same command with --resume to continue", o.out, res.RunsUsed)}
		}
		return runError(err)
	}
	if err := (&simOptions{out: o.out}).write(stdout, func(w io.Writer) error { return res.Write(w, o.output) }); err != nil {
		return err
	}
	if o.shard != nil {
		fmt.Fprintf(stderr, "tune: shard %s wrote its part of the next stage to %s; merge the parts with 'checkoutsim merge', then run the shards again with --state MERGED\n", o.shard, o.out)
		return nil
	}
	if o.plots != "" {
		if err := os.MkdirAll(o.plots, 0o755); err != nil {
			return badInput(fmt.Errorf("tune: --plots: %w", err))
		}
		if err := res.WritePlots(o.plots); err != nil {
			return fmt.Errorf("tune: --plots: %w", err)
		}
	}
	if !res.Feasible {
		return failed(errors.New(res.Failure.Message()))
	}
	return nil
}

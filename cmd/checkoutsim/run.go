package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// exitInterrupted is the status after Ctrl-C (128 + SIGINT, as shells do).
const exitInterrupted = 130

// maxReplications bounds --replications: every replication's result (a few
// hundred kB of histograms) is held until the summary is made.
const maxReplications = 10000

// simOptions are the flags run and compare share.
type simOptions struct {
	seed            uint64
	seedSet         bool // --seed given; otherwise the scenario's seed
	replications    int
	replicationsSet bool // --replications given; otherwise the scenario's
	duration        string
	sets            []string
	output          string
	out             string
	workers         int
	plots           string // directory for PNG and SVG charts ("" for none)
}

// addSimFlags registers the shared flags on cmd.
func addSimFlags(cmd *cobra.Command, o *simOptions) {
	f := cmd.Flags()
	f.Uint64Var(&o.seed, "seed", 0, "random seed (default: the scenario's seed)")
	f.IntVar(&o.replications, "replications", 0, "independent replications, 1 to 10000 (default: the scenario's)")
	f.StringVar(&o.duration, "duration", "", `simulated arrival time, e.g. "2m" (default: the scenario's duration)`)
	f.StringArrayVar(&o.sets, "set", nil, "override a scenario field, path=value (repeatable), e.g. --set traffic.multiplier=2")
	f.StringVarP(&o.output, "output", "o", experiments.FormatTable, "output format: table, json or csv")
	f.StringVar(&o.out, "out", "", "write the output to this file (atomically) instead of stdout")
	f.IntVar(&o.workers, "workers", 0, "replications run in parallel (default: GOMAXPROCS); the output does not depend on it")
}

// addPlotsFlag registers --plots for the commands whose charts are the
// run's time series (run, compare); sweep and capacity draw their own.
func addPlotsFlag(cmd *cobra.Command, o *simOptions) {
	cmd.Flags().StringVar(&o.plots, "plots", "", "write PNG and SVG charts into this directory (created if missing)")
}

// readSimFlags records which defaults the user overrode.
func (o *simOptions) readSimFlags(cmd *cobra.Command) {
	o.seedSet = cmd.Flags().Changed("seed")
	o.replicationsSet = cmd.Flags().Changed("replications")
}

func (o *simOptions) validate(command string) error {
	if err := experiments.CheckFormat(o.output); err != nil {
		return fmt.Errorf("%s: --output: %w", command, err)
	}
	if o.replicationsSet && (o.replications < 1 || o.replications > maxReplications) {
		return fmt.Errorf("%s: --replications %d: want 1 to %d", command, o.replications, maxReplications)
	}
	if o.workers < 0 {
		return fmt.Errorf("%s: --workers %d: want >= 0 (0: GOMAXPROCS)", command, o.workers)
	}
	if o.duration != "" {
		d, err := scenario.ParseDuration(o.duration)
		if err != nil {
			return fmt.Errorf("%s: --duration %q: %w", command, o.duration, err)
		}
		if d <= 0 {
			return fmt.Errorf("%s: --duration %q: want > 0", command, o.duration)
		}
	}
	if o.plots != "" {
		if st, err := os.Stat(o.plots); err == nil && !st.IsDir() {
			return fmt.Errorf("%s: --plots %q is a file, want a directory", command, o.plots)
		}
	}
	if o.out != "" {
		if st, err := os.Stat(o.out); err == nil && st.IsDir() {
			return fmt.Errorf("%s: --out %q is a directory", command, o.out)
		}
	}
	return nil
}

// load loads a scenario with the --set overrides and --duration (applied
// as the last override, so it is validated like any other field).
func (o *simOptions) load(ref string) (*experiments.Scenario, error) {
	sets := o.sets
	if o.duration != "" {
		sets = append(append([]string(nil), sets...), "duration="+o.duration)
	}
	sc, err := experiments.LoadScenario(ref, sets)
	if err != nil && o.duration != "" && strings.Contains(err.Error(), "warmup:") {
		err = fmt.Errorf("%w\nhint: --duration %s is not longer than the scenario's warm-up; shorten it too, e.g. --set warmup=10s", err, o.duration)
	}
	return sc, err
}

// loadPair loads scenarios a and b, reporting both files' problems at
// once when both are bad.
func (o *simOptions) loadPair(a, b string) (*experiments.Scenario, *experiments.Scenario, error) {
	sa, errA := o.load(a)
	sb, errB := o.load(b)
	switch {
	case errA != nil && errB != nil:
		return nil, nil, badInput(fmt.Errorf("%w\n%w", errA, errB))
	case errA != nil:
		return nil, nil, badInput(errA)
	case errB != nil:
		return nil, nil, badInput(errB)
	}
	return sa, sb, nil
}

// runPair runs a's and then b's replications with the same seed (common
// random numbers), showing one progress bar for both.
func (o *simOptions) runPair(ctx context.Context, stderr io.Writer, what string, a, b *experiments.Scenario, seed uint64, reps int) (ra, rb []*checkout.Result, err error) {
	bar := newProgressBar(stderr, what+" "+a.Name+" vs "+b.Name)
	defer bar.finish()
	ra, err = experiments.RunReplicationsProgress(ctx, a, seed, reps, o.workers, func(done, _ int) { bar.update(done, 2*reps) })
	if err != nil {
		return nil, nil, err
	}
	rb, err = experiments.RunReplicationsProgress(ctx, b, seed, reps, o.workers, func(done, _ int) { bar.update(reps+done, 2*reps) })
	if err != nil {
		return nil, nil, err
	}
	return ra, rb, nil
}

// runParams are the seed and replications of a run: the flags when given,
// else the scenario's.
func (o *simOptions) runParams(sc *experiments.Scenario) (seed uint64, reps int) {
	seed, reps = sc.Seed, sc.Replications
	if o.seedSet {
		seed = o.seed
	}
	if o.replicationsSet {
		reps = o.replications
	}
	if reps < 1 {
		reps = experiments.DefaultReplications
	}
	return seed, reps
}

// write writes the output to --out atomically, or to stdout.
func (o *simOptions) write(stdout io.Writer, write func(w io.Writer) error) error {
	if o.out == "" {
		return write(stdout)
	}
	return atomicfile.WriteFile(o.out, write)
}

// runError maps a failed run to an exit status: Ctrl-C is 130, anything
// else (a configuration the model rejects) is bad input.
func runError(err error) error {
	if errors.Is(err, context.Canceled) {
		return &exitError{code: exitInterrupted, err: errors.New("interrupted; no output written")}
	}
	return badInput(err)
}

// runOptions are the arguments and flags of checkoutsim run.
type runOptions struct {
	simOptions
	scenario string
}

func newRunCmd() *cobra.Command {
	return newRunCmdWith(runRun)
}

// newRunCmdWith builds the command around a run function, so tests can
// check flag parsing without simulating.
func newRunCmdWith(runF func(ctx context.Context, o *runOptions, stdout, stderr io.Writer) error) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Run a scenario's replications and report latency, errors, signals and cost with confidence intervals",
		Long: `run simulates SCENARIO (a built-in name, see 'checkoutsim scenarios', or a
YAML file) for its replications, in parallel on all cores, and reports the
checkout outcomes, latency percentiles, the constraint signals (lock and
pool waits, cache hit ratio, queries per checkout, payment attempts,
amplification per call edge), the make-up of the P99, cost and cohorts.

Counts are totals over replications; rates, ratios, percentiles and cost are
means over replications with 95% confidence intervals (two or more
replications). The same scenario, overrides and seed always give the same
output, whatever --workers or the number of cores. The JSON schema is
documented in docs/output.md.

Ctrl-C stops between replications and writes nothing (exit status 130).`,
		Example: `  checkoutsim run baseline
  checkoutsim run retry-storm --replications 10 --seed 7
  checkoutsim run my-sale.yaml --set traffic.multiplier=3 --duration 5m
  checkoutsim run baseline -o json --out baseline.json
  checkoutsim run baseline -o csv > baseline.csv
  checkoutsim run flash-sale-before --plots charts/`,
		Args: oneScenarioArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.scenario = args[0]
			o.readSimFlags(cmd)
			if err := o.validate("run"); err != nil {
				return badInput(err)
			}
			return runF(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addSimFlags(cmd, &o.simOptions)
	addPlotsFlag(cmd, &o.simOptions)
	return cmd
}

// oneScenarioArg requires exactly one SCENARIO argument.
func oneScenarioArg(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return badInput(fmt.Errorf("%s: want one SCENARIO (a built-in name or a YAML file), got %d arguments (see 'checkoutsim scenarios')", cmd.CommandPath(), len(args)))
	}
	return nil
}

func runRun(ctx context.Context, o *runOptions, stdout, stderr io.Writer) error {
	sc, err := o.load(o.scenario)
	if err != nil {
		return badInput(err)
	}
	seed, reps := o.runParams(sc)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := newProgressBar(stderr, "run "+sc.Name)
	results, err := experiments.RunReplicationsProgress(ctx, sc, seed, reps, o.workers, bar.update)
	bar.finish()
	if err != nil {
		return runError(err)
	}
	for _, w := range experiments.WarmupWarnings(sc, results) {
		fmt.Fprintf(stderr, "checkoutsim: run: warning: %s\n", w)
	}
	s := experiments.Summarize(sc, seed, results)
	if err := o.writePlots(func(dir string) error { return experiments.WriteRunPlots(dir, sc.Name, results) }); err != nil {
		return err
	}
	return o.write(stdout, func(w io.Writer) error { return s.Write(w, o.output) })
}

// writePlots creates the --plots directory and draws into it.
func (o *simOptions) writePlots(draw func(dir string) error) error {
	if o.plots == "" {
		return nil
	}
	if err := os.MkdirAll(o.plots, 0o755); err != nil {
		return badInput(fmt.Errorf("--plots: %w", err))
	}
	if err := draw(o.plots); err != nil {
		return fmt.Errorf("--plots: %w", err)
	}
	return nil
}

package main

// The flags and helpers the simulating commands share: the scenario
// overrides, output, --out, --plots and how a failed run exits.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/saved"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
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
	plots           string        // directory for PNG and SVG charts ("" for none)
	sloP99          time.Duration // the P99 SLO the charts and the report draw (0: none)
	quiet           bool          // --quiet: no progress
	save            string        // --save FILE: the results, for compare and report to read later
}

// addSimFlags registers the shared flags on cmd.
func addSimFlags(cmd *cobra.Command, o *simOptions) {
	f := cmd.Flags()
	f.Uint64Var(&o.seed, "seed", 0, "random seed (default: the scenario's seed)")
	f.IntVar(&o.replications, "replications", 0, "independent replications, 1 to 10000 (default: the scenario's)")
	f.StringVar(&o.duration, "duration", "", `simulated arrival time, e.g. "2m" (default: the scenario's duration)`)
	f.StringArrayVar(&o.sets, "set", nil, "override a scenario field, path=value (repeatable), e.g. --set traffic.multiplier=2 or --set 'services[checkout-api].instances=2' (list elements by index or name)")
	f.StringVarP(&o.output, "output", "o", output.Table, "output format: table, json or csv")
	f.StringVar(&o.out, "out", "", "write the output to this file (atomically) instead of stdout")
	f.IntVar(&o.workers, "workers", 0, "replications run in parallel (default: GOMAXPROCS); the output does not depend on it")
}

// addPlotsFlag registers --plots for the commands whose charts are the
// run's time series (run, compare); sweep and capacity draw their own.
func addPlotsFlag(cmd *cobra.Command, o *simOptions) {
	cmd.Flags().StringVar(&o.plots, "plots", "", "write PNG and SVG charts into this directory (created if missing)")
	addSLOFlag(cmd, o)
}

// addSLOFlag registers --slo-p99, the SLO line of the latency charts.
func addSLOFlag(cmd *cobra.Command, o *simOptions) {
	cmd.Flags().DurationVar(&o.sloP99, "slo-p99", 0, "draw this checkout P99 SLO (e.g. 1.5s) on the latency charts and in the report")
}

// addSaveFlag registers --save for the commands that make one run's
// results (run, testbed run).
func addSaveFlag(cmd *cobra.Command, o *simOptions) {
	cmd.Flags().StringVar(&o.save, "save", "", "also write the results to this file (atomically), for compare, report and run to read later")
}

// readSimFlags records which defaults the user overrode.
func (o *simOptions) readSimFlags(cmd *cobra.Command) {
	o.seedSet = cmd.Flags().Changed("seed")
	o.replicationsSet = cmd.Flags().Changed("replications")
	o.quiet = quiet(cmd)
}

func (o *simOptions) validate(command string) error {
	if err := output.Check(o.output); err != nil {
		return fmt.Errorf("%s: --output: %w", command, err)
	}
	if o.replicationsSet && (o.replications < 1 || o.replications > maxReplications) {
		return fmt.Errorf("%s: --replications %d: want 1 to %d", command, o.replications, maxReplications)
	}
	if o.sloP99 < 0 {
		return fmt.Errorf("%s: --slo-p99 %v: want > 0", command, o.sloP99)
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

// overrides are the scenario changes the flags ask for.
func (o *simOptions) overrides() experiments.Overrides {
	ov := experiments.Overrides{Sets: o.sets, Duration: o.duration}
	if o.seedSet {
		ov.Seed = &o.seed
	}
	if o.replicationsSet {
		ov.Replications = o.replications
	}
	return ov
}

// load loads a scenario with the flags' overrides.
func (o *simOptions) load(ref string) (*experiments.Scenario, error) { return o.overrides().Load(ref) }

// runPair loads refA and refB, each a scenario or a saved result
// (experiments/saved: the seed and replications, --set and --duration
// apply as it says), and runs the scenarios under one progress display
// titled what; paired refuses A and B made with different seeds or
// replications before anything runs. Errors carry their exit status.
func (o *simOptions) runPair(ctx context.Context, stderr io.Writer, what, refA, refB string, paired bool) (*saved.Pair, error) {
	p, err := saved.Load(refA, refB, o.overrides())
	if err == nil && paired {
		err = p.RequirePaired()
	}
	if err != nil {
		return nil, badInput(fmt.Errorf("%s: %w", what, err))
	}
	bar := o.newProgress(stderr, what+" "+p.A.Scenario.Name+" vs "+p.B.Scenario.Name, "")
	err = p.Run(ctx, o.workers, bar.Update)
	bar.Finish()
	if err != nil {
		return nil, runError(err)
	}
	return p, nil
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

// twoScenarioArgs requires the two scenarios A and B.
func twoScenarioArgs(cmd *cobra.Command, args []string) error {
	if len(args) != 2 {
		return badInput(fmt.Errorf("%s: want two scenarios A and B (built-in names, YAML files or saved results), got %d arguments", cmd.CommandPath(), len(args)))
	}
	return nil
}

// oneScenarioArg requires exactly one SCENARIO argument.
func oneScenarioArg(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return badInput(fmt.Errorf("%s: want one SCENARIO (a built-in name or a YAML file), got %d arguments (see 'checkoutsim scenarios')", cmd.CommandPath(), len(args)))
	}
	return nil
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

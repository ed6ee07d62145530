package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/chart"
	"github.com/checkoutsim/checkoutsim/experiments/saved"
)

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
outcomes, latency percentiles, signals (lock and pool waits, cache hits, queries
and payment attempts per checkout, amplification per edge), the P99's make-up,
cost, SERVICES (every service's load and a one-line bottleneck verdict), cohorts.

Counts are totals over replications; rates, ratios, percentiles and cost are
means over replications with 95% confidence intervals (two or more
replications). The same scenario, overrides and seed always give the same
output, whatever --workers or the number of cores. The JSON schema is
documented in docs/output.md.

--save FILE also writes the replications' results as a saved result
(docs/output.md#saved-results) that compare, report and run accept in
place of a scenario, without simulating again; 'run FILE' prints its
summary and --plots draws its charts.

Ctrl-C stops between replications and writes nothing (exit status 130).`,
		Example: `  checkoutsim run baseline
  checkoutsim run retry-storm --replications 10 --seed 7
  checkoutsim run my-sale.yaml --set 'services[checkout-api].instances=2' --duration 5m
  checkoutsim run baseline -o json --out baseline.json
  checkoutsim run baseline -o csv > baseline.csv
  checkoutsim run flash-sale-before --plots charts/
  checkoutsim run flash-sale-before --save before.json`,
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
	addSaveFlag(cmd, &o.simOptions)
	return cmd
}

func runRun(ctx context.Context, o *runOptions, stdout, stderr io.Writer) error {
	side, err := saved.OpenSide(o.scenario, o.overrides())
	if err != nil {
		return badInput(err)
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	bar := o.newProgress(stderr, "run "+side.Scenario.Name, "")
	err = side.Run(ctx, o.workers, bar.Update)
	bar.Finish()
	if err != nil {
		return runError(err)
	}
	sc, results := side.Scenario, side.Results
	for _, w := range experiments.WarmupWarnings(sc, results) {
		fmt.Fprintf(stderr, "checkoutsim: run: warning: %s\n", w)
	}
	if err := side.Save(o.save, saved.Simulation); err != nil {
		return fmt.Errorf("--save: %w", err)
	}
	marks := chart.ScenarioMarks(o.sloP99.Seconds(), sc)
	if err := o.writePlots(func(dir string) error { return chart.WriteRunPlots(dir, sc.Name, results, marks) }); err != nil {
		return err
	}
	s := experiments.Summarize(sc, side.Seed, results)
	return o.write(stdout, func(w io.Writer) error { return s.Write(w, o.output) })
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/capacity"
	"github.com/checkoutsim/checkoutsim/experiments/chart"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
)

// capacityOptions are the arguments and flags of checkoutsim capacity.
type capacityOptions struct {
	simOptions
	scenario     string
	sloP99       time.Duration
	rawSLOP99    string
	maxErrorRate scenario.Fraction
	tolerance    float64
	strict       bool
	plots        string
}

func (o *capacityOptions) validate(cmd *cobra.Command) error {
	if err := o.simOptions.validate("capacity"); err != nil {
		return err
	}
	if !cmd.Flags().Changed("slo-p99") {
		return fmt.Errorf("capacity: --slo-p99 is required (the largest acceptable checkout P99, e.g. 1.5s)")
	}
	if !cmd.Flags().Changed("max-error-rate") {
		return fmt.Errorf("capacity: --max-error-rate is required (the largest acceptable error rate, e.g. 1%% or 0.01)")
	}
	d, err := scenario.ParseDuration(o.rawSLOP99)
	if err != nil {
		return fmt.Errorf("capacity: --slo-p99 %q: %w", o.rawSLOP99, err)
	}
	if d <= 0 {
		return fmt.Errorf("capacity: --slo-p99 %q: want > 0", o.rawSLOP99)
	}
	o.sloP99 = time.Duration(d)
	if !(o.tolerance > 0 && o.tolerance < 1) {
		return fmt.Errorf("capacity: --tolerance %v: want a relative width in (0, 1), e.g. 0.02", o.tolerance)
	}
	if o.strict && o.replicationsSet && o.replications < 2 {
		return fmt.Errorf("capacity: --strict needs --replications >= 2 (an interval needs two)")
	}
	return nil
}

func newCapacityCmd() *cobra.Command {
	return newCapacityCmdWith(runCapacity)
}

// newCapacityCmdWith builds the command around a run function, so tests
// can check flag parsing without simulating.
func newCapacityCmdWith(runF func(ctx context.Context, o *capacityOptions, stdout, stderr io.Writer) error) *cobra.Command {
	o := &capacityOptions{}
	cmd := &cobra.Command{
		Use:   "capacity SCENARIO --slo-p99 D --max-error-rate X",
		Short: "Find the largest traffic multiplier at which a P99 and error-rate SLO holds",
		Long: `capacity scales SCENARIO's arrival-rate profile by traffic.multiplier and
finds the largest multiplier at which the SLO holds: checkout P99 <= D and
error rate <= X. It starts at the scenario's multiplier (1 unless --set),
doubles (or halves) until the SLO flips, then bisects until the bracket is
narrower than --tolerance relative to its low end. Every multiplier runs
the same seed and replications (common random numbers): deterministic.

The SLO is judged on the mean over replications of each replication's P99
and error rate, the estimates 'run' reports: the answer scatters around
the true limit by their noise. --strict judges the upper ends of the 95%
intervals instead, a conservative answer that also depends on the number
of replications.

Output: sustainable_multiplier (the knee) with its 95% interval, a
bootstrap over replications (none with 1), the offered and measured
checkouts/s there, failing_multiplier, warnings (also on stderr: too few
replications, an SLO within noise of the lowest load's value) and the
explored curve sorted by multiplier. Exit status 1 when no limit is
found (the SLO fails even at tiny load, or holds at 4096x).`,
		Example: `  checkoutsim capacity baseline --slo-p99 1.5s --max-error-rate 1% --plots plots/
  checkoutsim capacity flash-sale-after --slo-p99 1.4s --max-error-rate 0.012 --replications 5 -o json
  checkoutsim capacity my-shop.yaml --slo-p99 800ms --max-error-rate 0.005 --tolerance 0.05 --strict`,
		Args: oneScenarioArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.scenario = args[0]
			o.readSimFlags(cmd)
			if err := o.validate(cmd); err != nil {
				return badInput(err)
			}
			return runF(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addSimFlags(cmd, &o.simOptions)
	f := cmd.Flags()
	f.StringVar(&o.rawSLOP99, "slo-p99", "", "largest acceptable checkout P99 latency, e.g. 1.5s (required)")
	f.Var(&o.maxErrorRate, "max-error-rate", "largest acceptable error rate, a fraction or a percentage: 0.01 or 1% (required)")
	f.Float64Var(&o.tolerance, "tolerance", capacity.DefaultTolerance, "stop bisecting when (fail - pass)/pass <= this")
	f.StringVar(&o.plots, "plots", "", "write the load curve (P99 and error rate vs offered load, PNG and SVG) to this directory")
	f.BoolVar(&o.strict, "strict", false, "judge the SLO on the 95% intervals' upper ends instead of the means")
	return cmd
}

func runCapacity(ctx context.Context, o *capacityOptions, stdout, stderr io.Writer) error {
	sc, err := o.load(o.scenario)
	if err != nil {
		return badInput(err)
	}
	seed, reps := experiments.RunParams(sc)
	ctx, stop := interruptible(ctx)
	defer stop()
	opt := capacity.Options{SLOP99: o.sloP99, MaxErrorRate: float64(o.maxErrorRate), Tolerance: o.tolerance,
		Strict: o.strict, Seed: seed, Replications: reps, Workers: o.workers}
	bar := o.newProgress(stderr, "capacity "+sc.Name, "runs at most")
	opt.Progress = bar.Update
	res, err := capacity.Search(ctx, sc, opt)
	bar.Finish()
	switch {
	case errors.Is(err, context.Canceled):
		return runError(err)
	case err != nil && !errors.Is(err, capacity.ErrNoLimit):
		return badInput(err)
	}
	res.WriteWarnings(stderr)
	// With no limit found, the curve explored is still shown, then exit 1.
	if werr := o.write(stdout, func(w io.Writer) error { return res.Write(w, o.output) }); werr != nil {
		return werr
	}
	if o.plots != "" {
		if perr := os.MkdirAll(o.plots, 0o755); perr != nil {
			return badInput(fmt.Errorf("--plots: %w", perr))
		}
		if perr := chart.WriteCapacity(o.plots, res); perr != nil {
			return perr
		}
	}
	if err != nil {
		return failed(err)
	}
	return nil
}

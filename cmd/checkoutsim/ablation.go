package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/ablation"
	"github.com/checkoutsim/checkoutsim/experiments/capacity"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
)

// ablationOptions are the arguments and flags of checkoutsim ablation.
type ablationOptions struct {
	simOptions
	before, after string
	rawGroups     []string
	groups        []ablation.Group
	sloP99        time.Duration // with maxErrorRate: also search each variant's capacity
	maxErrorRate  scenario.Fraction
}

func newAblationCmd() *cobra.Command {
	return newAblationCmdWith(runAblation)
}

// newAblationCmdWith builds the command around a run function, so tests
// can check flag parsing without simulating.
func newAblationCmdWith(runF func(ctx context.Context, o *ablationOptions, stdout, stderr io.Writer) error) *cobra.Command {
	o := &ablationOptions{}
	cmd := &cobra.Command{
		Use:   "ablation BEFORE AFTER",
		Short: "Apply each group of fixes alone and cumulatively and report what each contributes",
		Long: `ablation takes the fields of each group of fixes from AFTER into BEFORE, alone
and cumulatively (A, B, C, A+B, A+B+C), runs BEFORE and every variant with
common random numbers, and reports P99, error rate, throughput and cost of
each with its change against BEFORE and a paired 95% CI.

The default groups are the case study's: A timeouts, retry discipline,
breakers and isolation (flow.gateway_policy, flow.budget,
flow.steps[*].policy, payments.client, payments.fallback,
payments.fallback_on, services[*].drop_expired); B inventory (inventory);
C cache and pricing (cache, pricing). --group NAME=path1,path2 replaces
them with your own (repeatable, in order).`,
		Example: `  checkoutsim ablation flash-sale-before flash-sale-after
  checkoutsim ablation before.yaml after.yaml --group retries=payments.client --group locks=inventory -o json
  checkoutsim ablation flash-sale-before flash-sale-after --slo-p99 3s --max-error-rate 0.01 --replications 2`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return badInput(fmt.Errorf("%s: want BEFORE and AFTER scenarios, got %d arguments", cmd.CommandPath(), len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.before, o.after = args[0], args[1]
			o.readSimFlags(cmd)
			if err := o.validate("ablation"); err != nil {
				return badInput(err)
			}
			if (o.sloP99 > 0) != (o.maxErrorRate > 0) || o.sloP99 < 0 || o.maxErrorRate < 0 || o.maxErrorRate >= 1 {
				return badInput(fmt.Errorf("ablation: give both --slo-p99 > 0 and --max-error-rate in (0, 1) to search capacity, or neither"))
			}
			if o.output == output.CSV {
				return badInput(fmt.Errorf("ablation: -o csv is not supported; use table or json"))
			}
			o.groups = ablation.DefaultGroups
			if len(o.rawGroups) > 0 {
				o.groups = nil
				for _, raw := range o.rawGroups {
					g, err := ablation.ParseGroup(raw)
					if err != nil {
						return badInput(fmt.Errorf("ablation: %w", err))
					}
					o.groups = append(o.groups, g)
				}
			}
			return runF(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addSimFlags(cmd, &o.simOptions)
	cmd.Flags().StringArrayVar(&o.rawGroups, "group", nil, "a group of fixes, NAME=path1,path2 (repeatable; default: the case study's A, B, C)")
	cmd.Flags().DurationVar(&o.sloP99, "slo-p99", 0, "with --max-error-rate: also find each variant's sustainable checkouts/s at this P99 (a capacity search per variant: slow)")
	cmd.Flags().Var(&o.maxErrorRate, "max-error-rate", "the error-rate bound of the capacity SLO: 0.01 or 1%")
	return cmd
}

func runAblation(ctx context.Context, o *ablationOptions, stdout, stderr io.Writer) error {
	before, err := o.load(o.before)
	if err != nil {
		return badInput(err)
	}
	if _, err := o.load(o.after); err != nil {
		return badInput(err)
	}
	variants, err := ablation.Variants(o.before, o.after, o.groups, o.overrides().All())
	if err != nil {
		return badInput(fmt.Errorf("ablation: %w", err))
	}
	seed, reps := experiments.RunParams(before)
	ctx, stop := interruptible(ctx)
	defer stop()
	res, err := ablation.Run(ctx, o.before, before, variants, seed, reps, o.workers)
	if err != nil {
		return runError(err)
	}
	res.After = o.after
	if o.sloP99 > 0 {
		opt := capacity.Options{SLOP99: o.sloP99, MaxErrorRate: float64(o.maxErrorRate), Seed: seed, Replications: reps, Workers: o.workers}
		if err := ablation.RunCapacity(ctx, res, before, variants, opt); err != nil {
			return runError(err)
		}
	}
	return o.write(stdout, func(w io.Writer) error {
		if o.output == output.JSON {
			return res.WriteJSON(w)
		}
		return res.WriteTable(w)
	})
}

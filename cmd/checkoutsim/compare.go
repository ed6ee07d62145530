package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments/chart"
)

// compareOptions are the arguments and flags of checkoutsim compare.
type compareOptions struct {
	simOptions
	a, b   string
	report string // HTML evidence report file ("" for none)
}

func newCompareCmd() *cobra.Command {
	return newCompareCmdWith(runCompare)
}

// newCompareCmdWith builds the command around a run function, so tests
// can check flag parsing without simulating.
func newCompareCmdWith(runF func(ctx context.Context, o *compareOptions, stdout, stderr io.Writer) error) *cobra.Command {
	o := &compareOptions{}
	cmd := &cobra.Command{
		Use:   "compare A B",
		Short: "Run two scenarios with common random numbers and report each headline metric's change with a paired 95% CI",
		Long: `compare runs scenarios A and B (built-in names or YAML files) with the same
seed and the same replication indexes, so both see the same arrivals, carts
and service-time draws (common random numbers), and reports for each
headline metric (P50/P95/P99/mean latency, error rate, throughput, cost,
lock wait P99, cache hit ratio, payment attempts per payment, DB queries
per checkout) its value in A and B and the change B/A - 1 with a paired 95%
confidence interval over replications (the difference B - A when A is 0).

The seed and replications default to A's; --set and --duration apply to
both. The JSON holds both run summaries and the changes (docs/output.md).

A or B may be a saved result ('run SCENARIO --save FILE', 'testbed run
--save FILE'), read instead of simulated; a scenario beside one runs with
its seed and replications unless --seed or --replications are given.
Sides made with other seeds or replications get unpaired (Welch)
intervals, and the output says "unpaired" and why.`,
		Example: `  checkoutsim compare retry-storm baseline
  checkoutsim compare before.yaml after.yaml --replications 20
  checkoutsim compare before.yaml after.yaml -o json --out change.json
  checkoutsim compare before.json after.json   # saved with run --save
  checkoutsim compare flash-sale-before flash-sale-after --plots charts/ --report report.html`,
		Args: twoScenarioArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.a, o.b = args[0], args[1]
			o.readSimFlags(cmd)
			if err := o.validate("compare"); err != nil {
				return badInput(err)
			}
			return runF(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addSimFlags(cmd, &o.simOptions)
	addPlotsFlag(cmd, &o.simOptions)
	cmd.Flags().StringVar(&o.report, "report", "", "also write the self-contained HTML evidence report to this file (as 'checkoutsim report')")
	return cmd
}

func runCompare(ctx context.Context, o *compareOptions, stdout, stderr io.Writer) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	p, err := o.runPair(ctx, stderr, "compare", o.a, o.b, o.report != "")
	if err != nil {
		return err
	}
	cs, a, b := p.Compare(), p.A, p.B
	marks := chart.ScenarioMarks(o.sloP99.Seconds(), a.Scenario, b.Scenario)
	if err := o.writePlots(func(dir string) error {
		return chart.WriteComparePlots(dir, a.Scenario.Name, b.Scenario.Name, a.Results, b.Results, marks)
	}); err != nil {
		return err
	}
	if o.report != "" {
		if err := writeReportFile(o.report, reportInput(p, "", o.sloP99)); err != nil {
			return fmt.Errorf("--report: %w", err)
		}
	}
	return o.write(stdout, func(w io.Writer) error { return cs.Write(w, o.output) })
}

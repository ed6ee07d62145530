package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments/fit"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// fitOptions are the arguments and flags of checkoutsim fit.
type fitOptions struct {
	file    string
	column  string
	unit    string
	unitSet bool // --unit given
	output  string
	where   []fit.Where
}

func newFitCmd() *cobra.Command {
	return newFitCmdWith(runFit)
}

// newFitCmdWith builds the command around a run function, so tests can
// check argument parsing without reading anything.
func newFitCmdWith(runF func(o *fitOptions, stdout, stderr io.Writer) error) *cobra.Command {
	o := &fitOptions{}
	var where []string // parsed into o.where
	cmd := &cobra.Command{
		Use:   "fit FILE.csv",
		Short: "Fit lognormal, gamma, Weibull and empirical distributions to observed latencies and print the scenario line",
		Long: `fit reads one column of observed durations from a CSV file (a provider's
latencies from your logs, say) and fits the lognormal, gamma and Weibull
families by maximum likelihood, plus the empirical distribution of the
samples themselves. For each it prints the Kolmogorov-Smirnov statistic D
(the largest gap between the samples' CDF and the fit's), its asymptotic
p-value, the fit's mean and p99, and the line to paste into a scenario,
best fit (smallest D) first; the empirical line, which replays the file,
comes last.

--column is a header name or a 0-based index (default 0, the first
column); with an index the header row is optional. --unit is the unit of
the numbers in the file (s, ms or us); scenario distributions are in
seconds. Every value must be a positive number; a bad row is reported as
file:line:column and the exit status is 2. The same file always gives the
same output.

--where COLUMN=VALUE (repeatable; all must hold) fits only the rows whose
header column COLUMN holds VALUE, e.g. one provider's latencies from a
file of all of them; the empirical line then lists the kept samples
inline (its file form would replay every row).

-o json prints {file, column, unit, samples, summary: {min_s, median_s,
mean_s, p99_s, max_s}, best, fits: [{family, ks_d, ks_p_value (null for
empirical), params, mean_s, p99_s, dist, scenario_line}]}, fits in the
table's order; values in seconds.`,
		Example: `  checkoutsim fit notebooks/data/provider_latency.csv --column latency_ms --unit ms
  checkoutsim fit latencies.csv --column 2 --unit us -o json
  checkoutsim fit calls.csv --column latency_ms --unit ms --where provider=psp-a
  checkoutsim run baseline --set 'payments.providers[0].latency=lognormal(median=0.12, p99=0.49)'`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("fit: want one FILE.csv, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.file = args[0]
			o.unitSet = cmd.Flags().Changed("unit")
			if o.output != output.Table && o.output != output.JSON {
				return badInput(fmt.Errorf("fit: --output %q: want table or json", o.output))
			}
			if _, err := fit.UnitSeconds(o.unit); err != nil {
				return badInput(fmt.Errorf("fit: --%w", err))
			}
			var err error
			if o.where, err = fit.ParseWheres(where); err != nil {
				return badInput(fmt.Errorf("fit: --%w", err))
			}
			return runF(o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&where, "where", nil, "fit only the rows whose header column holds a value, COLUMN=VALUE (repeatable)")
	f.StringVar(&o.column, "column", "0", "the column to fit: a header name or a 0-based index")
	f.StringVar(&o.unit, "unit", "s", "unit of the values in the file: s, ms or us")
	f.StringVarP(&o.output, "output", "o", output.Table, "output format: table or json")
	return cmd
}

// runFit reads the samples, fits them and prints the result.
func runFit(o *fitOptions, stdout, stderr io.Writer) error {
	xs, err := fit.ReadSamplesWhere(o.file, o.column, o.unit, o.where)
	if err != nil {
		return badInput(fmt.Errorf("fit: %w", err))
	}
	// A column named like latency_ms read as seconds is a likely slip.
	if !o.unitSet {
		for _, u := range []string{"ms", "us"} {
			if strings.HasSuffix(strings.ToLower(o.column), "_"+u) {
				fmt.Fprintf(stderr, "checkoutsim: fit: warning: column %s read in seconds; give --unit %s if its values are in %s\n", o.column, u, u)
			}
		}
	}
	empirical := fit.EmpiricalSpec(o.file, o.column, o.unit)
	if len(o.where) > 0 {
		empirical = "" // inline samples: the file form would replay the rows --where left out
	}
	res, err := dist.FitSamples(xs, empirical)
	if err != nil {
		return badInput(err)
	}
	src := fit.Source{File: o.file, Column: o.column, Unit: o.unit}
	if o.output == output.JSON {
		return fit.WriteJSON(stdout, src, res)
	}
	return fit.WriteTable(stdout, src, res)
}

package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments/verify"
	"github.com/checkoutsim/checkoutsim/sim/queueing"
)

// verifyOptions are the flags of checkoutsim verify.
type verifyOptions struct {
	seed         uint64
	replications int
	output       string
}

func (o *verifyOptions) validate() error {
	if o.output != "table" && o.output != "json" {
		return fmt.Errorf("verify: --output %q: want table or json", o.output)
	}
	if o.replications < 2 {
		return fmt.Errorf("verify: --replications %d: want >= 2 (a confidence interval needs two)", o.replications)
	}
	return nil
}

func newVerifyCmd() *cobra.Command {
	return newVerifyCmdWith(runVerify)
}

// newVerifyCmdWith builds the command around a run function, so tests can
// check flag parsing without running the simulations.
func newVerifyCmdWith(runF func(o *verifyOptions, out io.Writer) error) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the engine against queueing theory (simulated vs analytic, with confidence intervals)",
		Long: `verify simulates textbook queueing models with checkoutsim's engine and
station resource and compares each result with its analytic formula:
M/M/c mean wait and P(wait > 0) (Erlang C), M/D/1 and M/G/1 mean wait
(Pollaczek-Khinchine), M/M/c+M abandonment (Erlang A) and Little's law.

Each case runs independent replications; the table shows the mean and its
95% confidence interval. A case passes when the analytic value lies inside
the 99.9% interval (with ~40 cases, 95% intervals would miss a couple by
chance on every seed) or, for Little's law, when the relative error is
below 1%. Exit status 1 if any case fails.`,
		Example: `  checkoutsim verify
  checkoutsim verify --seed 7 --replications 40
  checkoutsim verify -o json > verify.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(); err != nil {
				return badInput(err)
			}
			return runF(o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&o.seed, "seed", 1, "random seed of the run")
	f.IntVar(&o.replications, "replications", queueing.DefaultReplications, "independent replications per case (>= 2)")
	f.StringVarP(&o.output, "output", "o", "table", "output format: table or json")
	return cmd
}

func runVerify(o *verifyOptions, out io.Writer) error {
	rep, err := verify.Run(o.seed, o.replications)
	if err != nil {
		return badInput(err)
	}
	if o.output == "json" {
		err = rep.WriteJSON(out)
	} else {
		err = rep.WriteTable(out)
	}
	if err != nil {
		return err
	}
	if n := rep.Failures(); n > 0 {
		return failed(fmt.Errorf("verify: %d of %d cases failed (seed %d)", n, len(rep.Cases), o.seed))
	}
	return nil
}

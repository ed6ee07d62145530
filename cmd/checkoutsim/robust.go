package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments/uncertainty"
)

type robustOptions struct {
	analysisOptions
	samples int
}

func newRobustCmd() *cobra.Command {
	o := &robustOptions{}
	cmd := &cobra.Command{
		Use:   "robust A B",
		Short: "Does B beat A whatever the uncertain inputs are? (Latin-hypercube draws, common random numbers)",
		Long: `robust draws --samples N points of the uncertain inputs A and B both declare
(the same path and range under 'uncertain:'), by Latin-hypercube sampling,
and runs A and B under each draw with the same seed (common random
numbers). For every headline metric, plus the P99 of successful clicks and
the payment amplification during a provider's slow episode, it reports the
median and the 5th and 95th percentiles over the draws of A, of B and of
the relative change, and the fraction of draws in which B is better.
--plots draws a box plot of A and B per metric.

Runs: 2N. Sharding, as sweep: --shard i/N writes a part file (JSON) holding
every N-th run; 'checkoutsim robust --merge PART...' combines the parts and
writes the analysis. Ctrl-C keeps the completed runs in --out's checkpoint
(FILE.part, or the part file itself); rerun with --resume.`,
		Example: `  checkoutsim robust flash-sale-before flash-sale-after --samples 32
  checkoutsim robust flash-sale-before flash-sale-after --samples 32 -o json --out robust.json --plots charts/
  checkoutsim robust flash-sale-before flash-sale-after --samples 32 --shard 1/4 --out part-1.json
  checkoutsim robust --merge part-*.json -o table`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.merge && len(args) == 0 {
				return badInput(fmt.Errorf("robust --merge: give the part files"))
			}
			if !o.merge && len(args) != 2 {
				return badInput(fmt.Errorf("robust: give two scenarios, A and B (files or built-in names)"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(cmd, "robust"); err != nil {
				return badInput(err)
			}
			if o.samples < 2 || o.samples > 10_000 {
				return badInput(fmt.Errorf("robust: --samples must be in [2, 10000], got %d", o.samples))
			}
			return runRobust(o, args, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addAnalysisFlags(cmd, &o.analysisOptions)
	cmd.Flags().IntVar(&o.samples, "samples", 32, "Latin-hypercube draws N of the shared uncertain inputs")
	return cmd
}

func runRobust(o *robustOptions, args []string, stdout, stderr io.Writer) error {
	var part *uncertainty.Part
	if o.merge {
		p, err := readParts("robust", args)
		if err != nil {
			return err
		}
		part = p
	} else {
		scA, dimsA, shaA, err := loadUncertain(args[0], o.sets)
		if err != nil {
			return badInput(err)
		}
		_, dimsB, shaB, err := loadUncertain(args[1], o.sets)
		if err != nil {
			return badInput(err)
		}
		dims, err := uncertainty.SharedDimensions(dimsA, dimsB)
		if err != nil {
			return badInput(fmt.Errorf("robust: %w", err))
		}
		seed := scA.Seed
		if o.seedSet {
			seed = o.seed
		}
		d := uncertainty.RobustDesign(args[0], shaA, args[1], shaB, o.sets, seed, o.replications, dims, o.samples)
		p, err := executeDesign("robust", &o.analysisOptions, d, stderr)
		if err != nil {
			return err
		}
		if o.shard != nil {
			return writePart(&o.analysisOptions, p, stdout)
		}
		part = p
	}
	return finishRobust(&o.analysisOptions, part, stdout)
}

// finishRobust analyses a complete robust result and writes it.
func finishRobust(o *analysisOptions, part *uncertainty.Part, stdout io.Writer) error {
	r, err := uncertainty.AnalyseRobust(part)
	if err != nil {
		return badInput(err)
	}
	if o.plots != "" {
		if err := uncertainty.WriteRobustCharts(o.plots, r); err != nil {
			return err
		}
	}
	return writeOutput(o, stdout, func(w io.Writer) error { return uncertainty.WriteRobustTable(w, r) }, r)
}

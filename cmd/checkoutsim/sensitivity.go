package main

import (
	"fmt"
	"io"

	"github.com/checkoutsim/checkoutsim/experiments/uncertainty"
	"github.com/spf13/cobra"
)

type sensitivityOptions struct {
	analysisOptions
	trajectories int
}

func newSensitivityCmd() *cobra.Command {
	o := &sensitivityOptions{}
	cmd := &cobra.Command{
		Use:   "sensitivity SCENARIO",
		Short: "How each uncertain input of a scenario moves its headline metrics (tornado, Morris screening)",
		Long: `sensitivity varies the inputs a scenario declares under 'uncertain:' (each
a field path, a range and a reason). One at a time, each input is set to the
low and then the high end of its range with every other input at the
scenario's value, all runs with the same seed (common random numbers); for
every headline metric it prints a tornado table (inputs by swing, largest
first) and with --plots draws a tornado chart. --trajectories r adds Morris
elementary-effects screening: r random one-at-a-time paths through the
whole input space, ranking the inputs by mu* (mean |effect|) with sigma
(non-linearity and interaction).

Runs: 1 + 2k one-at-a-time, plus r(k+1) for Morris (k inputs).

Sharding, as sweep: --shard i/N writes a part file (JSON) holding every
N-th run; 'checkoutsim sensitivity --merge PART...' combines the parts and
writes the analysis. Ctrl-C keeps the completed runs in --out's checkpoint
(FILE.part, or the part file itself); rerun with --resume.`,
		Example: `  checkoutsim sensitivity flash-sale-before
  checkoutsim sensitivity flash-sale-before --trajectories 4 --plots charts/
  checkoutsim sensitivity flash-sale-before --shard 0/4 --out part-0.json
  checkoutsim sensitivity --merge part-*.json --out sensitivity.txt`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.merge && len(args) == 0 {
				return badInput(fmt.Errorf("sensitivity --merge: give the part files"))
			}
			if !o.merge && len(args) != 1 {
				return badInput(fmt.Errorf("sensitivity: give one scenario (a file or a built-in name)"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.validate(cmd, "sensitivity"); err != nil {
				return badInput(err)
			}
			if o.trajectories < 0 || o.trajectories > 1000 {
				return badInput(fmt.Errorf("sensitivity: --trajectories must be in [0, 1000], got %d", o.trajectories))
			}
			return runSensitivity(o, args, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addAnalysisFlags(cmd, &o.analysisOptions)
	cmd.Flags().IntVar(&o.trajectories, "trajectories", 0, "Morris trajectories r (0: one-at-a-time only)")
	return cmd
}

func runSensitivity(o *sensitivityOptions, args []string, stdout, stderr io.Writer) error {
	var part *uncertainty.Part
	if o.merge {
		p, err := readParts("sensitivity", args)
		if err != nil {
			return err
		}
		part = p
	} else {
		ref := args[0]
		sc, dims, sha, err := loadUncertain(ref, o.sets)
		if err != nil {
			return badInput(err)
		}
		if len(dims) == 0 {
			return badInput(fmt.Errorf("sensitivity: %s declares no uncertain inputs: add an 'uncertain:' list of {path, range, why} (see docs/scenarios.md)", ref))
		}
		seed := sc.Seed
		if o.seedSet {
			seed = o.seed
		}
		d := uncertainty.SensitivityDesign(ref, sha, o.sets, seed, o.replications, dims, o.trajectories)
		p, err := executeDesign("sensitivity", &o.analysisOptions, d, stderr)
		if err != nil {
			return err
		}
		if o.shard != nil {
			return writePart(&o.analysisOptions, p, stdout)
		}
		part = p
	}
	return finishSensitivity(&o.analysisOptions, part, stdout)
}

// finishSensitivity analyses a complete sensitivity result and writes it.
func finishSensitivity(o *analysisOptions, part *uncertainty.Part, stdout io.Writer) error {
	dims, err := designDims(&part.Design)
	if err != nil {
		return err
	}
	s, err := uncertainty.AnalyseSensitivity(part, dims)
	if err != nil {
		return badInput(err)
	}
	if o.plots != "" {
		if err := uncertainty.WriteTornadoCharts(o.plots, s); err != nil {
			return err
		}
	}
	return writeOutput(o, stdout, func(w io.Writer) error { return uncertainty.WriteSensitivityTable(w, s) }, s)
}

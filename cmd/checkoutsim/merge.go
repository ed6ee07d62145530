package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/sweep"
	"github.com/checkoutsim/checkoutsim/experiments/tune"
	"github.com/spf13/cobra"
)

// mergeOptions are the arguments and flags of checkoutsim merge.
type mergeOptions struct {
	parts  []string
	output string
	out    string
	plots  string
}

func (o *mergeOptions) validate() error {
	if err := output.Check(o.output); err != nil {
		return fmt.Errorf("merge: --output: %w", err)
	}
	return nil
}

func newMergeCmd() *cobra.Command {
	return newMergeCmdWith(runMerge)
}

// newMergeCmdWith builds the command around a run function, so tests can
// check flag parsing apart from merging.
func newMergeCmdWith(runF func(o *mergeOptions, stdout io.Writer) error) *cobra.Command {
	o := &mergeOptions{}
	cmd := &cobra.Command{
		Use:   "merge PART...",
		Short: "Combine the part files of a sharded sweep into the complete result",
		Long: `merge reads the part files that 'checkoutsim sweep --shard i/N' wrote and
writes the complete sweep result: byte-identical to what an unsharded
sweep of the same grid writes, in the format of -o.

It refuses, with exit status 2 and nothing written:
  - a file that is not a sweep result (its name and the JSON error);
  - parts of different grids (another scenario or scenario content,
    overrides, parameters, seed or replications): it names both files and
    the grid field that differs, e.g. grid.seed;
  - parts of different splits (another --shards N, or a complete result
    among parts): shard.count differs;
  - a shard given twice, or a point held by two parts;
  - an incomplete set: it lists the missing points, the shards that should
    hold them (a shard that did not run, or was interrupted) and the exact
    'sbatch --array=K deploy/slurm/shard.sbatch ...' line that reruns only
    those shards (the template passes --resume, so an interrupted shard
    keeps its completed points).

A single complete result is a valid input too, so merge also converts a
sweep's JSON into a table or CSV.`,
		Example: `  checkoutsim merge part-0.json part-1.json part-2.json --out sweep.json -o json
  checkoutsim merge results/part-*.json -o table --plots plots/
  checkoutsim merge sweep.json -o csv > sweep.csv`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return badInput(fmt.Errorf("merge: want one or more part files"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.parts = args
			if err := o.validate(); err != nil {
				return badInput(err)
			}
			return runF(o, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", output.JSON, "output format: json, table or csv")
	f.StringVar(&o.out, "out", "", "write the result to this file (atomically) instead of stdout")
	f.StringVar(&o.plots, "plots", "", "write heat maps (PNG and SVG) of the merged grid to this directory (1 or 2 parameters)")
	return cmd
}

func runMerge(o *mergeOptions, stdout io.Writer) error {
	if len(o.parts) > 0 && tune.IsResultFile(o.parts[0]) {
		return runTuneMerge(o, stdout)
	}
	if len(o.parts) > 0 && isAnalysisPart(o.parts[0]) { // sensitivity or robust parts
		return mergeAnalysis(o.parts, o.output, o.out, o.plots, stdout)
	}
	parts := make([]*sweep.Result, len(o.parts))
	for i, name := range o.parts {
		p, err := sweep.Read(name)
		if err != nil {
			return badInput(fmt.Errorf("merge: %w", err))
		}
		parts[i] = p
	}
	res, err := sweep.Merge(o.parts, parts)
	if err != nil {
		return badInput(err)
	}
	if o.plots != "" && len(res.Grid.Params) > 2 {
		return badInput(fmt.Errorf("merge: --plots draws heat maps of one or two parameters; this grid has %d", len(res.Grid.Params)))
	}
	write := func(w io.Writer) error { return res.Write(w, o.output) }
	if o.out == "" {
		err = write(stdout)
	} else {
		err = atomicfile.WriteFile(o.out, write)
	}
	if err != nil {
		return err
	}
	return writeSweepPlots(res, o.plots)
}

// runTuneMerge is merge for tune's part files and states: the answer once
// every stage has run, else the state for the next stage's shards
// (--state).
func runTuneMerge(o *mergeOptions, stdout io.Writer) error {
	if o.plots != "" {
		return badInput(errors.New("merge: --plots draws a sweep's heat maps; for tune, pass --plots to the last tune run"))
	}
	parts := make([]*tune.Result, len(o.parts))
	for i, name := range o.parts {
		p, err := tune.ReadResult(name)
		if err != nil {
			return badInput(fmt.Errorf("merge: %w", err))
		}
		parts[i] = p
	}
	res, err := tune.MergeParts(o.parts, parts)
	if err != nil {
		return badInput(err)
	}
	return (&simOptions{out: o.out}).write(stdout, func(w io.Writer) error { return res.Write(w, o.output) })
}

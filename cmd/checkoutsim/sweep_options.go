package main

// The flags of checkoutsim sweep and their checks.

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
	"github.com/checkoutsim/checkoutsim/experiments/sweep"
	"github.com/spf13/cobra"
)

// sweepOptions are the arguments and flags of checkoutsim sweep.
type sweepOptions struct {
	simOptions
	scenario string
	params   []sweep.Param
	shard    *shard.Shard // nil: all points
	resume   bool
	plots    string

	rawParams []string
	shardFlags
}

// validate checks the flags and resolves --param and --shard; getenv reads
// the shard index variables.
func (o *sweepOptions) validate(cmd *cobra.Command, getenv func(string) string) error {
	s, err := o.parseShard(cmd, getenv)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if o.shard = s; s != nil {
		// A part file must record the grid, which only JSON does.
		if !cmd.Flags().Changed("output") {
			o.output = output.JSON
		} else if o.output != output.JSON {
			return fmt.Errorf("sweep: --shard writes a part file for 'checkoutsim merge', which is JSON: drop -o %s (merge renders tables and CSV)", o.output)
		}
	}
	if err := o.simOptions.validate("sweep"); err != nil {
		return err
	}
	if len(o.rawParams) == 0 {
		return fmt.Errorf("sweep: at least one --param path=v1,v2,... is required")
	}
	o.params = nil
	for _, raw := range o.rawParams {
		p, err := sweep.ParseParam(raw)
		if err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
		o.params = append(o.params, p)
	}
	if o.plots != "" {
		if o.shard != nil {
			return fmt.Errorf("sweep: --plots draws the whole grid: give it to 'checkoutsim merge', not to a shard")
		}
		if len(o.params) > 2 {
			return fmt.Errorf("sweep: --plots draws heat maps of one or two parameters; this grid has %d", len(o.params))
		}
	}
	if o.resume {
		if o.out == "" {
			return fmt.Errorf("sweep: --resume needs --out FILE (the file of the interrupted run)")
		}
		if o.output != output.JSON {
			return fmt.Errorf("sweep: --resume needs -o json: only JSON records the grid and its points (render it later with 'checkoutsim merge FILE -o %s')", o.output)
		}
	}
	return nil
}

// gridSets are the overrides every point starts from: --set, then
// --duration, --seed and --replications written as overrides, so the grid
// definition records them and each point's scenario validates them.
func (o *sweepOptions) gridSets() []string { return o.overrides().All() }

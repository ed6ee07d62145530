package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/uncertainty"
)

// validateOptions are the arguments and flags of checkoutsim validate.
type validateOptions struct {
	files []string
	sets  []string
}

func newValidateCmd() *cobra.Command {
	return newValidateCmdWith(runValidate)
}

// newValidateCmdWith builds the command around a run function, so tests can
// check argument parsing without loading anything.
func newValidateCmdWith(runF func(o *validateOptions, out io.Writer) error) *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate SCENARIO...",
		Short: "Check scenario files without running them",
		Long: `validate loads each scenario exactly as run would (a file, or the name of a
built-in scenario), applies the --set overrides and checks every field:
unknown or misspelt fields, wrong types, duplicate keys, values out of
range, distributions that make no sense (a p99 below the median), names
that refer to nothing (a step calling a missing service).

It prints "SCENARIO: ok" for a valid scenario, or every problem in it at
once, one per line as file:line: field.path: message. The exit status is 2
if any scenario is invalid, 0 if all are valid.`,
		Example: `  checkoutsim validate before.yaml after.yaml
  checkoutsim validate retry-storm --set payments.client.retry.max_attempts=5
  checkoutsim scenarios show baseline > mine.yaml && checkoutsim validate mine.yaml`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("validate: give at least one scenario, a file or a built-in name (see 'checkoutsim scenarios')")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.files = args
			return runF(o, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringArrayVar(&o.sets, "set", nil, "override a field, path=value (repeatable), e.g. --set traffic.multiplier=2")
	return cmd
}

// runValidate loads every scenario, printing ok or its errors, and fails
// with exit status 2 if any is invalid.
func runValidate(o *validateOptions, out io.Writer) error {
	bad := 0
	for _, f := range o.files {
		sc, err := experiments.LoadScenario(f, o.sets)
		if err == nil {
			_, err = uncertainty.Dimensions(sc, f, o.sets) // the uncertain: ranges
		}
		if err != nil {
			bad++
			fmt.Fprintln(out, err)
			continue
		}
		fmt.Fprintf(out, "%s: ok\n", f)
	}
	if bad > 0 {
		return badInput(fmt.Errorf("validate: %d of %d scenarios invalid", bad, len(o.files)))
	}
	return nil
}

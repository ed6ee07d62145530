package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments"
)

// scenariosOptions are the arguments of checkoutsim scenarios [show NAME].
type scenariosOptions struct {
	show string // "" lists the built-ins
}

func newScenariosCmd() *cobra.Command {
	return newScenariosCmdWith(runScenarios)
}

// newScenariosCmdWith builds the command and its show subcommand around a
// run function, so tests can check argument parsing apart from output.
func newScenariosCmdWith(runF func(o *scenariosOptions, out io.Writer) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenarios",
		Long: `scenarios lists the scenarios built into checkoutsim, with what each one
shows. Run one by name (checkoutsim run baseline), or print its YAML with
scenarios show NAME to copy and edit it: every field is commented, and
docs/scenarios.md describes them all.`,
		Example: `  checkoutsim scenarios
  checkoutsim scenarios show retry-storm
  checkoutsim scenarios show baseline > mine.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runF(&scenariosOptions{}, cmd.OutOrStdout())
		},
	}
	show := &cobra.Command{
		Use:   "show NAME",
		Short: "Print a built-in scenario's YAML, exactly as embedded",
		Example: `  checkoutsim scenarios show baseline
  checkoutsim scenarios show retry-storm > storm.yaml`,
		Args: cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var names []string
			for _, b := range experiments.BuiltinScenarios() {
				names = append(names, b.Name)
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runF(&scenariosOptions{show: args[0]}, cmd.OutOrStdout())
		},
	}
	cmd.AddCommand(show)
	return cmd
}

func runScenarios(o *scenariosOptions, out io.Writer) error {
	if o.show != "" {
		data, err := experiments.BuiltinYAML(o.show)
		if err != nil {
			return badInput(fmt.Errorf("scenarios show: %w", err))
		}
		_, err = out.Write(data)
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, b := range experiments.BuiltinScenarios() {
		fmt.Fprintf(tw, "%s\t%s\n", b.Name, b.Description)
	}
	return tw.Flush()
}

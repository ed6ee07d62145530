package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/chart"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/saved"
	"github.com/checkoutsim/checkoutsim/testbed"
	"github.com/checkoutsim/checkoutsim/testbed/store"
)

// exitUnreachable is the status when PostgreSQL or Redis cannot be reached
// (or another testbed run holds them).
const exitUnreachable = 3

// testbedOptions are the flags testbed run and check share.
type testbedOptions struct {
	simOptions
	dsn         string
	redis       string
	approximate bool
	multiplier  float64
	syncCommit  bool
}

func addTestbedFlags(cmd *cobra.Command, o *testbedOptions) {
	f := cmd.Flags()
	f.Uint64Var(&o.seed, "seed", 0, "random seed of the traffic (default: the scenario's seed)")
	f.StringVar(&o.duration, "duration", "", `arrival time of the real run, e.g. "60s" (default: the scenario's duration)`)
	f.StringArrayVar(&o.sets, "set", nil, "override a scenario field, path=value (repeatable)")
	f.StringVarP(&o.output, "output", "o", output.Table, "output format: table, json or csv")
	f.StringVar(&o.out, "out", "", "write the output to this file (atomically) instead of stdout")
	f.StringVar(&o.dsn, "dsn", "", "PostgreSQL connection string (default: the standard PG* environment variables)")
	f.StringVar(&o.redis, "redis", "127.0.0.1:6379", "Redis address")
	f.BoolVar(&o.syncCommit, "synchronous-commit", false, "keep PostgreSQL's synchronous_commit on (every commit waits for its WAL flush; off by default, see docs/validation.md)")
	f.BoolVar(&o.approximate, "approximate", false, "run scenarios with fields the testbed cannot realize, printing each, instead of refusing them")
}

func (o *testbedOptions) loadScenario(ref string) (*experiments.Scenario, error) {
	ov := o.overrides()
	ov.Sets = o.testbedSets()
	return ov.Load(ref)
}

// testbedSets are --set and --multiplier as assignments.
func (o *testbedOptions) testbedSets() []string {
	if o.multiplier > 0 {
		return append(append([]string(nil), o.sets...), "traffic.multiplier="+strconv.FormatFloat(o.multiplier, 'g', -1, 64))
	}
	return o.sets
}

// testbedError maps a testbed failure to an exit status.
func testbedError(err error) error {
	var un *store.Unreachable
	var ref *testbed.RefusedError
	switch {
	case errors.As(err, &un):
		return &exitError{code: exitUnreachable, err: un}
	case errors.Is(err, store.ErrBusy):
		return &exitError{code: exitUnreachable, err: err}
	case errors.As(err, &ref):
		return badInput(ref)
	case errors.Is(err, context.Canceled):
		return &exitError{code: exitInterrupted, err: errors.New("interrupted; the load was stopped, the testbed's schema and keys dropped, no output written")}
	case errors.Is(err, store.ErrForeignSchema):
		return badInput(err)
	}
	return err
}

func newTestbedCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testbed",
		Short: "Run scenarios against a real checkout (PostgreSQL, Redis, HTTP services) and check the simulator against it",
		Long: `testbed stands up a real checkout system on this machine from a scenario:
PostgreSQL (schema checkoutsim_testbed, created and dropped), Redis (keys
under checkoutsim_testbed:), the scenario's services and payment providers
as HTTP servers on 127.0.0.1, every hop through policy/live built from the
same policy stack the simulator uses; and an open-loop load generator that
draws the simulator's traffic with the scenario's seed.

Start the servers first (Debian):
  pg_ctlcluster 15 main start; su postgres -c "createuser -s $USER"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

An unreachable server is exit status 3; a field the testbed cannot realize
is refused (exit 2) unless --approximate.`,
	}
	cmd.AddCommand(newTestbedRunCmd(), newTestbedCheckCmd())
	return cmd
}

func newTestbedRunCmd() *cobra.Command {
	o := &testbedOptions{}
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "One real run of a scenario: the same table, JSON and CSV as run",
		Example: `  checkoutsim testbed run testbed/scenarios/testbed-before.yaml
  checkoutsim testbed run testbed/scenarios/testbed-after.yaml --multiplier 1.5 -o json --out after.json`,
		Args: oneScenarioArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.readSimFlags(cmd)
			if err := o.validate("testbed run"); err != nil {
				return badInput(err)
			}
			if cmd.Flags().Changed("multiplier") && !(o.multiplier > 0) {
				return badInput(fmt.Errorf("testbed run: --multiplier %v: want > 0", o.multiplier))
			}
			return testbedRun(cmd.Context(), o, args[0], cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addTestbedFlags(cmd, o)
	addPlotsFlag(cmd, &o.simOptions)
	addSaveFlag(cmd, &o.simOptions)
	cmd.Flags().Float64Var(&o.multiplier, "multiplier", 0, "scale the scenario's arrival rate (default: the scenario's traffic.multiplier)")
	return cmd
}

func testbedRun(ctx context.Context, o *testbedOptions, ref string, stdout, stderr io.Writer) error {
	sc, err := o.loadScenario(ref)
	if err != nil {
		return badInput(err)
	}
	seed := sc.Seed
	ctx, stop := interruptible(ctx)
	defer stop()
	fmt.Fprintf(stderr, "testbed run %s: %v of load at %gx, seed %d\n", sc.Name, sc.Duration.Duration(), sc.Traffic.Multiplier, seed)
	res, err := testbed.Run(ctx, sc, testbed.Options{DSN: o.dsn, Redis: o.redis, Seed: seed, Approximate: o.approximate, Log: stderr, SyncCommit: o.syncCommit})
	if err != nil {
		return testbedError(err)
	}
	results := resultsOf(res)
	side := &saved.Side{Ref: ref, Scenario: sc, Sets: experiments.Overrides{Sets: o.testbedSets(), Duration: o.duration}.All(), Seed: seed, Reps: 1, Results: results}
	if err := side.Save(o.save, saved.Testbed); err != nil {
		return fmt.Errorf("--save: %w", err)
	}
	s := experiments.Summarize(sc, seed, results)
	if err := o.writePlots(func(dir string) error { return chart.WriteRunPlots(dir, sc.Name, results, chart.ScenarioMarks(0, sc)) }); err != nil {
		return err
	}
	return o.write(stdout, func(w io.Writer) error { return s.Write(w, o.output) })
}

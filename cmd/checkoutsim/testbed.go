package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
	"github.com/checkoutsim/checkoutsim/experiments/chart"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/saved"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/testbed"
	"github.com/checkoutsim/checkoutsim/testbed/store"
	"github.com/checkoutsim/checkoutsim/testbed/validate"
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
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
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
	if err := o.writePlots(func(dir string) error { return chart.WriteRunPlots(dir, sc.Name, results) }); err != nil {
		return err
	}
	return o.write(stdout, func(w io.Writer) error { return s.Write(w, o.output) })
}

// checkOptions are testbed check's flags.
type checkOptions struct {
	testbedOptions
	scenarios    []string
	loads        []float64
	calibrated   string
	replications int
	sloP99       string
	maxErrorRate float64
	chart        string
	knownMisses  []string
}

func newTestbedCheckCmd() *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [SCENARIO...]",
		Short: "Calibrate on this machine, then compare the simulator's predictions with real runs at a ladder of loads",
		Long: `check validates the simulator against the testbed. (a) Calibrate at light
load: statement latency without lock waits, Redis round trips and each
service's hop (its worker hold plus the HTTP round trip) are measured and
fitted with fit's code; the calibrated scenarios are written with
--calibrated. (b) For every scenario and load of the ladder, predict with
the simulator (the calibrated scenario, --replications replications) and
measure with the testbed (one real run, the same seed). (c) Print a table
per load and metric (real, simulated, relative error, within goal), the
knee of each, and the verdict; -o json gives the JSON of docs/validation.md.

Exit status 0 when every goal holds, 1 when one does not. --known-miss
names goals whose misses are known model gaps (docs/validation.md): they are
still printed, marked "known", but do not fail the check.`,
		Example: `  checkoutsim testbed check testbed/scenarios/testbed-before.yaml testbed/scenarios/testbed-after.yaml
  checkoutsim testbed check --scenario a.yaml --scenario b.yaml --loads 0.6,1.5 --duration 30s --chart check.png`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.readSimFlags(cmd)
			o.replicationsSet = false // check's own --replications, validated below
			o.scenarios = append(o.scenarios, args...)
			if len(o.scenarios) == 0 {
				o.scenarios = []string{"testbed/scenarios/testbed-before.yaml", "testbed/scenarios/testbed-after.yaml"}
			}
			if err := o.validate("testbed check"); err != nil {
				return badInput(err)
			}
			if o.output == output.CSV {
				return badInput(errors.New("testbed check: --output csv: want table or json"))
			}
			for _, l := range o.loads {
				if !(l > 0) || l > 5 {
					return badInput(fmt.Errorf("testbed check: --loads %v: each load must be in (0, 5]", l))
				}
			}
			if err := validate.CheckKnownMisses(o.knownMisses); err != nil {
				return badInput(fmt.Errorf("testbed check: %w", err))
			}
			if o.replications < 1 || o.replications > 100 {
				return badInput(fmt.Errorf("testbed check: --replications %d: want 1 to 100", o.replications))
			}
			return testbedCheck(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addTestbedFlags(cmd, &o.testbedOptions)
	f := cmd.Flags()
	f.StringArrayVar(&o.scenarios, "scenario", nil, "a scenario to check (repeatable; also as arguments)")
	f.Float64SliceVar(&o.loads, "loads", []float64{0.3, 0.6, 1.0, 1.5}, "the load ladder, as multiples of each scenario's rate")
	f.StringVar(&o.calibrated, "calibrated", "", "write the calibration (fitted distributions and calibrated scenarios) as YAML to this file")
	f.IntVar(&o.replications, "replications", 3, "simulator replications per point")
	f.StringVar(&o.sloP99, "slo-p99", "2s", "the SLO's checkout P99 for the knee")
	f.Float64Var(&o.maxErrorRate, "max-error-rate", 0.02, "the SLO's error rate for the knee")
	f.StringVar(&o.chart, "chart", "", "write the P99 and error rate vs load chart to this PNG file")
	f.StringSliceVar(&o.knownMisses, "known-miss", nil, "goals whose misses are known model gaps: reported and marked, not failing (repeatable; "+strings.Join(validate.GoalNames, ", ")+")")
	return cmd
}

func testbedCheck(ctx context.Context, o *checkOptions, stdout, stderr io.Writer) error {
	var scs []*experiments.Scenario
	var errs []error
	for _, ref := range o.scenarios {
		sc, err := o.loadScenario(ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		scs = append(scs, sc)
	}
	if len(errs) > 0 {
		return badInput(errors.Join(errs...))
	}
	slo, err := parseDurationFlag("--slo-p99", o.sloP99)
	if err != nil {
		return badInput(err)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := validate.Config{
		Scenarios: scs, Loads: o.loads, Replications: o.replications, SeedSet: o.seedSet, Seed: o.seed,
		SLOP99: slo.Seconds(), MaxErrorRate: o.maxErrorRate,
		Run: testbed.Options{DSN: o.dsn, Redis: o.redis, Approximate: o.approximate, Log: stderr, SyncCommit: o.syncCommit},
		Log: stderr, KnownMisses: o.knownMisses,
	}
	rep, err := validate.Check(ctx, cfg)
	if err != nil {
		return testbedError(err)
	}
	if o.calibrated != "" {
		if err := writeAtomic(o.calibrated, rep.WriteCalibration); err != nil {
			return err
		}
	}
	if o.chart != "" {
		if err := validate.WriteChart(o.chart, rep); err != nil {
			return fmt.Errorf("--chart: %w", err)
		}
	}
	if err := o.write(stdout, func(w io.Writer) error {
		if o.output == output.JSON {
			return rep.WriteJSON(w)
		}
		return rep.WriteTable(w)
	}); err != nil {
		return err
	}
	if !rep.Pass {
		return failed(errors.New("testbed check: goals missed (see the table)"))
	}
	return nil
}

func resultsOf(res *checkout.Result) []*checkout.Result { return []*checkout.Result{res} }

func parseDurationFlag(flag, v string) (time.Duration, error) {
	d, err := scenario.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("testbed check: %s %q: %w", flag, v, err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("testbed check: %s %q: want > 0", flag, v)
	}
	return d, nil
}

func writeAtomic(path string, write func(io.Writer) error) error {
	return atomicfile.WriteFile(path, write)
}

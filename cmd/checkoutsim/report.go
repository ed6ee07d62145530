package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/ablation"
	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/report"
	"github.com/checkoutsim/checkoutsim/experiments/saved"
	"github.com/checkoutsim/checkoutsim/experiments/tune"
	"github.com/checkoutsim/checkoutsim/experiments/uncertainty"
)

// reportOptions are the arguments and flags of checkoutsim report.
type reportOptions struct {
	simOptions
	a, b     string
	title    string
	ablation bool   // also run the default ablation (A as before, B as after)
	robust   string // a saved 'checkoutsim robust A B -o json' result
	tune     string // a saved 'checkoutsim tune -o json' result
}

func newReportCmd() *cobra.Command {
	return newReportCmdWith(runReport)
}

// newReportCmdWith builds the command around a run function, so tests
// can check flag parsing without simulating.
func newReportCmdWith(runF func(ctx context.Context, o *reportOptions, stdout, stderr io.Writer) error) *cobra.Command {
	o := &reportOptions{simOptions: simOptions{output: output.Table}}
	cmd := &cobra.Command{
		Use:   "report A B --out FILE",
		Short: "Run two scenarios and write the before/after evidence report as one self-contained HTML file",
		Long: `report runs scenarios A ("before") and B ("after") like compare, with common
random numbers, and writes an evidence report for leadership and engineering
to --out: one HTML file with everything inline (charts as SVG, styles, the
font), no network access and no JavaScript needed to read it.

It holds the before/after table in the case study's format with paired 95%
confidence intervals, the latency distributions, the constraint signals
over time (P99, errors, cache hit ratio, lock waits, payment and gateway
attempts, backlog), where the time of the slowest 1% of clicks goes, the
results of every cohort with any regression flagged, and the YAML of both
scenarios.

--robust FILE adds the section "Robustness over the uncertain inputs"
from a saved 'checkoutsim robust A B -o json --out FILE' (its A and B must
be the report's); --tune FILE adds "Tuned settings" from a saved
'checkoutsim tune ... -o json --out FILE' (on any scenario). Both files
are read before anything is simulated.

The seed and replications default to A's; --set and --duration apply to
both. A or B may be a saved result, as for compare, made with the same
seed and replications as the other side (the report's intervals are
paired). The same inputs give a byte-identical file; a line on stdout
names it. The file is written
atomically: an interrupted run leaves no partial report.`,
		Example: `  checkoutsim report flash-sale-before flash-sale-after --out report.html
  checkoutsim report before.yaml after.yaml --replications 20 --out evidence.html
  checkoutsim report retry-storm baseline --duration 5m --set traffic.multiplier=1.2 --out r.html
  checkoutsim report flash-sale-before flash-sale-after --robust robust.json --tune tune.json --out report.html`,
		Args: twoScenarioArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.a, o.b = args[0], args[1]
			o.readSimFlags(cmd)
			if o.out == "" {
				return badInput(fmt.Errorf("report: --out FILE is required (the HTML report is written there)"))
			}
			if err := o.validate("report"); err != nil {
				return badInput(err)
			}
			if dir := filepath.Dir(o.out); dir != "" {
				if st, err := os.Stat(dir); err != nil || !st.IsDir() {
					return badInput(fmt.Errorf("report: --out %q: directory %q does not exist", o.out, dir))
				}
			}
			return runF(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&o.seed, "seed", 0, "random seed (default: A's seed)")
	f.IntVar(&o.replications, "replications", 0, "paired replications per scenario, >= 1 (default: A's)")
	f.StringVar(&o.duration, "duration", "", `simulated arrival time of both, e.g. "5m" (default: each scenario's)`)
	f.StringArrayVar(&o.sets, "set", nil, "override a field of both scenarios, path=value (repeatable)")
	f.StringVar(&o.out, "out", "", "the HTML file to write (required)")
	f.StringVar(&o.title, "title", "", `the report's title (default "Checkout evidence: A vs B")`)
	f.BoolVar(&o.ablation, "ablation", false, "also apply each group of fixes (as 'checkoutsim ablation A B') and add the ablation table")
	f.IntVar(&o.workers, "workers", 0, "replications run in parallel (default: GOMAXPROCS); the report does not depend on it")
	f.StringVar(&o.robust, "robust", "", "add the robustness section from a saved 'checkoutsim robust A B -o json' result")
	f.StringVar(&o.tune, "tune", "", "add the tuned-settings section from a saved 'checkoutsim tune -o json' result")
	addSLOFlag(cmd, &o.simOptions)
	return cmd
}

func runReport(ctx context.Context, o *reportOptions, stdout, stderr io.Writer) error {
	robust, tuned, err := o.readSections()
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	p, err := o.runPair(ctx, stderr, "report", o.a, o.b, true)
	if err != nil {
		return err
	}
	in := reportInput(p, o.title, o.sloP99)
	in.Robust, in.Tune = robust, tuned
	if o.ablation {
		if p.A.File != nil || p.B.File != nil {
			return badInput(fmt.Errorf("report --ablation: applies A's fix groups towards B, so both must be scenarios, not saved results"))
		}
		if in.Ablation, err = reportAblation(ctx, o, p.A.Scenario, p.A.Seed, p.A.Reps); err != nil {
			return runError(err)
		}
	}
	if err := writeReportFile(o.out, in); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "report: wrote %s: %s vs %s, seed %d, %d replications each\n", o.out, p.A.Scenario.Name, p.B.Scenario.Name, p.A.Seed, p.A.Reps)
	return err
}

// readSections reads the --robust and --tune files, if given: a bad file
// is bad input, refused before anything runs.
func (o *reportOptions) readSections() (*uncertainty.Robust, *tune.Result, error) {
	var robust *uncertainty.Robust
	var tuned *tune.Result
	if o.robust != "" {
		r, err := uncertainty.ReadRobust(o.robust)
		if err != nil {
			return nil, nil, badInput(fmt.Errorf("report --robust: %w", err))
		}
		for _, f := range []struct{ field, got, want string }{{"a", r.A, o.a}, {"b", r.B, o.b}} {
			if f.got != f.want {
				return nil, nil, badInput(fmt.Errorf("report --robust: %s: field %q is %q, but the report's %s is %q", o.robust, f.field, f.got, strings.ToUpper(f.field), f.want))
			}
		}
		robust = r
	}
	if o.tune != "" {
		r, err := tune.ReadResult(o.tune)
		if err != nil {
			return nil, nil, badInput(fmt.Errorf("report --tune: %w", err))
		}
		if !r.Complete || r.Best == nil && r.Failure == nil {
			return nil, nil, badInput(fmt.Errorf("report --tune: %s: field \"complete\": a checkpoint or part file, not a finished tune result (merge the parts first)", o.tune))
		}
		tuned = r
	}
	return robust, tuned, nil
}

// reportAblation runs the default ablation of A towards B.
func reportAblation(ctx context.Context, o *reportOptions, a *experiments.Scenario, seed uint64, reps int) ([]report.AblationRow, error) {
	variants, err := ablation.Variants(o.a, o.b, ablation.DefaultGroups, o.reportSets())
	if err != nil {
		return nil, badInput(fmt.Errorf("report --ablation: %w", err))
	}
	res, err := ablation.Run(ctx, o.a, a, variants, seed, reps, o.workers)
	if err != nil {
		return nil, err
	}
	return report.AblationRows(res), nil
}

// reportSets are the overrides shown in the report: --set, then
// --duration as load applies it (the seed and replications are shown on
// their own).
func (o *reportOptions) reportSets() []string {
	return experiments.Overrides{Sets: o.sets, Duration: o.duration}.All()
}

// reportInput is the report of a pair (compare --report writes it too),
// with the SLO slo (0: none) drawn.
func reportInput(p *saved.Pair, title string, slo time.Duration) report.Input {
	side := func(s *saved.Side) report.Run {
		return report.Run{Scenario: s.Scenario, YAML: s.YAML, Sets: s.Sets, Results: s.Results}
	}
	return report.Input{Title: title, Seed: p.A.Seed, A: side(p.A), B: side(p.B), SLOP99S: slo.Seconds()}
}

// writeReportFile writes the report to path atomically.
func writeReportFile(path string, in report.Input) error {
	return atomicfile.WriteFile(path, func(w io.Writer) error { return report.Write(w, in) })
}

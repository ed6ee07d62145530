package main

// tune's flags: the question they build (experiments/tune.Flags) and the
// checks that need no scenario.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
	"github.com/checkoutsim/checkoutsim/experiments/tune"
	"github.com/spf13/cobra"
)

// tuneOptions are the arguments and flags of checkoutsim tune.
type tuneOptions struct {
	scenario    string
	specFile    string
	knobs       []string
	minimize    string
	maximize    string
	constraints []string
	conditions  []string
	budget      string
	seed        uint64
	candidates  int
	sets        []string
	duration    string
	output      string
	out         string
	plots       string
	workers     int
	shardFlags
	resume bool
	state  string

	spec  tune.Spec
	shard *shard.Shard
	args  []string // the command line, recorded in a shard's part file
	quiet bool     // --quiet: no stage lines
}

// resolve builds the spec from --spec and the flags (flags add knobs,
// constraints and conditions; an objective flag replaces the file's) and
// checks the flags that need no scenario. Every problem is reported at
// once, one per line.
func (o *tuneOptions) resolve(cmd *cobra.Command, getenv func(string) string) error {
	o.quiet = quiet(cmd)
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	f := tune.Flags{SpecFile: o.specFile, Scenario: o.scenario, Sets: o.sets, Duration: o.duration, Knobs: o.knobs,
		Minimize: o.minimize, Maximize: o.maximize, Constraints: o.constraints, Conditions: o.conditions, Budget: o.budget}
	if cmd.Flags().Changed("seed") {
		f.Seed = &o.seed
	}
	if cmd.Flags().Changed("candidates") {
		f.Candidates = &o.candidates
	}
	spec, specErrs := f.Spec()
	errs = append(errs, specErrs...)
	if err := output.Check(o.output); err != nil {
		add(fmt.Errorf("--output: %w", err))
	}
	if o.workers < 0 {
		add(fmt.Errorf("--workers %d: want >= 0 (0: GOMAXPROCS)", o.workers))
	}
	// A search shards stage by stage: one job array and one merge per
	// stage, the merged state passed back with --state.
	s, err := o.parseShard(cmd, getenv)
	add(err)
	if o.shard = s; s != nil || err != nil {
		if o.out == "" {
			add(errors.New("--shard writes a part file for 'checkoutsim merge': give --out FILE"))
		}
		if cmd.Flags().Changed("output") && o.output != output.JSON {
			add(fmt.Errorf("--shard writes a part file, which is JSON: drop -o %s", o.output))
		}
		o.output = output.JSON
	}
	if o.resume && (o.out == "" || o.output != output.JSON) {
		add(errors.New("--resume needs --out FILE and -o json (the file of the interrupted run)"))
	}
	if o.out != "" {
		if st, err := os.Stat(filepath.Dir(o.out)); err != nil || !st.IsDir() {
			add(fmt.Errorf("--out %s: directory %s does not exist", o.out, filepath.Dir(o.out)))
		}
	}
	if len(errs) > 0 {
		return prefixAll("tune", errs)
	}
	o.spec = spec
	return nil
}

// prefixAll puts "tune: " before every line of the errors, so each
// problem is one line naming the command.
func prefixAll(cmd string, errs []error) error {
	var lines []string
	for _, e := range errs {
		for _, l := range strings.Split(e.Error(), "\n") {
			if l != "" {
				lines = append(lines, cmd+": "+l)
			}
		}
	}
	return errors.New(strings.Join(lines, "\n"))
}

package main

// The flags, checkpoints, part files and outputs that sensitivity and
// robust share.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
	"github.com/checkoutsim/checkoutsim/experiments/space"
	"github.com/checkoutsim/checkoutsim/experiments/uncertainty"
	"github.com/spf13/cobra"
)

// analysisOptions are the flags sensitivity and robust share.
type analysisOptions struct {
	seed         uint64
	seedSet      bool // --seed given (0 is a seed too)
	replications int
	sets         []string
	output       string
	out          string
	plots        string
	workers      int
	shardFlags
	resume bool
	merge  bool
	shard  *shard.Shard
	quiet  bool // --quiet: no per-run lines
}

func addAnalysisFlags(cmd *cobra.Command, o *analysisOptions) {
	f := cmd.Flags()
	f.Uint64Var(&o.seed, "seed", 0, "random seed of every run (default: the scenario's seed)")
	f.IntVar(&o.replications, "replications", 1, "replications per run, 1 to 10000")
	f.StringArrayVar(&o.sets, "set", nil, "override a scenario field in every run, path=value (repeatable)")
	f.StringVarP(&o.output, "output", "o", output.Table, "output format: table or json")
	f.StringVar(&o.out, "out", "", "write the output to this file (atomically); with --shard, the part file")
	f.StringVar(&o.plots, "plots", "", "write PNG and SVG charts into this directory")
	f.IntVar(&o.workers, "workers", 0, "runs simulated at once (default: GOMAXPROCS); the output does not depend on it")
	o.addShardFlags(f, "runs")
	f.BoolVar(&o.resume, "resume", false, "keep the runs already in the checkpoint (--out, or --out.part without --shard) and compute only the missing ones")
	f.BoolVar(&o.merge, "merge", false, "the arguments are part files of a sharded run: merge them and write the analysis")
}

// validate checks the shared flags.
func (o *analysisOptions) validate(cmd *cobra.Command, name string) error {
	o.quiet = quiet(cmd)
	if o.output != output.Table && o.output != output.JSON {
		return fmt.Errorf("%s: -o %q: want table or json", name, o.output)
	}
	if o.replications < 1 || o.replications > maxReplications {
		return fmt.Errorf("%s: --replications must be in [1, %d], got %d", name, maxReplications, o.replications)
	}
	o.seedSet = cmd.Flags().Changed("seed")
	s, err := o.parseShard(cmd, os.Getenv)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if o.shard = s; s != nil {
		if o.merge {
			return fmt.Errorf("%s: --merge combines parts; it takes no --shard", name)
		}
		if o.plots != "" {
			return fmt.Errorf("%s: --plots draws the whole analysis: give it with --merge, not to a shard", name)
		}
	}
	if o.resume && o.out == "" {
		return fmt.Errorf("%s: --resume needs --out FILE (the output of the interrupted run)", name)
	}
	return nil
}

// checkpointPath is where the rows so far are kept: the part file itself
// when sharded, else FILE.part next to --out ("" without --out).
func (o *analysisOptions) checkpointPath() string {
	switch {
	case o.out == "":
		return ""
	case o.shard != nil:
		return o.out
	}
	return o.out + ".part"
}

// scenarioSHA is the SHA-256 of a scenario's source (file or built-in).
func scenarioSHA(ref string) (string, error) {
	data, err := experiments.ScenarioSource(ref)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:]), nil
}

// loadUncertain loads a scenario and its uncertain inputs, checked.
func loadUncertain(ref string, sets []string) (*experiments.Scenario, []space.Dimension, string, error) {
	sc, err := experiments.LoadScenario(ref, sets)
	if err != nil {
		return nil, nil, "", err
	}
	dims, err := uncertainty.Dimensions(sc, ref, sets)
	if err != nil {
		return nil, nil, "", err
	}
	sha, err := scenarioSHA(ref)
	return sc, dims, sha, err
}

// executeDesign runs the design's runs (of the shard), with progress on
// stderr, a checkpoint after each run and resumption; it returns the part
// (complete when unsharded).
func executeDesign(name string, o *analysisOptions, d *uncertainty.Design, stderr io.Writer) (*uncertainty.Part, error) {
	opt := uncertainty.Options{Shard: o.shard, Workers: o.workers}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	cp := o.checkpointPath()
	if o.resume {
		if _, err := os.Stat(cp); err == nil {
			prev, err := uncertainty.ReadPart(cp)
			if err != nil {
				return nil, badInput(fmt.Errorf("%s --resume: %w", name, err))
			}
			opt.Resume = prev
		}
	}
	if cp != "" {
		opt.Checkpoint = func(p *uncertainty.Part) error {
			return atomicfile.WriteFile(cp, func(w io.Writer) error { return uncertainty.WriteJSON(w, p) })
		}
	}
	total := len(d.Selected(o.shard))
	if !o.quiet {
		opt.Progress = func(done, total int, label string) {
			fmt.Fprintf(stderr, "%s: %d/%d runs (%s)\n", name, done, total, label)
		}
	}
	ctx, stop := interruptible(context.Background())
	defer stop()
	part, err := uncertainty.Execute(ctx, d, opt)
	switch {
	case part == nil:
		return nil, badInput(fmt.Errorf("%s --resume: %s: %w", name, cp, err))
	case errors.Is(err, context.Canceled):
		if cp == "" {
			return nil, &exitError{code: exitInterrupted, err: fmt.Errorf("%s interrupted after %d of %d runs; nothing kept (use --out FILE to keep completed runs)", name, len(part.Rows), total)}
		}
		return nil, &exitError{code: exitInterrupted, err: fmt.Errorf("%s interrupted: %s holds %d of %d runs; rerun the same command with --resume to compute only the rest", name, cp, len(part.Rows), total)}
	case err != nil:
		return nil, err
	}
	return part, nil
}

// readParts reads and merges part files.
func readParts(name string, files []string) (*uncertainty.Part, error) {
	var parts []*uncertainty.Part
	for _, f := range files {
		p, err := uncertainty.ReadPart(f)
		if err != nil {
			return nil, badInput(fmt.Errorf("%s --merge: %w", name, err))
		}
		parts = append(parts, p)
	}
	p, err := uncertainty.Merge(files, parts)
	if err != nil {
		return nil, badInput(fmt.Errorf("%s --merge: %w", name, err))
	}
	return p, nil
}

// writePart writes a shard's part file (--out, or stdout).
func writePart(o *analysisOptions, p *uncertainty.Part, stdout io.Writer) error {
	if o.out == "" {
		return uncertainty.WriteJSON(stdout, p)
	}
	return atomicfile.WriteFile(o.out, func(w io.Writer) error { return uncertainty.WriteJSON(w, p) })
}

// writeOutput writes the analysis as a table or JSON to --out or stdout.
func writeOutput(o *analysisOptions, stdout io.Writer, table func(io.Writer) error, v any) error {
	write := func(w io.Writer) error {
		if o.output == output.JSON {
			return uncertainty.WriteJSON(w, v)
		}
		return table(w)
	}
	if o.out == "" {
		return write(stdout)
	}
	if err := atomicfile.WriteFile(o.out, write); err != nil {
		return err
	}
	if cp := o.checkpointPath(); cp != "" && o.shard == nil {
		_ = os.Remove(cp) // the analysis is complete; the checkpoint has served
	}
	return nil
}

// designDims rebuilds the dimensions of a design (for a merged result).
func designDims(d *uncertainty.Design) ([]space.Dimension, error) {
	var dims []space.Dimension
	for _, dm := range d.Dims {
		x, err := space.ParseRange("part file", dm.Path, dm.Range)
		if err != nil {
			return nil, err
		}
		dims = append(dims, x)
	}
	return dims, nil
}

// isAnalysisPart reports whether a file is a sensitivity or robust part
// (a JSON object with a "design"), for 'checkoutsim merge'.
func isAnalysisPart(name string) bool {
	data, err := os.ReadFile(name)
	if err != nil {
		return false
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return false
	}
	_, ok := top["design"]
	return ok
}

// mergeAnalysis is 'checkoutsim merge' for sensitivity and robust parts:
// the same output as '<command> --merge PART...'.
func mergeAnalysis(parts []string, format, out, plots string, stdout io.Writer) error {
	o := &analysisOptions{output: format, out: out, plots: plots}
	if format != output.Table && format != output.JSON {
		return badInput(fmt.Errorf("merge: -o %q: sensitivity and robust results are table or json", format))
	}
	part, err := readParts("merge", parts)
	if err != nil {
		return err
	}
	if part.Design.Kind == "robust" {
		return finishRobust(o, part, stdout)
	}
	return finishSensitivity(o, part, stdout)
}

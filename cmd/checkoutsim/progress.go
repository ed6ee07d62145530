package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments/progress"
	"github.com/checkoutsim/checkoutsim/experiments/tune"
)

// addQuietFlag registers --quiet for every command (experiments/progress
// draws the bar or the plain lines it silences).
func addQuietFlag(root *cobra.Command) {
	root.PersistentFlags().Bool("quiet", false, "show no progress on stderr (by default a bar on a terminal, a line every 5 s on a pipe or file, for jobs over a second)")
}

// quiet reports whether --quiet was given (false without the root, as in flag tests).
func quiet(cmd *cobra.Command) bool { q, _ := cmd.Flags().GetBool("quiet"); return q }

// newProgress is a command's progress on stderr, titled title, counting
// units ("" for a percentage of simulated time).
func (o *simOptions) newProgress(stderr io.Writer, title, units string) *progress.Display {
	return progress.New(stderr, progress.ModeFor(stderr, o.quiet), title, units, time.Now)
}

// interruptible is ctx cancelled by Ctrl-C or SIGTERM: every long command
// stops between replications and writes nothing (exit status 130).
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// newTuneProgress reports each stage on stderr, and each run when stderr
// is a terminal.
func newTuneProgress(stderr io.Writer, t *tune.Tuner) func(tune.Progress) {
	term := progress.ModeFor(stderr, false) == progress.Bar
	last := -1
	return func(p tune.Progress) {
		if p.Stage.Index != last {
			if term && last >= 0 {
				fmt.Fprint(stderr, "\r\033[K")
			}
			last = p.Stage.Index
			if !term {
				fmt.Fprintf(stderr, "tune: %s of %d: %d candidates x %d conditions x %d replications (%d runs to do)\n",
					p.Stage.Name(), p.Stages, p.Candidates, len(t.Conditions), p.Stage.Replications, p.Jobs-p.Done)
			}
		}
		if term {
			fmt.Fprintf(stderr, "\r\033[Ktune: %s of %d: run %d/%d", p.Stage.Name(), p.Stages, p.Done, p.Jobs)
			if p.Done == p.Jobs {
				fmt.Fprint(stderr, "\r\033[K")
			}
		}
	}
}

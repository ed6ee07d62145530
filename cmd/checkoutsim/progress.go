package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/checkoutsim/checkoutsim/experiments/progress"
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

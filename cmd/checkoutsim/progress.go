package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// progress draws "title [#####.....] 5/10 unit (label)" on stderr: the one
// experiments.Progress of every command (replications of run, compare and
// report; points of sweep; multipliers of capacity). It draws only when
// stderr is a terminal and the job has taken more than a couple of
// seconds; otherwise it writes nothing, so redirected stderr and tests see
// no extra output. It reads the wall clock, which is fine here: it only
// decides when to draw and never touches the results.
type progress struct {
	w            io.Writer // nil: disabled
	title, units string
	start        time.Time
	drawn        bool
}

// progressDelay is how long a job goes before the line appears.
const progressDelay = 2 * time.Second

func newProgress(stderr io.Writer, title, units string) *progress {
	if !isTerminal(stderr) {
		return &progress{}
	}
	return &progress{w: stderr, title: title, units: units, start: time.Now()}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update is an experiments.Progress.
func (p *progress) update(done, total int, label string) {
	if p.w == nil || total <= 0 || time.Since(p.start) < progressDelay {
		return
	}
	const width = 30
	n := min(done, total) * width / total
	line := fmt.Sprintf("\r\033[K%s [%s%s] %d/%d %s", p.title, strings.Repeat("#", n), strings.Repeat(".", width-n), done, total, p.units)
	if label != "" {
		line += " (" + label + ")"
	}
	fmt.Fprint(p.w, line)
	p.drawn = true
}

// finish erases the line, if drawn.
func (p *progress) finish() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// interruptible is ctx cancelled by Ctrl-C or SIGTERM: every long command
// stops between replications and writes nothing (exit status 130).
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progressBar draws "label [#####.....] 5/10 replications" on stderr, only
// when stderr is a terminal and the run has taken more than a couple of
// seconds; otherwise it writes nothing, so redirected stderr and tests see
// no extra output. It reads the wall clock, which is fine here: it only
// decides when to draw and never touches the results.
type progressBar struct {
	w     io.Writer // nil: disabled
	label string
	start time.Time
	drawn bool
}

// progressDelay is how long a run goes before the bar appears.
const progressDelay = 2 * time.Second

func newProgressBar(stderr io.Writer, label string) *progressBar {
	if !isTerminal(stderr) {
		return &progressBar{}
	}
	return &progressBar{w: stderr, label: label, start: time.Now()}
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
func (p *progressBar) update(done, total int) {
	if p.w == nil || total <= 0 || time.Since(p.start) < progressDelay {
		return
	}
	const width = 30
	n := done * width / total
	fmt.Fprintf(p.w, "\r%s [%s%s] %d/%d replications", p.label, strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
	p.drawn = true
}

// finish erases the bar, if drawn.
func (p *progressBar) finish() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

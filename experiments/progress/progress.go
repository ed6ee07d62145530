package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Mode is how progress is shown.
type Mode int

const (
	Off   Mode = iota // nothing
	Bar               // one line redrawn in place (a terminal)
	Lines             // a plain line every LineEvery (a pipe or a file)
)

// Delay is how long a job runs before anything is shown: shorter jobs
// print nothing.
const Delay = time.Second

// LineEvery is the spacing of plain lines; BarEvery of bar redraws.
const (
	LineEvery = 5 * time.Second
	BarEvery  = 200 * time.Millisecond
)

// ModeFor chooses the mode for stderr w: Off when quiet, Bar on a
// terminal, Lines on any other file (a pipe, a log file). Writers that are
// not files (in-process tests' buffers) get Off.
func ModeFor(w io.Writer, quiet bool) Mode {
	f, ok := w.(*os.File)
	if quiet || !ok {
		return Off
	}
	if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		return Bar
	}
	return Lines
}

// Display shows one job's progress. Its methods are called from one
// goroutine at a time (experiments.Progress's contract).
type Display struct {
	w            io.Writer
	mode         Mode
	title, units string
	now          func() time.Time
	start, last  time.Time
	shown        bool // something was written
}

// New returns a display titled title ("compare a vs b") counting units
// ("points"; "" to show a percentage, as for simulated time) in mode,
// reading the clock now (time.Now outside tests).
func New(w io.Writer, mode Mode, title, units string, now func() time.Time) *Display {
	d := &Display{w: w, mode: mode, title: title, units: units, now: now}
	if mode != Off {
		d.start = now()
	}
	return d
}

// Update is an experiments.Progress: done of total, label the step under
// way. It writes only once the job has run Delay, then at most every
// BarEvery (Bar) or LineEvery (Lines).
func (d *Display) Update(done, total int, label string) {
	if d.mode == Off || total <= 0 {
		return
	}
	t := d.now()
	elapsed := t.Sub(d.start)
	every := LineEvery
	if d.mode == Bar {
		every = BarEvery
	}
	if elapsed < Delay || d.shown && t.Sub(d.last) < every {
		return
	}
	d.last, d.shown = t, true
	done = min(max(done, 0), total)
	count := fmt.Sprintf("%d%%", done*100/total)
	if d.units != "" {
		count = fmt.Sprintf("%d/%d %s", done, total, d.units)
	}
	if label != "" {
		count += " (" + label + ")"
	}
	tail := Seconds(elapsed) + " elapsed, " + Left(elapsed, done, total)
	if d.mode == Lines {
		fmt.Fprintf(d.w, "%s: %s, %s\n", d.title, count, tail)
		return
	}
	const width = 30
	n := done * width / total
	fmt.Fprintf(d.w, "\r\033[K%s [%s%s] %s, %s", d.title, strings.Repeat("#", n), strings.Repeat(".", width-n), count, tail)
}

// Finish ends the display: it erases the bar, or, after plain lines,
// says how long the job took.
func (d *Display) Finish() {
	switch {
	case !d.shown:
	case d.mode == Bar:
		fmt.Fprint(d.w, "\r\033[K")
	case d.mode == Lines:
		fmt.Fprintf(d.w, "%s: done in %s\n", d.title, Seconds(d.now().Sub(d.start)))
	}
}

// Left estimates the time left from the pace so far: "about 12 s left",
// or "estimating" before anything is done.
func Left(elapsed time.Duration, done, total int) string {
	if done <= 0 {
		return "estimating time left"
	}
	left := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
	return "about " + Seconds(left) + " left"
}

// Seconds prints a duration rounded to the second, "1m05s" from a minute.
func Seconds(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s < 60 {
		return fmt.Sprintf("%d s", s)
	}
	return fmt.Sprintf("%dm%02ds", s/60, s%60)
}

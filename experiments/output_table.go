package experiments

// The human table of `checkoutsim run`: headline metrics with their 95%
// intervals, then the signals, the P99 attribution, cost and the cohorts.
// Values are rounded to 3 significant digits for reading; use -o json or
// -o csv for full precision.

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// tableWriter collects aligned rows section by section.
type tableWriter struct {
	tw  *tabwriter.Writer
	err error
}

func newTableWriter(w io.Writer) *tableWriter {
	return &tableWriter{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
}

// trimTrailing removes the padding tabwriter leaves at the end of lines
// whose last cells are empty, so golden files and terminals see no
// trailing blanks.
func trimTrailing(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// writeTrimmed renders with render into a buffer and writes it to w with
// trailing blanks removed.
func writeTrimmed(w io.Writer, render func(w io.Writer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	_, err := io.WriteString(w, trimTrailing(buf.String()))
	return err
}

func (t *tableWriter) line(cells ...string) {
	// A line without tabs (a title, a blank) ends tabwriter's column
	// block, so each section is aligned on its own.
	if t.err == nil {
		_, t.err = fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
	}
}

// metric writes "label  value  [lo, hi]".
func (t *tableWriter) metric(label string, v float64, ci *CI, unit string) {
	t.line("  "+label, human(v, unit), humanCI(v, ci, unit))
}

func (t *tableWriter) count(label string, n int64) {
	t.line("  "+label, strconv.FormatInt(n, 10), "")
}

func (t *tableWriter) flush() error {
	if t.err != nil {
		return t.err
	}
	return t.tw.Flush()
}

// WriteTable writes the summary as a human-readable table.
func (s *RunSummary) WriteTable(w io.Writer) error { return writeTrimmed(w, s.writeTable) }

func (s *RunSummary) writeTable(w io.Writer) error {
	ciNote := "95% CI over replications"
	if s.Replications < 2 {
		ciNote = "no CI: one replication"
	}
	if _, err := fmt.Fprintf(w, "scenario %s: seed %d, %d replications x %s s measured (%s)\n\n",
		s.Scenario, s.Seed, s.Replications, sig(s.MeasuredS), ciNote); err != nil {
		return err
	}
	t := newTableWriter(w)
	c := &s.Checkout
	t.line("CHECKOUT")
	t.count("attempts (total)", c.Attempts)
	t.count("succeeded", c.Succeeded)
	t.count("failed", c.Failed)
	t.count("abandoned", c.Abandoned)
	t.count("unfinished", c.Unfinished)
	t.metric("error rate", c.ErrorRate, c.ErrorRateCI, "fraction")
	t.metric("abandon rate", c.AbandonRate, c.AbandonRateCI, "fraction")
	t.metric("throughput (checkouts/s)", c.ThroughputPerS, c.ThroughputPerSCI, "1/s")
	latencyRows(t, "latency", &c.Latency)

	g := &s.Signals
	t.line("")
	t.line("SIGNALS")
	t.metric("lock wait p50", g.LockWait.P50, g.LockWait.P50CI, "s")
	t.metric("lock wait p99", g.LockWait.P99, g.LockWait.P99CI, "s")
	t.metric("lock wait mean", g.LockWait.Mean, g.LockWait.MeanCI, "s")
	t.metric("pool wait p99", g.PoolWait.P99, g.PoolWait.P99CI, "s")
	t.metric("cache hit ratio", g.CacheHitRatio, g.CacheHitRatioCI, "fraction")
	t.metric("db queries per checkout", g.DBQueriesPerCheckout, g.DBQueriesPerCheckoutCI, "")
	t.metric("payment attempts per payment", g.PaymentAttemptsPerPayment, g.PaymentAttemptsPerPaymentCI, "")
	t.count("lock timeouts", g.LockTimeouts)
	t.count("deadlocks", g.Deadlocks)
	t.count("pool timeouts", g.PoolTimeouts)
	t.count("double reservations", g.DoubleReservations)
	t.count("leaked units", g.LeakedUnits)
	t.count("max backlog (requests)", int64(g.MaxBacklog))
	t.count("breaker changes", g.BreakerChanges)

	t.line("")
	t.line("COST")
	t.metric("per run", s.Cost.USD, s.Cost.USDCI, "USD")
	t.metric("per 1000 checkouts", s.Cost.USDPer1000Checkouts, s.Cost.USDPer1000CheckoutsCI, "USD")
	if err := t.flush(); err != nil {
		return err
	}

	if _, err := fmt.Fprintln(w, "\nAMPLIFICATION (per call edge, whole run)"); err != nil {
		return err
	}
	t = newTableWriter(w)
	t.line("  EDGE", "CALLS PER CHECKOUT", "ATTEMPTS PER CALL", "95% CI")
	for _, l := range g.Amplification {
		if l.Calls == 0 {
			continue
		}
		t.line("  "+l.Layer, sig(l.CallsPerCheckout), sig(l.AttemptsPerCall), humanCI(l.AttemptsPerCall, l.AttemptsPerCallCI, ""))
	}
	if err := t.flush(); err != nil {
		return err
	}

	if len(s.Causes) > 0 {
		if _, err := fmt.Fprintln(w, "\nFAILURE CAUSES (total over replications)"); err != nil {
			return err
		}
		t = newTableWriter(w)
		for _, c := range s.Causes {
			t.line("  "+c.Cause, strconv.FormatInt(c.Count, 10))
		}
		if err := t.flush(); err != nil {
			return err
		}
	}

	a := &s.Attribution
	if _, err := fmt.Fprintf(w, "\nP99 ATTRIBUTION: %d clicks at or above %s (mean %s)\n",
		a.Clicks, human(a.ThresholdS, "s"), human(a.MeanLatencyS, "s")); err != nil {
		return err
	}
	t = newTableWriter(w)
	t.line("  SPAN", "MEAN", "SHARE")
	for _, p := range a.Parts {
		if p.Fraction < 0.0005 { // below 0.05%: rounding noise
			continue
		}
		t.line("  "+p.Span, human(p.MeanS, "s"), human(p.Fraction, "fraction"))
	}
	if err := t.flush(); err != nil {
		return err
	}

	if _, err := fmt.Fprintln(w, "\nCOHORTS"); err != nil {
		return err
	}
	t = newTableWriter(w)
	t.line("  COHORT", "ATTEMPTS", "ERROR RATE", "P50", "P95", "P99")
	for _, co := range s.Cohorts {
		t.line("  "+co.Cohort, strconv.FormatInt(co.Attempts, 10), human(co.ErrorRate, "fraction"),
			human(co.Latency.P50, "s"), human(co.Latency.P95, "s"), human(co.Latency.P99, "s"))
	}
	if err := t.flush(); err != nil {
		return err
	}
	if s.Recovery != nil {
		return s.Recovery.writeTable(w)
	}
	return nil
}

// latencyRows writes a latency summary's percentiles and mean.
func latencyRows(t *tableWriter, what string, l *LatencySummary) {
	t.metric(what+" p50", l.P50, l.P50CI, "s")
	t.metric(what+" p95", l.P95, l.P95CI, "s")
	t.metric(what+" p99", l.P99, l.P99CI, "s")
	t.metric(what+" p99.9", l.P999, l.P999CI, "s")
	t.metric(what+" mean", l.Mean, l.MeanCI, "s")
}

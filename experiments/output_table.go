package experiments

// The human table of `checkoutsim run`: headline metrics with their 95%
// intervals, then the signals, the P99 attribution, cost and the cohorts.
// Values are rounded to 3 significant digits for reading; use -o json or
// -o csv for full precision.

import (
	"fmt"
	"io"
	"strconv"

	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// metricLine writes "label  value  [lo, hi]".
func metricLine(t *output.TableWriter, label string, v float64, ci *CI, unit string) {
	t.Line("  "+label, output.Human(v, unit), output.HumanCI(v, ci, unit))
}

// quantileLine is metricLine for a histogram percentile: an interval no
// wider than the histogram bucket holding the value is marked
// "(bucket-limited)", since the replications then agree more closely
// than the histogram can resolve, and the interval shown is the bucket's.
func quantileLine(t *output.TableWriter, label string, v float64, ci *CI, unit string) {
	text := output.HumanCI(v, ci, unit)
	if lo, hi := stats.BucketOf(v); ci != nil && hi-lo > 1e-9 && ci[1]-ci[0] <= (hi-lo)*(1+1e-9) {
		text += " (bucket-limited)"
	}
	t.Line("  "+label, output.Human(v, unit), text)
}

func countLine(t *output.TableWriter, label string, n int64) {
	t.Line("  "+label, strconv.FormatInt(n, 10), "")
}

// WriteTable writes the summary as a human-readable table.
func (s *RunSummary) WriteTable(w io.Writer) error { return output.Trimmed(w, s.writeTable) }

func (s *RunSummary) writeTable(w io.Writer) error {
	ciNote := "95% CI over replications"
	if s.Replications < 2 {
		ciNote = "no CI: one replication"
	}
	if _, err := fmt.Fprintf(w, "scenario %s: seed %d, %d replications x %s s measured (%s)\n\n",
		s.Scenario, s.Seed, s.Replications, output.Sig(s.MeasuredS), ciNote); err != nil {
		return err
	}
	t := output.NewTable(w)
	c := &s.Checkout
	t.Line("CHECKOUT")
	countLine(t, "attempts (total)", c.Attempts)
	countLine(t, "succeeded", c.Succeeded)
	countLine(t, "failed", c.Failed)
	countLine(t, "abandoned", c.Abandoned)
	countLine(t, "unfinished", c.Unfinished)
	metricLine(t, "error rate", c.ErrorRate, c.ErrorRateCI, "fraction")
	metricLine(t, "abandon rate", c.AbandonRate, c.AbandonRateCI, "fraction")
	metricLine(t, "throughput (checkouts/s)", c.ThroughputPerS, c.ThroughputPerSCI, "1/s")
	latencyRows(t, "latency", &c.Latency)

	g := &s.Signals
	t.Line("")
	t.Line("SIGNALS")
	quantileLine(t, "lock wait p50", g.LockWait.P50, g.LockWait.P50CI, "s")
	quantileLine(t, "lock wait p99", g.LockWait.P99, g.LockWait.P99CI, "s")
	metricLine(t, "lock wait mean", g.LockWait.Mean, g.LockWait.MeanCI, "s")
	quantileLine(t, "pool wait p99", g.PoolWait.P99, g.PoolWait.P99CI, "s")
	metricLine(t, "cache hit ratio", g.CacheHitRatio, g.CacheHitRatioCI, "fraction")
	metricLine(t, "db queries per checkout", g.DBQueriesPerCheckout, g.DBQueriesPerCheckoutCI, "")
	metricLine(t, "payment attempts per payment", g.PaymentAttemptsPerPayment, g.PaymentAttemptsPerPaymentCI, "")
	countLine(t, "lock timeouts", g.LockTimeouts)
	countLine(t, "deadlocks", g.Deadlocks)
	countLine(t, "pool timeouts", g.PoolTimeouts)
	countLine(t, "double reservations", g.DoubleReservations)
	countLine(t, "leaked units", g.LeakedUnits)
	countLine(t, "max backlog (requests)", int64(g.MaxBacklog))
	countLine(t, "breaker changes", g.BreakerChanges)

	t.Line("")
	t.Line("COST")
	metricLine(t, "per run", s.Cost.USD, s.Cost.USDCI, "USD")
	metricLine(t, "per 1000 checkouts", s.Cost.USDPer1000Checkouts, s.Cost.USDPer1000CheckoutsCI, "USD")
	s.Bottleneck.Lines(t)
	if err := t.Flush(); err != nil {
		return err
	}

	if _, err := fmt.Fprintln(w, "\nAMPLIFICATION (per call edge, whole run)"); err != nil {
		return err
	}
	t = output.NewTable(w)
	t.Line("  EDGE", "CALLS PER CHECKOUT", "ATTEMPTS PER CALL", "95% CI")
	for _, l := range g.Amplification {
		if l.Calls == 0 {
			continue
		}
		t.Line("  "+l.Layer, output.Sig(l.CallsPerCheckout), output.Sig(l.AttemptsPerCall), output.HumanCI(l.AttemptsPerCall, l.AttemptsPerCallCI, ""))
	}
	if err := t.Flush(); err != nil {
		return err
	}

	if len(s.Causes) > 0 {
		if _, err := fmt.Fprintln(w, "\nFAILURE CAUSES (total over replications)"); err != nil {
			return err
		}
		t = output.NewTable(w)
		for _, c := range s.Causes {
			t.Line("  "+c.Cause, strconv.FormatInt(c.Count, 10))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}

	a := &s.Attribution
	if _, err := fmt.Fprintf(w, "\nP99 ATTRIBUTION: %d clicks at or above %s (mean %s)\n",
		a.Clicks, output.Human(a.ThresholdS, "s"), output.Human(a.MeanLatencyS, "s")); err != nil {
		return err
	}
	t = output.NewTable(w)
	t.Line("  SPAN", "MEAN", "SHARE")
	for _, p := range a.Parts {
		if p.Fraction < 0.0005 { // below 0.05%: rounding noise
			continue
		}
		t.Line("  "+p.Span, output.Human(p.MeanS, "s"), output.Human(p.Fraction, "fraction"))
	}
	if err := t.Flush(); err != nil {
		return err
	}

	if _, err := fmt.Fprintln(w, "\nCOHORTS"); err != nil {
		return err
	}
	t = output.NewTable(w)
	t.Line("  COHORT", "ATTEMPTS", "ERROR RATE", "P50", "P95", "P99")
	for _, co := range s.Cohorts {
		t.Line("  "+co.Cohort, strconv.FormatInt(co.Attempts, 10), output.Human(co.ErrorRate, "fraction"),
			output.Human(co.Latency.P50, "s"), output.Human(co.Latency.P95, "s"), output.Human(co.Latency.P99, "s"))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if s.Recovery != nil {
		return s.Recovery.WriteTable(w)
	}
	return nil
}

// latencyRows writes a latency summary's percentiles and mean.
func latencyRows(t *output.TableWriter, what string, l *LatencySummary) {
	quantileLine(t, what+" p50", l.P50, l.P50CI, "s")
	quantileLine(t, what+" p95", l.P95, l.P95CI, "s")
	quantileLine(t, what+" p99", l.P99, l.P99CI, "s")
	quantileLine(t, what+" p99.9", l.P999, l.P999CI, "s")
	metricLine(t, what+" mean", l.Mean, l.MeanCI, "s")
}

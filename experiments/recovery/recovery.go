package recovery

import (
	"fmt"
	"io"
	"math"

	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// Summary says whether each replication returned to its state
// before a scheduled disturbance (a provider degradation episode) once
// the disturbance ended, and how long that took. A metastable system
// does not: the retry storm or backlog the trigger started sustains
// itself after the trigger is gone.
//
// The state is goodput (checkouts that succeeded per checkout that
// arrived) and P99 latency per sampling interval, smoothed over one
// minute (the mean of the intervals in a window of a minute). The level
// before the trigger is their mean over the intervals between the
// warm-up and the trigger's start. Each level has a tolerance: P99 may be
// at most RecoveryP99Tolerance (10%) above its level and goodput at most
// RecoveryGoodputTolerance (1 point) below it. (A tolerance widened by
// the pre-trigger noise was tried and rejected: when the pre-trigger
// window holds a load spike, as flash-sale-before's promotion, its
// spread made the tolerance wide enough to pass a run at 20% goodput.)
// A run has recovered at the start of the first interval after the
// trigger's end from which every one-minute window up to the end of
// arrivals is within both tolerances; lower P99 and higher goodput than
// before count as recovered. The last window is the "at end" level, so a
// run whose level at the end is outside the tolerance never counts as
// recovered.
type Summary struct {
	Trigger       string   `json:"trigger"`
	StartS        float64  `json:"trigger_start_s"`
	EndS          float64  `json:"trigger_end_s"`
	Criterion     string   `json:"criterion"`
	WindowS       float64  `json:"window_s"` // the smoothing window
	Runs          []Run    `json:"runs"`
	Recovered     int      `json:"recovered"`                 // runs that recovered
	MeanRecoveryS *float64 `json:"mean_recovery_s,omitempty"` // over the runs that recovered
}

// Run is one replication's verdict.
type Run struct {
	Replication int     `json:"replication"`
	PreGoodput  float64 `json:"pre_goodput"` // succeeded per arrived, before the trigger
	PreP99S     float64 `json:"pre_p99_s"`   // mean interval P99 before the trigger
	// GoodputFloor and P99LimitS are the pre-trigger levels with their
	// tolerance: the worst a recovered run may be.
	GoodputFloor float64  `json:"goodput_floor"`
	P99LimitS    float64  `json:"p99_limit_s"`
	EndGoodput   float64  `json:"end_goodput"`   // over the last minute of arrivals
	EndP99S      float64  `json:"end_p99_s"`     // over the last minute of arrivals
	Recovered    bool     `json:"recovered"`     // returned within tolerance of the pre-trigger level and stayed
	RecoveryS    *float64 `json:"recovery_s"`    // seconds after the trigger's end; null if not recovered
	WorstGoodput float64  `json:"worst_goodput"` // lowest interval goodput after the trigger started
	WorstP99S    float64  `json:"worst_p99_s"`   // highest interval P99 after the trigger started
}

// Recovery tolerances (see Summary).
const (
	// RecoveryP99Tolerance is how far above its pre-trigger level P99 may
	// be, relative to that level.
	RecoveryP99Tolerance = 0.10
	// RecoveryGoodputTolerance is how far below its pre-trigger level
	// goodput may be, in points of goodput (a ratio: 0.01 is 1 point).
	RecoveryGoodputTolerance = 0.01
	// RecoveryWindowS is the smoothing window, in seconds.
	RecoveryWindowS = 60.0
)

// Summarize judges recovery from the results' triggers; nil when
// the scenario has none.
func Summarize(results []*checkout.Result, warmup, duration float64) *Summary {
	if len(results) == 0 || len(results[0].Triggers) == 0 {
		return nil
	}
	trs := results[0].Triggers
	start, end := trs[0].Start.Seconds(), trs[0].End.Seconds()
	name := trs[0].Name
	for _, t := range trs[1:] {
		start, end = math.Min(start, t.Start.Seconds()), math.Max(end, t.End.Seconds())
		name += "; " + t.Name
	}
	rs := &Summary{Trigger: name, StartS: start, EndS: end, WindowS: RecoveryWindowS,
		Criterion: fmt.Sprintf("recovered when, from some interval after the trigger to the end of arrivals, every %g-second mean is within tolerance of the pre-trigger level: "+
			"P99 at most %.0f%% above it and goodput at most %.0f point below it",
			RecoveryWindowS, 100*RecoveryP99Tolerance, 100*RecoveryGoodputTolerance)}
	var sum float64
	for _, r := range results {
		run := run(r, warmup, duration, start, end)
		rs.Runs = append(rs.Runs, run)
		if run.Recovered {
			rs.Recovered++
			sum += *run.RecoveryS
		}
	}
	if rs.Recovered > 0 {
		m := sum / float64(rs.Recovered)
		rs.MeanRecoveryS = &m
	}
	return rs
}

func seriesValues(r *checkout.Result, name string) []float64 {
	for _, s := range r.Series {
		if s.Name == name {
			return s.Values
		}
	}
	return nil
}

// windowMeans are the means of v over every window of k consecutive
// values in [from, to] (inclusive), indexed by the window's first value
// minus from.
func windowMeans(v []float64, k, from, to int) []float64 {
	var out []float64
	for j := from; j+k-1 <= to; j++ {
		s := 0.0
		for _, x := range v[j : j+k] {
			s += x
		}
		out = append(out, s/float64(k))
	}
	return out
}

func run(r *checkout.Result, warmup, duration, start, end float64) Run {
	run := Run{Replication: r.Replication, WorstGoodput: math.Inf(1)}
	iv := r.Interval.Seconds()
	arr, ok, p99 := seriesValues(r, checkout.SeriesArrivals), seriesValues(r, checkout.SeriesSucceeded), seriesValues(r, checkout.SeriesLatencyP99)
	n := min(len(arr), len(ok), len(p99))
	if iv <= 0 || n == 0 {
		return run
	}
	goodput := make([]float64, n)
	for i := range goodput {
		goodput[i] = 1
		if arr[i] > 0 {
			goodput[i] = ok[i] / arr[i]
		}
	}
	at := func(i int) float64 { return float64(i+1) * iv } // end of interval i
	k := max(1, int(math.Round(RecoveryWindowS/iv)))
	firstPre, lastPre := -1, -1 // the intervals between the warm-up and the trigger
	firstAfter, last := -1, -1  // the first interval after the trigger; the last of arrivals
	for i := range n {
		if at(i)-iv >= warmup && at(i) <= start {
			if firstPre < 0 {
				firstPre = i
			}
			lastPre = i
		}
		if at(i) <= duration {
			last = i
		}
		if firstAfter < 0 && at(i)-iv >= end {
			firstAfter = i
		}
	}
	if firstPre < 0 {
		return run
	}
	var preG, preP float64
	for i := firstPre; i <= lastPre; i++ {
		preG += goodput[i]
		preP += p99[i]
	}
	preN := float64(lastPre - firstPre + 1)
	run.PreGoodput, run.PreP99S = preG/preN, preP/preN
	run.GoodputFloor = run.PreGoodput - RecoveryGoodputTolerance
	run.P99LimitS = run.PreP99S * (1 + RecoveryP99Tolerance)
	for i := 0; i <= last; i++ {
		if at(i) > start {
			run.WorstGoodput = math.Min(run.WorstGoodput, goodput[i])
			run.WorstP99S = math.Max(run.WorstP99S, p99[i])
		}
	}
	if math.IsInf(run.WorstGoodput, 1) {
		run.WorstGoodput = 0
	}
	kEnd := min(k, last+1)
	if kEnd > 0 {
		run.EndGoodput = windowMeans(goodput, kEnd, last-kEnd+1, last)[0]
		run.EndP99S = windowMeans(p99, kEnd, last-kEnd+1, last)[0]
	}
	if firstAfter < 0 || firstAfter+k-1 > last {
		return run // no full window after the trigger: it cannot be told
	}
	// The windows from each interval after the trigger on; recovered from
	// the first one after which none leaves the tolerance.
	gw, pw := windowMeans(goodput, k, firstAfter, last), windowMeans(p99, k, firstAfter, last)
	recovered := -1
	for j := range gw {
		switch {
		case gw[j] < run.GoodputFloor || pw[j] > run.P99LimitS:
			recovered = -1
		case recovered < 0:
			recovered = firstAfter + j
		}
	}
	if recovered >= 0 {
		s := math.Max(at(recovered)-iv-end, 0) // from the start of the first healthy window
		run.Recovered, run.RecoveryS = true, &s
	}
	return run
}

// WriteTable prints the recovery section of a run's table: the verdict,
// the rule with its tolerances, and per replication the levels before,
// the worst a recovered run may be, the worst interval and the last
// minute.
func (rs *Summary) WriteTable(w io.Writer) error {
	verdict := fmt.Sprintf("%d of %d runs recovered", rs.Recovered, len(rs.Runs))
	if rs.MeanRecoveryS != nil {
		verdict += fmt.Sprintf(", on average %s after the trigger ended", output.Human(*rs.MeanRecoveryS, "s"))
	}
	if rs.Recovered < len(rs.Runs) {
		verdict += "; the others did not return within tolerance of their pre-trigger level (metastable, or still recovering at the end)"
	}
	if _, err := fmt.Fprintf(w, "\nRECOVERY after %s (%s to %s)\n  %s\n  Tolerance, on %g-second means: P99 at most +%.0f%% of its pre-trigger level, goodput at most -%.0f pt (LIMIT, FLOOR)\n",
		rs.Trigger, output.Human(rs.StartS, "s"), output.Human(rs.EndS, "s"), verdict,
		rs.WindowS, 100*RecoveryP99Tolerance, 100*RecoveryGoodputTolerance); err != nil {
		return err
	}
	t := output.NewTable(w)
	t.Line("  REPLICATION", "RECOVERED", "AFTER", "GOODPUT BEFORE", "FLOOR", "WORST", "AT END", "P99 BEFORE", "LIMIT", "WORST", "AT END")
	for _, r := range rs.Runs {
		after := "-"
		if r.RecoveryS != nil {
			after = output.Human(*r.RecoveryS, "s")
		}
		t.Line(fmt.Sprintf("  %d", r.Replication), fmt.Sprint(r.Recovered), after,
			output.Human(r.PreGoodput, "fraction"), output.Human(r.GoodputFloor, "fraction"), output.Human(r.WorstGoodput, "fraction"), output.Human(r.EndGoodput, "fraction"),
			output.Human(r.PreP99S, "s"), output.Human(r.P99LimitS, "s"), output.Human(r.WorstP99S, "s"), output.Human(r.EndP99S, "s"))
	}
	return t.Flush()
}

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
// The state is judged per sampling interval on goodput (checkouts that
// succeeded per checkout that arrived) and P99 latency. The level before
// the trigger is their mean over the intervals between the warm-up and
// the trigger's start. A run has recovered at the first interval after
// the trigger's end from which every interval to the end of arrivals has
// goodput within RecoveryGoodputSlack of that level and P99 at most
// RecoveryP99Factor times it (or 1 s more, whichever is larger).
type Summary struct {
	Trigger       string   `json:"trigger"`
	StartS        float64  `json:"trigger_start_s"`
	EndS          float64  `json:"trigger_end_s"`
	Criterion     string   `json:"criterion"`
	Runs          []Run    `json:"runs"`
	Recovered     int      `json:"recovered"`                 // runs that recovered
	MeanRecoveryS *float64 `json:"mean_recovery_s,omitempty"` // over the runs that recovered
}

// Run is one replication's verdict.
type Run struct {
	Replication  int      `json:"replication"`
	PreGoodput   float64  `json:"pre_goodput"`   // succeeded per arrived, before the trigger
	PreP99S      float64  `json:"pre_p99_s"`     // mean interval P99 before the trigger
	EndGoodput   float64  `json:"end_goodput"`   // over the last minute of arrivals
	EndP99S      float64  `json:"end_p99_s"`     // over the last minute of arrivals
	Recovered    bool     `json:"recovered"`     // returned to the pre-trigger state and stayed
	RecoveryS    *float64 `json:"recovery_s"`    // seconds after the trigger's end; null if not recovered
	WorstGoodput float64  `json:"worst_goodput"` // lowest interval goodput after the trigger started
	WorstP99S    float64  `json:"worst_p99_s"`   // highest interval P99 after the trigger started
}

// Recovery thresholds (see Summary).
const (
	RecoveryGoodputSlack = 0.05
	RecoveryP99Factor    = 2.0
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
	rs := &Summary{Trigger: name, StartS: start, EndS: end,
		Criterion: fmt.Sprintf("goodput within %.0f points and P99 at most %gx (or +1 s) of the pre-trigger level, from some interval after the trigger to the end of arrivals",
			100*RecoveryGoodputSlack, RecoveryP99Factor)}
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

func run(r *checkout.Result, warmup, duration, start, end float64) Run {
	run := Run{Replication: r.Replication, WorstGoodput: math.Inf(1)}
	iv := r.Interval.Seconds()
	arr, ok, p99 := seriesValues(r, checkout.SeriesArrivals), seriesValues(r, checkout.SeriesSucceeded), seriesValues(r, checkout.SeriesLatencyP99)
	n := min(len(arr), len(ok), len(p99))
	goodput := func(i int) float64 {
		if arr[i] == 0 {
			return 1
		}
		return ok[i] / arr[i]
	}
	at := func(i int) float64 { return float64(i+1) * iv } // end of interval i
	var preG, preP float64
	var preN int
	for i := 0; i < n; i++ {
		if at(i)-iv >= warmup && at(i) <= start {
			preG += goodput(i)
			preP += p99[i]
			preN++
		}
	}
	if preN == 0 {
		return run
	}
	run.PreGoodput, run.PreP99S = preG/float64(preN), preP/float64(preN)
	p99Limit := math.Max(RecoveryP99Factor*run.PreP99S, run.PreP99S+1)
	healthy := func(i int) bool {
		return goodput(i) >= run.PreGoodput-RecoveryGoodputSlack && p99[i] <= p99Limit
	}
	last := -1 // last interval of arrivals
	for i := 0; i < n && at(i) <= duration; i++ {
		last = i
	}
	var endG, endP float64
	var endN int
	firstHealthy := -1 // start of the final run of healthy intervals after the trigger
	for i := 0; i <= last; i++ {
		if at(i) > start {
			run.WorstGoodput = math.Min(run.WorstGoodput, goodput(i))
			run.WorstP99S = math.Max(run.WorstP99S, p99[i])
		}
		if at(i) > duration-60 {
			endG += goodput(i)
			endP += p99[i]
			endN++
		}
		if at(i)-iv < end {
			continue
		}
		switch {
		case !healthy(i):
			firstHealthy = -1
		case firstHealthy < 0:
			firstHealthy = i
		}
	}
	if endN > 0 {
		run.EndGoodput, run.EndP99S = endG/float64(endN), endP/float64(endN)
	}
	if firstHealthy >= 0 {
		s := math.Max(at(firstHealthy)-iv-end, 0) // from the start of the first healthy interval
		run.Recovered, run.RecoveryS = true, &s
	}
	if math.IsInf(run.WorstGoodput, 1) {
		run.WorstGoodput = 0
	}
	return run
}

// WriteTable prints the recovery section of a run's table.
func (rs *Summary) WriteTable(w io.Writer) error {
	verdict := fmt.Sprintf("%d of %d runs recovered", rs.Recovered, len(rs.Runs))
	if rs.MeanRecoveryS != nil {
		verdict += fmt.Sprintf(", on average %s after the trigger ended", output.Human(*rs.MeanRecoveryS, "s"))
	}
	if rs.Recovered < len(rs.Runs) {
		verdict += "; the others stayed degraded after it (metastable)"
	}
	if _, err := fmt.Fprintf(w, "\nRECOVERY after %s (%s to %s)\n  %s\n", rs.Trigger, output.Human(rs.StartS, "s"), output.Human(rs.EndS, "s"), verdict); err != nil {
		return err
	}
	t := output.NewTable(w)
	t.Line("  REPLICATION", "RECOVERED", "AFTER", "GOODPUT BEFORE", "WORST", "AT END", "P99 BEFORE", "WORST", "AT END")
	for _, r := range rs.Runs {
		after := "-"
		if r.RecoveryS != nil {
			after = output.Human(*r.RecoveryS, "s")
		}
		t.Line(fmt.Sprintf("  %d", r.Replication), fmt.Sprint(r.Recovered), after,
			output.Human(r.PreGoodput, "fraction"), output.Human(r.WorstGoodput, "fraction"), output.Human(r.EndGoodput, "fraction"),
			output.Human(r.PreP99S, "s"), output.Human(r.WorstP99S, "s"), output.Human(r.EndP99S, "s"))
	}
	return t.Flush()
}

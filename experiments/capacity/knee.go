package capacity

// This file gives the knee (the sustainable multiplier) its 95% interval,
// and writes the warnings that say when the answer should not be trusted.
//
// The interval is a bootstrap over replications. Replication i of every
// multiplier uses the same random numbers (common random numbers), so a
// replication is one whole curve, and the resampling unit is the
// replication: draw R of the R replications with replacement, judge every
// explored multiplier on the resampled replications exactly as the search
// judged it on all of them (mean, or the 95% upper end with --strict), and
// read that resample's bracket off the explored curve: lo, the last
// multiplier that passes before the first one that fails, and hi, that
// first failing one. The interval is [2.5% quantile of lo, 97.5% quantile
// of hi], so it covers both the noise of the estimates and the search's
// own resolution (the bracket), and it is never narrower than the bracket.
//
// It uses only the runs the search made (no new simulation). Its limits:
// a resample's bracket can only fall on explored multipliers, so far from
// the answer, where the search made few runs, the interval is coarse; when
// a resample passes everywhere or fails everywhere, the corresponding end
// is censored at the explored range and a warning says so. The resamples
// are drawn from a stream seeded from the scenario seed, so the interval
// is deterministic.

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim/rng"
)

// Resamples is the number of bootstrap resamples of the knee's interval.
// 2000 puts each 2.5% tail on 50 resamples.
const Resamples = 2000

// MinReplications is the fewest replications for which the answer's
// interval is not flagged as rough.
const MinReplications = 3

// noiseMargin is the relative distance from the lowest load's value inside
// which an SLO bound counts as "at the unloaded value" even when the
// interval there is narrower: 10%.
const noiseMargin = 0.10

// replication is one replication's values at one multiplier, kept for the
// bootstrap (not part of the output).
type replication struct {
	p99, errRate     float64
	p99OK, errRateOK bool // false: undefined in this replication
	completed        int64
}

// replicationsOf reads each replication's judged values.
func replicationsOf(results []*checkout.Result) []replication {
	out := make([]replication, len(results))
	for i, r := range results {
		o := &out[i]
		o.p99, o.p99OK = metric.LatencyP99.Value(r)
		o.errRate, o.errRateOK = metric.ErrorRate.Value(r)
		if r.Latency != nil {
			o.completed = r.Latency.Count()
		}
	}
	return out
}

// judge is the search's verdict on a point built from the replications
// picked by idx (with repeats): the same estimates and the same rule.
func (opt *Options) judge(reps []replication, idx []int) bool {
	var p Point
	if opt.Strict { // the intervals' upper ends: the full estimate
		var p99, errRate metric.Estimate
		for _, i := range idx {
			r := &reps[i]
			p99.Add(r.p99, r.p99OK)
			errRate.Add(r.errRate, r.errRateOK)
			p.Completed += r.completed
		}
		// Finished as the search's points were (metric.Over): a P99
		// interval at least its bucket wide, both clipped to their range.
		var ci *[2]float64
		p.P99S, ci = p99.Result()
		p.P99SCI = (*experiments.CI)(metric.LatencyP99.Finish(p.P99S, ci))
		p.ErrorRate, ci = errRate.Result()
		p.ErrorRateCI = (*experiments.CI)(metric.ErrorRate.Finish(p.ErrorRate, ci))
		return opt.holds(&p)
	}
	// The means alone (Estimate's mean, without the cost of its interval).
	var n99, nErr int
	for _, i := range idx {
		r := &reps[i]
		if r.p99OK {
			p.P99S += r.p99
			n99++
		}
		if r.errRateOK {
			p.ErrorRate += r.errRate
			nErr++
		}
		p.Completed += r.completed
	}
	p.P99S /= float64(max(n99, 1))
	p.ErrorRate /= float64(max(nErr, 1))
	return opt.holds(&p)
}

// bracket is the (lo, hi) of a curve judged by pass: lo the last multiplier
// passing before the first failing one, hi that failing one. lo is 0 when
// the first point fails and hi +Inf when none fails (censored ends).
func bracket(curve []Point, pass func(i int) bool) (lo, hi float64) {
	for i := range curve {
		if !pass(i) {
			return lo, curve[i].Multiplier
		}
		lo = curve[i].Multiplier
	}
	return lo, math.Inf(1)
}

// kneeCI is the bootstrap 95% interval of the sustainable multiplier over
// the curve (sorted by multiplier, each point with its replications), and
// whether an end was censored at the explored range. nil with fewer than
// two replications.
func (opt *Options) kneeCI(curve []Point) (ci *experiments.CI, censored bool) {
	n := opt.Replications
	if n < 2 || len(curve) == 0 {
		return nil, false
	}
	for _, p := range curve {
		if len(p.reps) != n {
			return nil, false
		}
	}
	r := rng.New(opt.Seed, 0).Stream("capacity knee bootstrap")
	los, his := make([]float64, Resamples), make([]float64, Resamples)
	idx := make([]int, n)
	for b := range Resamples {
		for k := range idx {
			idx[k] = r.IntN(n)
		}
		los[b], his[b] = bracket(curve, func(i int) bool { return opt.judge(curve[i].reps, idx) })
	}
	slices.Sort(los)
	slices.Sort(his)
	lo := los[int(math.Floor(0.025*Resamples))]
	hi := his[int(math.Ceil(0.975*Resamples))-1]
	if lo == 0 {
		lo, censored = curve[0].Multiplier, true
	}
	if math.IsInf(hi, 1) {
		hi, censored = curve[len(curve)-1].Multiplier, true
	}
	return &experiments.CI{lo, hi}, censored
}

// warnings lists what makes the answer less trustworthy than it reads: too
// few replications, an interval censored at the explored range, an SLO
// bound within noise of the value at the lowest load tried (the answer is
// then set by noise, not by a knee in the curve).
func (r *Result) warnings(censored bool) []string {
	var w []string
	switch {
	case r.Replications == 1:
		w = append(w, fmt.Sprintf("1 replication: no interval for the knee or any value; use --replications >= %d", MinReplications))
	case r.Replications < MinReplications:
		w = append(w, fmt.Sprintf("%d replications: the knee's interval is rough; use --replications >= %d", r.Replications, MinReplications))
	}
	if censored {
		w = append(w, "the knee's 95% interval is cut at the lowest or highest load explored: on that side it is wider than shown")
	}
	if len(r.Curve) == 0 {
		return w
	}
	low := &r.Curve[0]
	at := "at the lowest load tried (multiplier " + strconv.FormatFloat(low.Multiplier, 'g', 6, 64) + ", " +
		output.Human(low.OfferedPerS, "1/s") + " checkouts/s offered)"
	if near(r.SLOP99S, low.P99S, low.P99SCI) {
		w = append(w, fmt.Sprintf("the SLO P99 %s is within noise of the P99 %s: %s %s; the answer is decided by noise, not by a knee in the curve (choose an SLO clearly above the unloaded P99)",
			output.Human(r.SLOP99S, "s"), at, output.HumanVs(low.P99S, r.SLOP99S, "s"), output.HumanCI(low.P99S, low.P99SCI, "s")))
	}
	if low.ErrorRate > 0 && near(r.MaxErrorRate, low.ErrorRate, low.ErrorRateCI) {
		w = append(w, fmt.Sprintf("the SLO error rate %s is within noise of the error rate %s: %s %s; the answer is decided by noise, not by a knee in the curve",
			output.Human(r.MaxErrorRate, "fraction"), at, output.HumanVs(low.ErrorRate, r.MaxErrorRate, "fraction"), output.HumanCI(low.ErrorRate, low.ErrorRateCI, "fraction")))
	}
	return w
}

// near reports whether the bound is within noise of v: inside v's 95%
// interval, or within noiseMargin of v.
func near(bound, v float64, ci *experiments.CI) bool {
	if ci != nil && bound >= ci[0] && bound <= ci[1] {
		return true
	}
	return math.Abs(bound-v) <= noiseMargin*math.Abs(v)
}

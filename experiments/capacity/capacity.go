package capacity

// This file finds a scenario's capacity: the largest traffic multiplier
// (traffic.multiplier, which scales the whole arrival-rate profile) at
// which a latency and error SLO still holds.
//
// The search is deterministic. Every multiplier is run with the same seed
// and replication indexes (common random numbers), so the explored curve
// is smooth and the same inputs give the same answer:
//
//  1. Bracket: run the scenario's own multiplier m0. If the SLO holds,
//     double until it fails; otherwise halve until it holds. This gives
//     lo (holds) and hi = 2·lo (fails).
//  2. Bisect: run (lo+hi)/2 and keep the half where the SLO flips, until
//     (hi - lo)/lo <= tolerance.
//
// The answer is lo. Bisection assumes the SLO flips once as load grows,
// which holds for any system whose latency and errors grow with load;
// noise can make a curve locally non-monotone, and the answer is then a
// multiplier that passed with a failing one within the tolerance above it.
//
// Judging the SLO: by default on the mean over replications of each
// replication's P99 and error rate, the same estimates `run` reports. That
// is the unbiased estimate of where the SLO flips, so the found multiplier
// scatters around the true one by the estimates' noise. With Strict, the
// upper ends of the 95% intervals must meet the SLO instead: the answer
// is then a conservative one (with about 97.5% confidence per run the SLO
// really holds there), but it moves down as replications get fewer, so it
// measures the experiment as well as the system.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// Options define the SLO and the search.
type Options struct {
	// SLOP99 is the largest acceptable checkout P99 latency.
	SLOP99 time.Duration
	// MaxErrorRate is the largest acceptable error rate (failed / attempts).
	MaxErrorRate float64
	// Tolerance is the relative width (hi-lo)/lo at which bisection stops
	// (default 0.02).
	Tolerance float64
	// Strict judges the SLO on the 95% intervals' upper ends instead of
	// the means.
	Strict bool
	// Seed and Replications of every run (Replications >= 1).
	Seed         uint64
	Replications int
	// Workers run replications in parallel (0: GOMAXPROCS).
	Workers int
	// MaxRuns bounds the number of multipliers tried (default 40).
	MaxRuns int
	// Progress, if set, is told before each run: runs so far of at most
	// MaxRuns, labelled "multiplier M".
	Progress experiments.Progress
}

// ErrNoLimit is wrapped by Capacity's error when the search ends without
// a bracket: the SLO fails even at tiny load, holds at every load tried,
// or the run budget ran out. The result then still holds the curve.
var ErrNoLimit = errors.New("no capacity limit found")

// DefaultTolerance is the default relative tolerance of the search.
const DefaultTolerance = 0.02

// Result is the output of `checkoutsim capacity`. Field order is
// JSON key order.
type Result struct {
	Scenario     string  `json:"scenario"`
	Seed         uint64  `json:"seed"`
	Replications int     `json:"replications"`
	SLOP99S      float64 `json:"slo_p99_s"`
	MaxErrorRate float64 `json:"slo_max_error_rate"`
	// JudgedOn is "mean" or "ci95_upper".
	JudgedOn  string  `json:"judged_on"`
	Tolerance float64 `json:"tolerance"`
	// SustainableMultiplier is the largest multiplier found to meet the
	// SLO (the knee); its 95% interval is a bootstrap over replications
	// (knee.go), nil with one replication. SustainableOfferedPerS is the
	// offered load there, with the same interval in checkouts/s.
	// SustainableCheckoutsPerS is the throughput measured there.
	SustainableMultiplier      float64         `json:"sustainable_multiplier"`
	SustainableMultiplierCI    *experiments.CI `json:"sustainable_multiplier_ci95"`
	SustainableOfferedPerS     float64         `json:"sustainable_offered_checkouts_per_s"`
	SustainableOfferedPerSCI   *experiments.CI `json:"sustainable_offered_checkouts_per_s_ci95"`
	SustainableCheckoutsPerS   float64         `json:"sustainable_checkouts_per_s"`
	SustainableCheckoutsPerSCI *experiments.CI `json:"sustainable_checkouts_per_s_ci95"`
	// FailingMultiplier is the smallest multiplier found to break it.
	FailingMultiplier float64 `json:"failing_multiplier"`
	// Warnings say what makes the answer less trustworthy than it reads
	// (too few replications, an SLO within noise of the lowest load's
	// value); the command also prints them on stderr.
	Warnings []string `json:"warnings"`
	// Curve holds every multiplier run, sorted by multiplier.
	Curve []Point `json:"curve"`
}

// Point is one run of the search.
type Point struct {
	Multiplier float64 `json:"multiplier"`
	// OfferedPerS is the expected checkout arrival rate over the measured
	// window: multiplier × the profile's mean rate after the warm-up.
	OfferedPerS      float64         `json:"offered_checkouts_per_s"`
	P99S             float64         `json:"p99_s"`
	P99SCI           *experiments.CI `json:"p99_s_ci95"`
	ErrorRate        float64         `json:"-"` // registry fields: see MarshalJSON
	ErrorRateCI      *experiments.CI `json:"-"`
	ThroughputPerS   float64         `json:"-"`
	ThroughputPerSCI *experiments.CI `json:"-"`
	// Completed is the number of checkouts whose latency was recorded; a
	// run in which none completed fails the SLO.
	Completed int64 `json:"completed"`
	Pass      bool  `json:"pass"`
	// reps are the replications' own values, for the knee's interval.
	reps []replication
}

// Capacity searches for the largest multiplier of sc's traffic at which
// the SLO holds. sc is not modified. A scenario that replays a trace is an
// error (the multiplier scales a rate profile). If the SLO fails even at
// m0/2^20 or holds even at m0·2^12, the error says so and the result
// holds the curve explored.
func Search(ctx context.Context, sc *experiments.Scenario, opt Options) (*Result, error) {
	if err := opt.check(sc); err != nil {
		return nil, err
	}
	res := &Result{
		Scenario: sc.Name, Seed: opt.Seed, Replications: opt.Replications,
		SLOP99S: opt.SLOP99.Seconds(), MaxErrorRate: opt.MaxErrorRate,
		JudgedOn: "mean", Tolerance: opt.Tolerance, Warnings: []string{}, Curve: []Point{},
	}
	err := opt.search(ctx, sc, res)
	if err != nil && !errors.Is(err, ErrNoLimit) {
		return res, err
	}
	censored := false
	if err == nil {
		rate := res.Curve[0].OfferedPerS / res.Curve[0].Multiplier
		res.SustainableOfferedPerS = rate * res.SustainableMultiplier
		if res.SustainableMultiplierCI, censored = opt.kneeCI(res.Curve); res.SustainableMultiplierCI != nil {
			ci := *res.SustainableMultiplierCI
			res.SustainableOfferedPerSCI = &experiments.CI{rate * ci[0], rate * ci[1]}
		}
	}
	res.Warnings = append(res.Warnings, res.warnings(censored)...)
	return res, err
}

// search brackets and bisects, filling res's curve and answer.
func (opt *Options) search(ctx context.Context, sc *experiments.Scenario, res *Result) error {
	if opt.Strict {
		res.JudgedOn = "ci95_upper"
	}
	measured := sc.Duration - sc.Warmup
	meanRate := sc.Traffic.Profile.Expected(sc.Warmup, sc.Duration) / measured.Seconds()

	runs := 0
	try := func(m float64) (Point, error) {
		if runs >= opt.MaxRuns {
			return Point{}, fmt.Errorf("capacity: %w within %d runs (last bracket [%g, %g])", ErrNoLimit, opt.MaxRuns, res.SustainableMultiplier, res.FailingMultiplier)
		}
		runs++
		if opt.Progress != nil {
			opt.Progress(runs-1, opt.MaxRuns, "multiplier "+strconv.FormatFloat(m, 'g', -1, 64))
		}
		v := *sc
		v.Traffic.Multiplier = m
		results, err := experiments.RunReplications(ctx, &v, opt.Seed, opt.Replications, opt.Workers)
		if err != nil {
			return Point{}, err
		}
		p := Point{Multiplier: m, OfferedPerS: m * meanRate}
		p.P99S, p.P99SCI = over(results, metric.LatencyP99)
		p.ErrorRate, p.ErrorRateCI = over(results, metric.ErrorRate)
		p.ThroughputPerS, p.ThroughputPerSCI = over(results, metric.Throughput)
		p.reps = replicationsOf(results)
		for _, r := range p.reps {
			p.Completed += r.completed
		}
		p.Pass = opt.holds(&p)
		res.Curve = append(res.Curve, p)
		slices.SortFunc(res.Curve, func(a, b Point) int {
			if a.Multiplier < b.Multiplier {
				return -1
			}
			if a.Multiplier > b.Multiplier {
				return 1
			}
			return 0
		})
		return p, nil
	}

	m0 := sc.Traffic.Multiplier
	first, err := try(m0)
	if err != nil {
		return err
	}
	var lo, hi Point
	if first.Pass {
		lo = first
		for {
			if lo.Multiplier >= m0*(1<<12) {
				return fmt.Errorf("capacity: %w: the SLO still holds at multiplier %g (%gx the scenario's)", ErrNoLimit, lo.Multiplier, lo.Multiplier/m0)
			}
			p, err := try(2 * lo.Multiplier)
			if err != nil {
				return err
			}
			if !p.Pass {
				hi = p
				break
			}
			lo = p
		}
	} else {
		hi = first
		for {
			if hi.Multiplier <= m0/(1<<20) {
				return fmt.Errorf("capacity: %w: the SLO fails even at multiplier %g: P99 %gs, error rate %g (SLO: P99 <= %gs, errors <= %g)",
					ErrNoLimit, hi.Multiplier, hi.P99S, hi.ErrorRate, res.SLOP99S, res.MaxErrorRate)
			}
			p, err := try(hi.Multiplier / 2)
			if err != nil {
				return err
			}
			if p.Pass {
				lo = p
				break
			}
			hi = p
		}
	}
	res.SustainableMultiplier, res.FailingMultiplier = lo.Multiplier, hi.Multiplier
	for (hi.Multiplier-lo.Multiplier)/lo.Multiplier > opt.Tolerance {
		p, err := try((lo.Multiplier + hi.Multiplier) / 2)
		if err != nil {
			return err
		}
		if p.Pass {
			lo = p
		} else {
			hi = p
		}
		res.SustainableMultiplier, res.FailingMultiplier = lo.Multiplier, hi.Multiplier
	}
	res.SustainableCheckoutsPerS, res.SustainableCheckoutsPerSCI = lo.ThroughputPerS, lo.ThroughputPerSCI
	return nil
}

// over is a metric's mean over results and its 95% interval.
func over(results []*checkout.Result, m *metric.Metric) (float64, *experiments.CI) {
	mean, ci := metric.Over(results, m)
	return mean, (*experiments.CI)(ci)
}

// check validates the options against the scenario and fills defaults.
func (opt *Options) check(sc *experiments.Scenario) error {
	if sc == nil {
		return fmt.Errorf("capacity: no scenario")
	}
	if opt.Tolerance == 0 {
		opt.Tolerance = DefaultTolerance
	}
	if opt.MaxRuns == 0 {
		opt.MaxRuns = 40
	}
	switch {
	case opt.SLOP99 <= 0:
		return fmt.Errorf("capacity: --slo-p99 must be > 0, got %v", opt.SLOP99)
	case !(opt.MaxErrorRate >= 0 && opt.MaxErrorRate <= 1):
		return fmt.Errorf("capacity: --max-error-rate must be in [0, 1], got %v", opt.MaxErrorRate)
	case !(opt.Tolerance > 0 && opt.Tolerance < 1):
		return fmt.Errorf("capacity: --tolerance must be in (0, 1), got %v", opt.Tolerance)
	case opt.Replications < 1:
		return fmt.Errorf("capacity: --replications must be >= 1, got %d", opt.Replications)
	case opt.Strict && opt.Replications < 2:
		return fmt.Errorf("capacity: --strict needs --replications >= 2 (an interval needs two), got %d", opt.Replications)
	case sc.Traffic.Trace != "":
		return fmt.Errorf("capacity: scenario %s replays a trace (traffic.trace), which traffic.multiplier does not scale; use a rate profile", sc.Name)
	case !(sc.Traffic.Multiplier > 0) || math.IsInf(sc.Traffic.Multiplier, 0):
		return fmt.Errorf("capacity: traffic.multiplier must be > 0, got %v", sc.Traffic.Multiplier)
	case sc.Traffic.Profile.Expected(sc.Warmup, sc.Duration) <= 0:
		return fmt.Errorf("capacity: scenario %s has no arrivals after the warm-up: nothing to scale", sc.Name)
	}
	return nil
}

// holds judges one point against the SLO.
func (opt *Options) holds(p *Point) bool {
	if p.Completed == 0 {
		return false
	}
	p99, errRate := p.P99S, p.ErrorRate
	if opt.Strict {
		if p.P99SCI != nil {
			p99 = p.P99SCI[1]
		}
		if p.ErrorRateCI != nil {
			errRate = p.ErrorRateCI[1]
		}
	}
	return p99 <= opt.SLOP99.Seconds() && errRate <= opt.MaxErrorRate
}

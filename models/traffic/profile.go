// Package traffic generates the checkout and browsing load: non-homogeneous
// Poisson arrivals from a piecewise-linear rate profile (or a replayed trace
// of timestamps), each arrival tagged with a cohort, a cart and a patience.
package traffic

import (
	"fmt"

	"github.com/checkoutsim/checkoutsim/models/check"
	"math"
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/sim"
)

// RatePoint is one corner of a piecewise-linear rate profile: at time At
// the arrival rate is Rate per second. Between corners the rate is linear;
// before the first corner it is the first rate and after the last corner
// the last rate.
type RatePoint struct {
	At   sim.Time
	Rate float64
}

// Profile is a piecewise-linear arrival rate over time.
type Profile []RatePoint

// Validate checks that corners are in time order with finite, non-negative
// rates.
func (p Profile) Validate() error {
	if len(p) == 0 {
		return check.Field("", "needs at least one point")
	}
	var errs []error
	for i, pt := range p {
		if pt.Rate < 0 || math.IsNaN(pt.Rate) || math.IsInf(pt.Rate, 0) {
			errs = append(errs, check.Field(fmt.Sprintf("[%d].rate", i), "must be a finite rate >= 0, got %v", pt.Rate))
		}
		if pt.At < 0 {
			errs = append(errs, check.Field(fmt.Sprintf("[%d].at", i), "must be >= 0, got %v", pt.At))
		}
		if i > 0 && pt.At < p[i-1].At {
			errs = append(errs, check.Field(fmt.Sprintf("[%d].at", i), "%v is before the previous point's %v", pt.At, p[i-1].At))
		}
	}
	return check.Join(errs...)
}

// RateAt returns the rate per second at time t.
func (p Profile) RateAt(t sim.Time) float64 {
	if len(p) == 0 {
		return 0
	}
	if t <= p[0].At {
		return p[0].Rate
	}
	for i := 1; i < len(p); i++ {
		if t <= p[i].At {
			a, b := p[i-1], p[i]
			if b.At == a.At {
				return b.Rate
			}
			f := float64(t-a.At) / float64(b.At-a.At)
			return a.Rate + f*(b.Rate-a.Rate)
		}
	}
	return p[len(p)-1].Rate
}

// Expected returns the expected number of arrivals in [from, to): the
// integral of the rate.
func (p Profile) Expected(from, to sim.Time) float64 {
	if to <= from || len(p) == 0 {
		return 0
	}
	// Integrate exactly: the rate is linear between breakpoints.
	points := []sim.Time{from}
	for _, pt := range p {
		if pt.At > from && pt.At < to {
			points = append(points, pt.At)
		}
	}
	points = append(points, to)
	// Between breakpoints the rate is linear, so the midpoint rule is
	// exact; evaluating at the midpoint (not the ends) also gets a step
	// (two corners at one time) right, since RateAt at the step time is
	// the rate before it.
	total := 0.0
	for i := 1; i < len(points); i++ {
		a, b := points[i-1], points[i]
		total += p.RateAt(a+(b-a)/2) * (b - a).Seconds()
	}
	return total
}

// segmentEnd returns the end of the linear piece containing t (sim.Never
// for the constant tail), and the maximum rate on [t, end].
func (p Profile) segment(t sim.Time) (end sim.Time, maxRate float64) {
	for i := 0; i < len(p); i++ {
		if t < p[i].At {
			r0, r1 := p.RateAt(t), p[i].Rate
			return p[i].At, math.Max(r0, r1)
		}
	}
	return sim.Never, p[len(p)-1].Rate
}

// Poisson generates the arrival times of a non-homogeneous Poisson process
// with rate Multiplier x Profile(t), by thinning within each linear piece
// (Lewis and Shedler 1979): candidates come at the piece's maximum rate
// and are kept with probability rate(t)/max. Arrivals are exact, not
// discretised, and use one stream so they are common to every
// configuration run with the same seed.
type Poisson struct {
	profile    Profile
	multiplier float64
	r          *rand.Rand
	t          sim.Time
}

// NewPoisson returns an arrival process starting at time 0.
func NewPoisson(p Profile, multiplier float64, r *rand.Rand) *Poisson {
	return &Poisson{profile: p, multiplier: multiplier, r: r}
}

// Next returns the next arrival time, or sim.Never when the rate stays at 0
// for ever.
func (a *Poisson) Next() sim.Time {
	for {
		end, max := a.profile.segment(a.t)
		max *= a.multiplier
		if max <= 0 {
			if end == sim.Never {
				return sim.Never
			}
			a.t = end
			continue
		}
		gap := a.r.ExpFloat64() / max
		if end == sim.Never && gap >= (sim.Never-a.t).Seconds() {
			return sim.Never // the next arrival is beyond the end of time
		}
		if end != sim.Never && gap >= (end-a.t).Seconds() {
			// No candidate in this piece; the process is memoryless, so
			// restart from the piece's end with the next piece's bound.
			a.t = end
			continue
		}
		cand := a.t + sim.Seconds(gap)
		a.t = cand
		if a.r.Float64()*max <= a.multiplier*a.profile.RateAt(cand) {
			return cand
		}
	}
}

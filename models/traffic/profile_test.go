package traffic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

const s = sim.Second

// ramp is a campaign shape: 0 -> 40/s over 20 s, a 20 s plateau, then a
// decay to 0 over 20 s (and 0 for ever after).
var ramp = Profile{{At: 0, Rate: 0}, {At: 20 * s, Rate: 40}, {At: 40 * s, Rate: 40}, {At: 60 * s, Rate: 0}}

// gap falls to 0 at 15 s, stays at 0 until 25 s, then climbs to 30/s at
// 30 s and stays there.
var gap = Profile{{At: 0, Rate: 20}, {At: 10 * s, Rate: 20}, {At: 15 * s, Rate: 0}, {At: 25 * s, Rate: 0}, {At: 30 * s, Rate: 30}}

// step jumps from 10/s to 50/s at 10 s (two corners at the same time).
var step = Profile{{At: 0, Rate: 10}, {At: 10 * s, Rate: 10}, {At: 10 * s, Rate: 50}, {At: 20 * s, Rate: 50}}

// stepDown drops from 50/s to 0 at 10 s.
var stepDown = Profile{{At: 0, Rate: 50}, {At: 10 * s, Rate: 50}, {At: 10 * s, Rate: 0}, {At: 20 * s, Rate: 0}}

func TestProfileRateAt(t *testing.T) {
	cases := []struct {
		name string
		p    Profile
		at   sim.Time
		want float64
	}{
		{"before first corner", Profile{{At: 5 * s, Rate: 7}, {At: 10 * s, Rate: 17}}, 0, 7},
		{"on first corner", ramp, 0, 0},
		{"mid ramp", ramp, 5 * s, 40.0 * 5 / 20},
		{"quarter ns precision", ramp, 15*s + 500*sim.Millisecond, 40.0 * 15.5 / 20},
		{"plateau", ramp, 30 * s, 40},
		{"mid decay", ramp, 45 * s, 40 - 40.0*5/20},
		{"after last corner", ramp, 90 * s, 0},
		{"constant tail", gap, 100 * s, 30},
		{"inside the zero segment", gap, 20 * s, 0},
		{"step: just before", step, 10*s - 1, 10},
		{"step: just after", step, 10*s + 1, 50},
		{"step down: just after", stepDown, 10*s + 1, 0},
		{"single point", Profile{{At: 3 * s, Rate: 12}}, 99 * s, 12},
		{"empty", nil, s, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.p.RateAt(c.at); math.Abs(got-c.want) > 1e-9 {
				t.Fatalf("RateAt(%v) = %v, want %v", c.at, got, c.want)
			}
		})
	}
}

// Expected is the integral of the rate: the trapezoids and rectangles of
// each case are worked out by hand in want.
func TestProfileExpected(t *testing.T) {
	cases := []struct {
		name       string
		p          Profile
		from, to   sim.Time
		want       float64
		regression string // the bug this case caught, now fixed
	}{
		{"ramp whole", ramp, 0, 60 * s, 0.5*20*40 + 20*40 + 0.5*20*40, ""},
		{"ramp first half of rise", ramp, 0, 10 * s, 0.5 * 10 * 20, ""},
		{"ramp across a corner", ramp, 10 * s, 30 * s, (20+40)/2.0*10 + 40*10, ""},
		{"after last corner", ramp, 60 * s, 100 * s, 0, ""},
		{"before first corner is flat", Profile{{At: 10 * s, Rate: 6}, {At: 20 * s, Rate: 6}}, 0, 10 * s, 60, ""},
		{"constant tail beyond last corner", gap, 30 * s, 40 * s, 300, ""},
		{"zero segment", gap, 15 * s, 25 * s, 0, ""},
		{"gap whole", gap, 0, 30 * s, 20*10 + 0.5*5*20 + 0 + 0.5*5*30, ""},
		{"empty interval", ramp, 30 * s, 30 * s, 0, ""},
		{"reversed interval", ramp, 30 * s, 20 * s, 0, ""},
		{"empty profile", nil, 0, 10 * s, 0, ""},
		{"step up", step, 0, 20 * s, 10*10 + 50*10,
			"Profile.Expected averages RateAt at both ends of the piece after a step, and RateAt(step time) is the rate before the step"},
		{"step up, window after the step", step, 10 * s, 20 * s, 500,
			"same step bug"},
		{"step down", stepDown, 0, 20 * s, 50 * 10,
			"same step bug"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.p.Expected(c.from, c.to)
			if math.Abs(got-c.want) > 1e-6 {
				t.Fatalf("Expected(%v, %v) = %v, want %v", c.from, c.to, got, c.want)
			}
		})
	}
}

func TestProfileValidate(t *testing.T) {
	cases := []struct {
		name string
		p    Profile
		want string // substring of the error; "" for valid
	}{
		{"valid ramp", ramp, ""},
		{"valid step (equal times)", step, ""},
		{"empty", Profile{}, "at least one point"},
		{"negative rate", Profile{{0, 1}, {s, -2}}, "[1].rate"},
		{"NaN rate", Profile{{0, math.NaN()}}, "[0].rate"},
		{"infinite rate", Profile{{0, 1}, {s, 2}, {2 * s, math.Inf(1)}}, "[2].rate"},
		{"negative time", Profile{{-s, 1}}, "[0].at"},
		{"out of order", Profile{{0, 1}, {5 * s, 1}, {4 * s, 1}}, "[2].at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.Validate()
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.want != "" && err == nil:
				t.Fatalf("no error, want one mentioning %q", c.want)
			case c.want != "" && !strings.Contains(err.Error(), c.want):
				t.Fatalf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

// count returns the arrivals of one seed in [from, to).
func count(p Profile, mult float64, seed uint64, from, to sim.Time) int {
	a := NewPoisson(p, mult, rand.New(rand.NewPCG(seed, 99)))
	n := 0
	for {
		at := a.Next()
		if at >= to {
			return n
		}
		if at >= from {
			n++
		}
	}
}

// The number of NHPP arrivals in [0, T] is Poisson with mean the integral
// of the rate, so its mean over independent seeds must cover the hand
// computed integral; its variance equals its mean, which checks that the
// thinning does not, say, emit arrivals in bursts.
func TestPoissonCountMatchesIntegral(t *testing.T) {
	cases := []struct {
		name string
		p    Profile
		mult float64
		to   sim.Time
		want float64
	}{
		{"ramp plateau decay", ramp, 1, 60 * s, 0.5*20*40 + 20*40 + 0.5*20*40},
		{"ramp with multiplier 2.5", ramp, 2.5, 60 * s, 2.5 * (0.5*20*40 + 20*40 + 0.5*20*40)},
		{"zero segment", gap, 1, 30 * s, 20*10 + 0.5*5*20 + 0.5*5*30},
		{"step up", step, 1, 20 * s, 10*10 + 50*10},
		{"step down", stepDown, 1, 20 * s, 50 * 10},
		{"constant tail", Profile{{At: 0, Rate: 3}}, 1, 100 * s, 300},
	}
	const seeds = 300
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var n stats.Summary
			for seed := uint64(1); seed <= seeds; seed++ {
				n.Add(float64(count(c.p, c.mult, seed, 0, c.to)))
			}
			lo, hi := n.CI(0.999)
			if c.want < lo || c.want > hi {
				t.Fatalf("seeds 1..%d (stream 99), profile %v x%v: mean count %.2f, CI99.9 [%.2f, %.2f], integral %.2f",
					seeds, c.p, c.mult, n.Mean(), lo, hi, c.want)
			}
			// Var/mean of a Poisson count is 1; its sampling sd over 300
			// seeds is about sqrt(2/300) = 0.08, so [0.7, 1.3] is > 3.5 sd.
			if r := n.Var() / n.Mean(); r < 0.7 || r > 1.3 {
				t.Fatalf("seeds 1..%d, profile %v: variance/mean %.3f, want about 1 (Poisson)", seeds, c.p, r)
			}
		})
	}
}

// Thinning must never emit an arrival where the rate is 0, and a profile
// that ends at 0 must end the process.
func TestPoissonZeroRate(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		if n := count(gap, 1, seed, 15*s, 25*s); n != 0 {
			t.Fatalf("seed %d: %d arrivals in the zero-rate segment [15s, 25s)", seed, n)
		}
		if n := count(stepDown, 1, seed, 10*s, 1000*s); n != 0 {
			t.Fatalf("seed %d: %d arrivals after the step down to 0", seed, n)
		}
		a := NewPoisson(ramp, 1, rand.New(rand.NewPCG(seed, 1)))
		prev, n := sim.Time(-1), 0
		for at := a.Next(); at != sim.Never; at = a.Next() {
			if at <= prev || at > 60*s {
				t.Fatalf("seed %d: arrival %v after %v (not increasing, or past the end of the ramp at 60s)", seed, at, prev)
			}
			prev = at
			n++
			if n > 100_000 {
				t.Fatalf("seed %d: process did not end after the rate fell to 0", seed)
			}
		}
	}
	if at := NewPoisson(Profile{{At: 0, Rate: 0}}, 1, rand.New(rand.NewPCG(1, 1))).Next(); at != sim.Never {
		t.Fatalf("rate 0 for ever: first arrival %v, want sim.Never", at)
	}
}

func ExampleProfile_Expected() {
	campaign := Profile{{At: 0, Rate: 0}, {At: 20 * sim.Second, Rate: 40}, {At: 40 * sim.Second, Rate: 40}}
	fmt.Println(campaign.RateAt(10*sim.Second), campaign.Expected(0, 40*sim.Second))
	// Output: 20 1200
}

// A tiny but positive rate passes Validate; its arrivals lie beyond the
// end of representable time, so Next must answer sim.Never (or a time in
// the future), never a time before the previous arrival.
func TestPoissonTinyRate(t *testing.T) {
	cases := []struct {
		name string
		p    Profile
	}{
		{"tiny constant rate", Profile{{At: 0, Rate: 1e-12}}},
		{"decay to a tiny tail", Profile{{At: 0, Rate: 10}, {At: 10 * s, Rate: 1e-12}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.p.Validate(); err != nil {
				t.Fatal(err)
			}
			for seed := uint64(1); seed <= 20; seed++ {
				a := NewPoisson(c.p, 1, rand.New(rand.NewPCG(seed, 5)))
				prev := sim.Time(0)
				for i := 0; i < 1000; i++ {
					at := a.Next()
					if at == sim.Never {
						break
					}
					if at < prev {
						t.Fatalf("seed %d, profile %v: arrival %d at %v, before the previous one at %v (overflow of a tiny rate's gap)",
							seed, c.p, i, at, prev)
					}
					prev = at
				}
			}
		})
	}
}

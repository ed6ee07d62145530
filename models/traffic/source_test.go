package traffic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
	"github.com/checkoutsim/checkoutsim/sim/rng"
)

func baseConfig(t testing.TB) *Config {
	return &Config{
		Profile:      Profile{{At: 0, Rate: 100}},
		Multiplier:   1,
		Cohorts:      []Cohort{{Name: "a", Weight: 1}, {Name: "b", Weight: 2}, {Name: "c", Weight: 7}},
		CartSize:     dist.MustParse("discrete(1:35, 2:25, 3:15, 4:10, 6:10, 10:5)"),
		MaxCartLines: 30,
		SKUs:         50,
		SKUSkew:      1,
	}
}

func newSource(t testing.TB, cfg *Config, seed uint64) *Source {
	t.Helper()
	src, err := NewSource(cfg, rng.New(seed, 0).Stream)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// fieldOf returns the field paths of the field errors in err.

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(c *Config)
		field  string // "" when valid
	}{
		{"valid", func(c *Config) {}, ""},
		{"bad profile", func(c *Config) { c.Profile = Profile{{At: 0, Rate: -1}} }, "profile[0].rate"},
		{"trace instead of profile", func(c *Config) { c.Profile = nil; c.Trace = "x.csv" }, ""},
		{"zero multiplier", func(c *Config) { c.Multiplier = 0 }, "multiplier"},
		{"infinite multiplier", func(c *Config) { c.Multiplier = math.Inf(1) }, "multiplier"},
		{"negative browse ratio", func(c *Config) { c.BrowseRatio = -1 }, "browse_ratio"},
		{"NaN browse ratio", func(c *Config) { c.BrowseRatio = math.NaN() }, "browse_ratio"},
		{"no cohorts", func(c *Config) { c.Cohorts = nil }, "cohorts"},
		{"unnamed cohort", func(c *Config) { c.Cohorts[1].Name = "" }, "cohorts[1].name"},
		{"duplicate cohort", func(c *Config) { c.Cohorts[2].Name = "a" }, "cohorts[2].name"},
		{"zero weight", func(c *Config) { c.Cohorts[0].Weight = 0 }, "cohorts[0].weight"},
		{"no cart size", func(c *Config) { c.CartSize = nil }, "cart_size"},
		{"max cart lines", func(c *Config) { c.MaxCartLines = 0 }, "max_cart_lines"},
		{"no SKUs", func(c *Config) { c.SKUs = 0 }, "skus"},
		{"too many SKUs", func(c *Config) { c.SKUs = 10_000_001 }, "skus"},
		{"skew", func(c *Config) { c.SKUSkew = 0 }, "sku_skew"},
		{"reclick probability", func(c *Config) { c.Reclick.Probability = 1.5; c.Reclick.Think = dist.MustParse("constant(1)") }, "reclick.probability"},
		{"reclick max", func(c *Config) { c.Reclick.Max = -1 }, "reclick.max"},
		{"reclick think", func(c *Config) { c.Reclick.Probability = 0.5 }, "reclick.think"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := baseConfig(t)
			c.mutate(cfg)
			err := cfg.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			fields := check.Fields(err)
			if len(fields) != 1 || fields[0] != c.field {
				t.Fatalf("error %v has fields %q, want exactly [%q]", err, fields, c.field)
			}
		})
	}
	if _, err := NewSource(&Config{}, rng.New(1, 0).Stream); err == nil || !strings.HasPrefix(err.Error(), "traffic: ") {
		t.Fatalf("NewSource of a zero config: error %v, want a traffic: error", err)
	}
}

// Cohorts are drawn in proportion to their weights: a chi-square test of
// the counts against the weights. With 2 degrees of freedom the chi-square
// distribution is exponential with mean 2, so the 99.9% critical value is
// exactly -2 ln(0.001).
func TestCohortFrequencies(t *testing.T) {
	const seed, n = 3, 20_000
	cfg := baseConfig(t)
	src := newSource(t, cfg, seed)
	counts := make([]float64, len(cfg.Cohorts))
	for i := 0; i < n; i++ {
		co := src.Next()
		counts[co.Cohort]++
	}
	total := 0.0
	for _, co := range cfg.Cohorts {
		total += co.Weight
	}
	chi2 := 0.0
	for i, co := range cfg.Cohorts {
		e := n * co.Weight / total
		chi2 += (counts[i] - e) * (counts[i] - e) / e
	}
	if crit := -2 * math.Log(0.001); chi2 > crit {
		t.Fatalf("seed %d, %d arrivals, weights 1:2:7: counts %v, chi-square %.2f > %.2f (99.9%%, 2 df)", seed, n, counts, chi2, crit)
	}
}

// Every cart has between 1 and MaxCartLines lines of distinct SKUs, each
// with a positive quantity, and the units add up to the drawn cart size
// (rounded and clamped): a SKU drawn twice adds a unit to its line. The
// drawn sizes are replayed from a copy of the cart stream.
func TestCartLinesAndUnits(t *testing.T) {
	cases := []struct {
		name       string
		size       string
		maxLines   int
		skus       int
		regression string // the bug this case caught, now fixed
	}{
		{"discrete sizes, many repeats", "discrete(1:35, 2:25, 3:15, 4:10, 6:10, 10:5)", 30, 50, ""},
		{"sizes clamped to max lines", "uniform(min=-3, max=40)", 8, 1000, ""},
		{"hot catalogue, heavy repeats", "constant(6)", 30, 8, ""},
		{"catalogue smaller than the cart", "constant(5)", 30, 2,
			"Source.Next breaks out of the cart loop on a repeat once every SKU is in the cart, dropping the remaining units"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const seed = 8
			cfg := baseConfig(t)
			cfg.CartSize = dist.MustParse(c.size)
			cfg.MaxCartLines = c.maxLines
			cfg.SKUs = c.skus
			src := newSource(t, cfg, seed)
			replay := rng.New(seed, 0).Stream("traffic/cart")
			repeats := 0
			for i := 0; i < 5000; i++ {
				co := src.Next()
				want := min(max(int(math.Round(cfg.CartSize.Sample(replay))), 1), c.maxLines)
				if len(co.Items) < 1 || len(co.Items) > c.maxLines {
					t.Fatalf("seed %d cart %d: %d lines, want 1..%d", seed, i, len(co.Items), c.maxLines)
				}
				units := 0
				seen := map[uint32]bool{}
				for _, it := range co.Items {
					if it.Qty < 1 || seen[it.SKU] || int(it.SKU) >= c.skus {
						t.Fatalf("seed %d cart %d: bad line %+v in %+v (qty >= 1, distinct SKUs < %d)", seed, i, it, co.Items, c.skus)
					}
					seen[it.SKU] = true
					units += it.Qty
				}
				if units != len(co.Items) {
					repeats++
				}
				if units != want {
					msg := fmt.Sprintf("seed %d cart %d (%s, %d SKUs): %d units in %+v, want the drawn size %d", seed, i, c.size, c.skus, units, co.Items, want)
					t.Fatal(msg)
				}
			}
			if c.skus <= 50 && repeats == 0 {
				t.Fatalf("seed %d: no cart had a repeated SKU, so the merge was not exercised", seed)
			}
		})
	}
}

func TestSourceDeterministicAndStreamsSeparate(t *testing.T) {
	cfg := baseConfig(t)
	cfg.Profile = ramp
	cfg.Patience = dist.MustParse("exponential(mean=20s)")
	draw := func(cfg *Config, seed uint64) []Checkout {
		src := newSource(t, cfg, seed)
		var out []Checkout
		for co := src.Next(); co.At != sim.Never; co = src.Next() {
			out = append(out, co)
		}
		return out
	}
	a, b := draw(cfg, 5), draw(cfg, 5)
	if len(a) < 100 || !reflect.DeepEqual(a, b) {
		t.Fatalf("seed 5 twice: %d and %d checkouts, equal %v; want the same sequence", len(a), len(b), reflect.DeepEqual(a, b))
	}
	if c := draw(cfg, 6); reflect.DeepEqual(a, c) {
		t.Fatal("seeds 5 and 6 drew the same checkouts")
	}
	// Another cart-size distribution, catalogue and patience: the arrival
	// times and cohorts must not move.
	other := *cfg
	other.CartSize = dist.MustParse("constant(7)")
	other.SKUs = 3000
	other.Patience = nil
	d := draw(&other, 5)
	if len(d) != len(a) {
		t.Fatalf("changing the cart distribution changed the arrival count: %d -> %d", len(a), len(d))
	}
	changedCart := false
	for i := range a {
		if a[i].At != d[i].At || a[i].Cohort != d[i].Cohort {
			t.Fatalf("checkout %d: at %v cohort %d became at %v cohort %d when only the cart changed", i, a[i].At, a[i].Cohort, d[i].At, d[i].Cohort)
		}
		if d[i].Patience != sim.Never {
			t.Fatalf("checkout %d: patience %v without a patience distribution, want sim.Never", i, d[i].Patience)
		}
		changedCart = changedCart || !reflect.DeepEqual(a[i].Items, d[i].Items)
	}
	if !changedCart {
		t.Fatal("the carts did not change either: the test compared nothing")
	}
}

func TestSourceFromTrace(t *testing.T) {
	cfg := baseConfig(t)
	cfg.Profile = nil
	cfg.Trace = "testdata/trace.csv"
	src := newSource(t, cfg, 1)
	want := []sim.Time{0, 250 * sim.Millisecond, 250 * sim.Millisecond, 2 * s}
	for i, w := range want {
		if co := src.Next(); co.At != w {
			t.Fatalf("arrival %d at %v, want %v from testdata/trace.csv", i, co.At, w)
		}
	}
	if co := src.Next(); co.At != sim.Never {
		t.Fatalf("after the trace: arrival at %v, want sim.Never", co.At)
	}
	cfg.Trace = "testdata/missing.csv"
	if _, err := NewSource(cfg, rng.New(1, 0).Stream); err == nil {
		t.Fatal("NewSource with a missing trace file: no error")
	}
}

// SKU popularity: the SKU of rank 0 (id NewSKUIDs(n).ID(0)) is the most
// popular, with Zipf probability 1/H(n, s) (H the generalised harmonic
// number).
func TestSKUPopularity(t *testing.T) {
	const seed, draws = 4, 40_000
	cfg := baseConfig(t)
	src := newSource(t, cfg, seed)
	r := rand.New(rand.NewPCG(seed, 1))
	hits, hot := 0, NewSKUIDs(cfg.SKUs).ID(0)
	for i := 0; i < draws; i++ {
		if src.SKU(r) == hot {
			hits++
		}
	}
	h := 0.0
	for k := 1; k <= cfg.SKUs; k++ {
		h += 1 / math.Pow(float64(k), cfg.SKUSkew)
	}
	p := 1 / h
	sd := math.Sqrt(p * (1 - p) / draws)
	if got := float64(hits) / draws; math.Abs(got-p) > 4*sd {
		t.Fatalf("seed %d: SKU 0 drawn %.4f of the time, Zipf(n=%d, s=%v) gives %.4f (4 sd = %.4f)", seed, got, cfg.SKUs, cfg.SKUSkew, p, 4*sd)
	}
}

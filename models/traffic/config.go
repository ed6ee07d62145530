package traffic

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/models/cart"
	"github.com/checkoutsim/checkoutsim/models/check"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Config describes who arrives, when, and with what.
type Config struct {
	// Profile is the checkout arrival rate (per second) over time.
	Profile Profile
	// Multiplier scales the whole profile (capacity searches vary it).
	Multiplier float64
	// Trace, when set, replays arrival timestamps from this CSV file
	// instead of the profile.
	Trace string
	// BrowseRatio is the browsing requests (product and price reads) per
	// checkout arrival, following the same profile.
	BrowseRatio float64
	// Cohorts segment the users; weights need not sum to 1.
	Cohorts []Cohort
	// CartSize is the number of cart lines (rounded, at least 1).
	CartSize dist.Dist
	// MaxCartLines caps the cart size.
	MaxCartLines int
	// SKUs is the catalogue size; SKUSkew the Zipf exponent of popularity.
	// SKU ids are unrelated to popularity (SKUIDs maps ranks to ids).
	SKUs    int
	SKUSkew float64
	// Patience is how long a user waits for a response, in seconds, before
	// abandoning (nil: for ever).
	Patience dist.Dist
	// Reclick is the user-level retry after an error or a timeout.
	Reclick Reclick
}

// Cohort is a segment of users.
type Cohort struct {
	Name   string
	Weight float64
	// RTT is the network round trip between the user and the gateway, in
	// seconds (nil: 0).
	RTT dist.Dist
	// ColdCache users have no cached session or cart, so the cart step
	// reads it from the database.
	ColdCache bool
}

// Reclick is the user clicking "pay" again after an error.
type Reclick struct {
	// Probability that a user who got an error clicks again.
	Probability float64
	// Think is the time before the new click, in seconds.
	Think dist.Dist
	// Max is the most re-clicks per checkout.
	Max int
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Trace == "" {
		if err := c.Profile.Validate(); err != nil {
			errs = append(errs, check.Prefix("profile", err))
		}
	}
	if !(c.Multiplier > 0) || math.IsInf(c.Multiplier, 0) {
		errs = append(errs, check.Field("multiplier", "must be > 0, got %v", c.Multiplier))
	}
	if !(c.BrowseRatio >= 0) {
		errs = append(errs, check.Field("browse_ratio", "must be >= 0, got %v", c.BrowseRatio))
	}
	if len(c.Cohorts) == 0 {
		errs = append(errs, check.Field("cohorts", "at least one cohort is required"))
	}
	total := 0.0
	for i, co := range c.Cohorts {
		if co.Name == "" {
			errs = append(errs, check.Field(fmt.Sprintf("cohorts[%d].name", i), "must not be empty"))
		}
		for j := 0; j < i; j++ {
			if c.Cohorts[j].Name == co.Name && co.Name != "" {
				errs = append(errs, check.Field(fmt.Sprintf("cohorts[%d].name", i), "duplicate cohort name %q", co.Name))
			}
		}
		if !(co.Weight > 0) {
			errs = append(errs, check.Field(fmt.Sprintf("cohorts[%d].weight", i), "must be > 0, got %v", co.Weight))
		}
		total += co.Weight
	}
	if c.CartSize == nil {
		errs = append(errs, check.Field("cart_size", "a distribution is required"))
	}
	if c.MaxCartLines < 1 {
		errs = append(errs, check.Field("max_cart_lines", "must be >= 1, got %d", c.MaxCartLines))
	}
	if c.SKUs < 1 || c.SKUs > 10_000_000 {
		errs = append(errs, check.Field("skus", "must be in [1, 10000000], got %d", c.SKUs))
	}
	if !(c.SKUSkew > 0) {
		errs = append(errs, check.Field("sku_skew", "must be > 0, got %v", c.SKUSkew))
	}
	if !(c.Reclick.Probability >= 0 && c.Reclick.Probability <= 1) {
		errs = append(errs, check.Field("reclick.probability", "must be in [0, 1], got %v", c.Reclick.Probability))
	}
	if c.Reclick.Max < 0 {
		errs = append(errs, check.Field("reclick.max", "must be >= 0, got %d", c.Reclick.Max))
	}
	if c.Reclick.Probability > 0 && c.Reclick.Think == nil {
		errs = append(errs, check.Field("reclick.think", "a distribution is required when probability > 0"))
	}
	return check.Join(errs...)
}

// Checkout is one arriving checkout intent.
type Checkout struct {
	At       sim.Time
	Cohort   int
	Items    []cart.Item // in the order the user added them
	Patience sim.Time    // sim.Never without a patience distribution
}

// Source generates checkout intents. Each attribute comes from its own
// stream, so changing, say, the cart-size distribution leaves the arrival
// times unchanged.
type Source struct {
	cfg      *Config
	arrivals interface{ Next() sim.Time }
	cohortW  []float64
	zipf     *dist.Zipf
	ids      SKUIDs
	rCohort  *rand.Rand
	rCart    *rand.Rand
	rSKU     *rand.Rand
	rPatient *rand.Rand
}

// NewSource builds the checkout source. stream returns the named random
// stream of the replication.
func NewSource(cfg *Config, stream func(string) *rand.Rand) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("traffic: %w", err)
	}
	z, err := dist.NewZipf(cfg.SKUs, cfg.SKUSkew)
	if err != nil {
		return nil, fmt.Errorf("traffic: sku_skew: %w", err)
	}
	s := &Source{cfg: cfg, zipf: z, ids: NewSKUIDs(cfg.SKUs),
		rCohort: stream("traffic/cohort"), rCart: stream("traffic/cart"),
		rSKU: stream("traffic/sku"), rPatient: stream("traffic/patience")}
	if cfg.Trace != "" {
		tr, err := LoadTrace(cfg.Trace)
		if err != nil {
			return nil, err
		}
		s.arrivals = tr
	} else {
		s.arrivals = NewPoisson(cfg.Profile, cfg.Multiplier, stream("traffic/arrivals"))
	}
	acc := 0.0
	for _, co := range cfg.Cohorts {
		acc += co.Weight
		s.cohortW = append(s.cohortW, acc)
	}
	return s, nil
}

// Next returns the next checkout intent; At is sim.Never when there are
// no more.
func (s *Source) Next() Checkout {
	at := s.arrivals.Next()
	if at == sim.Never {
		return Checkout{At: sim.Never}
	}
	u := s.rCohort.Float64() * s.cohortW[len(s.cohortW)-1]
	cohort := 0
	for cohort < len(s.cohortW)-1 && u >= s.cohortW[cohort] {
		cohort++
	}
	lines := int(math.Round(s.cfg.CartSize.Sample(s.rCart)))
	lines = min(max(lines, 1), s.cfg.MaxCartLines)
	items := make([]cart.Item, 0, lines)
	for len(items) < lines {
		sku := s.ids.ID(s.zipf.Int(s.rSKU))
		dup := false
		for i := range items {
			if items[i].SKU == sku {
				items[i].Qty++ // the same SKU again: one more unit on its line
				dup = true
				break
			}
		}
		if !dup {
			items = append(items, cart.Item{SKU: sku, Qty: 1})
		} else {
			lines-- // a repeat adds a unit, not a line (this also ends the loop when the catalogue is smaller than the cart)
		}
	}
	patience := sim.Never
	if s.cfg.Patience != nil {
		patience = sim.Seconds(s.cfg.Patience.Sample(s.rPatient))
	}
	return Checkout{At: at, Cohort: cohort, Items: items, Patience: patience}
}

// SKU draws a SKU id by popularity (for browsing).
func (s *Source) SKU(r *rand.Rand) uint32 { return s.ids.ID(s.zipf.Int(r)) }

package checkout

import (
	"fmt"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/pricing"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// N+1 pricing: per-item rule lookups cost 1 + cart-size statements per
// checkout; batched pricing costs 1.
func TestNPlusOnePricingQueries(t *testing.T) {
	for _, lines := range []int{1, 3, 8} {
		for _, mode := range []string{"per_item", "batched"} {
			t.Run(fmt.Sprintf("%s/lines=%d", mode, lines), func(t *testing.T) {
				cfg := bare(t, 20, Step{Name: "pricing", Kind: KindPricing, Calls: "once"})
				cfg.Traffic.CartSize = dist.MustParse(fmt.Sprintf("constant(%d)", lines))
				cfg.Traffic.SKUs = 100_000 // lines are distinct SKUs with near certainty
				cfg.Traffic.SKUSkew = 0.01
				cfg.Pricing.RuleLookup = pricing.RuleLookup(mode)
				cfg.Pricing.RuleCache = false
				cfg.Pricing.PriceReads = false
				r := run(t, cfg, 3, 0)
				want := 1.0
				if mode == "per_item" {
					want = float64(1 + lines)
				}
				got := float64(r.Signals.CheckoutQueries) / float64(r.Checkout.Attempts)
				if r.Checkout.Succeeded != r.Checkout.Attempts || got != want {
					t.Fatalf("%s, %d lines: %.4f statements per checkout, want %v (%s)", mode, lines, got, want, describe(r))
				}
			})
		}
	}
}

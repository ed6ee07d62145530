package checkout_test

import (
	"fmt"
	"reflect"

	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/models/traffic"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// A one-minute run of a checkout reduced to its pricing step, with the
// N+1 rule lookups: every checkout of a 3-line cart costs 1 + 3 database
// statements, none fails, and the same seed gives the same result.
func ExampleRun() {
	cfg := checkout.Default()
	cfg.Duration, cfg.Warmup, cfg.Drain = sim.Minute, 10*sim.Second, 10*sim.Second
	cfg.Traffic.Profile = traffic.Profile{{At: 0, Rate: 20}}
	cfg.Traffic.BrowseRatio = 0
	cfg.Traffic.Patience = nil
	cfg.Traffic.Reclick = traffic.Reclick{}
	cfg.Traffic.Cohorts = []traffic.Cohort{{Name: "all", Weight: 1}}
	cfg.Traffic.CartSize = dist.MustParse("constant(3)")
	cfg.Traffic.SKUs, cfg.Traffic.SKUSkew = 1_000_000, 0.01 // three distinct SKUs per cart
	cfg.Services = []service.Config{{Name: "api", Instances: 1, WorkersPerInstance: 100, CPU: dist.MustParse("constant(1ms)")}}
	cfg.Pricing.RuleLookup, cfg.Pricing.RuleCache, cfg.Pricing.PriceReads = "per_item", false, false
	cfg.Flow = checkout.Flow{Orchestrator: "api", Steps: []checkout.Step{{Name: "pricing", Kind: checkout.KindPricing, Calls: "once"}}}

	res, err := checkout.Run(cfg, 42, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	again, _ := checkout.Run(cfg, 42, 0)
	c := res.Checkout
	fmt.Printf("measured %v, all succeeded: %v, error rate %.2f\n", res.Measured, c.Succeeded == c.Attempts && c.Attempts > 0, c.ErrorRate())
	fmt.Printf("statements per checkout: %.2f\n", float64(res.Signals.CheckoutQueries)/float64(c.Attempts))
	fmt.Printf("same seed, same result: %v\n", reflect.DeepEqual(res, again))
	// Output:
	// measured 50s, all succeeded: true, error rate 0.00
	// statements per checkout: 4.00
	// same seed, same result: true
}

package experiments

import (
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// The modes in model configs are typed enums: every known word still reads
// into its constant, and an unknown one is refused at its file line.
func TestEnumWords(t *testing.T) {
	for _, tc := range []struct {
		yaml string
		ok   func(c *checkout.Config) bool
		bad  string // the same field with an unknown word
		want string
	}{
		{"inventory:\n  transaction: long\n", func(c *checkout.Config) bool { return c.Inventory.Transaction == "long" },
			"inventory:\n  transaction: medium\n", `t.yaml:2: inventory.transaction: must be "long" or "short", got "medium"`},
		{"inventory:\n  lock_order: cart\n", func(c *checkout.Config) bool { return c.Inventory.LockOrder == "cart" },
			"inventory:\n  lock_order: random\n", `t.yaml:2: inventory.lock_order: must be "cart" or "sorted", got "random"`},
		{"cache:\n  invalidation: broad\n", func(c *checkout.Config) bool { return c.Cache.Invalidation == "broad" },
			"cache:\n  invalidation: some\n", `t.yaml:2: cache.invalidation: must be "broad" or "targeted", got "some"`},
		{"pricing:\n  rule_lookup: per_item\n", func(c *checkout.Config) bool { return c.Pricing.RuleLookup == "per_item" },
			"pricing:\n  rule_lookup: perItem\n", `t.yaml:2: pricing.rule_lookup: must be "per_item" or "batched", got "perItem"`},
		{"payments:\n  fallback: false\n  providers:\n    - {name: a, latency: constant(1ms), load_model: linear}\n",
			func(c *checkout.Config) bool { return c.Payments.Providers[0].LoadModel == "linear" },
			"payments:\n  fallback: false\n  providers:\n    - {name: a, latency: constant(1ms), load_model: cubic}\n",
			`t.yaml:4: payments.providers[0].load_model: must be "slowdown" or "linear", got "cubic"`},
		{"flow:\n  steps:\n    - {name: p, kind: pricing, service: pricing, calls: per_item}\n",
			func(c *checkout.Config) bool {
				s := c.Flow.Steps[0]
				return s.Kind == checkout.KindPricing && s.Calls == checkout.CallsPerItem
			},
			"flow:\n  steps:\n    - {name: p, kind: pricing, service: pricing, calls: each}\n",
			`t.yaml:3: flow.steps[0].calls: must be "once", "per_item" or "per_batch", got "each"`},
	} {
		s, err := LoadScenarioBytes("t.yaml", []byte(tc.yaml), nil)
		if err != nil {
			t.Errorf("%q: %v", tc.yaml, err)
		} else if !tc.ok(&s.Config) {
			t.Errorf("%q: the word did not read into its constant", tc.yaml)
		}
		_, err = LoadScenarioBytes("t.yaml", []byte(tc.bad), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %s", tc.bad, err, tc.want)
		}
	}
}

package ablation

import (
	"reflect"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
)

// The flash-sale variants: each group alone, then cumulative, and the
// last one (all groups) is flash-sale-after's configuration.
func TestFlashSaleAblationVariants(t *testing.T) {
	vs, err := Variants("flash-sale-before", "flash-sale-after", DefaultGroups, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	if got := strings.Join(names, " "); got != "A B C A+B A+B+C" {
		t.Fatalf("variants %q", got)
	}
	after, err := experiments.LoadScenario("flash-sale-after", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(vs[len(vs)-1].Scenario.Config, after.Config) {
		t.Fatalf("A+B+C differs from flash-sale-after: the groups miss a field the two scenarios set differently")
	}
	if b := vs[1].Scenario; b.Inventory.Transaction != "short" || b.Cache.Invalidation != "broad" || b.Payments.Fallback {
		t.Fatalf("variant B must change only the inventory: %+v", b.Inventory)
	}
}

// The table states each metric's change in the registry's scale: the
// error rate in points, the others relatively.
func TestWriteTableChangeScales(t *testing.T) {
	ratio := func(v float64) *float64 { return &v }
	res := &Result{Before: "before", Seed: 1, Reps: 2, Variants: []Output{{Variant: "A", Description: "timeouts", Changes: []experiments.Change{
		{Metric: "latency_p99_s", Unit: "s", Pairs: 2, A: 4, B: 2, Diff: -2, Ratio: ratio(0.5), RatioCI: &experiments.CI{0.4, 0.6}},
		{Metric: "error_rate", Unit: "fraction", Pairs: 2, A: 0.05, B: 0.02, Diff: -0.03, DiffCI: &experiments.CI{-0.04, -0.02}, Ratio: ratio(0.4), RatioCI: &experiments.CI{0.3, 0.5}},
	}}}}
	var b strings.Builder
	if err := res.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-50.0% [-60.0, -40.0]", "-3.00 pp [-4.00, -2.00] pp"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("ablation table lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "-60.0%") {
		t.Errorf("the error rate's change is relative:\n%s", b.String())
	}
}

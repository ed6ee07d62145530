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

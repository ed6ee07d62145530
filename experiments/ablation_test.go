package experiments

import (
	"reflect"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/scenario"
)

func TestCopyPath(t *testing.T) {
	dst, _ := scenario.ParseNode("d", []byte("a: {x: 1, y: 2}\nl: [{p: 1, q: 1}, {p: 2, q: 2}]\nk: 5\n"))
	src, _ := scenario.ParseNode("s", []byte("a: {x: 9}\nl: [{p: 7}, {p: 8, q: 3}]\n"))
	for _, p := range []string{"a.x", "l[*].q", "k"} {
		if err := copyPath(dst, src, p); err != nil {
			t.Fatal(err)
		}
	}
	// a.x copied, a.y kept; q taken from src (removed where src has none);
	// k removed because src does not set it (both then use the default).
	var got map[string]any
	if err := dst.Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"a": map[string]any{"x": 9, "y": 2},
		"l": []any{map[string]any{"p": 1}, map[string]any{"p": 2, "q": 3}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("after copying: %v, want %v", got, want)
	}
	if err := copyPath(dst, src, "nope[*].x"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("a list neither scenario has: %v", err)
	}
}

// The flash-sale variants: each group alone, then cumulative, and the
// last one (all groups) is flash-sale-after's configuration.
func TestFlashSaleAblationVariants(t *testing.T) {
	vs, err := AblationVariants("flash-sale-before", "flash-sale-after", DefaultAblationGroups, nil)
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
	after, err := LoadScenario("flash-sale-after", nil)
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

package policy

import (
	"slices"
	"testing"
)

func TestCoalescer(t *testing.T) {
	c := NewCoalescer[string, int]()
	if !c.Join("sku-1", 1) || c.Join("sku-1", 2) || c.Join("sku-1", 3) {
		t.Fatal("only the first joiner leads")
	}
	if !c.Join("sku-2", 9) {
		t.Fatal("another key has its own leader")
	}
	// The leader gives up: the call continues for 2 and 3.
	if c.Leave("sku-1", 1) {
		t.Fatal("Leave reported last with waiters left")
	}
	if !c.InFlight("sku-1") || c.Waiters("sku-1") != 2 {
		t.Fatal("the leader's departure ended the call")
	}
	if got := c.Finish("sku-1", nil); !slices.Equal(got, []int{2, 3}) {
		t.Fatalf("Finish returned %v, want [2 3]", got)
	}
	if c.InFlight("sku-1") || !c.Join("sku-1", 4) {
		t.Fatal("after Finish a new call starts")
	}
	if !c.Leave("sku-1", 4) {
		t.Fatal("last waiter leaving must report last")
	}
	if got := c.Finish("sku-1", nil); len(got) != 0 {
		t.Fatalf("Finish after all left: %v", got)
	}
	if c.Leave("nope", 1) || len(c.Finish("nope", nil)) != 0 || c.Len() != 1 {
		t.Fatal("unknown keys")
	}
}

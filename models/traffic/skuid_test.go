package traffic

import (
	"sort"
	"testing"
)

// The id map is a bijection of [0, n) whose inverse is Rank, for small,
// prime, even and large catalogues.
func TestSKUIDsBijection(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 10, 64, 50_000, 65_537} {
		m := NewSKUIDs(n)
		seen := make([]bool, n)
		for rank := 0; rank < n; rank++ {
			id := m.ID(rank)
			if int(id) >= n || seen[id] {
				t.Fatalf("n=%d: rank %d -> id %d out of range or repeated", n, rank, id)
			}
			seen[id] = true
			if back := m.Rank(id); back != rank {
				t.Fatalf("n=%d: Rank(ID(%d)) = %d", n, rank, back)
			}
		}
	}
}

// Ids are unrelated to popularity: the hottest SKU is not the lowest id,
// and the ten most popular SKUs' ids, sorted, are not in rank order and
// are spread over the catalogue (so sorted lock order does not lock the
// hottest row first).
func TestSKUIDsIndependentOfPopularity(t *testing.T) {
	const n = 50_000
	m := NewSKUIDs(n)
	if m.ID(0) == 0 {
		t.Fatalf("the most popular SKU has id 0")
	}
	ids := make([]int, 10)
	lowest := 0
	for r := range ids {
		ids[r] = int(m.ID(r))
		if ids[r] < ids[lowest] {
			lowest = r
		}
	}
	if lowest == 0 {
		t.Errorf("rank 0 has the lowest id among the top ten: %v", ids)
	}
	sorted := append([]int(nil), ids...)
	sort.Ints(sorted)
	if spread := sorted[9] - sorted[0]; spread < n/2 {
		t.Errorf("top ten ids %v span %d of %d", ids, spread, n)
	}
}

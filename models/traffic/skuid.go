package traffic

// SKUIDs maps a SKU's popularity rank (0 is the most popular) to its id
// and back. Real SKU ids do not follow popularity; if they did, sorted lock
// order (by id) would always lock the hottest row first and hold it for
// the whole of a long reservation. The map is an affine permutation of
// [0, n): id = (a*rank + b) mod n with a the integer nearest n(sqrt(5)-1)/2
// that is coprime to n (a golden-ratio multiplier spreads consecutive
// ranks over the whole id range) and b = n/2. It is fixed, not drawn, so
// a SKU keeps its id across replications and scenarios.
type SKUIDs struct {
	n, a, aInv, b uint64
}

// NewSKUIDs returns the id map of a catalogue of n >= 1 SKUs.
func NewSKUIDs(n int) SKUIDs {
	if n <= 1 {
		return SKUIDs{n: 1, a: 1, aInv: 1}
	}
	un := uint64(n)
	a := uint64(float64(n)*0.6180339887498949 + 0.5)
	for a < 1 || gcd(a, un) != 1 {
		a++
	}
	a %= un
	return SKUIDs{n: un, a: a, aInv: modInverse(a, un), b: un / 2}
}

// ID returns the id of the SKU of popularity rank rank.
func (m SKUIDs) ID(rank int) uint32 {
	return uint32((m.a*uint64(rank) + m.b) % m.n)
}

// Rank returns the popularity rank of SKU id.
func (m SKUIDs) Rank(id uint32) int {
	return int(((uint64(id) + m.n - m.b) % m.n) * m.aInv % m.n)
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// modInverse returns x with a*x = 1 (mod n), for a coprime to n.
func modInverse(a, n uint64) uint64 {
	t, newT := int64(0), int64(1)
	r, newR := int64(n), int64(a)
	for newR != 0 {
		q := r / newR
		t, newT = newT, t-q*newT
		r, newR = newR, r-q*newR
	}
	if t < 0 {
		t += int64(n)
	}
	return uint64(t)
}

package stats

// MSER5 returns how many leading observations of series to discard as
// warm-up, by White's MSER-5 rule (K. P. White Jr., "An effective
// truncation heuristic for bias reduction in simulation output",
// Simulation 69(6), 1997; Franklin & White, WSC 2008):
//
// The series is cut into k = len/5 batch means Y_1..Y_k (a trailing partial
// batch is ignored). For each candidate truncation d (in batches) the rule
// computes
//
//	MSER(d) = Σ_{i=d+1..k} (Y_i - Ȳ(d))² / (k-d)²
//
// (proportional to the squared standard error of the mean of what remains)
// and picks the d minimising it, searched over the first half of the
// batches (d <= k/2) because a minimum later than that means the run is too
// short to trust. Ties go to the smallest d. The result is 5·d
// observations. Series with fewer than 10 values return 0. O(len).
func MSER5(series []float64) (truncate int) {
	const b = 5
	k := len(series) / b
	if k < 2 {
		return 0
	}
	y := make([]float64, k)
	for i := range y {
		s := 0.0
		for _, x := range series[i*b : (i+1)*b] {
			s += x
		}
		y[i] = s / b
	}
	// Suffix sums of y and y², shifted by the overall mean to limit
	// cancellation in S2 - S1²/m.
	shift := 0.0
	for _, v := range y {
		shift += v
	}
	shift /= float64(k)
	best, bestD := 0.0, 0
	s1, s2 := 0.0, 0.0
	// Walk d from k-1 down to 0, remembering the best d <= k/2.
	stat := make([]float64, k)
	for d := k - 1; d >= 0; d-- {
		v := y[d] - shift
		s1 += v
		s2 += v * v
		m := float64(k - d)
		ss := s2 - s1*s1/m
		if ss < 0 {
			ss = 0
		}
		stat[d] = ss / (m * m)
	}
	for d := 0; d <= k/2; d++ {
		if d == 0 || stat[d] < best {
			best, bestD = stat[d], d
		}
	}
	return b * bestD
}

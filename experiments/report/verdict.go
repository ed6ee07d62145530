package report

// This file writes the verdict at the top of the report: in a few
// sentences, what B changed against A, by how much, and which constraint
// moved, from the same changes as the before/after table (the metric
// registry's direction, unit and change scale; compare's paired
// intervals).

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// verdictOutcomes are the metrics of the verdict's first sentence, the
// outcomes a decision turns on; verdictSignals are the constraint signals
// of its second, of which the ones that moved are named.
var (
	verdictOutcomes = []*metric.Metric{metric.LatencyP99, metric.ErrorRate, metric.Throughput, metric.Cost}
	verdictSignals  = []*metric.Metric{metric.LockWaitP99, metric.DBQueriesPerCheckout, metric.PaymentAttemptsPerPayment, metric.CacheHitRatio}
)

// verdictMaxSignals is how many moved constraint signals the verdict
// names, the largest moves first.
const verdictMaxSignals = 3

// verdict is the written verdict: each entry one sentence.
type verdict struct {
	Lines []string
	Good  bool // the outcomes improved and none got worse
}

// newVerdict writes the verdict from the report's changes (keyed by the
// registry's Key), the SLO (0: none) and each run's bottleneck line
// (empty: none known).
func newVerdict(nameB string, changes []experiments.Change, sloP99S float64, bottleneck [2]string) verdict {
	find := func(m *metric.Metric) *experiments.Change {
		i := slices.IndexFunc(changes, func(c experiments.Change) bool { return c.Metric == m.Key })
		if i < 0 || changes[i].Pairs == 0 {
			return nil
		}
		return &changes[i]
	}
	var v verdict
	var moved, same []string
	better, worse := 0, 0
	for _, m := range verdictOutcomes {
		c := find(m)
		if c == nil {
			continue
		}
		good, bad := judge(c)
		switch {
		case good:
			better++
		case bad:
			worse++
		}
		if !good && !bad {
			same = append(same, lowerFirst(m.Label)+" ("+output.Human(c.A, c.Unit)+" → "+output.Human(c.B, c.Unit)+")")
			continue
		}
		moved = append(moved, movePhrase(m, c))
	}
	if len(moved) > 0 {
		v.Lines = append(v.Lines, "B ("+nameB+") "+joinAnd(moved)+".")
	}
	if len(same) > 0 {
		v.Lines = append(v.Lines, "No clear change in "+joinAnd(same)+clearNote(changes)+".")
	}
	if s := signalsSentence(find); s != "" {
		v.Lines = append(v.Lines, s)
	}
	if sloP99S > 0 {
		if c := find(metric.LatencyP99); c != nil {
			meets := func(p99 float64) string {
				if p99 <= sloP99S {
					return "meets it"
				}
				return "misses it"
			}
			v.Lines = append(v.Lines, "Against the P99 SLO of "+output.Human(sloP99S, "s")+": A "+meets(c.A)+" ("+output.Human(c.A, "s")+"), B "+meets(c.B)+" ("+output.Human(c.B, "s")+").")
		}
	}
	// Hook for the bottleneck verdicts (experiments/bottleneck, built on
	// branch svc): Input.Bottleneck carries each run's one-line verdict.
	for i, b := range bottleneck {
		if b != "" {
			v.Lines = append(v.Lines, []string{"A", "B"}[i]+": "+b)
		}
	}
	v.Good = better > 0 && worse == 0
	return v
}

// movePhrase says one outcome's move: "cuts P99 latency from 10.1 s to
// 1.15 s (8.78× faster)", "raises throughput (checkouts/s) from 178 to
// 218 (22.5% higher)", the change as the report's table states it (in
// points for a metric the registry states in points).
func movePhrase(m *metric.Metric, c *experiments.Change) string {
	verb := "raises "
	if c.B < c.A {
		verb = "cuts "
	}
	change, _ := changePhrase(c)
	return verb + lowerFirst(m.Label) + " from " + output.Human(c.A, c.Unit) + " to " + output.Human(c.B, c.Unit) + " (" + change + ")"
}

// signalsSentence names the constraint signals that moved, the largest
// relative moves first: "The constraints that moved: lock wait P99 715 ms
// → 0 ms (-100%), ...". Empty when none did.
func signalsSentence(find func(*metric.Metric) *experiments.Change) string {
	type move struct {
		text string
		size float64
	}
	var moves []move
	for _, m := range verdictSignals {
		c := find(m)
		if c == nil {
			continue
		}
		if good, bad := judge(c); !good && !bad {
			continue
		}
		change, _ := changePhrase(c)
		size := math.Abs(c.B-c.A) / math.Max(math.Abs(c.A), math.Abs(c.B))
		what := "better"
		if _, bad := judge(c); bad {
			what = "worse"
		}
		moves = append(moves, move{lowerFirst(m.Label) + " " + output.Human(c.A, c.Unit) + " → " + output.Human(c.B, c.Unit) + " (" + change + ", " + what + ")", size})
	}
	if len(moves) == 0 {
		return ""
	}
	slices.SortStableFunc(moves, func(a, b move) int { return cmp.Compare(b.size, a.size) })
	var parts []string
	for _, mv := range moves[:min(len(moves), verdictMaxSignals)] {
		parts = append(parts, mv.text)
	}
	return "The constraint signals that moved most: " + strings.Join(parts, "; ") + "."
}

// clearNote says what "clear" means: with intervals, that the paired 95%
// interval excludes no change.
func clearNote(changes []experiments.Change) string {
	for _, c := range changes {
		if c.DiffCI != nil || c.RatioCI != nil {
			return " (each paired 95% interval includes no change)"
		}
	}
	return ""
}

// joinAnd joins phrases as "a, b and c".
func joinAnd(parts []string) string {
	if len(parts) <= 1 {
		return strings.Join(parts, "")
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// lowerFirst lower-cases a label's first letter unless it starts an
// abbreviation ("P99 latency", "DB queries").
func lowerFirst(s string) string {
	if len(s) < 2 || s[1] < 'a' || s[1] > 'z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

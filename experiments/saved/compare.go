package saved

import (
	"bytes"
	"fmt"
	"io"
	"math"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// Pairing says whether A's and B's replications are paired.
type Pairing int

const (
	Paired         Pairing = iota // same seed and replications: common random numbers
	DifferentSeeds                // unpaired: different seeds
	DifferentReps                 // unpaired: different numbers of replications
	TestbedRun                    // unpaired: a real run shares no random numbers with a model
)

var pairingText = []string{"paired", "unpaired: different seeds", "unpaired: different replications", "unpaired: a testbed run"}

func (p Pairing) String() string { return pairingText[p] }

// Pairing is how A and B can be compared.
func (p *Pair) Pairing() Pairing {
	switch {
	case p.A.File != nil && p.A.File.Source == Testbed || p.B.File != nil && p.B.File.Source == Testbed:
		return TestbedRun
	case p.A.Seed != p.B.Seed:
		return DifferentSeeds
	case p.A.Reps != p.B.Reps:
		return DifferentReps
	}
	return Paired
}

// RequirePaired refuses an unpaired pair, for outputs whose intervals
// are paired (the HTML report).
func (p *Pair) RequirePaired() error {
	if pg := p.Pairing(); pg != Paired {
		return fmt.Errorf("%s (seed %d, %d replications) and %s (seed %d, %d replications) are %s; the report's intervals are paired: make both with the same --seed and --replications",
			p.A.Ref, p.A.Seed, p.A.Reps, p.B.Ref, p.B.Seed, p.B.Reps, pg)
	}
	return nil
}

// Comparison is compare's result on a pair: paired, it is exactly
// experiments.CompareResults; unpaired, the changes carry Welch's
// intervals and the outputs say so.
type Comparison struct {
	*experiments.CompareSummary
	Pairing Pairing
}

// Compare compares the pair's results (run first for scenario sides).
func (p *Pair) Compare() *Comparison {
	a, b := p.A, p.B
	pairing := p.Pairing()
	if pairing == Paired {
		return &Comparison{experiments.CompareResults(a.Scenario, b.Scenario, a.Seed, a.Results, b.Results), pairing}
	}
	cs := &experiments.CompareSummary{A: experiments.Summarize(a.Scenario, a.Seed, a.Results), B: experiments.Summarize(b.Scenario, b.Seed, b.Results)}
	for _, m := range metric.Headline() {
		cs.Change = append(cs.Change, UnpairedChange(m, a.Results, b.Results))
	}
	return &Comparison{cs, pairing}
}

// UnpairedChange is a metric's change between independent results ra and
// rb, with Welch's 95% intervals (stats.Unpaired). Pairs is the smaller
// number of replications defining it.
func UnpairedChange(m *metric.Metric, ra, rb []*checkout.Result) experiments.Change {
	var u stats.Unpaired
	for _, side := range []struct {
		rs  []*checkout.Result
		sum *stats.Summary
	}{{ra, &u.A}, {rb, &u.B}} {
		for _, r := range side.rs {
			if v, ok := m.Value(r); ok {
				side.sum.Add(v)
			}
		}
	}
	n := min(u.A.N(), u.B.N())
	c := experiments.Change{Metric: m.Key, Label: m.Label, Better: m.Better, Unit: string(m.Unit), Pairs: n, A: u.MeanA(), B: u.MeanB()}
	d := u.Diff()
	c.Diff = d.Estimate
	if finite(d.Lo, d.Hi) {
		c.DiffCI = &experiments.CI{d.Lo, d.Hi}
	}
	if r := u.Ratio(); n > 0 && !math.IsNaN(r.Estimate) {
		est := r.Estimate
		c.Ratio = &est
		if finite(r.Lo, r.Hi) {
			c.RatioCI = &experiments.CI{max(r.Lo, 0), r.Hi} // as paired: B/A of values >= 0 is >= 0
		}
	}
	return c
}

func finite(xs ...float64) bool {
	for _, x := range xs {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return false
		}
	}
	return true
}

// Write writes the comparison in format. Paired, it is compare's output
// byte for byte. Unpaired, the JSON gains "pairing" (e.g. "unpaired:
// different seeds") after "b", and the table's first line gives each
// side's seed and replications and the pairing instead of "common random
// numbers"; the CSV is the same rows.
func (c *Comparison) Write(w io.Writer, format string) error {
	if c.Pairing == Paired || format == output.CSV {
		return c.CompareSummary.Write(w, format)
	}
	if format == output.JSON {
		return output.WriteJSON(w, unpairedJSON{c.A, c.B, c.Pairing.String(), c.Change})
	}
	var buf bytes.Buffer
	if err := c.CompareSummary.Write(&buf, format); err != nil {
		return err
	}
	_, rest, _ := bytes.Cut(buf.Bytes(), []byte("\n")) // compare's header line assumes common random numbers
	if _, err := fmt.Fprintf(w, "compare %s (A: seed %d, %d replications) vs %s (B: seed %d, %d replications): %s, Welch 95%% CI\n",
		c.A.Scenario, c.A.Seed, c.A.Replications, c.B.Scenario, c.B.Seed, c.B.Replications, c.Pairing); err != nil {
		return err
	}
	_, err := w.Write(rest)
	return err
}

// unpairedJSON is compare's JSON with the pairing said.
type unpairedJSON struct {
	A       *experiments.RunSummary `json:"a"`
	B       *experiments.RunSummary `json:"b"`
	Pairing string                  `json:"pairing"`
	Change  experiments.Changes     `json:"change"`
}

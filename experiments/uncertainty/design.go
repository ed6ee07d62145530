package uncertainty

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// Design is the list of simulations of a sensitivity or robust analysis:
// each run is one of the scenarios with overrides, all under the same seed
// and replications (common random numbers). It is everything a run's
// result depends on, so its hash identifies a part file's analysis.
type Design struct {
	Kind         string   `json:"kind"` // "sensitivity" or "robust"
	Scenarios    []string `json:"scenarios"`
	ScenarioSHA  []string `json:"scenario_sha256"` // of each scenario's source
	Sets         []string `json:"sets,omitempty"`  // --set overrides of every run
	Seed         uint64   `json:"seed"`
	Replications int      `json:"replications"`
	Dims         []Dim    `json:"dims"`
	Samples      int      `json:"samples,omitempty"`      // robust: Latin-hypercube draws
	Trajectories int      `json:"trajectories,omitempty"` // sensitivity: Morris trajectories
	Runs         []Run    `json:"runs"`
}

// Args is the command line that makes this design (the command, its
// scenarios, --set, --seed, --replications and the design's size), for the
// line that reruns missing shards on a batch engine.
func (d *Design) Args() []string {
	args := append([]string{d.Kind}, d.Scenarios...)
	for _, s := range d.Sets {
		args = append(args, "--set", s)
	}
	args = append(args, "--seed", strconv.FormatUint(d.Seed, 10), "--replications", strconv.Itoa(d.Replications))
	switch {
	case d.Kind == "robust":
		args = append(args, "--samples", strconv.Itoa(d.Samples))
	case d.Trajectories > 0:
		args = append(args, "--trajectories", strconv.Itoa(d.Trajectories))
	}
	return args
}

// Dim is one uncertain input as the design uses it.
type Dim struct {
	Path  string `json:"path"`
	Range string `json:"range"`
	Why   string `json:"why,omitempty"`
}

// Run is one simulation: scenario index and overrides; Label says what
// it is ("base", "inventory.lock_timeout low", "draw 3").
type Run struct {
	Scenario int      `json:"scenario"`
	Sets     []string `json:"sets,omitempty"`
	Label    string   `json:"label"`
}

// Hash is the SHA-256 of the design's JSON.
func (d *Design) Hash() string {
	data, _ := json.Marshal(d) // plain data: cannot fail
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// Row is one run's result: the mean over replications of every headline
// metric the run defines, by key.
type Row struct {
	Index   int                `json:"index"`
	Metrics map[string]float64 `json:"metrics"`
}

// Part is a design with the rows computed so far: a complete result, a
// shard's part file (Shard set) or a checkpoint to resume from.
type Part struct {
	Design       Design       `json:"design"`
	DesignSHA256 string       `json:"design_sha256"`
	Shard        *shard.Shard `json:"shard,omitempty"`
	Rows         []Row        `json:"rows"`
}

// Selected lists the run indexes a shard holds (all when shard is nil).
func (d *Design) Selected(sh *shard.Shard) []int {
	var out []int
	for i := range d.Runs {
		if sh == nil || i%sh.Count == sh.Index {
			out = append(out, i)
		}
	}
	return out
}

// Options control Execute.
type Options struct {
	Shard   *shard.Shard
	Resume  *Part // rows computed earlier for the same design and shard
	Workers int   // runs simulated at once (<= 0: 1)
	// Checkpoint, if set, is called with the rows so far after each
	// completed run (serialised; never concurrently).
	Checkpoint func(*Part) error
	// Progress, if set, is told after each completed run.
	Progress func(done, total int, label string)
}

// Execute runs the design's runs of the shard (all of them when Shard is
// nil) that Resume does not already hold, Workers at a time, each with its
// replications one after another, and returns the part. Rows do not depend
// on Workers, sharding or resuming. On cancellation it returns the rows
// completed so far with ctx's error.
func Execute(ctx context.Context, d *Design, opt Options) (*Part, error) {
	part := &Part{Design: *d, DesignSHA256: d.Hash(), Shard: opt.Shard}
	done := map[int]bool{}
	if r := opt.Resume; r != nil {
		if r.DesignSHA256 != part.DesignSHA256 {
			return nil, fmt.Errorf("resume: the checkpoint is of another analysis (%s)",
				fieldList(r.Design, *d))
		}
		if !r.Shard.Equal(opt.Shard) {
			return nil, fmt.Errorf("resume: the checkpoint is shard %s, this run is shard %s", r.Shard, opt.Shard)
		}
		for _, row := range r.Rows {
			done[row.Index] = true
			part.Rows = append(part.Rows, row)
		}
	}
	var todo []int
	sel := d.Selected(opt.Shard)
	for _, i := range sel {
		if !done[i] {
			todo = append(todo, i)
		}
	}
	workers := max(opt.Workers, 1)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				row, err := runOne(ctx, d, i)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					continue
				}
				part.Rows = append(part.Rows, row)
				slices.SortFunc(part.Rows, func(a, b Row) int { return a.Index - b.Index })
				if opt.Checkpoint != nil {
					if err := opt.Checkpoint(part); err != nil && firstErr == nil {
						firstErr = err
					}
				}
				if opt.Progress != nil {
					opt.Progress(len(part.Rows), len(sel), d.Runs[i].Label)
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, i := range todo {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	slices.SortFunc(part.Rows, func(a, b Row) int { return a.Index - b.Index })
	if err := ctx.Err(); err != nil {
		return part, err
	}
	return part, firstErr
}

// runOne simulates run i of the design.
func runOne(ctx context.Context, d *Design, i int) (Row, error) {
	r := d.Runs[i]
	sets := append(slices.Clone(d.Sets), r.Sets...)
	sc, err := experiments.LoadScenario(d.Scenarios[r.Scenario], sets)
	if err != nil {
		return Row{}, fmt.Errorf("%s (%s): %w", d.Scenarios[r.Scenario], r.Label, err)
	}
	res, err := experiments.RunReplications(ctx, sc, d.Seed, d.Replications, 1)
	if err != nil {
		return Row{}, err
	}
	row := Row{Index: i, Metrics: map[string]float64{}}
	for _, m := range Metrics() {
		if definedIn(m, res) {
			row.Metrics[m.Key], _ = metric.Over(res, m)
		}
	}
	return row, nil
}

// definedIn reports whether m is defined in at least one replication.
func definedIn(m *metric.Metric, res []*checkout.Result) bool {
	for _, r := range res {
		if _, ok := m.Value(r); ok {
			return true
		}
	}
	return false
}

// Metrics are the metrics the analyses report: the headline metrics, the
// P99 of successful clicks and the payment amplification during the
// provider's slow episode.
func Metrics() []*metric.Metric {
	return append(metric.Headline(), metric.SuccessP99, metric.EpisodeAmplification)
}

// Merge combines part files (names for messages) into the complete result,
// refusing parts of another design or split, a shard or run given twice,
// and an incomplete set (naming the missing runs and their shards).
func Merge(names []string, parts []*Part) (*Part, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: no part files given")
	}
	if err := shard.CheckParts(names, parts, func(p *Part) (any, string, *shard.Shard) {
		return p.Design, p.DesignSHA256, p.Shard
	}); err != nil {
		return nil, err
	}
	first := parts[0]
	owner := map[int]string{}
	out := &Part{Design: first.Design, DesignSHA256: first.DesignSHA256}
	for k, p := range parts {
		for _, r := range p.Rows {
			if prev, dup := owner[r.Index]; dup {
				return nil, fmt.Errorf("merge: run %d (%s) is in both %s and %s", r.Index, first.Design.Runs[r.Index].Label, prev, names[k])
			}
			owner[r.Index] = names[k]
			out.Rows = append(out.Rows, r)
		}
	}
	var missing []string
	var shards []int // the shards that own a missing run
	for i := range first.Design.Runs {
		if _, ok := owner[i]; !ok {
			s := fmt.Sprint(i)
			if first.Shard != nil {
				s += fmt.Sprintf(" (shard %d/%d)", i%first.Shard.Count, first.Shard.Count)
				if k := i % first.Shard.Count; !slices.Contains(shards, k) {
					shards = append(shards, k)
				}
			}
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		if len(missing) > 20 {
			missing = append(missing[:20], "...")
		}
		hint := " (rerun those shards with --resume)"
		if first.Shard != nil {
			slices.Sort(shards)
			hint = shard.RerunHint(shards, first.Shard.Count, first.Design.Args())
		}
		return nil, fmt.Errorf("merge: incomplete: %d of %d runs missing: %v%s", len(first.Design.Runs)-len(owner), len(first.Design.Runs), missing, hint)
	}
	slices.SortFunc(out.Rows, func(a, b Row) int { return a.Index - b.Index })
	return out, nil
}

// ReadPart reads a part, checkpoint or complete result written as JSON.
func ReadPart(name string) (*Part, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var p Part
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%s: not a sensitivity or robust result: %v", name, err)
	}
	if p.Design.Hash() != p.DesignSHA256 {
		return nil, fmt.Errorf("%s: corrupt: design_sha256 does not match its design", name)
	}
	for k, r := range p.Rows {
		if r.Index < 0 || r.Index >= len(p.Design.Runs) || (k > 0 && r.Index <= p.Rows[k-1].Index) {
			return nil, fmt.Errorf("%s: corrupt: row %d has index %d", name, k, r.Index)
		}
		if p.Shard != nil && r.Index%p.Shard.Count != p.Shard.Index {
			return nil, fmt.Errorf("%s: corrupt: run %d is not in shard %s", name, r.Index, p.Shard)
		}
	}
	return &p, nil
}

// fieldList names the design fields in which a and b differ.
func fieldList(a, b Design) string {
	var out []string
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var ma, mb map[string]json.RawMessage
	_ = json.Unmarshal(ja, &ma)
	_ = json.Unmarshal(jb, &mb)
	for k, v := range ma {
		if string(v) != string(mb[k]) {
			out = append(out, "design."+k)
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		return "design_sha256 differs"
	}
	return fmt.Sprintf("%v differ", out)
}

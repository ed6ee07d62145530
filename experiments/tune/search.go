package tune

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
	"github.com/checkoutsim/checkoutsim/experiments/space"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
)

// Current is the candidate index of the scenario's own settings.
const Current = -1

// BaseCondition is the name of the scenario as it is.
const BaseCondition = "base"

// Tuner is a checked spec, ready to run.
type Tuner struct {
	Spec  Spec
	Space *space.Space
	// Conditions are the base condition then the spec's.
	Conditions []Condition
	// Points are the candidates' points in the unit hypercube.
	Points [][]float64
	// ScenarioSHA256 hashes the tuned scenario's bytes and the condition
	// files', so a resumed or merged search knows its inputs.
	ScenarioSHA256 string
	SpecSHA256     string

	objective   *metric.Metric
	constraints []*metric.Metric
	// windows are each condition's warm-up and duration.
	windows []window
}

type window struct{ warmup, duration sim.Time }

// New checks the spec completely before anything runs: the scenario and
// every condition load, every knob's ends are accepted by its field,
// every metric is known, no objective contradicts a constraint, the
// schedule fits the budget. Each problem is one line naming its flag or
// file:line; all are returned joined.
func New(spec Spec) (*Tuner, error) {
	spec.WithDefaults()
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	t := &Tuner{Spec: spec}
	sp, err := space.New(spec.Knobs...)
	add(err)
	t.Space = sp
	if spec.Objective.Metric == "" {
		add(fmt.Errorf("--minimize/--maximize: no objective: give --minimize METRIC or --maximize METRIC"))
	} else if m, err := LookupMetric(spec.Objective.Metric); err != nil {
		add(fmt.Errorf("%s: %v", srcOr(spec.Objective.Source, objFlag(spec.Objective)), err))
	} else {
		t.objective = m
	}
	for _, c := range spec.Constraints {
		m, err := LookupMetric(c.Metric)
		if err != nil {
			add(fmt.Errorf("%s %q: %v", srcOr(c.Source, "--constraint"), c.String(), err))
			continue
		}
		t.constraints = append(t.constraints, m)
		if t.objective != nil && m.Key == t.objective.Key {
			if (c.Op == AtLeast) != spec.Objective.Maximize {
				dir := "minimizes"
				if spec.Objective.Maximize {
					dir = "maximizes"
				}
				add(fmt.Errorf("%s %q: the objective %s %s, the same metric, and this constraint bounds it from the other side: drop the constraint or turn it round",
					srcOr(c.Source, "--constraint"), c.String(), dir, spec.Objective.Metric))
			}
		}
	}
	if err := checkSchedule(spec.Schedule); err != nil {
		add(fmt.Errorf("schedule: %v", err))
	}
	if spec.Candidates < MinCandidates || spec.Candidates > MaxCandidates {
		add(fmt.Errorf("--candidates %d: want %d to %d", spec.Candidates, MinCandidates, MaxCandidates))
	}
	t.Conditions = append([]Condition{{Name: BaseCondition, Sets: []string{}}}, spec.Conditions...)
	for i, c := range t.Conditions {
		for _, d := range t.Conditions[:i] {
			if d.Name == c.Name {
				add(fmt.Errorf("%s: condition %q is given twice (%q is the scenario as it is)", srcOr(c.Source, "--condition"), c.Name, BaseCondition))
			}
		}
	}
	h := sha256.New()
	for _, c := range t.Conditions {
		ref := spec.Scenario
		if c.Scenario != "" {
			ref = c.Scenario
		}
		src, err := experiments.ScenarioSource(ref)
		if err != nil {
			add(fmt.Errorf("%s: %v", srcOr(c.Source, "scenario"), err))
			continue
		}
		h.Write(src)
		sets := append(slices.Clone(spec.Sets), c.Sets...)
		sc, err := experiments.LoadScenario(ref, sets)
		if err != nil {
			if c.Name == BaseCondition {
				add(err)
			} else {
				add(fmt.Errorf("%s: condition %s: %s", srcOr(c.Source, "--condition"), c.Name, space.OneLine(err)))
			}
			continue
		}
		t.windows = append(t.windows, window{sc.Warmup, sc.Duration})
		if sp == nil {
			continue
		}
		if err := sp.Check(space.ScenarioLoader(ref, sets)); err != nil {
			if c.Name == BaseCondition {
				add(err)
			} else {
				add(fmt.Errorf("condition %s: %w", c.Name, err))
			}
		}
	}
	if len(errs) > 0 {
		return nil, dedupe(errs)
	}
	t.ScenarioSHA256 = hex.EncodeToString(h.Sum(nil))
	if err := t.fitBudget(); err != nil {
		return nil, err
	}
	t.SpecSHA256 = t.Spec.Hash(t.ScenarioSHA256)
	t.Points = space.LatinHypercube(t.Spec.Candidates, len(sp.Dims), t.Spec.Seed)
	return t, nil
}

func objFlag(o Objective) string {
	if o.Maximize {
		return "--maximize"
	}
	return "--minimize"
}

func srcOr(src, def string) string {
	if src == "" {
		return def
	}
	return src
}

// dedupe joins errors, each distinct message once (a bad knob is reported
// by every condition that loads the same scenario).
func dedupe(errs []error) error {
	var seen []string
	var out []error
	for _, e := range errs {
		if !slices.Contains(seen, e.Error()) {
			seen = append(seen, e.Error())
			out = append(out, e)
		}
	}
	return errors.Join(out...)
}

// Stage is one batch of runs: a rung of successive halving, or the final
// re-run.
type Stage struct {
	Index        int
	Final        bool
	Fraction     float64
	Replications int
	Seed         uint64
}

// Name is "rung 1", "rung 2", ..., "final".
func (s Stage) Name() string {
	if s.Final {
		return "final"
	}
	return "rung " + strconv.Itoa(s.Index+1)
}

// Stages lists the rungs and the final stage.
func (t *Tuner) Stages() []Stage {
	var out []Stage
	for i, r := range t.Spec.Schedule {
		out = append(out, Stage{Index: i, Fraction: r.Fraction, Replications: r.Replications, Seed: t.Spec.Seed})
	}
	return append(out, Stage{Index: len(t.Spec.Schedule), Final: true, Fraction: 1,
		Replications: t.Spec.FinalReplications, Seed: FinalSeed(t.Spec.Seed)})
}

// FinalSeed is the seed of the final re-run: derived from the search's
// seed so that it is fixed for a spec, and far from it, so that no rung
// ever used it.
func FinalSeed(seed uint64) uint64 {
	z := seed + 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return (z ^ (z >> 31)) % 1_000_000_007
}

// sizes are the candidates each stage runs, for a search of n.
func (t *Tuner) sizes(n int) []int {
	var out []int
	for range t.Spec.Schedule {
		out = append(out, n)
		n = max(1, (n+t.Spec.Keep-1)/t.Spec.Keep)
	}
	// The final stage re-runs the survivors of the last rung, at least
	// MinFinalists of them (so the best has company to be compared
	// with), plus the current settings.
	last := out[len(out)-1]
	return append(out, min(last, max(n, MinFinalists))+1)
}

// cost is the runs and simulated time a search of n candidates uses.
func (t *Tuner) cost(n int) (runs int, simTime time.Duration) {
	for k, size := range t.sizes(n) {
		st := t.Stages()[k]
		for c := range t.Conditions {
			runs += size * st.Replications
			simTime += time.Duration(size*st.Replications) * t.duration(st, c).Duration()
		}
	}
	return runs, simTime
}

// fitBudget shrinks the candidates until the search fits the budget.
func (t *Tuner) fitBudget() error {
	b := t.Spec.Budget
	fits := func(n int) bool {
		runs, st := t.cost(n)
		return (b.Runs == 0 || runs <= b.Runs) && (b.SimTime == 0 || st <= b.SimTime)
	}
	n := t.Spec.Candidates
	for n > MinCandidates && !fits(n) {
		n = max(MinCandidates, n*3/4)
	}
	if !fits(n) {
		runs, st := t.cost(n)
		return fmt.Errorf("--budget: %s is too small: the smallest search (%d candidates, %d conditions) needs %d runs and %v of simulated time",
			budgetString(b), n, len(t.Conditions), runs, st)
	}
	t.Spec.Candidates = n
	return nil
}

func budgetString(b Budget) string {
	switch {
	case b.Runs > 0 && b.SimTime > 0:
		return fmt.Sprintf("%d runs, %v", b.Runs, b.SimTime)
	case b.Runs > 0:
		return fmt.Sprintf("%d runs", b.Runs)
	}
	return b.SimTime.String()
}

// duration is the simulated duration of a run of stage st in condition c:
// the warm-up plus the stage's fraction of the measured window.
func (t *Tuner) duration(st Stage, c int) sim.Time {
	w := t.windows[c]
	if st.Fraction >= 1 {
		return w.duration
	}
	d := w.warmup + sim.Time(math.Round(st.Fraction*float64(w.duration-w.warmup)))
	return d / sim.Second * sim.Second // whole seconds, so the override reads well
}

// CandidateSets are the knob overrides of candidate i (none for Current).
func (t *Tuner) CandidateSets(i int) []string {
	if i == Current {
		return nil
	}
	return t.Space.Sets(t.Points[i])
}

// Evaluation is one replication of one candidate in one condition at one
// stage: the objective's value then each constraint's (null when the
// replication does not define it).
type Evaluation struct {
	Stage     int        `json:"stage"`
	Candidate int        `json:"candidate"`
	Condition int        `json:"condition"`
	Rep       int        `json:"rep"`
	Values    []*float64 `json:"values"`
}

type evalKey struct{ stage, cand, cond, rep int }

func (e *Evaluation) key() evalKey { return evalKey{e.Stage, e.Candidate, e.Condition, e.Rep} }

// job is an evaluation to compute.
type job struct {
	key  evalKey
	sets []string
	ref  string
	seed uint64
}

// jobs lists stage st's runs for the candidates cands, in a fixed order:
// candidate, then condition, then replication.
func (t *Tuner) jobs(st Stage, cands []int) []job {
	var out []job
	for _, c := range cands {
		for k, cond := range t.Conditions {
			ref := t.Spec.Scenario
			if cond.Scenario != "" {
				ref = cond.Scenario
			}
			sets := append(slices.Clone(t.Spec.Sets), cond.Sets...)
			sets = append(sets, t.CandidateSets(c)...)
			if st.Fraction < 1 {
				sets = append(sets, "duration="+t.duration(st, k).Duration().String())
			}
			for r := range st.Replications {
				out = append(out, job{key: evalKey{st.Index, c, k, r}, sets: sets, ref: ref, seed: st.Seed})
			}
		}
	}
	return out
}

// run computes one evaluation.
func (t *Tuner) run(j job) (Evaluation, error) {
	sc, err := experiments.LoadScenario(j.ref, j.sets)
	if err != nil {
		return Evaluation{}, fmt.Errorf("candidate %d, condition %s: %w", j.key.cand, t.Conditions[j.key.cond].Name, err)
	}
	res, err := checkout.Run(&sc.Config, j.seed, j.key.rep)
	if err != nil {
		return Evaluation{}, fmt.Errorf("candidate %d, condition %s, replication %d: %w", j.key.cand, t.Conditions[j.key.cond].Name, j.key.rep, err)
	}
	ev := Evaluation{Stage: j.key.stage, Candidate: j.key.cand, Condition: j.key.cond, Rep: j.key.rep}
	for _, m := range t.metrics() {
		if v, ok := m.Value(res); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			ev.Values = append(ev.Values, &v)
		} else {
			ev.Values = append(ev.Values, nil)
		}
	}
	return ev, nil
}

// metrics are the objective then the constraints.
func (t *Tuner) metrics() []*metric.Metric {
	return append([]*metric.Metric{t.objective}, t.constraints...)
}

// Options control Run.
type Options struct {
	// Shard, when set, computes only the jobs index % Count == Index of
	// the first incomplete stage and returns: a part file for merge.
	Shard *shard.Shard
	// Args is the command line of a shard (shard.Args: --state included,
	// --shard and --out left out), recorded in its part file so that merge
	// can print the line that reruns it.
	Args []string
	// Workers run jobs in parallel (0: GOMAXPROCS); results do not depend
	// on it.
	Workers int
	// Resume holds evaluations computed earlier for the same search.
	Resume *Result
	// Checkpoint, if set, is called after each completed evaluation with
	// the state so far.
	Checkpoint func(*Result) error
	// Progress, if set, is told about each stage and each completed run.
	Progress func(p Progress)
}

// Progress is where a search is.
type Progress struct {
	Stage      Stage
	Stages     int
	Candidates int
	Done, Jobs int
}

// Run runs the search: each stage's jobs in parallel, then the ranking
// that picks the next stage's candidates. If ctx is cancelled it returns
// the state so far (evaluations completed, Pending set) and ctx's error.
// With a shard it stops after its part of the first incomplete stage.
func (t *Tuner) Run(ctx context.Context, opt Options) (*Result, error) {
	st := newState(t)
	if opt.Resume != nil {
		if err := st.resume(opt.Resume); err != nil {
			return nil, err
		}
	}
	if opt.Shard != nil {
		st.args = opt.Args
	}
	for _, stage := range t.Stages() {
		cands := st.candidates(stage)
		all := t.jobs(stage, cands)
		var todo []job
		for i, j := range all {
			if opt.Shard != nil && i%opt.Shard.Count != opt.Shard.Index {
				continue
			}
			if _, ok := st.evals[j.key]; !ok {
				todo = append(todo, j)
			}
		}
		complete := st.stageComplete(stage, all)
		if opt.Shard != nil && complete {
			continue
		}
		done := len(all) - len(todo)
		if opt.Shard != nil {
			done = 0
		}
		total := done + len(todo)
		report := func() {
			if opt.Progress != nil {
				opt.Progress(Progress{Stage: stage, Stages: len(t.Stages()), Candidates: len(cands), Done: done, Jobs: total})
			}
		}
		report()
		err := t.runJobs(ctx, todo, opt.Workers, func(ev Evaluation) error {
			st.add(ev)
			done++
			report()
			if opt.Checkpoint != nil {
				return opt.Checkpoint(st.result(opt.Shard, true))
			}
			return nil
		})
		if err != nil {
			return st.result(opt.Shard, true), err
		}
		if opt.Shard != nil {
			return st.result(opt.Shard, true), nil
		}
	}
	return st.result(nil, false), nil
}

// runJobs runs jobs on workers and hands each evaluation to done, in the
// order the jobs are listed (so checkpoints are the same whatever the
// parallelism).
func (t *Tuner) runJobs(ctx context.Context, jobs []job, workers int, done func(Evaluation) error) error {
	if len(jobs) == 0 {
		return nil
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(jobs))
	type out struct {
		ev  Evaluation
		err error
	}
	results := make([]chan out, len(jobs))
	for i := range results {
		results[i] = make(chan out, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				ev, err := t.run(jobs[i])
				results[i] <- out{ev, err}
			}
		}()
	}
	go func() {
		defer close(next)
		for i := range jobs {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var err error
	for i := range jobs {
		var o out
		select {
		case o = <-results[i]:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			break
		}
		if o.err != nil {
			err = o.err
			break
		}
		if err = done(o.ev); err != nil {
			break
		}
	}
	cancel()
	wg.Wait()
	return err
}

// state is the evaluations of a search and what follows from them.
type state struct {
	t     *Tuner
	evals map[evalKey]Evaluation
	args  []string // a shard's command line, for its part file
}

func newState(t *Tuner) *state { return &state{t: t, evals: map[evalKey]Evaluation{}} }

func (s *state) add(ev Evaluation) { s.evals[ev.key()] = ev }

// resume takes the evaluations of an earlier run of the same search.
func (s *state) resume(prev *Result) error {
	if prev.SpecSHA256 != s.t.SpecSHA256 {
		return fmt.Errorf("cannot resume: the file is from a different search (spec_sha256 %.12s..., this search %.12s...): same scenario, knobs, metrics, conditions, seed and schedule are needed",
			prev.SpecSHA256, s.t.SpecSHA256)
	}
	for _, ev := range prev.Evaluations {
		if len(ev.Values) != len(s.t.metrics()) || ev.Condition < 0 || ev.Condition >= len(s.t.Conditions) ||
			ev.Candidate < Current || ev.Candidate >= s.t.Spec.Candidates || ev.Stage < 0 || ev.Stage >= len(s.t.Stages()) {
			return fmt.Errorf("cannot resume: evaluation %+v does not belong to this search", ev)
		}
		s.add(ev)
	}
	return nil
}

// stageComplete reports whether every job of the stage is evaluated.
func (s *state) stageComplete(st Stage, jobs []job) bool {
	for _, j := range jobs {
		if _, ok := s.evals[j.key]; !ok {
			return false
		}
	}
	return true
}

// candidates are the candidates stage st runs: all of them in the first
// rung, the best of the previous stage's ranking after that, and the
// current settings in the final stage. A stage whose predecessor is not
// complete has none.
func (s *state) candidates(st Stage) []int {
	sizes := s.t.sizes(s.t.Spec.Candidates)
	if st.Index == 0 {
		out := make([]int, s.t.Spec.Candidates)
		for i := range out {
			out[i] = i
		}
		if st.Final {
			out = append(out, Current)
		}
		return out
	}
	prev := s.t.Stages()[st.Index-1]
	pc := s.candidates(prev)
	if !s.stageComplete(prev, s.t.jobs(prev, pc)) {
		return nil
	}
	ranked := s.rank(prev, pc)
	n := sizes[st.Index]
	if st.Final {
		n-- // the current settings take the last place
	}
	out := slices.Clone(ranked[:min(n, len(ranked))])
	if st.Final {
		out = append(out, Current)
	}
	return out
}

// Score is a candidate's standing at one stage.
type Score struct {
	Candidate int
	// Objective is the mean over replications of the objective in the
	// replication's worst condition (the conditions of one replication
	// share its random numbers); ±Inf when a run did not define it.
	Objective float64
	// Violation is the sum over constraints and conditions of how far the
	// mean breaks the bound, relative to it; 0 is feasible.
	Violation float64
}

// score is candidate c's standing at stage st.
func (s *state) score(st Stage, c int) Score {
	t := s.t
	sc := Score{Candidate: c}
	sum := 0.0
	for _, w := range s.worstPerRep(st, c) {
		if math.IsNaN(w) {
			sum = math.Inf(1)
			if t.Spec.Objective.Maximize {
				sum = math.Inf(-1)
			}
			break
		}
		sum += w
	}
	sc.Objective = sum / float64(st.Replications)
	for k := range t.Conditions {
		means := s.means(st, c, k)
		for i, con := range t.Spec.Constraints {
			v := means[i+1]
			if math.IsNaN(v) {
				sc.Violation++
				continue
			}
			sc.Violation += con.Violation(v)
		}
	}
	return sc
}

// means are the mean over stage st's replications of each metric for
// candidate c in condition k (NaN when no replication defined it).
func (s *state) means(st Stage, c, k int) []float64 {
	n := len(s.t.metrics())
	sum, cnt := make([]float64, n), make([]int, n)
	for r := range st.Replications {
		ev, ok := s.evals[evalKey{st.Index, c, k, r}]
		if !ok {
			continue
		}
		for i, v := range ev.Values {
			if v != nil {
				sum[i] += *v
				cnt[i]++
			}
		}
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
		if cnt[i] > 0 {
			out[i] = sum[i] / float64(cnt[i])
		}
	}
	return out
}

// rank orders candidates at stage st: feasible ones first, by objective
// (best first), then infeasible ones by violation; ties by index.
func (s *state) rank(st Stage, cands []int) []int {
	scores := make([]Score, 0, len(cands))
	for _, c := range cands {
		if c != Current {
			scores = append(scores, s.score(st, c))
		}
	}
	sort.SliceStable(scores, func(i, j int) bool { return s.better(scores[i], scores[j]) })
	out := make([]int, len(scores))
	for i, sc := range scores {
		out[i] = sc.Candidate
	}
	return out
}

// better reports whether a ranks before b.
func (s *state) better(a, b Score) bool {
	fa, fb := a.Violation == 0, b.Violation == 0
	if fa != fb {
		return fa
	}
	if !fa {
		if a.Violation != b.Violation {
			return a.Violation < b.Violation
		}
		return a.Candidate < b.Candidate
	}
	oa, ob := a.Objective, b.Objective
	if s.t.Spec.Objective.Maximize {
		oa, ob = -oa, -ob
	}
	if oa != ob {
		return oa < ob
	}
	return a.Candidate < b.Candidate
}

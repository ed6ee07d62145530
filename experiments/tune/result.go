package tune

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/shard"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// CI is a 95% confidence interval [lo, hi].
type CI = experiments.CI

// Estimate is a metric's mean over replications in one condition, with
// its 95% interval (null with one replication).
type Estimate struct {
	Condition string  `json:"condition"`
	Mean      float64 `json:"mean"`
	CI95      *CI     `json:"ci95"`
	// Holds is set for a constraint: the bound holds at the far end of
	// the interval (at the mean when there is none).
	Holds *bool `json:"holds,omitempty"`
}

// ConstraintResult is one constraint's estimates in every condition.
type ConstraintResult struct {
	Constraint string     `json:"constraint"`
	Conditions []Estimate `json:"conditions"`
}

// Candidate is a finalist scored on the final seed.
type Candidate struct {
	// Index is the candidate's number in the design; -1 for the current
	// settings.
	Index int `json:"candidate"`
	// Set are the knob overrides, "path=value" (empty for the current
	// settings).
	Set []string `json:"set"`
	// Score is the mean over replications of the objective in the
	// replication's worst condition, with its 95% interval;
	// WorstCondition is the condition with the worst mean.
	Score          float64 `json:"score"`
	ScoreCI        *CI     `json:"score_ci95"`
	WorstCondition string  `json:"worst_condition"`
	// Feasible: every constraint holds in every condition.
	Feasible    bool               `json:"feasible"`
	Objective   []Estimate         `json:"objective"`
	Constraints []ConstraintResult `json:"constraints"`
	// VsBest is the paired 95% interval of (this - best) of the per-
	// replication worst case over conditions; null for the best itself.
	VsBest *CI `json:"vs_best_ci95,omitempty"`
}

// Settings are the best candidate's settings, written three ways.
type Settings struct {
	Set  []string `json:"set"`
	YAML string   `json:"yaml"`
	Go   string   `json:"go"`
}

// ParetoPoint is a candidate on a Pareto front.
type ParetoPoint struct {
	Candidate  int      `json:"candidate"`
	Set        []string `json:"set"`
	Objective  float64  `json:"objective"`
	Constraint float64  `json:"constraint"`
}

// Pareto is the front of objective against one constraint: candidates no
// other candidate beats on both (worst case over conditions, first rung).
type Pareto struct {
	Constraint string        `json:"constraint"`
	Points     []ParetoPoint `json:"points"`
}

// StageSummary says what a stage ran.
type StageSummary struct {
	Name         string  `json:"name"`
	Candidates   int     `json:"candidates"`
	Replications int     `json:"replications"`
	Seed         uint64  `json:"seed"`
	DurationS    float64 `json:"duration_s"`
	Runs         int     `json:"runs"`
}

// Failure explains why no candidate is feasible.
type Failure struct {
	// Constraint is the one broken most often in the first rung.
	Constraint string `json:"constraint"`
	Broken     int    `json:"broken"`
	Of         int    `json:"of"`
	// Closest is the smallest miss among the candidates that broke it:
	// the value in its worst condition.
	Closest   float64 `json:"closest"`
	Condition string  `json:"condition"`
	// Relative is the miss relative to the bound.
	Relative float64 `json:"relative"`
}

// Result is the answer of a search, and the format of checkpoints and
// part files (which carry the evaluations and no answer yet).
type Result struct {
	Scenario       string   `json:"scenario"`
	ScenarioSHA256 string   `json:"scenario_sha256"`
	Spec           Spec     `json:"spec"`
	SpecSHA256     string   `json:"spec_sha256"`
	Conditions     []string `json:"conditions"`
	Objective      string   `json:"objective"`
	Maximize       bool     `json:"maximize"`
	FinalSeed      uint64   `json:"final_seed"`
	// Complete is false in a checkpoint or a part file. A part file also
	// names its Shard and the shard's command line, Args (Options.Args).
	Complete  bool           `json:"complete"`
	Shard     *shard.Shard   `json:"shard,omitempty"`
	Args      []string       `json:"args,omitempty"`
	Feasible  bool           `json:"feasible"`
	Best      *Candidate     `json:"best"`
	Settings  *Settings      `json:"settings"`
	RunnersUp []Candidate    `json:"runners_up"`
	Current   *Candidate     `json:"current"`
	Finalists []Candidate    `json:"finalists"`
	Pareto    []Pareto       `json:"pareto"`
	Failure   *Failure       `json:"failure,omitempty"`
	Stages    []StageSummary `json:"stages"`
	// RunsUsed counts replication runs; SimulatedS their simulated time.
	RunsUsed    int          `json:"runs_used"`
	SimulatedS  float64      `json:"simulated_s"`
	Evaluations []Evaluation `json:"evaluations"`
}

// result builds the Result from the evaluations so far. A partial result
// (checkpoint, shard part) carries only the evaluations and stage list.
func (s *state) result(sh *shard.Shard, partial bool) *Result {
	t := s.t
	r := &Result{Scenario: t.Spec.Scenario, ScenarioSHA256: t.ScenarioSHA256, Spec: t.Spec, SpecSHA256: t.SpecSHA256,
		Objective: t.Spec.Objective.Metric, Maximize: t.Spec.Objective.Maximize, FinalSeed: FinalSeed(t.Spec.Seed),
		Shard: sh, RunnersUp: []Candidate{}, Finalists: []Candidate{}, Pareto: []Pareto{}, Stages: []StageSummary{}}
	if sh != nil {
		r.Args = s.args
	}
	for _, c := range t.Conditions {
		r.Conditions = append(r.Conditions, c.Name)
	}
	keys := make([]evalKey, 0, len(s.evals))
	for k := range s.evals {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.stage != b.stage {
			return a.stage < b.stage
		}
		if a.cand != b.cand {
			return a.cand < b.cand
		}
		if a.cond != b.cond {
			return a.cond < b.cond
		}
		return a.rep < b.rep
	})
	stages := t.Stages()
	for _, k := range keys {
		r.Evaluations = append(r.Evaluations, s.evals[k])
		r.RunsUsed++
		r.SimulatedS += t.duration(stages[k.stage], k.cond).Seconds()
	}
	for _, st := range stages {
		cands := s.candidates(st)
		if len(cands) == 0 {
			break
		}
		runs := 0
		for _, j := range t.jobs(st, cands) {
			if _, ok := s.evals[j.key]; ok {
				runs++
			}
		}
		r.Stages = append(r.Stages, StageSummary{Name: st.Name(), Candidates: len(cands), Replications: st.Replications,
			Seed: st.Seed, DurationS: t.duration(st, 0).Seconds(), Runs: runs})
	}
	if partial {
		return r
	}
	r.Complete = true
	final := stages[len(stages)-1]
	for _, c := range s.candidates(final) {
		cand := s.finalist(final, c)
		if c == Current {
			r.Current = &cand
			continue
		}
		r.Finalists = append(r.Finalists, cand)
	}
	// The best feasible finalist; ties keep the design order.
	for i := range r.Finalists {
		f := &r.Finalists[i]
		if f.Feasible && (r.Best == nil || s.betterScore(f.Score, r.Best.Score)) {
			r.Best = f
		}
	}
	r.Pareto = s.pareto(stages[0])
	if r.Best == nil {
		r.Failure = s.failure(stages[0])
		return r
	}
	r.Feasible = true
	best := *r.Best
	r.Best = &best
	for i := range r.Finalists {
		f := &r.Finalists[i]
		if f.Index == best.Index {
			continue
		}
		f.VsBest = s.pairedVsBest(final, f.Index, best.Index)
		if f.Feasible && f.VsBest != nil && f.VsBest[0] <= 0 && 0 <= f.VsBest[1] {
			r.RunnersUp = append(r.RunnersUp, *f)
		}
	}
	if r.Current != nil {
		r.Current.VsBest = s.pairedVsBest(final, Current, best.Index)
	}
	r.Settings = t.settings(best.Index)
	return r
}

func (s *state) betterScore(a, b float64) bool {
	if s.t.Spec.Objective.Maximize {
		return a > b
	}
	return a < b
}

// finalist scores candidate c on the final stage's replications.
func (s *state) finalist(st Stage, c int) Candidate {
	t := s.t
	cand := Candidate{Index: c, Set: t.CandidateSets(c), Feasible: true}
	if cand.Set == nil {
		cand.Set = []string{}
	}
	var ws stats.Summary
	for _, w := range s.worstPerRep(st, c) {
		if !math.IsNaN(w) {
			ws.Add(w)
		}
	}
	ms := t.metrics()
	cand.Score = estimate("", &ws, ms[0].Unit).Mean
	cand.ScoreCI = estimate("", &ws, ms[0].Unit).CI95
	worst := math.NaN()
	for _, con := range t.Spec.Constraints {
		cand.Constraints = append(cand.Constraints, ConstraintResult{Constraint: con.String()})
	}
	for k, cond := range t.Conditions {
		sums := make([]stats.Summary, len(t.metrics()))
		for r := range st.Replications {
			ev, ok := s.evals[evalKey{st.Index, c, k, r}]
			if !ok {
				continue
			}
			for i, v := range ev.Values {
				if v != nil {
					sums[i].Add(*v)
				}
			}
		}
		obj := estimate(cond.Name, &sums[0], ms[0].Unit)
		cand.Objective = append(cand.Objective, obj)
		if sums[0].N() < st.Replications {
			cand.Feasible = false // a run did not define the objective
		}
		if sums[0].N() > 0 && (math.IsNaN(worst) || s.betterScore(worst, obj.Mean)) {
			worst, cand.WorstCondition = obj.Mean, cond.Name
		}
		for i, con := range t.Spec.Constraints {
			e := estimate(cond.Name, &sums[i+1], ms[i+1].Unit)
			far := e.Mean
			if e.CI95 != nil {
				far = e.CI95[1]
				if con.Op == AtLeast {
					far = e.CI95[0]
				}
			}
			holds := sums[i+1].N() > 0 && con.Holds(far)
			e.Holds = &holds
			if !holds {
				cand.Feasible = false
			}
			cand.Constraints[i].Conditions = append(cand.Constraints[i].Conditions, e)
		}
	}
	return cand
}

// estimate is a summary's mean and 95% interval, clipped to the range of
// the metric's unit u (metric.Clip), as every printed interval is.
func estimate(cond string, s *stats.Summary, u metric.Unit) Estimate {
	e := Estimate{Condition: cond, Mean: s.Mean()}
	if s.N() >= 2 {
		lo, hi := s.CI95()
		e.CI95 = (*CI)(metric.Clip(&[2]float64{lo, hi}, u))
	}
	return e
}

// worstPerRep is candidate c's objective in its worst condition, per
// replication of stage st (NaN where undefined).
func (s *state) worstPerRep(st Stage, c int) []float64 {
	out := make([]float64, st.Replications)
	for r := range out {
		w := math.NaN()
		for k := range s.t.Conditions {
			ev, ok := s.evals[evalKey{st.Index, c, k, r}]
			if !ok || ev.Values[0] == nil {
				w = math.NaN()
				break
			}
			if v := *ev.Values[0]; math.IsNaN(w) || s.betterScore(w, v) {
				w = v
			}
		}
		out[r] = w
	}
	return out
}

// pairedVsBest is the paired 95% interval of c - best on the per-
// replication worst case (common random numbers make the pairs).
func (s *state) pairedVsBest(st Stage, c, best int) *CI {
	a, b := s.worstPerRep(st, c), s.worstPerRep(st, best)
	var p stats.Paired
	for r := range a {
		if !math.IsNaN(a[r]) && !math.IsNaN(b[r]) {
			p.Add(b[r], a[r]) // Diff is the second minus the first: c - best
		}
	}
	if p.N() < 2 {
		return nil
	}
	iv := p.Diff()
	return &CI{iv.Lo, iv.Hi}
}

// worstOver is candidate c's worst mean of metric i over conditions at
// stage st; for a constraint "worst" is towards breaking it.
func (s *state) worstOver(st Stage, c, i int, lowerWorse bool) (float64, string) {
	w, at := math.NaN(), ""
	for k, cond := range s.t.Conditions {
		v := s.means(st, c, k)[i]
		if math.IsNaN(v) {
			continue
		}
		if math.IsNaN(w) || (lowerWorse && v < w) || (!lowerWorse && v > w) {
			w, at = v, cond.Name
		}
	}
	return w, at
}

// pareto is, for each constraint, the candidates of stage st that no
// other beats on both the objective and the constraint.
func (s *state) pareto(st Stage) []Pareto {
	t := s.t
	out := []Pareto{}
	cands := s.candidates(st)
	for i, con := range t.Spec.Constraints {
		type pt struct {
			c    int
			o, v float64
		}
		var pts []pt
		for _, c := range cands {
			if c == Current {
				continue
			}
			o, _ := s.worstOver(st, c, 0, t.Spec.Objective.Maximize)
			v, _ := s.worstOver(st, c, i+1, con.Op == AtLeast)
			if !math.IsNaN(o) && !math.IsNaN(v) {
				pts = append(pts, pt{c, o, v})
			}
		}
		// Orient both so that lower is better.
		key := func(p pt) (float64, float64) {
			o, v := p.o, p.v
			if t.Spec.Objective.Maximize {
				o = -o
			}
			if con.Op == AtLeast {
				v = -v
			}
			return o, v
		}
		front := Pareto{Constraint: con.String(), Points: []ParetoPoint{}}
		for _, p := range pts {
			po, pv := key(p)
			dominated := false
			for _, q := range pts {
				qo, qv := key(q)
				if qo <= po && qv <= pv && (qo < po || qv < pv) {
					dominated = true
					break
				}
			}
			if !dominated {
				front.Points = append(front.Points, ParetoPoint{Candidate: p.c, Set: t.CandidateSets(p.c), Objective: p.o, Constraint: p.v})
			}
		}
		slices.SortStableFunc(front.Points, func(a, b ParetoPoint) int {
			switch {
			case a.Objective < b.Objective:
				return -1
			case a.Objective > b.Objective:
				return 1
			}
			return a.Candidate - b.Candidate
		})
		out = append(out, front)
	}
	return out
}

// failure finds the constraint broken by the most candidates at stage
// st and the closest miss.
func (s *state) failure(st Stage) *Failure {
	t := s.t
	var best *Failure
	cands := s.candidates(st)
	for i, con := range t.Spec.Constraints {
		f := &Failure{Constraint: con.String(), Of: len(cands), Relative: math.Inf(1)}
		for _, c := range cands {
			v, at := s.worstOver(st, c, i+1, con.Op == AtLeast)
			if math.IsNaN(v) || con.Holds(v) {
				continue
			}
			f.Broken++
			if rel := con.Violation(v); rel < f.Relative {
				f.Relative, f.Closest, f.Condition = rel, v, at
			}
		}
		if f.Broken > 0 && (best == nil || f.Broken > best.Broken) {
			best = f
		}
	}
	if best == nil {
		// Every constraint held in the first rung; the finalists broke
		// them on the final seed.
		return &Failure{Constraint: "(the first rung's feasible candidates broke a constraint at the far end of its 95% interval on the final seed)"}
	}
	return best
}

// Message explains a failure in one line.
func (f *Failure) Message() string {
	if f.Of == 0 {
		return "no feasible candidate " + f.Constraint
	}
	return fmt.Sprintf("no feasible candidate: %s was broken by %d of %d candidates in the first rung; the closest miss is %.4g in condition %s (%.1f%% past the bound)",
		f.Constraint, f.Broken, f.Of, f.Closest, f.Condition, 100*f.Relative)
}

// simSeconds formats a duration in seconds for tables.
func simSeconds(s float64) string { return time.Duration(s * float64(time.Second)).String() }

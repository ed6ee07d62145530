package tune

import (
	"fmt"
	"slices"

	"github.com/checkoutsim/checkoutsim/experiments/shard"
)

// Merge combines part files and states of one search (names are used in
// messages): their evaluations, each computed once whoever ran it, give
// the same answer an unsharded run gives once every stage is done, and
// otherwise a state to continue from (Complete false). It refuses parts
// of different searches and two different values for one run.
func Merge(names []string, parts []*Result) (*Result, error) {
	st, err := merge(names, parts)
	if err != nil {
		return nil, err
	}
	return st.result(nil, !st.complete()), nil
}

// MergeParts is Merge for the part files of one sharded stage (and the
// state they started from), as 'checkoutsim merge' reads them. It also
// refuses a shard given twice, parts of different shard counts, and a
// stage the shards began but did not finish: a shard that did not run or
// was interrupted. Then it names the shards whose runs are missing and,
// from the command line the parts recorded (--state included), the
// sbatch line that reruns only them.
//
// A stage none of whose runs is in the parts is not refused: that is the
// state between two stages (the next stage has not run yet).
func MergeParts(names []string, parts []*Result) (*Result, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("merge: no part files given")
	}
	var first *Result // the first part of a shard
	var firstName string
	seen := map[int]string{}
	for k, p := range parts {
		if p.Shard == nil {
			continue
		}
		if first == nil {
			first, firstName = p, names[k]
		}
		if p.Shard.Count != first.Shard.Count {
			return nil, fmt.Errorf("merge: %s and %s come from different splits of a stage: shard.count is %d in %s, %d in %s (merge the parts of one stage, all written with the same --shards N)",
				firstName, names[k], first.Shard.Count, firstName, p.Shard.Count, names[k])
		}
		if prev, dup := seen[p.Shard.Index]; dup {
			return nil, fmt.Errorf("merge: shard %s is in both %s and %s (give each part once)", p.Shard, prev, names[k])
		}
		seen[p.Shard.Index] = names[k]
	}
	st, err := merge(names, parts)
	if err != nil {
		return nil, err
	}
	if first != nil {
		if stage, missing, total := st.unfinished(); len(missing) > 0 {
			shards := shard.Missing(missing, first.Shard.Count)
			hint := fmt.Sprintf(" (shards %s: rerun them with the same command, --resume and their part files)", shard.IntList(shards, 20))
			if len(first.Args) > 0 {
				hint = shard.RerunHint(shards, first.Shard.Count, first.Args)
			}
			return nil, fmt.Errorf("merge: incomplete: %s of the search has %d of %d runs missing%s",
				stage.Name(), len(missing), total, hint)
		}
	}
	return st.result(nil, !st.complete()), nil
}

// merge is the state holding every part's evaluations.
func merge(names []string, parts []*Result) (*state, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("merge: no part files given")
	}
	first := parts[0]
	seen := map[evalKey]int{}
	var evals []Evaluation
	for k, p := range parts {
		if p.SpecSHA256 != first.SpecSHA256 {
			return nil, fmt.Errorf("merge: %s and %s belong to different searches (spec_sha256 %.12s... vs %.12s...)", names[0], names[k], first.SpecSHA256, p.SpecSHA256)
		}
		for _, ev := range p.Evaluations {
			if j, dup := seen[ev.key()]; dup {
				if !sameValues(evals[j].Values, ev.Values) {
					return nil, fmt.Errorf("merge: %s and %s disagree on stage %d, candidate %d, condition %d, replication %d", names[0], names[k], ev.Stage, ev.Candidate, ev.Condition, ev.Rep)
				}
				continue
			}
			seen[ev.key()] = len(evals)
			evals = append(evals, ev)
		}
	}
	t, err := New(first.Spec)
	if err != nil {
		return nil, fmt.Errorf("merge: %s: the search cannot be rebuilt: %w", names[0], err)
	}
	if t.SpecSHA256 != first.SpecSHA256 {
		return nil, fmt.Errorf("merge: %s: the scenario or a condition file changed since the search ran", names[0])
	}
	st := newState(t)
	if err := st.resume(&Result{SpecSHA256: first.SpecSHA256, Evaluations: evals}); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	return st, nil
}

// ReadStates reads the results (states, part files, checkpoints) of one
// search and merges them: what a shard of the next stage starts from. No
// names: nil.
func ReadStates(names ...string) (*Result, error) {
	var parts []*Result
	for _, name := range names {
		r, err := ReadResult(name)
		if err != nil {
			return nil, err
		}
		parts = append(parts, r)
	}
	switch len(parts) {
	case 0:
		return nil, nil
	case 1:
		return parts[0], nil
	}
	return Merge(names, parts)
}

func sameValues(a, b []*float64) bool {
	return slices.EqualFunc(a, b, func(x, y *float64) bool {
		return (x == nil && y == nil) || (x != nil && y != nil && *x == *y)
	})
}

// complete reports whether every stage has run.
func (s *state) complete() bool {
	for _, st := range s.t.Stages() {
		cands := s.candidates(st)
		if len(cands) == 0 || !s.stageComplete(st, s.t.jobs(st, cands)) {
			return false
		}
	}
	return true
}

// unfinished finds the first stage that has begun (some of its runs are
// evaluated) but not finished: the indexes of its missing jobs (in the
// order shards split them) and its number of jobs. None: no missing jobs.
func (s *state) unfinished() (Stage, []int, int) {
	for _, st := range s.t.Stages() {
		cands := s.candidates(st)
		if len(cands) == 0 {
			break
		}
		jobs := s.t.jobs(st, cands)
		var missing []int
		for i, j := range jobs {
			if _, ok := s.evals[j.key]; !ok {
				missing = append(missing, i)
			}
		}
		if len(missing) == 0 {
			continue
		}
		if len(missing) < len(jobs) {
			return st, missing, len(jobs)
		}
		break // not begun: the state between two stages
	}
	return Stage{}, nil, 0
}

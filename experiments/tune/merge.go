package tune

import (
	"fmt"
	"slices"
)

// Merge combines part files and states of one search (names are used in
// messages): their evaluations, each computed once whoever ran it, give
// the same answer an unsharded run gives once every stage is done, and
// otherwise a state to continue from (Complete false). It refuses parts
// of different searches and two different values for one run.
func Merge(names []string, parts []*Result) (*Result, error) {
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
	return st.result(nil, !st.complete()), nil
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

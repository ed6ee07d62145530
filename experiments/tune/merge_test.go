package tune

import (
	"fmt"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/shard"
)

// fakeParts are the part files of the first stage of smallSpec split in
// count shards as Run splits it, with made-up values (merging simulates
// nothing): shard i holds the first held[i] runs of its share (-1: all;
// absent from held: no part file).
func fakeParts(t *testing.T, count int, held map[int]int, args []string) ([]string, []*Result) {
	t.Helper()
	tu, err := New(smallSpec(t))
	if err != nil {
		t.Fatal(err)
	}
	stage := tu.Stages()[0]
	jobs := tu.jobs(stage, newState(tu).candidates(stage))
	var names []string
	var parts []*Result
	for i := range count {
		n, ok := held[i]
		if !ok {
			continue
		}
		st := newState(tu)
		st.args = args
		for k, j := range jobs {
			if k%count != i || n == 0 {
				continue
			}
			n--
			v := float64(k)
			st.add(Evaluation{Stage: j.key.stage, Candidate: j.key.cand, Condition: j.key.cond, Rep: j.key.rep, Values: []*float64{&v, &v}})
		}
		names = append(names, fmt.Sprintf("part-%d.json", i))
		parts = append(parts, st.result(&shard.Shard{Index: i, Count: count}, true))
	}
	return names, parts
}

// merge of one stage's parts: the state for the next stage when every
// shard finished; otherwise refused, naming the shards whose runs are
// missing and the sbatch line (the parts' command, --state included)
// that reruns only them.
func TestMergeParts(t *testing.T) {
	args := []string{"tune", "--spec", "tune.yaml", "--state", "state-1.json"}
	// smallSpec's first stage: 6 candidates x 2 conditions x 1 replication.
	for _, tc := range []struct {
		name  string
		count int
		held  map[int]int
		args  []string
		want  []string // in the error; none: merged
	}{
		{"every shard finished", 3, map[int]int{0: -1, 1: -1, 2: -1}, args, nil},
		{"one shard", 1, map[int]int{0: -1}, args, nil},
		{"shard 1 did not run", 3, map[int]int{0: -1, 2: -1}, args, []string{
			"merge: incomplete: rung 1 of the search has 4 of 12 runs missing (shards 1/3: missing or interrupted",
			"\n  sbatch --array=1 deploy/slurm/shard.sbatch tune --spec tune.yaml --state state-1.json --shards 3\n"}},
		{"shard 1 interrupted after one run", 3, map[int]int{0: -1, 1: 1, 2: -1}, args, []string{
			"has 3 of 12 runs missing", "sbatch --array=1 deploy/slurm/shard.sbatch"}},
		{"two shards missing", 4, map[int]int{0: -1, 2: 2}, args, []string{
			"has 7 of 12 runs missing (shards 1/4, 2/4, 3/4: missing or interrupted", "sbatch --array=1,2,3 "}},
		{"parts without a command line", 3, map[int]int{0: -1, 2: -1}, nil, []string{
			"4 of 12 runs missing (shards 1: rerun them with the same command, --resume and their part files)"}},
	} {
		names, parts := fakeParts(t, tc.count, tc.held, tc.args)
		got, err := MergeParts(names, parts)
		if tc.want == nil {
			if err != nil || got.Complete || len(got.Evaluations) != 12 || len(got.Stages) != 2 || got.Stages[1].Runs != 0 {
				t.Errorf("%s: %v, %+v; want the state for stage 2", tc.name, err, got)
				continue
			}
			// That state (no shard) merges alone: the next stage has
			// not begun, nothing is missing.
			if _, err := MergeParts([]string{"state.json"}, []*Result{got}); err != nil {
				t.Errorf("%s: the merged state alone: %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: merged; want an error with %q", tc.name, tc.want)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s:\n%v\nwant it to contain %q", tc.name, err, w)
			}
		}
	}

	// Parts that do not belong together.
	names, parts := fakeParts(t, 3, map[int]int{0: -1, 1: -1}, args)
	for _, tc := range []struct {
		name  string
		names []string
		parts []*Result
		want  string
	}{
		{"a shard twice", []string{names[0], "copy.json", names[1]}, []*Result{parts[0], parts[0], parts[1]}, "shard 0/3 is in both part-0.json and copy.json"},
		{"another split", names, []*Result{parts[0], withShard(parts[1], 1, 4)}, "shard.count is 3 in part-0.json, 4 in part-1.json"},
	} {
		if _, err := MergeParts(tc.names, tc.parts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an error with %q", tc.name, err, tc.want)
		}
	}
}

func withShard(r *Result, index, count int) *Result {
	c := *r
	c.Shard = &shard.Shard{Index: index, Count: count}
	return &c
}

package shard

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		s               string
		count           int
		envName, envVal string
		want            Shard
		err             string
	}{
		{"0/3", 0, "", "", Shard{Index: 0, Count: 3}, ""},
		{"2/3", 0, "", "", Shard{Index: 2, Count: 3}, ""},
		{"1", 4, "", "", Shard{Index: 1, Count: 4}, ""},
		{"/5", 0, "JOB_COMPLETION_INDEX", "4", Shard{Index: 4, Count: 5}, ""},
		{"", 5, "SLURM_ARRAY_TASK_ID", "0", Shard{Index: 0, Count: 5}, ""},
		{"3/3", 0, "", "", Shard{}, "out of range"},
		{"-1/3", 0, "", "", Shard{}, "out of range"},
		{"0/0", 0, "", "", Shard{}, "must be >= 1"},
		{"0/-2", 0, "", "", Shard{}, "must be >= 1"},
		{"a/3", 0, "", "", Shard{}, `index "a" is not an integer`},
		{"1/x", 0, "", "", Shard{}, `count "x" is not an integer`},
		{"1", 0, "", "", Shard{}, "without a shard count"},
		{"1/3", 3, "", "", Shard{}, "give the shard count once"},
		{"/3", 0, "", "", Shard{}, "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID"},
		{"", 3, "JOB_COMPLETION_INDEX", "7", Shard{}, "JOB_COMPLETION_INDEX: shard index 7 out of range"},
		{"", 3, "SLURM_ARRAY_TASK_ID", "x1", Shard{}, `SLURM_ARRAY_TASK_ID: shard index "x1" is not an integer`},
	} {
		got, err := Parse(tc.s, tc.count, tc.envName, tc.envVal)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q, %d, %s=%q): error %v, want %q", tc.s, tc.count, tc.envName, tc.envVal, err, tc.err)
			}
			continue
		}
		if err != nil || *got != tc.want {
			t.Errorf("ParseShard(%q, %d, %s=%q) = %v, %v; want %v", tc.s, tc.count, tc.envName, tc.envVal, got, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("1/3", 0, "7")
	f.Add("/4", 0, "2")
	f.Add("", 2, "1")
	f.Fuzz(func(t *testing.T, s string, count int, env string) {
		sh, err := Parse(s, count, "JOB_COMPLETION_INDEX", env)
		if err == nil && !(sh.Count >= 1 && sh.Index >= 0 && sh.Index < sh.Count) {
			t.Fatalf("ParseShard(%q, %d, %q) = %v: out of range without error", s, count, env, sh)
		}
	})
}

// Several missing shards are rerun by one sbatch line; arguments the shell
// would split or expand are quoted, and the quoting survives a real shell.
func TestRerunHint(t *testing.T) {
	args := []string{"sweep", "my scenario.yaml", "--set", "note=it's", "--param", "services[0].cpu=lognormal(median=1ms, p99=5ms),exponential(mean=2ms)"}
	got := RerunHint([]int{1, 4}, 6, args)
	line := `sbatch --array=1,4 deploy/slurm/shard.sbatch sweep 'my scenario.yaml' --set 'note=it'\''s' --param 'services[0].cpu=lognormal(median=1ms, p99=5ms),exponential(mean=2ms)' --shards 6`
	for _, w := range []string{"shards 1/6, 4/6: missing or interrupted", "\n  " + line + "\n", "--shard i/6 --resume"} {
		if !strings.Contains(got, w) {
			t.Errorf("RerunHint:\n%s\nwant it to contain %q", got, w)
		}
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to check the quoting")
	}
	out, err := exec.Command(sh, "-c", "printf '%s\\n' "+strings.TrimPrefix(line, "sbatch ")).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"--array=1,4", SlurmTemplate}, args...)
	want = append(want, "--shards", "6")
	if words := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"); !slices.Equal(words, want) {
		t.Errorf("the shell reads the line as %q, want %q", words, want)
	}
}

func ExampleParse() {
	// As in a Kubernetes Indexed Job: --shards 4, JOB_COMPLETION_INDEX=2.
	s, err := Parse("", 4, "JOB_COMPLETION_INDEX", "2")
	fmt.Println(s, err)
	_, err = Parse("4/4", 0, "", "")
	fmt.Println(err)
	// Output:
	// 2/4 <nil>
	// --shard: shard index 4 out of range: want 0 <= index < 4
}

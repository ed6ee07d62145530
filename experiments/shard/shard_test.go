package shard

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
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

// Args gives back the command as set (every value of a repeated flag, in
// order), without the flags a rerun sets itself; the flags left out can
// be written either way.
func TestArgs(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want []string
	}{
		{[]string{"--knob", "a=1..2", "--seed", "3", "--knob", "b=x,y", "--shards", "3", "--resume", "--out", "p.json", "--state", "s.json"},
			[]string{"tune", "scen", "--knob", "a=1..2", "--knob", "b=x,y", "--seed", "3", "--state", "s.json"}},
		{[]string{"--shard=1/4", "--out=p.json", "--resume=true", "--quiet"},
			[]string{"tune", "scen", "--quiet=true"}},
		{[]string{"--set", "duration=2m", "--quiet=false"},
			[]string{"tune", "scen", "--quiet=false", "--set", "duration=2m"}},
		{nil, []string{"tune", "scen"}},
	} {
		fs := pflag.NewFlagSet("tune", pflag.ContinueOnError)
		fs.StringArray("knob", nil, "")
		fs.StringArray("set", nil, "")
		fs.Uint64("seed", 1, "")
		fs.Int("shards", 0, "")
		fs.String("shard", "", "")
		fs.Bool("resume", false, "")
		fs.Bool("quiet", false, "")
		fs.String("out", "", "")
		fs.String("state", "", "")
		if err := fs.Parse(tc.argv); err != nil {
			t.Fatal(err)
		}
		if got := Args("tune", []string{"scen"}, fs); !slices.Equal(got, tc.want) {
			t.Errorf("Args(%q) = %q, want %q", tc.argv, got, tc.want)
		}
	}
}

// The index comes from the flags first, then from the first engine
// variable set.
func TestFromFlags(t *testing.T) {
	for _, tc := range []struct {
		raw   string
		count int
		env   map[string]string
		want  string
		err   string
	}{
		{"1/3", 0, map[string]string{"SLURM_ARRAY_TASK_ID": "2"}, "1/3", ""},
		{"", 3, map[string]string{"SLURM_ARRAY_TASK_ID": "2"}, "2/3", ""},
		{"", 3, map[string]string{"JOB_COMPLETION_INDEX": "0", "SLURM_ARRAY_TASK_ID": "2"}, "0/3", ""},
		{"", 3, map[string]string{"SLURM_ARRAY_TASK_ID": "5"}, "", "SLURM_ARRAY_TASK_ID: shard index 5 out of range"},
		{"", 3, nil, "", "neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set"},
	} {
		s, err := FromFlags(tc.raw, tc.count, func(k string) string { return tc.env[k] })
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("FromFlags(%q, %d, %v) = %v, %v; want an error with %q", tc.raw, tc.count, tc.env, s, err, tc.err)
			}
			continue
		}
		if err != nil || s.String() != tc.want {
			t.Errorf("FromFlags(%q, %d, %v) = %v, %v; want %s", tc.raw, tc.count, tc.env, s, err, tc.want)
		}
	}
}

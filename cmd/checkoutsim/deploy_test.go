package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/experiments"
)

// The batch-engine templates in deploy/ must run commands this CLI
// accepts, with the shard index taken from the engine's variable and the
// shard count matching the number of tasks.

// k8sJob is the part of a Job manifest the checks read.
type k8sJob struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		CompletionMode string `yaml:"completionMode"`
		Completions    int    `yaml:"completions"`
		Parallelism    int    `yaml:"parallelism"`
		Template       struct {
			Spec struct {
				RestartPolicy string `yaml:"restartPolicy"`
				Containers    []struct {
					Command      []string `yaml:"command"`
					Args         []string `yaml:"args"`
					VolumeMounts []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
				Volumes []struct {
					Name string `yaml:"name"`
					PVC  *struct {
						ClaimName string `yaml:"claimName"`
					} `yaml:"persistentVolumeClaim"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

// readJobs decodes every document of a manifest, keeping the Jobs and the
// names of the PersistentVolumeClaims.
func readJobs(t *testing.T, path string) (jobs []k8sJob, claims []string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var node yaml.Node
		if err := dec.Decode(&node); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var head struct {
			Kind     string `yaml:"kind"`
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
		}
		if err := node.Decode(&head); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch head.Kind {
		case "Job":
			var j k8sJob
			if err := node.Decode(&j); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			jobs = append(jobs, j)
		case "PersistentVolumeClaim":
			claims = append(claims, head.Metadata.Name)
		}
	}
	return jobs, claims
}

// parseSweep runs the sweep command's flag parsing and validation on args
// with the given environment, and checks that the grid loads (every
// parameter value and point is valid for the scenario). It runs nothing.
func parseSweep(t *testing.T, args []string, env map[string]string) *sweepOptions {
	t.Helper()
	var got *sweepOptions
	cmd := newSweepCmdWith(func(k string) string { return env[k] },
		func(_ context.Context, o *sweepOptions, _, _ io.Writer) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("sweep %q: %v", args, err)
	}
	if _, err := experiments.NewSweep(got.scenario, got.gridSets(), got.params); err != nil {
		t.Fatalf("sweep %q: the grid does not load: %v", args, err)
	}
	return got
}

func TestDeployKubernetesIndexedJob(t *testing.T) {
	jobs, claims := readJobs(t, "../../deploy/kubernetes/sweep-job.yaml")
	if len(jobs) != 1 {
		t.Fatalf("sweep-job.yaml holds %d Jobs, want 1", len(jobs))
	}
	j := jobs[0]
	n := j.Spec.Completions
	if j.Spec.CompletionMode != "Indexed" || n < 1 || j.Spec.Parallelism < 1 || j.Spec.Parallelism > n {
		t.Fatalf("job spec %+v: want completionMode Indexed, completions >= 1, 1 <= parallelism <= completions", j.Spec)
	}
	if p := j.Spec.Template.Spec.RestartPolicy; p != "Never" && p != "OnFailure" {
		t.Errorf("restartPolicy %q: a Job needs Never or OnFailure", p)
	}
	if len(j.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("want one container")
	}
	c := j.Spec.Template.Spec.Containers[0]
	if len(c.Command) != 1 || c.Command[0] != "checkoutsim" || len(c.Args) == 0 || c.Args[0] != "sweep" {
		t.Fatalf("command %q args %q: want checkoutsim sweep ...", c.Command, c.Args)
	}
	// The shard flag takes its index from the Job controller's variable
	// and its count from completions.
	shardArg := ""
	for i, a := range c.Args {
		if a == "--shard" && i+1 < len(c.Args) {
			shardArg = c.Args[i+1]
		}
	}
	if want := fmt.Sprintf("$(JOB_COMPLETION_INDEX)/%d", n); shardArg != want {
		t.Errorf("--shard %q, want %q (completions %d)", shardArg, want, n)
	}
	// The output goes to a mounted volume backed by the manifest's claim,
	// one file per index.
	out := argAfter(c.Args, "--out")
	if !strings.Contains(out, "$(JOB_COMPLETION_INDEX)") {
		t.Errorf("--out %q does not name the part by JOB_COMPLETION_INDEX", out)
	}
	mounted := false
	for _, m := range c.VolumeMounts {
		if strings.HasPrefix(out, strings.TrimSuffix(m.MountPath, "/")+"/") {
			for _, v := range j.Spec.Template.Spec.Volumes {
				if v.Name == m.Name && v.PVC != nil && containsString(claims, v.PVC.ClaimName) {
					mounted = true
				}
			}
		}
	}
	if !mounted {
		t.Errorf("--out %q is not on a volume backed by a PersistentVolumeClaim of the manifest (claims %q)", out, claims)
	}
	// Kubernetes expands $(JOB_COMPLETION_INDEX) itself; with each index,
	// the CLI must accept the command and pick the right shard.
	var outs []string
	for i := range n {
		args := make([]string, len(c.Args)-1)
		for k, a := range c.Args[1:] {
			args[k] = strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", strconv.Itoa(i))
		}
		o := parseSweep(t, args, map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)})
		if want := fmt.Sprintf("%d/%d", i, n); o.shard.String() != want || o.output != "json" || !o.resume {
			t.Errorf("index %d: shard %s output %s resume %v, want %s json true", i, o.shard, o.output, o.resume, want)
		}
		outs = append(outs, o.out)
	}

	// The merge Job reads exactly those parts.
	mjobs, _ := readJobs(t, "../../deploy/kubernetes/merge-job.yaml")
	if len(mjobs) != 1 || len(mjobs[0].Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("merge-job.yaml: want one Job with one container")
	}
	margs := mjobs[0].Spec.Template.Spec.Containers[0].Args
	if len(margs) < n+1 || margs[0] != "merge" || strings.Join(margs[1:n+1], " ") != strings.Join(outs, " ") {
		t.Errorf("merge args %q, want merge %q ...", margs, outs)
	}
	var got *mergeOptions
	cmd := newMergeCmdWith(func(o *mergeOptions, _ io.Writer) error { got = o; return nil })
	cmd.SetArgs(margs[1:])
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil || got == nil || len(got.parts) != n {
		t.Errorf("merge %q: %v, parts %v", margs, err, got)
	}
}

func TestDeploySlurmArray(t *testing.T) {
	const path = "../../deploy/slurm/sweep.sbatch"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	script := string(data)
	if bash, err := exec.LookPath("bash"); err == nil {
		if out, err := exec.Command(bash, "-n", path).CombinedOutput(); err != nil {
			t.Errorf("bash -n %s: %v\n%s", path, err, out)
		}
	}
	m := regexp.MustCompile(`(?m)^#SBATCH --array=0-(\d+)`).FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("%s: no #SBATCH --array=0-N line", path)
	}
	last, _ := strconv.Atoi(m[1])
	n := last + 1
	// The checkoutsim line, with its continuation lines joined.
	joined := strings.ReplaceAll(script, "\\\n", " ")
	var line string
	for _, l := range strings.Split(joined, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "checkoutsim sweep ") {
			line = strings.TrimSpace(l)
		}
	}
	if line == "" {
		t.Fatalf("%s: no checkoutsim sweep command", path)
	}
	if !strings.Contains(line, `--shard "${SLURM_ARRAY_TASK_ID}/${SHARDS}"`) {
		t.Errorf("the command does not take its shard from SLURM_ARRAY_TASK_ID: %s", line)
	}
	// As Slurm would run task i of an array 0-(n-1).
	for i := range n {
		vars := map[string]string{"SLURM_ARRAY_TASK_ID": strconv.Itoa(i), "SHARDS": strconv.Itoa(n)}
		words := shellWords(t, line, vars)
		o := parseSweep(t, words[2:], map[string]string{"SLURM_ARRAY_TASK_ID": strconv.Itoa(i)})
		if want := fmt.Sprintf("%d/%d", i, n); o.shard.String() != want || o.out != fmt.Sprintf("results/part-%d.json", i) {
			t.Errorf("task %d: shard %s out %s, want %s results/part-%d.json", i, o.shard, o.out, want, i)
		}
	}
}

// shellWords splits a simple shell command line: blanks separate words,
// double quotes group, ${VAR} expands from vars (an unknown one fails).
func shellWords(t *testing.T, line string, vars map[string]string) []string {
	t.Helper()
	expanded := regexp.MustCompile(`\$\{(\w+)\}`).ReplaceAllStringFunc(line, func(s string) string {
		name := s[2 : len(s)-1]
		v, ok := vars[name]
		if !ok {
			t.Fatalf("unknown variable %s in %q", name, line)
		}
		return v
	})
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range expanded {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

func argAfter(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// The README's commands use flags that exist.
func TestDeployReadmeFlags(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "deploy", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	root := newRootCmd(io.Discard, io.Discard)
	lines := regexp.MustCompile(`checkoutsim (sweep|merge|capacity)[^\n]*`).FindAllStringSubmatch(string(data), -1)
	if len(lines) < 3 {
		t.Fatalf("deploy/README.md shows %d checkoutsim commands, want the sweep, merge and resume steps", len(lines))
	}
	for _, m := range lines {
		sub, _, err := root.Find([]string{m[1]})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range regexp.MustCompile(`\s--([a-z][a-z0-9-]*)`).FindAllStringSubmatch(m[0], -1) {
			if sub.Flags().Lookup(f[1]) == nil {
				t.Errorf("deploy/README.md uses --%s, which %s does not have: %s", f[1], m[1], m[0])
			}
		}
	}
}

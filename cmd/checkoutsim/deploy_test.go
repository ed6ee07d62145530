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
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/sweep"
	"github.com/checkoutsim/checkoutsim/experiments/tune"
	"go.yaml.in/yaml/v3"
)

// The batch-engine templates in deploy/ must be valid for their engine
// and run commands this CLI accepts, with the shard index taken from the
// engine's variable and the shard count matching the number of tasks.
// deploy/slurm/e2e.sh runs the Slurm templates on a real cluster (.ci/run);
// these tests need no engine.

// The subset of the Kubernetes schema (batch/v1 Job, v1
// PersistentVolumeClaim) that the templates use, decoded strictly: a field
// that is not declared here is refused, as `kubectl apply --validate=strict`
// refuses a field the API does not know. A template that needs another
// field adds it here, under its API name.
type (
	k8sMeta struct {
		Name        string            `yaml:"name"`
		Namespace   string            `yaml:"namespace"`
		Labels      map[string]string `yaml:"labels"`
		Annotations map[string]string `yaml:"annotations"`
	}
	k8sJob struct {
		APIVersion string  `yaml:"apiVersion"`
		Kind       string  `yaml:"kind"`
		Metadata   k8sMeta `yaml:"metadata"`
		Spec       struct {
			CompletionMode          string `yaml:"completionMode"`
			Completions             *int   `yaml:"completions"`
			Parallelism             *int   `yaml:"parallelism"`
			BackoffLimit            *int   `yaml:"backoffLimit"`
			BackoffLimitPerIndex    *int   `yaml:"backoffLimitPerIndex"`
			ActiveDeadlineSeconds   *int   `yaml:"activeDeadlineSeconds"`
			TTLSecondsAfterFinished *int   `yaml:"ttlSecondsAfterFinished"`
			Suspend                 *bool  `yaml:"suspend"`
			Template                struct {
				Metadata k8sMeta    `yaml:"metadata"`
				Spec     k8sPodSpec `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	k8sPodSpec struct {
		RestartPolicy      string            `yaml:"restartPolicy"`
		ServiceAccountName string            `yaml:"serviceAccountName"`
		NodeSelector       map[string]string `yaml:"nodeSelector"`
		SecurityContext    struct {
			RunAsNonRoot *bool `yaml:"runAsNonRoot"`
			RunAsUser    *int  `yaml:"runAsUser"`
			RunAsGroup   *int  `yaml:"runAsGroup"`
			FSGroup      *int  `yaml:"fsGroup"`
		} `yaml:"securityContext"`
		Containers []k8sContainer `yaml:"containers"`
		Volumes    []struct {
			Name string `yaml:"name"`
			PVC  *struct {
				ClaimName string `yaml:"claimName"`
				ReadOnly  bool   `yaml:"readOnly"`
			} `yaml:"persistentVolumeClaim"`
			EmptyDir *struct {
				SizeLimit string `yaml:"sizeLimit"`
			} `yaml:"emptyDir"`
		} `yaml:"volumes"`
	}
	k8sContainer struct {
		Name            string   `yaml:"name"`
		Image           string   `yaml:"image"`
		ImagePullPolicy string   `yaml:"imagePullPolicy"`
		Command         []string `yaml:"command"`
		Args            []string `yaml:"args"`
		WorkingDir      string   `yaml:"workingDir"`
		Env             []struct {
			Name  string `yaml:"name"`
			Value string `yaml:"value"`
		} `yaml:"env"`
		Resources struct {
			Requests map[string]string `yaml:"requests"`
			Limits   map[string]string `yaml:"limits"`
		} `yaml:"resources"`
		VolumeMounts []struct {
			Name      string `yaml:"name"`
			MountPath string `yaml:"mountPath"`
			ReadOnly  bool   `yaml:"readOnly"`
		} `yaml:"volumeMounts"`
	}
	k8sPVC struct {
		APIVersion string  `yaml:"apiVersion"`
		Kind       string  `yaml:"kind"`
		Metadata   k8sMeta `yaml:"metadata"`
		Spec       struct {
			AccessModes      []string `yaml:"accessModes"`
			StorageClassName *string  `yaml:"storageClassName"`
			Resources        struct {
				Requests map[string]string `yaml:"requests"`
			} `yaml:"resources"`
		} `yaml:"spec"`
	}
)

var (
	dnsLabel    = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	quantity    = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$`)
	k8sVarRef   = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	accessModes = []string{"ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"}
)

// decodeManifest decodes every document of a manifest strictly and checks
// the rules of the schema the API server would apply: kinds and API
// versions, names, enums, quantities, mounts of declared volumes, and
// $(VAR) references to variables the container has (Kubernetes leaves an
// unknown $(VAR) unexpanded, silently).
func decodeManifest(name string, data []byte) (jobs []k8sJob, claims []string, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for doc := 1; ; doc++ {
		var node yaml.Node
		if err := dec.Decode(&node); errors.Is(err, io.EOF) {
			return jobs, claims, nil
		} else if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", name, err)
		}
		var head struct {
			Kind string `yaml:"kind"`
		}
		if err := node.Decode(&head); err != nil {
			return nil, nil, fmt.Errorf("%s: document %d: %v", name, doc, err)
		}
		// yaml.Node.Decode has no strict mode: re-encode the document and
		// decode it with KnownFields.
		raw, err := yaml.Marshal(&node)
		if err != nil {
			return nil, nil, err
		}
		strict := yaml.NewDecoder(bytes.NewReader(raw))
		strict.KnownFields(true)
		switch head.Kind {
		case "Job":
			var j k8sJob
			if err := strict.Decode(&j); err != nil {
				return nil, nil, fmt.Errorf("%s: Job: %v", name, err)
			}
			if err := checkJob(&j); err != nil {
				return nil, nil, fmt.Errorf("%s: Job %s: %v", name, j.Metadata.Name, err)
			}
			jobs = append(jobs, j)
		case "PersistentVolumeClaim":
			var c k8sPVC
			if err := strict.Decode(&c); err != nil {
				return nil, nil, fmt.Errorf("%s: PersistentVolumeClaim: %v", name, err)
			}
			if err := checkPVC(&c); err != nil {
				return nil, nil, fmt.Errorf("%s: PersistentVolumeClaim %s: %v", name, c.Metadata.Name, err)
			}
			claims = append(claims, c.Metadata.Name)
		default:
			return nil, nil, fmt.Errorf("%s: document %d: kind %q: the templates hold only Jobs and PersistentVolumeClaims", name, doc, head.Kind)
		}
	}
}

func checkJob(j *k8sJob) error {
	s := &j.Spec
	switch {
	case j.APIVersion != "batch/v1":
		return fmt.Errorf("apiVersion %q, want batch/v1", j.APIVersion)
	case !dnsLabel.MatchString(j.Metadata.Name):
		// An Indexed Job's name is part of its pods' hostnames: a DNS label.
		return fmt.Errorf("metadata.name %q is not a DNS label", j.Metadata.Name)
	case !slices.Contains([]string{"", "NonIndexed", "Indexed"}, s.CompletionMode):
		return fmt.Errorf("spec.completionMode %q: want NonIndexed or Indexed", s.CompletionMode)
	case s.CompletionMode == "Indexed" && s.Completions == nil:
		return fmt.Errorf("spec.completions is required when completionMode is Indexed")
	case s.Completions != nil && *s.Completions < 1:
		return fmt.Errorf("spec.completions %d: want >= 1", *s.Completions)
	case s.Parallelism != nil && (*s.Parallelism < 0 || s.Completions != nil && *s.Parallelism > *s.Completions):
		return fmt.Errorf("spec.parallelism %d: want 0..completions", *s.Parallelism)
	case s.BackoffLimit != nil && *s.BackoffLimit < 0:
		return fmt.Errorf("spec.backoffLimit %d: want >= 0", *s.BackoffLimit)
	case s.BackoffLimitPerIndex != nil && s.CompletionMode != "Indexed":
		return fmt.Errorf("spec.backoffLimitPerIndex needs completionMode Indexed")
	}
	p := &s.Template.Spec
	if p.RestartPolicy != "Never" && p.RestartPolicy != "OnFailure" {
		return fmt.Errorf("spec.template.spec.restartPolicy %q: a Job needs Never or OnFailure", p.RestartPolicy)
	}
	if len(p.Containers) == 0 {
		return fmt.Errorf("spec.template.spec.containers: want at least one")
	}
	volumes := map[string]bool{}
	for i, v := range p.Volumes {
		if !dnsLabel.MatchString(v.Name) || volumes[v.Name] {
			return fmt.Errorf("spec.template.spec.volumes[%d].name %q: want a unique DNS label", i, v.Name)
		}
		if (v.PVC == nil) == (v.EmptyDir == nil) {
			return fmt.Errorf("spec.template.spec.volumes[%d]: want exactly one source (persistentVolumeClaim or emptyDir)", i)
		}
		if v.PVC != nil && v.PVC.ClaimName == "" {
			return fmt.Errorf("spec.template.spec.volumes[%d].persistentVolumeClaim.claimName is empty", i)
		}
		volumes[v.Name] = true
	}
	names := map[string]bool{}
	for i, c := range p.Containers {
		at := fmt.Sprintf("spec.template.spec.containers[%d]", i)
		if !dnsLabel.MatchString(c.Name) || names[c.Name] {
			return fmt.Errorf("%s.name %q: want a unique DNS label", at, c.Name)
		}
		names[c.Name] = true
		if c.Image == "" {
			return fmt.Errorf("%s.image is empty", at)
		}
		if !slices.Contains([]string{"", "Always", "IfNotPresent", "Never"}, c.ImagePullPolicy) {
			return fmt.Errorf("%s.imagePullPolicy %q", at, c.ImagePullPolicy)
		}
		for kind, m := range map[string]map[string]string{"requests": c.Resources.Requests, "limits": c.Resources.Limits} {
			for k, q := range m {
				if !quantity.MatchString(q) {
					return fmt.Errorf("%s.resources.%s.%s %q is not a quantity", at, kind, k, q)
				}
			}
		}
		for k, m := range c.VolumeMounts {
			if !volumes[m.Name] || !strings.HasPrefix(m.MountPath, "/") {
				return fmt.Errorf("%s.volumeMounts[%d]: %q on %q: want a declared volume on an absolute path", at, k, m.Name, m.MountPath)
			}
		}
		// Variables $(VAR) may refer to: the container's env, and the
		// completion index the controller adds to Indexed Jobs' pods.
		vars := map[string]bool{"JOB_COMPLETION_INDEX": s.CompletionMode == "Indexed"}
		for _, e := range c.Env {
			vars[e.Name] = true
		}
		for _, a := range slices.Concat(c.Command, c.Args) {
			for _, m := range k8sVarRef.FindAllStringSubmatch(a, -1) {
				if !vars[m[1]] {
					return fmt.Errorf("%s: %q refers to $(%s), which the pod does not have (Kubernetes would pass it on unexpanded)", at, a, m[1])
				}
			}
		}
	}
	return nil
}

func checkPVC(c *k8sPVC) error {
	switch {
	case c.APIVersion != "v1":
		return fmt.Errorf("apiVersion %q, want v1", c.APIVersion)
	case !dnsLabel.MatchString(c.Metadata.Name):
		return fmt.Errorf("metadata.name %q is not a DNS label", c.Metadata.Name)
	case len(c.Spec.AccessModes) == 0:
		return fmt.Errorf("spec.accessModes is empty")
	case !quantity.MatchString(c.Spec.Resources.Requests["storage"]):
		return fmt.Errorf("spec.resources.requests.storage %q is not a quantity", c.Spec.Resources.Requests["storage"])
	}
	for _, m := range c.Spec.AccessModes {
		if !slices.Contains(accessModes, m) {
			return fmt.Errorf("spec.accessModes: %q, want one of %q", m, accessModes)
		}
	}
	return nil
}

// parseSweepArgs runs the sweep command's flag parsing and validation on
// args with the given environment, and checks that the grid loads (every
// parameter value and point is valid for the scenario). It runs nothing.
func parseSweepArgs(args []string, env map[string]string) (*sweepOptions, *sweep.Sweep, error) {
	var got *sweepOptions
	cmd := newSweepCmdWith(func(k string) string { return env[k] },
		func(_ context.Context, o *sweepOptions, _, _ io.Writer) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		return nil, nil, fmt.Errorf("sweep %q: %v", args, err)
	}
	sw, err := sweep.New(got.scenario, got.gridSets(), got.params)
	if err != nil {
		return nil, nil, fmt.Errorf("sweep %q: the grid does not load: %v", args, err)
	}
	return got, sw, nil
}

// checkIndexedSweep checks the Indexed Job of sweep-job.yaml and the merge
// Job of merge-job.yaml together: completionMode Indexed, --shard
// $(JOB_COMPLETION_INDEX)/N with N = completions, each index's command
// accepted by the CLI with its own part file on the claim, and the merge
// reading exactly those parts.
func checkIndexedSweep(sweepYAML, mergeYAML []byte) error {
	jobs, claims, err := decodeManifest("sweep-job.yaml", sweepYAML)
	if err != nil {
		return err
	}
	if len(jobs) != 1 || len(jobs[0].Spec.Template.Spec.Containers) != 1 {
		return fmt.Errorf("sweep-job.yaml: want one Job with one container")
	}
	j := jobs[0]
	if j.Spec.CompletionMode != "Indexed" {
		return fmt.Errorf("sweep-job.yaml: completionMode %q, want Indexed (one pod per shard index)", j.Spec.CompletionMode)
	}
	n := *j.Spec.Completions
	c := j.Spec.Template.Spec.Containers[0]
	if len(c.Command) != 1 || c.Command[0] != "checkoutsim" || len(c.Args) == 0 || c.Args[0] != "sweep" {
		return fmt.Errorf("command %q args %q: want checkoutsim sweep ...", c.Command, c.Args)
	}
	if got, want := argAfter(c.Args, "--shard"), fmt.Sprintf("$(JOB_COMPLETION_INDEX)/%d", n); got != want {
		return fmt.Errorf("--shard %q, want %q: the shard count must equal completions (%d)", got, want, n)
	}
	// The output goes to a volume backed by the manifest's claim, one file
	// per index.
	out := argAfter(c.Args, "--out")
	if !strings.Contains(out, "$(JOB_COMPLETION_INDEX)") {
		return fmt.Errorf("--out %q does not name the part by JOB_COMPLETION_INDEX", out)
	}
	mounted := false
	for _, m := range c.VolumeMounts {
		if strings.HasPrefix(out, strings.TrimSuffix(m.MountPath, "/")+"/") {
			for _, v := range j.Spec.Template.Spec.Volumes {
				mounted = mounted || v.Name == m.Name && v.PVC != nil && slices.Contains(claims, v.PVC.ClaimName)
			}
		}
	}
	if !mounted {
		return fmt.Errorf("--out %q is not on a volume backed by a PersistentVolumeClaim of the manifest (claims %q)", out, claims)
	}
	// Kubernetes expands $(JOB_COMPLETION_INDEX) itself; with each index
	// the CLI must accept the command and pick the right shard.
	var outs []string
	for i := range n {
		args := make([]string, len(c.Args)-1)
		for k, a := range c.Args[1:] {
			args[k] = strings.ReplaceAll(a, "$(JOB_COMPLETION_INDEX)", strconv.Itoa(i))
		}
		o, _, err := parseSweepArgs(args, map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)})
		if err != nil {
			return fmt.Errorf("index %d: %v", i, err)
		}
		if want := fmt.Sprintf("%d/%d", i, n); o.shard.String() != want || o.output != "json" || !o.resume {
			return fmt.Errorf("index %d: shard %s output %s resume %v, want %s json true", i, o.shard, o.output, o.resume, want)
		}
		outs = append(outs, o.out)
	}

	mjobs, _, err := decodeManifest("merge-job.yaml", mergeYAML)
	if err != nil {
		return err
	}
	if len(mjobs) != 1 || len(mjobs[0].Spec.Template.Spec.Containers) != 1 {
		return fmt.Errorf("merge-job.yaml: want one Job with one container")
	}
	margs := mjobs[0].Spec.Template.Spec.Containers[0].Args
	if len(margs) < n+1 || margs[0] != "merge" || !slices.Equal(margs[1:n+1], outs) || !strings.HasSuffix(argAfter(margs[n+1:], "--out"), ".json") {
		return fmt.Errorf("merge args %q, want merge %q ... --out FILE.json", margs, outs)
	}
	var got *mergeOptions
	cmd := newMergeCmdWith(func(o *mergeOptions, _ io.Writer) error { got = o; return nil })
	cmd.SetArgs(margs[1:])
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil || got == nil || len(got.parts) != n {
		return fmt.Errorf("merge %q: %v, parts %v", margs, err, got)
	}
	return nil
}

func TestDeployKubernetesIndexedJob(t *testing.T) {
	sweepYAML, err := os.ReadFile("../../deploy/kubernetes/sweep-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mergeYAML, err := os.ReadFile("../../deploy/kubernetes/merge-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkIndexedSweep(sweepYAML, mergeYAML); err != nil {
		t.Fatal(err)
	}
	// The checks can fail: each broken copy of the templates is refused.
	for _, tc := range []struct {
		name, file, old, new, want string
	}{
		{"misspelt field", "sweep", "  parallelism: 4", "  paralelism: 4", "field paralelism not found"},
		{"not Indexed", "sweep", "completionMode: Indexed", "completionMode: NonIndexed", "$(JOB_COMPLETION_INDEX), which the pod does not have"},
		{"unknown mode", "sweep", "completionMode: Indexed", "completionMode: Index", `completionMode "Index"`},
		{"completions differ from the shard count", "sweep", "completions: 4", "completions: 5", "must equal completions (5)"},
		{"parallelism over completions", "sweep", "parallelism: 4", "parallelism: 9", "spec.parallelism 9"},
		{"restart policy", "sweep", "restartPolicy: Never", "restartPolicy: Always", "Never or OnFailure"},
		{"unknown variable", "sweep", "--out\n            - /results/part-$(JOB_COMPLETION_INDEX)", "--out\n            - /results/part-$(JOB_INDEX)", "$(JOB_INDEX)"},
		{"bad quantity", "sweep", `cpu: "2"`, `cpu: "two"`, `"two" is not a quantity`},
		{"unmounted volume", "sweep", "- name: results\n              mountPath", "- name: output\n              mountPath", `"output" on "/results"`},
		{"api version", "sweep", "apiVersion: batch/v1", "apiVersion: batch/v2", "want batch/v1"},
		{"claim access mode", "sweep", `accessModes: ["ReadWriteMany"]`, `accessModes: ["ReadWriteAll"]`, "ReadWriteAll"},
		{"merge misses a part", "merge", "            - /results/part-3.json\n", "", "want merge"},
	} {
		s, m := string(sweepYAML), string(mergeYAML)
		target := &s
		if tc.file == "merge" {
			target = &m
		}
		if !strings.Contains(*target, tc.old) {
			t.Fatalf("%s: the template no longer holds %q", tc.name, tc.old)
		}
		*target = strings.Replace(*target, tc.old, tc.new, 1)
		err := checkIndexedSweep([]byte(s), []byte(m))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

// runSlurmTemplate runs a Slurm batch script with bash as one task of an
// array would, with a stub checkoutsim on PATH that records its
// arguments, one per line. It returns the exit status, stderr and the
// arguments checkoutsim got (nil if it was not run).
func runSlurmTemplate(t *testing.T, script string, env map[string]string, args ...string) (int, string, []string) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash to run the Slurm templates")
	}
	dir := t.TempDir()
	record := filepath.Join(dir, "args")
	stub := "#!/bin/sh\nprintf '%s\\n' \"$@\" >>" + record + "\n"
	if err := os.WriteFile(filepath.Join(dir, "checkoutsim"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, append([]string{script}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + dir + ":/usr/bin:/bin"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(record)
	if err != nil {
		return code, stderr.String(), nil
	}
	return code, stderr.String(), strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// The sbatch line of deploy/README.md and shard.sbatch's header, run
// through the template as each task of the array: checkoutsim gets the
// command with --resume and its own part file, picks shard i/N from
// SLURM_ARRAY_TASK_ID, and the grid loads. The line merge prints to rerun
// a shard gives the same grid.
func TestDeploySlurmShardTemplate(t *testing.T) {
	script, err := filepath.Abs("../../deploy/slurm/shard.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	lines := append(sbatchLines(t, "../../deploy/README.md"), sbatchLines(t, script)...)
	if len(lines) < 2 {
		t.Fatalf("deploy/README.md and shard.sbatch's header show %d 'sbatch --array=... deploy/slurm/shard.sbatch ...' lines, want one each", len(lines))
	}
	for _, words := range lines {
		array, args := words[0], words[1:]
		n, err := strconv.Atoi(argAfter(args, "--shards"))
		if err != nil || array != fmt.Sprintf("--array=0-%d", n-1) {
			t.Fatalf("%q: want --array=0-N-1 and --shards N", words)
		}
		var grid string
		for i := range n {
			env := map[string]string{"SLURM_ARRAY_TASK_ID": strconv.Itoa(i), "SLURM_ARRAY_TASK_COUNT": strconv.Itoa(n), "SLURM_CPUS_PER_TASK": "2"}
			code, stderr, got := runSlurmTemplate(t, script, env, args...)
			if code != 0 {
				t.Fatalf("task %d: exit %d: %s", i, code, stderr)
			}
			if want := append(slices.Clone(args), "--resume", "--out", fmt.Sprintf("results/part-%d.json", i)); !slices.Equal(got, want) {
				t.Fatalf("task %d: checkoutsim got %q, want %q", i, got, want)
			}
			if got[0] != "sweep" {
				continue // other commands: their own tests
			}
			o, sw, err := parseSweepArgs(got[1:], map[string]string{"SLURM_ARRAY_TASK_ID": strconv.Itoa(i)})
			if err != nil {
				t.Fatalf("task %d: %v", i, err)
			}
			if o.shard.String() != fmt.Sprintf("%d/%d", i, n) || o.out != fmt.Sprintf("results/part-%d.json", i) || !o.resume {
				t.Errorf("task %d: shard %s out %s resume %v", i, o.shard, o.out, o.resume)
			}
			grid = sw.Grid.Hash()
			// The rerun line merge prints: the grid's own arguments.
			rerun := append(sw.Grid.Args(), "--shards", strconv.Itoa(n))
			if _, sw2, err := parseSweepArgs(rerun[1:], map[string]string{"SLURM_ARRAY_TASK_ID": strconv.Itoa(i)}); err != nil || sw2.Grid.Hash() != grid {
				t.Errorf("rerun line %q: %v, or another grid than %q", rerun, err, args)
			}
		}
	}

	// Bad submissions are refused before checkoutsim runs.
	sweep := []string{"sweep", "one-station", "--param", "traffic.multiplier=1,2"}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"not an array", nil, append(sweep, "--shards", "2"), "submit this script as a job array"},
		{"no command", map[string]string{"SLURM_ARRAY_TASK_ID": "0"}, nil, "no command"},
		{"no --shards", map[string]string{"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2"}, sweep, "add --shards N to the command (N = the number of array tasks, here 2)"},
		{"own --out", map[string]string{"SLURM_ARRAY_TASK_ID": "0"}, append(sweep, "--shards", "2", "--out", "x.json"), "drop --out"},
		{"own --shard", map[string]string{"SLURM_ARRAY_TASK_ID": "0"}, append(sweep, "--shard=0/2"), "drop --shard=0/2"},
	} {
		code, stderr, got := runSlurmTemplate(t, script, tc.env, tc.args...)
		if code == 0 || got != nil || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, checkoutsim ran with %q, stderr %q; want a refusal with %q", tc.name, code, got, stderr, tc.want)
		}
	}
}

// merge.sbatch merges exactly the part files shard.sbatch writes.
func TestDeploySlurmMergeTemplate(t *testing.T) {
	script, err := filepath.Abs("../../deploy/slurm/merge.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	code, stderr, got := runSlurmTemplate(t, script, map[string]string{"SLURM_JOB_ID": "7"})
	if code != 0 || len(got) < 2 || got[0] != "merge" || got[1] != "results/part-*.json" {
		t.Fatalf("merge.sbatch: exit %d, stderr %q, checkoutsim got %q; want merge results/part-*.json ...", code, stderr, got)
	}
	var o *mergeOptions
	cmd := newMergeCmdWith(func(m *mergeOptions, _ io.Writer) error { o = m; return nil })
	cmd.SetArgs(got[1 : slices.Index(got[1:], "merge")+1])
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil || o.output != "json" || o.out != "results/merged.json" {
		t.Errorf("merge.sbatch's first merge %q: %v, options %+v", got, err, o)
	}
}

// e2eList returns the commands of a NAME=( "..." ... ) list of e2e.sh,
// split into words as the script splits them.
func e2eList(t *testing.T, script []byte, name string) [][]string {
	t.Helper()
	m := regexp.MustCompile(`(?s)\n` + name + `=\(\n(.*?)\n\)\n`).FindSubmatch(script)
	if m == nil {
		t.Fatalf("e2e.sh: no %s=( ... ) list", name)
	}
	var commands [][]string
	for _, l := range strings.Split(string(m[1]), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			unquoted, err := strconv.Unquote(l)
			if err != nil {
				t.Fatalf("e2e.sh: %s line %s: want one double-quoted string", name, l)
			}
			commands = append(commands, strings.Fields(unquoted))
		}
	}
	return commands
}

// The commands deploy/slurm/e2e.sh proves on a cluster are accepted by the
// CLI, shard, and (sweep) load their grid or (tune) their search. Every
// command that shards is proven: in COMMANDS (one job array and one
// merge) or, when it shards stage by stage (it takes --state), in STAGED,
// which the script's stage loop runs.
func TestDeploySlurmE2ECommands(t *testing.T) {
	data, err := os.ReadFile("../../deploy/slurm/e2e.sh")
	if err != nil {
		t.Fatal(err)
	}
	root := newRootCmd(io.Discard, io.Discard)
	seen := map[string]string{} // command -> the list that proves it
	for _, list := range []string{"COMMANDS", "STAGED"} {
		for _, words := range e2eList(t, data, list) {
			sub, _, err := root.Find(words[:1])
			if err != nil || sub == root {
				t.Fatalf("e2e.sh: %q: no such command", words)
			}
			if sub.Flags().Lookup("shards") == nil {
				t.Errorf("e2e.sh: %s has no --shards flag: it does not shard", words[0])
			}
			if staged := sub.Flags().Lookup("state") != nil; staged != (list == "STAGED") {
				t.Errorf("e2e.sh: %s is in %s, but it takes --state %v: a command that shards stage by stage goes in STAGED, others in COMMANDS", words[0], list, staged)
			}
			seen[words[0]] = list
			env := map[string]string{"SLURM_ARRAY_TASK_ID": "1"}
			switch words[0] {
			case "sweep":
				if _, _, err := parseSweepArgs(append(words[1:], "--shards", "3"), env); err != nil {
					t.Errorf("e2e.sh: %v", err)
				}
			case "tune":
				if err := checkTuneArgs(append(words[1:], "--shards", "3", "--resume", "--out", filepath.Join(t.TempDir(), "part-1.json")), env); err != nil {
					t.Errorf("e2e.sh: %v", err)
				}
			}
		}
	}
	// The stage loop runs STAGED, passing each stage the merge before.
	for _, want := range []string{`for line in "${STAGED[@]}"; do`, `args+=(--state "$state")`, `"complete": true`, "kill_rerun\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("e2e.sh has no %q: the stage loop that proves STAGED is missing", want)
		}
	}
	// Every command that shards is in a list.
	for _, c := range root.Commands() {
		if c.Flags().Lookup("shards") != nil && seen[c.Name()] == "" {
			list := "COMMANDS"
			if c.Flags().Lookup("state") != nil {
				list = "STAGED"
			}
			t.Errorf("%s shards but deploy/slurm/e2e.sh does not prove it on Slurm: add it to %s", c.Name(), list)
		}
	}
}

// checkTuneArgs runs tune's flag parsing on args as the array task
// SLURM_ARRAY_TASK_ID=1 of 3 would, and checks that the search builds
// (scenario, knobs, metrics, conditions). It runs nothing.
func checkTuneArgs(args []string, env map[string]string) error {
	var got *tuneOptions
	cmd := newTuneCmdWith(func(k string) string { return env[k] },
		func(_ context.Context, o *tuneOptions, _, _ io.Writer) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		return fmt.Errorf("tune %q: %v", args, err)
	}
	if got.shard.String() != "1/3" || got.output != "json" || !got.resume {
		return fmt.Errorf("tune %q: shard %s output %s resume %v, want 1/3 json true", args, got.shard, got.output, got.resume)
	}
	if _, err := tune.New(got.spec); err != nil {
		return fmt.Errorf("tune %q: the search does not build: %v", args, err)
	}
	return nil
}

// sbatchLines returns the --array option and the arguments after the
// template of every `sbatch --array=... deploy/slurm/shard.sbatch ARGS`
// line of a file (continuation lines joined, also in # comments).
func sbatchLines(t *testing.T, path string) [][]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	joined := regexp.MustCompile(`\\\n#?\s*`).ReplaceAllString(string(data), "")
	var out [][]string
	for _, m := range regexp.MustCompile(`sbatch (?:--parsable )?(--array=0-\d+) deploy/slurm/shard\.sbatch ([^\n)]*)`).FindAllStringSubmatch(joined, -1) {
		out = append(out, append([]string{m[1]}, strings.Fields(m[2])...))
	}
	return out
}

func argAfter(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
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

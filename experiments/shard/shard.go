// Package shard is the protocol every command that shards shares: which
// points shard i of N holds (index % N == i: round robin, so shards get
// similar mixes of cheap and expensive points), checking that part files
// belong together, and the message that names missing shards with the
// exact sbatch line that reruns only them.
package shard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// Shard selects the points index % Count == Index of a grid.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// String is "i/N"; "none" for a nil shard.
func (s *Shard) String() string {
	if s == nil {
		return "none"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Equal reports whether s and t select the same points (both nil, or the
// same index and count).
func (s *Shard) Equal(t *Shard) bool {
	if s == nil || t == nil {
		return s == t
	}
	return *s == *t
}

// Parse parses "i/N" with 0 <= i < N. When s is "/N" or "" the index
// comes from envIndex (the value of JOB_COMPLETION_INDEX or
// SLURM_ARRAY_TASK_ID, named by envName for messages); when s has no "/N"
// the count comes from count (--shards; 0 if not given).
func Parse(s string, count int, envName, envIndex string) (*Shard, error) {
	idxText, cntText, hasSlash := strings.Cut(s, "/")
	from := "--shard"
	if idxText == "" {
		if envName == "" {
			return nil, fmt.Errorf("--shard %q: no shard index given and neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set", s)
		}
		idxText, from = envIndex, envName
	}
	idx, err := strconv.Atoi(strings.TrimSpace(idxText))
	if err != nil {
		return nil, fmt.Errorf("%s: shard index %q is not an integer", from, idxText)
	}
	switch {
	case hasSlash && count != 0:
		return nil, fmt.Errorf("--shard %q and --shards %d: give the shard count once", s, count)
	case hasSlash:
		count, err = strconv.Atoi(strings.TrimSpace(cntText))
		if err != nil {
			return nil, fmt.Errorf("--shard %q: shard count %q is not an integer", s, cntText)
		}
	case count == 0:
		return nil, fmt.Errorf("%s: shard index %d given without a shard count: use --shard %d/N or --shards N", from, idx, idx)
	}
	if count < 1 {
		return nil, fmt.Errorf("shard count must be >= 1, got %d", count)
	}
	if idx < 0 || idx >= count {
		return nil, fmt.Errorf("%s: shard index %d out of range: want 0 <= index < %d", from, idx, count)
	}
	return &Shard{Index: idx, Count: count}, nil
}

// EnvVars are the variables batch engines set to a task's index in an
// array: Kubernetes Indexed Jobs, then Slurm job arrays. The first one set
// is used.
var EnvVars = []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"}

// FromFlags is Parse for a command's --shard (raw) and --shards (count)
// flags, the index coming from the first of EnvVars that getenv finds set
// when the flags give none.
func FromFlags(raw string, count int, getenv func(string) string) (*Shard, error) {
	for _, name := range EnvVars {
		if v := getenv(name); v != "" {
			return Parse(raw, count, name, v)
		}
	}
	return Parse(raw, count, "", "")
}

// Args is the command line a shard was started with, as RerunHint wants
// it: the command name, its positional arguments, then every flag the
// user set (in the flag set's order; a repeated flag once per value, in
// the order given), without the flags that say which shard and where its
// part goes (--shard, --shards, --resume, --out), which the rerun sets.
func Args(command string, positional []string, flags *pflag.FlagSet) []string {
	args := append([]string{command}, positional...)
	flags.Visit(func(f *pflag.Flag) {
		switch f.Name {
		case "shard", "shards", "resume", "out":
			return
		}
		if list, ok := f.Value.(pflag.SliceValue); ok {
			for _, v := range list.GetSlice() {
				args = append(args, "--"+f.Name, v)
			}
			return
		}
		if f.Value.Type() == "bool" {
			args = append(args, "--"+f.Name+"="+f.Value.String())
			return
		}
		args = append(args, "--"+f.Name, f.Value.String())
	})
	return args
}

// CheckParts checks that parts of a sharded run belong together: the same
// grid (by its hash; the message names the grid fields that differ), the
// same shard count (nil: a complete result) and no shard twice. meta gives
// a part's grid definition, its hash and its shard; any command that
// shards can use it for its own part type.
func CheckParts[P any](names []string, parts []P, meta func(P) (grid any, hash string, shard *Shard)) error {
	grid0, hash0, shard0 := meta(parts[0])
	seen := map[int]string{}
	for k, p := range parts {
		grid, hash, shard := meta(p)
		if hash != hash0 {
			return fmt.Errorf("merge: %s and %s belong to different sweeps: %s", names[0], names[k],
				fieldDiff("grid", grid0, grid, names[0], names[k], "grid_sha256 differs"))
		}
		if shardCount(shard) != shardCount(shard0) {
			return fmt.Errorf("merge: %s and %s come from different splits of the grid: shard.count is %s in %s, %s in %s (merge the parts of one run, all written with the same --shards N)",
				names[0], names[k], shardCount(shard0), names[0], shardCount(shard), names[k])
		}
		if shard == nil {
			continue
		}
		if prev, dup := seen[shard.Index]; dup {
			return fmt.Errorf("merge: shard %s is in both %s and %s (give each part once)", shard, prev, names[k])
		}
		seen[shard.Index] = names[k]
	}
	return nil
}

// shardCount is a shard's count for messages; "none (a complete result)"
// for nil.
func shardCount(s *Shard) string {
	if s == nil {
		return "none (a complete result)"
	}
	return strconv.Itoa(s.Count)
}

// fieldDiff names the top-level JSON fields in which a and b (structs)
// differ, with both values, as "grid.seed is 1 in part-0.json, 2 in
// other.json"; same when none differs.
func fieldDiff(prefix string, a, b any, nameA, nameB, same string) string {
	fields := func(v any) map[string]json.RawMessage {
		m := map[string]json.RawMessage{}
		if data, err := json.Marshal(v); err == nil {
			_ = json.Unmarshal(data, &m) // a struct always yields an object
		}
		return m
	}
	ma, mb := fields(a), fields(b)
	var keys []string
	for k := range ma {
		keys = append(keys, k)
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var diffs []string
	for _, k := range keys {
		if va, vb := ma[k], mb[k]; !bytes.Equal(va, vb) {
			diffs = append(diffs, fmt.Sprintf("%s.%s is %s in %s, %s in %s", prefix, k, shortJSON(va), nameA, shortJSON(vb), nameB))
		}
	}
	if len(diffs) == 0 {
		return same
	}
	return strings.Join(diffs, "; ")
}

// shortJSON shows a JSON value in at most 100 bytes; "absent" when empty.
func shortJSON(v json.RawMessage) string {
	switch {
	case len(v) == 0:
		return "absent"
	case len(v) > 100:
		return string(v[:97]) + "..."
	}
	return string(v)
}

// Missing returns, in increasing order, the shards (of count) that
// should hold the missing points.
func Missing(missing []int, count int) []int {
	var shards []int
	for _, i := range missing {
		if s := i % count; !slices.Contains(shards, s) {
			shards = append(shards, s)
		}
	}
	slices.Sort(shards)
	return shards
}

// SlurmTemplate is the generic Slurm job-array template for any command
// that shards, as named from the directory jobs are submitted from (the
// repository root in deploy/README.md). It runs
// checkoutsim ARGS... --resume --out results/part-$SLURM_ARRAY_TASK_ID.json.
const SlurmTemplate = "deploy/slurm/shard.sbatch"

// RerunHint says which shards (of count) are missing and how to rerun
// only them, for a sharded command whose arguments are args (the command
// name first, without --shard, --shards, --resume or --out): the exact
// sbatch line for SlurmTemplate, and what to add to the command elsewhere.
// Every command that shards uses it in its merge's "incomplete" error.
func RerunHint(shards []int, count int, args []string) string {
	var names, ids []string
	for _, s := range shards {
		names = append(names, fmt.Sprintf("%d/%d", s, count))
		ids = append(ids, strconv.Itoa(s))
	}
	line := append([]string{"sbatch", "--array=" + strings.Join(ids, ","), SlurmTemplate}, args...)
	line = append(line, "--shards", strconv.Itoa(count))
	quoted := make([]string, len(line))
	for i, w := range line {
		quoted[i] = shellQuote(w)
	}
	return fmt.Sprintf(" (shards %s: missing or interrupted; rerun only them, keeping their completed points, with\n  %s\nor elsewhere the same command with --shard i/%d --resume --out PART for each)",
		strings.Join(names, ", "), strings.Join(quoted, " "), count)
}

// shellQuote quotes w for a POSIX shell when it holds anything but
// letters, digits and -_./=,:+@%.
func shellQuote(w string) string {
	if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+@%") == "" {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// IntList prints at most limit integers, then "... (n more)".
func IntList(xs []int, limit int) string {
	var parts []string
	for k, x := range xs {
		if k == limit {
			parts = append(parts, fmt.Sprintf("... (%d more)", len(xs)-limit))
			break
		}
		parts = append(parts, strconv.Itoa(x))
	}
	return strings.Join(parts, ", ")
}

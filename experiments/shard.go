package experiments

// This file splits a sweep across processes and puts it back together.
// Shard i of N holds the points whose index % N == i (round robin, so
// shards get similar mixes of cheap and expensive points). Each shard
// writes a part file: a SweepResult with "shard" set. MergeSweep checks
// that the parts belong to one grid and together hold every point exactly
// once, and returns the result an unsharded run would have written: every
// row is computed from the same scenario, overrides and seed whichever
// process runs it, and rows are sorted by index.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
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

// ParseShard parses "i/N" with 0 <= i < N. When s is "/N" or "" the index
// comes from envIndex (the value of JOB_COMPLETION_INDEX or
// SLURM_ARRAY_TASK_ID, named by envName for messages); when s has no "/N"
// the count comes from count (--shards; 0 if not given).
func ParseShard(s string, count int, envName, envIndex string) (*Shard, error) {
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

// ReadSweepResult reads a sweep result or part file written with -o json.
// Errors name the file: a JSON syntax error with its byte offset, an
// unknown field, or a file whose contents contradict themselves (a
// grid_sha256 that does not match its grid, a row whose values are not its
// point's).
func ReadSweepResult(name string) (*SweepResult, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return DecodeSweepResult(name, data)
}

// DecodeSweepResult is ReadSweepResult for a file's contents.
func DecodeSweepResult(name string, data []byte) (*SweepResult, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r SweepResult
	if err := dec.Decode(&r); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("%s: not a sweep result: invalid JSON at byte %d: %v", name, se.Offset, err)
		}
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: not a sweep result: the file is empty", name)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("%s: not a sweep result: invalid JSON: the file ends early (truncated?)", name)
		}
		return nil, fmt.Errorf("%s: not a sweep result: %v", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: not a sweep result: extra data after the JSON object", name)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &r, nil
}

// check verifies a decoded result against its own grid.
func (r *SweepResult) check() error {
	g := &r.Grid
	if g.Scenario == "" || len(g.Params) == 0 {
		return fmt.Errorf("not a sweep result: no grid definition")
	}
	n := 1
	for _, p := range g.Params {
		if len(p.Values) == 0 {
			return fmt.Errorf("corrupt sweep result: parameter %s has no values", p.Path)
		}
		if n *= len(p.Values); n > MaxSweepPoints {
			return fmt.Errorf("corrupt sweep result: the grid has more than %d points", MaxSweepPoints)
		}
	}
	if h := g.Hash(); h != r.GridSHA256 {
		return fmt.Errorf("corrupt sweep result: grid_sha256 %.12s... does not match its grid (%.12s...)", r.GridSHA256, h)
	}
	if r.Points != g.Points() {
		return fmt.Errorf("corrupt sweep result: points %d, but the grid has %d", r.Points, g.Points())
	}
	if r.Shard != nil && (r.Shard.Count < 1 || r.Shard.Index < 0 || r.Shard.Index >= r.Shard.Count) {
		return fmt.Errorf("corrupt sweep result: shard %s", r.Shard)
	}
	for k, row := range r.Rows {
		if row.Index < 0 || row.Index >= r.Points {
			return fmt.Errorf("corrupt sweep result: row %d has index %d, outside 0..%d", k, row.Index, r.Points-1)
		}
		if k > 0 && row.Index <= r.Rows[k-1].Index {
			return fmt.Errorf("corrupt sweep result: rows are not in increasing index order at point %d", row.Index)
		}
		if !slices.Equal(row.Values, g.Point(row.Index)) {
			return fmt.Errorf("corrupt sweep result: point %d has values %q, the grid says %q", row.Index, row.Values, g.Point(row.Index))
		}
		if r.Shard != nil && row.Index%r.Shard.Count != r.Shard.Index {
			return fmt.Errorf("corrupt sweep result: point %d is not in shard %s", row.Index, r.Shard)
		}
	}
	return nil
}

// MergeSweep combines part files (names are used in messages) into the
// complete result. It refuses, naming the files:
//   - a part of another grid (scenario or its content, overrides,
//     parameters, seed, replications): it names the grid field that
//     differs;
//   - parts split differently (another shard count, or a complete result
//     among parts): shard.count differs;
//   - a shard given twice, and a point held by two parts;
//   - an incomplete set: it lists the missing points, the shards that
//     should hold them and the sbatch line that reruns only those shards
//     (RerunHint).
func MergeSweep(names []string, parts []*SweepResult) (*SweepResult, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("merge: no part files given")
	}
	first := parts[0]
	if err := checkParts(names, parts, func(p *SweepResult) (any, string, *Shard) { return p.Grid, p.GridSHA256, p.Shard }); err != nil {
		return nil, err
	}
	owner := map[int]string{}
	var rows []SweepRow
	for k, p := range parts {
		for _, r := range p.Rows {
			if prev, dup := owner[r.Index]; dup {
				return nil, fmt.Errorf("merge: point %d (%s) is in both %s and %s", r.Index, first.Grid.PointLabel(r.Index), prev, names[k])
			}
			owner[r.Index] = names[k]
			rows = append(rows, r)
		}
	}
	var missing []int
	for i := range first.Points {
		if _, ok := owner[i]; !ok {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		var hint string
		if first.Shard != nil {
			hint = RerunHint(missingShards(missing, first.Shard.Count), first.Shard.Count, first.Grid.Args())
		} else {
			for k, p := range parts {
				if len(p.Pending) > 0 {
					hint = fmt.Sprintf(" (%s is from an interrupted run: rerun its command with --resume)", names[k])
					break
				}
			}
		}
		return nil, fmt.Errorf("merge: incomplete sweep: %d of %d points missing: %s%s",
			len(missing), first.Points, intList(missing, 20), hint)
	}
	slices.SortFunc(rows, func(a, b SweepRow) int { return a.Index - b.Index })
	return &SweepResult{Grid: first.Grid, GridSHA256: first.GridSHA256, Points: first.Points, Rows: rows}, nil
}

// checkParts checks that parts of a sharded run belong together: the same
// grid (by its hash; the message names the grid fields that differ), the
// same shard count (nil: a complete result) and no shard twice. meta gives
// a part's grid definition, its hash and its shard; any command that
// shards can use it for its own part type.
func checkParts[P any](names []string, parts []P, meta func(P) (grid any, hash string, shard *Shard)) error {
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

// missingShards returns, in increasing order, the shards (of count) that
// should hold the missing points.
func missingShards(missing []int, count int) []int {
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

// Args are the command-line arguments that recreate this grid: the
// sweep command, its scenario, --set for each override (--seed,
// --replications and --duration are recorded as overrides and give the
// same grid that way) and --param for each axis.
func (g *SweepGrid) Args() []string {
	args := []string{"sweep", g.Scenario}
	for _, s := range g.Sets {
		args = append(args, "--set", s)
	}
	for _, p := range g.Params {
		args = append(args, "--param", p.Path+"="+strings.Join(p.Values, ","))
	}
	return args
}

// intList prints at most limit integers, then "... (n more)".
func intList(xs []int, limit int) string {
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

// CheckParts is checkParts for the part files of other sharded commands
// (experiments/uncertainty's sensitivity and robust designs).
func CheckParts[P any](names []string, parts []P, meta func(P) (grid any, hash string, shard *Shard)) error {
	return checkParts(names, parts, meta)
}

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
// complete result. It refuses parts of different grids, a point held by
// two parts, and an incomplete set, listing the missing points and the
// shards that should hold them.
func MergeSweep(names []string, parts []*SweepResult) (*SweepResult, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("merge: no part files given")
	}
	first := parts[0]
	owner := map[int]string{}
	var rows []SweepRow
	for k, p := range parts {
		if p.GridSHA256 != first.GridSHA256 {
			return nil, fmt.Errorf("merge: %s and %s belong to different sweeps: %v", names[0], names[k], sameGrid(&first.Grid, &p.Grid))
		}
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
		hint := missingShards(parts, missing)
		if hint == "" {
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

// missingShards names the shards that should hold the missing points, when
// the parts agree on a shard count.
func missingShards(parts []*SweepResult, missing []int) string {
	count := 0
	for _, p := range parts {
		if p.Shard == nil {
			return ""
		}
		if count != 0 && p.Shard.Count != count {
			return ""
		}
		count = p.Shard.Count
	}
	var shards []int
	for _, i := range missing {
		if s := i % count; !slices.Contains(shards, s) {
			shards = append(shards, s)
		}
	}
	slices.Sort(shards)
	var names []string
	for _, s := range shards {
		names = append(names, fmt.Sprintf("%d/%d", s, count))
	}
	return fmt.Sprintf(" (shards %s: missing or interrupted; rerun them, with --resume to keep their completed points)", strings.Join(names, ", "))
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

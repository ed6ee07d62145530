package sweep

// This file splits a sweep across processes and puts it back together.
// Shard i of N holds the points whose index % N == i (round robin, so
// shards get similar mixes of cheap and expensive points). Each shard
// writes a part file: a Result with "shard" set. Merge checks
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
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments/shard"
)

// Read reads a sweep result or part file written with -o json.
// Errors name the file: a JSON syntax error with its byte offset, an
// unknown field, or a file whose contents contradict themselves (a
// grid_sha256 that does not match its grid, a row whose values are not its
// point's).
func Read(name string) (*Result, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return Decode(name, data)
}

// Decode is Read for a file's contents.
func Decode(name string, data []byte) (*Result, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Result
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
func (r *Result) check() error {
	g := &r.Grid
	if g.Scenario == "" || len(g.Params) == 0 {
		return fmt.Errorf("not a sweep result: no grid definition")
	}
	n := 1
	for _, p := range g.Params {
		if len(p.Values) == 0 {
			return fmt.Errorf("corrupt sweep result: parameter %s has no values", p.Path)
		}
		if n *= len(p.Values); n > MaxPoints {
			return fmt.Errorf("corrupt sweep result: the grid has more than %d points", MaxPoints)
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

// Merge combines part files (names are used in messages) into the
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
func Merge(names []string, parts []*Result) (*Result, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("merge: no part files given")
	}
	first := parts[0]
	if err := shard.CheckParts(names, parts, func(p *Result) (any, string, *shard.Shard) { return p.Grid, p.GridSHA256, p.Shard }); err != nil {
		return nil, err
	}
	owner := map[int]string{}
	var rows []Row
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
			hint = shard.RerunHint(shard.Missing(missing, first.Shard.Count), first.Shard.Count, first.Grid.Args())
		} else {
			for k, p := range parts {
				if len(p.Pending) > 0 {
					hint = fmt.Sprintf(" (%s is from an interrupted run: rerun its command with --resume)", names[k])
					break
				}
			}
		}
		return nil, fmt.Errorf("merge: incomplete sweep: %d of %d points missing: %s%s",
			len(missing), first.Points, shard.IntList(missing, 20), hint)
	}
	slices.SortFunc(rows, func(a, b Row) int { return a.Index - b.Index })
	return &Result{Grid: first.Grid, GridSHA256: first.GridSHA256, Points: first.Points, Rows: rows}, nil
}

// Args are the command-line arguments that recreate this grid: the
// sweep command, its scenario, --set for each override (--seed,
// --replications and --duration are recorded as overrides and give the
// same grid that way) and --param for each axis.
func (g *Grid) Args() []string {
	args := []string{"sweep", g.Scenario}
	for _, s := range g.Sets {
		args = append(args, "--set", s)
	}
	for _, p := range g.Params {
		args = append(args, "--param", p.Path+"="+strings.Join(p.Values, ","))
	}
	return args
}

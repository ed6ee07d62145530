package fit

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// Where keeps the data rows whose Column (a header name) holds Value,
// compared as text after trimming spaces: `fit --where COLUMN=VALUE`.
type Where struct {
	Column, Value string
}

// ParseWhere parses "COLUMN=VALUE" (VALUE may be empty or hold "=").
func ParseWhere(s string) (Where, error) {
	col, val, ok := strings.Cut(s, "=")
	col = strings.TrimSpace(col)
	if !ok || col == "" {
		return Where{}, fmt.Errorf("where %q: want COLUMN=VALUE, e.g. provider=psp-a", s)
	}
	return Where{Column: col, Value: strings.TrimSpace(val)}, nil
}

// ParseWheres parses each "COLUMN=VALUE" of --where.
func ParseWheres(ss []string) ([]Where, error) {
	var ws []Where
	for _, s := range ss {
		w, err := ParseWhere(s)
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// ReadSamplesWhere is ReadSamplesCSV on the rows that pass every filter
// (all must hold). The filters need a header row naming their columns;
// an unknown column is an error naming it and the header. Rows left out
// are blanked, not removed, so every error still names the file's own
// line numbers.
func ReadSamplesWhere(path, column, unit string, where []Where) ([]float64, error) {
	if len(where) == 0 {
		return ReadSamplesCSV(path, column, unit)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	kept, err := filterRows(data, path, where)
	if err != nil {
		return nil, err
	}
	xs, err := readSamples(bytes.NewReader(kept), path, column, unit)
	if err != nil && strings.Contains(err.Error(), "no data rows") {
		return nil, fmt.Errorf("%s: no data rows left in column %s after --where %s", path, column, whereText(where))
	}
	return xs, err
}

// filterRows returns data with every data row that fails a filter
// replaced by the newlines it spanned: csv skips empty lines, so the kept
// rows stay on their own line numbers.
func filterRows(data []byte, name string, where []Where) ([]byte, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: --where %s: the file is empty, no header row", name, whereText(where))
	}
	if err != nil {
		return nil, csvError(name, err)
	}
	cols := make([]int, len(where))
	for i, w := range where {
		if cols[i] = slices.Index(header, w.Column); cols[i] < 0 {
			return nil, fmt.Errorf("%s:1: --where %s=%s: column %q not in the header %q", name, w.Column, w.Value, w.Column, strings.Join(header, ","))
		}
	}
	start := cr.InputOffset()
	out := slices.Clone(data[:start])
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, csvError(name, err)
		}
		end := cr.InputOffset()
		if keep(rec, where, cols) {
			out = append(out, data[start:end]...)
		} else { // an empty line per line the row spanned
			out = append(out, bytes.Repeat([]byte{'\n'}, bytes.Count(data[start:end], []byte{'\n'}))...)
		}
		start = end
	}
}

// keep reports whether a row passes every filter; a row too short to
// hold a filter's column fails it.
func keep(rec []string, where []Where, cols []int) bool {
	for i, w := range where {
		if cols[i] >= len(rec) || strings.TrimSpace(rec[cols[i]]) != w.Value {
			return false
		}
	}
	return true
}

func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", name, err)
}

func whereText(where []Where) string {
	parts := make([]string, len(where))
	for i, w := range where {
		parts[i] = w.Column + "=" + w.Value
	}
	return strings.Join(parts, " ")
}

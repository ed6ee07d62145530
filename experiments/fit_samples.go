package experiments

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// FitUnits maps the unit names `checkoutsim fit --unit` accepts to seconds
// per unit: scenario distributions are in seconds, so samples are converted
// on reading.
var FitUnits = []struct {
	Name    string
	Seconds float64
}{{"s", 1}, {"ms", 1e-3}, {"us", 1e-6}}

// fitUnitSeconds returns the seconds per unit of a --unit name.
func fitUnitSeconds(unit string) (float64, error) {
	for _, u := range FitUnits {
		if u.Name == unit {
			return u.Seconds, nil
		}
	}
	return 0, fmt.Errorf("unit %q: want s, ms or us", unit)
}

// ReadSamplesCSV reads one column of a CSV file of observed durations and
// returns them in seconds (each value times the unit's seconds).
//
// It reads the file as dist.LoadEmpiricalCSV does, so the empirical line
// that fit prints loads exactly these samples: column is a header name or a
// 0-based index; with a name the first row must be a header holding it;
// with an index the first row is a header only if its field in that column
// is not a number. Every data row must hold a positive finite number in
// the column (a latency of 0 or less cannot come from the lognormal, gamma
// or Weibull families). Errors name the file, the line and the column
// ("lat.csv:7:3: ...").
func ReadSamplesCSV(path, column, unit string) ([]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readSamples(f, path, column, unit)
}

// readSamples is ReadSamplesCSV on a reader; name is used in errors.
func readSamples(r io.Reader, name, column, unit string) ([]float64, error) {
	factor, err := fitUnitSeconds(unit)
	if err != nil {
		return nil, err
	}
	if column == "" {
		return nil, fmt.Errorf("column: give a header name or a 0-based index")
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	var xs []float64
	col, first := -1, true
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d:%d: %v", name, pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if first {
			first = false
			if i := slices.Index(rec, column); i >= 0 {
				col = i
				continue
			}
			i, err := strconv.Atoi(column)
			if err != nil || i < 0 {
				return nil, fmt.Errorf("%s:1: column %q not in the header %q (give a header name or a 0-based index)", name, column, strings.Join(rec, ","))
			}
			col = i
			if col < len(rec) {
				if _, err := strconv.ParseFloat(strings.TrimSpace(rec[col]), 64); err != nil {
					continue // a header row
				}
			}
		}
		if col >= len(rec) {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("%s:%d: the row has %d fields, no column %d (%s)", name, line, len(rec), col+1, column)
		}
		line, pos := cr.FieldPos(col)
		text := strings.TrimSpace(rec[col])
		v, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, fmt.Errorf("%s:%d:%d: column %s: %q is not a finite number", name, line, pos, column, text)
		}
		if v <= 0 {
			return nil, fmt.Errorf("%s:%d:%d: column %s: %v is not positive (lognormal, gamma and Weibull fits need durations > 0)", name, line, pos, column, v)
		}
		s := v * factor
		if !(s > 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("%s:%d:%d: column %s: %q in %s is out of range in seconds", name, line, pos, column, text, unit)
		}
		xs = append(xs, s)
	}
	if len(xs) == 0 {
		return nil, fmt.Errorf("%s: no samples in column %s (the file is empty or has only a header)", name, column)
	}
	return xs, nil
}

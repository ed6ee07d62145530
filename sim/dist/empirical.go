package dist

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Empirical is the distribution of observed values: Sample inverts the
// empirical CDF with linear interpolation between order statistics (not
// resampling), so draws are continuous between the observations and span
// exactly [min, max]. With sorted samples x_0 <= ... <= x_{n-1} and U
// uniform, the draw is x_i + f(x_{i+1} - x_i) where U(n-1) = i + f.
// Each of the n-1 gaps carries probability 1/(n-1), so the mean is
// (Σx - (x_0 + x_{n-1})/2)/(n-1) (the plain sample mean for n = 1).
//
// Written empirical(samples=[0.1, 0.2, 0.35]) (printed sorted) or, when
// loaded from a file, empirical(file=f.csv, column=latency_ms, unit=ms).
// Samples must be finite and non-negative.
type Empirical struct {
	x    []float64 // sorted
	mean float64
	// file source, if loaded from CSV: printed instead of the samples.
	file, column, unit string
}

// NewEmpirical returns the empirical distribution of samples (at least one,
// each finite and >= 0). The slice is copied.
func NewEmpirical(samples []float64) (*Empirical, error) {
	if len(samples) == 0 {
		return nil, fmt.Errorf("empirical: samples must not be empty")
	}
	for i, v := range samples {
		if !finite(v) || v < 0 {
			return nil, fmt.Errorf("empirical: sample %d (%v) must be finite and non-negative", i+1, v)
		}
	}
	x := slices.Clone(samples)
	slices.Sort(x)
	e := &Empirical{x: x}
	n := len(x)
	sum := 0.0
	for _, v := range x {
		sum += v
	}
	if n == 1 {
		e.mean = x[0]
	} else {
		e.mean = (sum - (x[0]+x[n-1])/2) / float64(n-1)
	}
	if !finite(e.mean) {
		return nil, fmt.Errorf("empirical: mean of samples (%v) is not finite", e.mean)
	}
	return e, nil
}

// Sample inverts the interpolated empirical CDF (O(1)).
func (e *Empirical) Sample(r *rand.Rand) float64 { return e.at(r.Float64()) }

func (e *Empirical) at(u float64) float64 {
	n := len(e.x)
	if n == 1 {
		return e.x[0]
	}
	pos := u * float64(n-1)
	i := int(pos)
	if i >= n-1 {
		return e.x[n-1]
	}
	f := pos - float64(i)
	return e.x[i] + f*(e.x[i+1]-e.x[i])
}

// Mean returns the mean of the interpolated distribution (see the type
// comment).
func (e *Empirical) Mean() float64 { return e.mean }

// Quantile returns the interpolated quantile x_i + f(x_{i+1}-x_i) with
// p(n-1) = i + f.
func (e *Empirical) Quantile(p float64) float64 { return e.at(clampP(p)) }

// Len returns the number of samples.
func (e *Empirical) Len() int { return len(e.x) }

func (e *Empirical) String() string {
	var b strings.Builder
	if e.file != "" {
		b.WriteString("empirical(file=")
		b.WriteString(word(e.file))
		b.WriteString(", column=")
		b.WriteString(word(e.column))
		if e.unit != "" {
			b.WriteString(", unit=")
			b.WriteString(e.unit)
		}
		b.WriteByte(')')
		return b.String()
	}
	b.WriteString("empirical(samples=[")
	for i, v := range e.x {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(num(v))
	}
	b.WriteString("])")
	return b.String()
}

// word prints s bare if Parse reads it back as the same word, else quoted.
func word(s string) string {
	if s == "" || strings.ContainsAny(s, delimiters+" \t\r\n\\'`") {
		return strconv.Quote(s)
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f || c >= 0x80 {
			return strconv.Quote(s)
		}
	}
	return s
}

// LoadEmpiricalCSV reads one column of a CSV file and returns its empirical
// distribution, each value multiplied by unit (1e-3 for a column of
// milliseconds; 1 for seconds).
//
// The column is read by ReadCSVColumn; every value must be a finite,
// non-negative number. Errors name the file, line and column
// ("empirical: lat.csv:7:3: ...").
func LoadEmpiricalCSV(path, column string, unit float64) (*Empirical, error) {
	if !finite(unit) || !(unit > 0) {
		return nil, fmt.Errorf("empirical: unit factor (%v) must be finite and positive", unit)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("empirical: %w", err)
	}
	defer f.Close()
	samples, err := ReadCSVColumn(f, path, column, func(v float64) string {
		switch {
		case v < 0:
			return fmt.Sprintf("value %v is negative", v)
		case !finite(v * unit):
			return fmt.Sprintf("value %v times unit %v overflows", v, unit)
		}
		return ""
	})
	if err != nil {
		return nil, fmt.Errorf("empirical: %w", err)
	}
	for i := range samples {
		samples[i] *= unit
	}
	return NewEmpirical(samples)
}

// ReadCSVColumn reads one column of numbers from CSV data; name is the
// file name used in errors. column is a header name, or a 0-based column
// index. With a name the first row must be a header containing it. With an
// index the first row is taken as a header only if its field in that
// column is not a number. Every other row must hold a finite number in the
// column, which check (if not nil) may further refuse by returning a
// reason. Errors name the file, line and column ("lat.csv:7:3: column
// latency_ms: ..."). Both the empirical distribution and checkoutsim fit
// read samples through it, so a fitted file and its empirical replay see
// the same numbers.
func ReadCSVColumn(r io.Reader, name, column string, check func(v float64) string) ([]float64, error) {
	if column == "" {
		return nil, fmt.Errorf("column: give a header name or a 0-based index")
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	var samples []float64
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
					continue // header row
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
		if err != nil || !finite(v) {
			return nil, fmt.Errorf("%s:%d:%d: column %s: %q is not a finite number", name, line, pos, column, text)
		}
		if check != nil {
			if why := check(v); why != "" {
				return nil, fmt.Errorf("%s:%d:%d: column %s: %s", name, line, pos, column, why)
			}
		}
		samples = append(samples, v)
	}
	if len(samples) == 0 {
		return nil, fmt.Errorf("%s: no data rows in column %s (the file is empty or has only a header)", name, column)
	}
	return samples, nil
}

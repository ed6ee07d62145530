package experiments

// This file holds what the three output formats share: the format names
// and number formatting for humans.

import (
	"fmt"
	"io"
	"math"
	"strconv"
)

// Output formats of run and compare.
const (
	FormatTable = "table"
	FormatJSON  = "json"
	FormatCSV   = "csv"
)

// Formats lists the output formats, default first.
var Formats = []string{FormatTable, FormatJSON, FormatCSV}

// CheckFormat returns an error naming the accepted formats unless f is one.
func CheckFormat(f string) error {
	switch f {
	case FormatTable, FormatJSON, FormatCSV:
		return nil
	}
	return fmt.Errorf("unknown output format %q: want table, json or csv", f)
}

// sig formats v with 3 significant digits in fixed notation (no exponent):
// 0.00123, 0.123, 12.3, 123, 12346; with an exponent below 1e-4 or from
// 1e9 on (4.56e-13).
func sig(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	if a := math.Abs(v); a < 1e-4 || a >= 1e9 {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	prec := 2 - int(math.Floor(math.Log10(math.Abs(v))))
	return strconv.FormatFloat(v, 'f', max(prec, 0), 64)
}

// humanScale picks a display scale for a value of the given unit: seconds
// below 1 are shown in ms, fractions as percentages.
func humanScale(v float64, unit string) (scale float64, suffix string) {
	switch unit {
	case "s":
		if math.Abs(v) < 1 {
			return 1e3, " ms"
		}
		return 1, " s"
	case "fraction":
		return 100, "%"
	case "USD":
		return 1, " USD"
	}
	return 1, ""
}

// human formats a value of the given unit for a table.
func human(v float64, unit string) string {
	scale, suffix := humanScale(v, unit)
	return sig(v*scale) + suffix
}

// humanCI formats a 95% interval in the scale of its estimate v; "" when
// there is none.
func humanCI(v float64, ci *CI, unit string) string {
	if ci == nil {
		return ""
	}
	scale, suffix := humanScale(v, unit)
	return "[" + sig(ci[0]*scale) + ", " + sig(ci[1]*scale) + "]" + suffix
}

// Write writes the summary in format (table, json or csv).
func (s *RunSummary) Write(w io.Writer, format string) error {
	switch format {
	case FormatJSON:
		return s.WriteJSON(w)
	case FormatCSV:
		return s.WriteCSV(w)
	case FormatTable:
		return s.WriteTable(w)
	}
	return CheckFormat(format)
}

// Write writes the comparison in format (table, json or csv).
func (cs *CompareSummary) Write(w io.Writer, format string) error {
	switch format {
	case FormatJSON:
		return cs.WriteJSON(w)
	case FormatCSV:
		return cs.WriteCSV(w)
	case FormatTable:
		return cs.WriteTable(w)
	}
	return CheckFormat(format)
}

package fit

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Units are the unit names `checkoutsim fit --unit` accepts; their
// seconds come from the distributions' unit table (dist.UnitSeconds), so a
// sample file reads as its empirical(...) line loads it.
var Units = []string{"s", "ms", "us"}

// UnitSeconds returns the seconds per unit of a --unit name, or an
// error naming the accepted units.
func UnitSeconds(unit string) (float64, error) {
	if slices.Contains(Units, unit) {
		if f, ok := dist.UnitSeconds(unit); ok {
			return f, nil
		}
	}
	return 0, fmt.Errorf("unit %q: want %s or %s", unit, strings.Join(Units[:len(Units)-1], ", "), Units[len(Units)-1])
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
	factor, err := UnitSeconds(unit)
	if err != nil {
		return nil, err
	}
	xs, err := dist.ReadCSVColumn(r, name, column, func(v float64) string {
		switch s := v * factor; {
		case v <= 0:
			return fmt.Sprintf("%v is not positive (lognormal, gamma and Weibull fits need durations > 0)", v)
		case !(s > 0) || math.IsInf(s, 0):
			return fmt.Sprintf("%v in %s is out of range in seconds", v, unit)
		}
		return ""
	})
	if err != nil {
		return nil, err
	}
	for i := range xs {
		xs[i] *= factor
	}
	return xs, nil
}

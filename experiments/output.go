package experiments

// The output formats of every result, and the Write methods of the run and
// compare summaries; what the formats share is in experiments/output.

import (
	"io"

	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// Output formats, kept under their old names for callers in flight; use
// output.Table, output.JSON and output.CSV.
const (
	FormatTable = output.Table
	FormatJSON  = output.JSON
	FormatCSV   = output.CSV
)

// CheckFormat is output.Check, kept for callers in flight.
func CheckFormat(f string) error { return output.Check(f) }

// Write writes the summary in format (table, json or csv).
func (s *RunSummary) Write(w io.Writer, format string) error { return output.Write(w, format, s) }

// Write writes the comparison in format (table, json or csv).
func (cs *CompareSummary) Write(w io.Writer, format string) error { return output.Write(w, format, cs) }

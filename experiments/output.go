package experiments

// The Write methods of the run and
// compare summaries; the formats themselves are in experiments/output.

import (
	"io"

	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// Write writes the summary in format (table, json or csv).
func (s *RunSummary) Write(w io.Writer, format string) error { return output.Write(w, format, s) }

// Write writes the comparison in format (table, json or csv).
func (cs *CompareSummary) Write(w io.Writer, format string) error { return output.Write(w, format, cs) }

// WriteJSON writes the summary as indented JSON (docs/output.md).
func (s *RunSummary) WriteJSON(w io.Writer) error { return output.WriteJSON(w, s) }

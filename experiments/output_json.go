package experiments

import (
	"io"

	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// WriteJSON writes the summary as indented JSON (docs/output.md).
func (s *RunSummary) WriteJSON(w io.Writer) error { return output.WriteJSON(w, s) }

package experiments

import (
	"encoding/json"
	"io"
)

// writeJSON writes v as indented JSON with keys in struct order and
// without HTML escaping (layer names hold "->"). encoding/json formats
// floats deterministically (shortest representation that round-trips), so
// equal values always give equal bytes.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteJSON writes the summary as indented JSON (docs/output.md).
func (s *RunSummary) WriteJSON(w io.Writer) error { return writeJSON(w, s) }

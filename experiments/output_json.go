package experiments

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// orderedObject builds a JSON object whose keys stay in the order they
// are added (encoding/json sorts map keys), for outputs keyed by name.
type orderedObject struct {
	buf bytes.Buffer
	err error
}

// add appends key: json(v); the first error is kept for bytes.
func (o *orderedObject) add(key string, v any) {
	if o.err != nil {
		return
	}
	val, err := json.Marshal(v)
	if err != nil {
		o.err = fmt.Errorf("%s: %w", key, err)
		return
	}
	k, _ := json.Marshal(key)
	if o.buf.Len() == 0 {
		o.buf.WriteByte('{')
	} else {
		o.buf.WriteByte(',')
	}
	o.buf.Write(k)
	o.buf.WriteByte(':')
	o.buf.Write(val)
}

// bytes is the object ("{}" with no keys) or the first error.
func (o *orderedObject) bytes() ([]byte, error) {
	if o.err != nil {
		return nil, o.err
	}
	if o.buf.Len() == 0 {
		return []byte("{}"), nil
	}
	return append(o.buf.Bytes(), '}'), nil
}

package output

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes v as indented JSON with keys in struct order and without
// HTML escaping (layer names hold "->"). encoding/json formats floats
// deterministically (shortest representation that round-trips), so equal
// values always give equal bytes.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Object builds a JSON object whose keys stay in the order they are added
// (encoding/json sorts map keys), for outputs keyed by name. The zero
// value is an empty object.
type Object struct {
	buf bytes.Buffer
	err error
}

// Add appends key: json(v); the first error is kept for Bytes.
func (o *Object) Add(key string, v any) {
	if o.err != nil {
		return
	}
	// Without HTML escaping, as WriteJSON: an object nested in a value
	// that WriteJSON writes keeps "->" in layer names as it is.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		o.err = fmt.Errorf("%s: %w", key, err)
		return
	}
	val := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
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

// Bytes is the object ("{}" with no keys) or the first error.
func (o *Object) Bytes() ([]byte, error) {
	if o.err != nil {
		return nil, o.err
	}
	if o.buf.Len() == 0 {
		return []byte("{}"), nil
	}
	return append(o.buf.Bytes(), '}'), nil
}

// WriteCSV writes records as RFC 4180 CSV.
func WriteCSV(w io.Writer, records [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.WriteAll(records); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	return nil
}

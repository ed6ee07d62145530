package output

import (
	"fmt"
	"io"
)

// The output formats.
const (
	Table = "table"
	JSON  = "json"
	CSV   = "csv"
)

// Formats lists the output formats, default first.
var Formats = []string{Table, JSON, CSV}

// Check returns an error naming the accepted formats unless f is one.
func Check(f string) error {
	switch f {
	case Table, JSON, CSV:
		return nil
	}
	return fmt.Errorf("unknown output format %q: want table, json or csv", f)
}

// Writer is a result that can be written in every format.
type Writer interface {
	WriteTable(w io.Writer) error
	WriteJSON(w io.Writer) error
	WriteCSV(w io.Writer) error
}

// Write writes v to w in format (table, json or csv).
func Write(w io.Writer, format string, v Writer) error {
	switch format {
	case JSON:
		return v.WriteJSON(w)
	case CSV:
		return v.WriteCSV(w)
	case Table:
		return v.WriteTable(w)
	}
	return Check(format)
}

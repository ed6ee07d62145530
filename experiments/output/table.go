package output

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// TableWriter collects aligned rows section by section: a line without tabs
// (a title, a blank) ends a column block, so each section is aligned on
// its own. The first error is kept for Flush.
type TableWriter struct {
	tw  *tabwriter.Writer
	err error
}

// NewTable writes aligned columns to w (two blanks between columns).
func NewTable(w io.Writer) *TableWriter {
	return &TableWriter{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
}

// Line writes one row of cells.
func (t *TableWriter) Line(cells ...string) {
	if t.err == nil {
		_, t.err = fmt.Fprintln(t.tw, strings.Join(cells, "\t"))
	}
}

// Flush aligns and writes what is buffered, or returns the first error.
func (t *TableWriter) Flush() error {
	if t.err != nil {
		return t.err
	}
	return t.tw.Flush()
}

// Trimmed renders with render into a buffer and writes it to w without
// the trailing blanks tabwriter leaves where a line's last cells are
// empty, so golden files and terminals see none.
func Trimmed(w io.Writer, render func(w io.Writer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return err
	}
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}

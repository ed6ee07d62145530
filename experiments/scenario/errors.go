package scenario

import (
	"fmt"
	"sort"
	"strings"
)

// SetFile is the File of an Error about a value that came from a --set
// override rather than from the scenario file; such errors have Line 0.
const SetFile = "--set"

// Error is one problem in a scenario, located by file, line and field path.
type Error struct {
	File   string // scenario file name, or SetFile for --set values
	Line   int    // 1-based; 0 when unknown or for --set values
	Column int    // 1-based; 0 when unknown
	Path   string // field path: dots for keys, [i] for list indexes; "" for the whole file
	Msg    string
}

// Error formats the error as "file:line: path: msg", "--set: path: msg",
// or "file: msg" when no line is known. An empty path is left out.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 && e.File != SetFile {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every error found in one scenario, in the order Sort leaves
// them: file errors by line then column, then --set errors in the order found.
type ErrorList []*Error

// Error joins the errors, one per line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap returns the errors, so errors.As can find an *Error.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Sort orders the list: errors with a line first, by line then column
// (stable, so errors at the same place keep the order they were found), then
// the others (--set values, unreadable file) in the order found.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if (a.Line > 0) != (b.Line > 0) {
			return a.Line > 0
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// err returns nil for an empty list, so callers can `return l.err()`
// without returning a typed nil inside an error interface.
// It sorts the list and keeps the first maxErrors, plus a summary.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	if len(l) > maxErrors {
		next := l[maxErrors]
		l = append(l[:maxErrors], &Error{File: next.File, Line: next.Line, Column: next.Column,
			Msg: fmt.Sprintf("too many errors (%d in all); fix the ones above first", len(l))})
	}
	return l
}

// maxErrors bounds the report, so a wrong file (say, a trace CSV given as a
// scenario) gives a screenful rather than thousands of lines.
const maxErrors = 100

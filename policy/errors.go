package policy

import (
	"errors"
	"fmt"
	"time"
)

// FieldError reports one invalid configuration value. Path is the
// snake_case name of the field as it appears in a YAML scenario
// ("max_attempts", nested "backoff.base"), so a loader can map it back to a
// file line. Several errors of one Validate call are combined with
// errors.Join; walk them with errors.As or the Unwrap() []error method.
type FieldError struct {
	Path string // snake_case field path, dot-separated for nested structs
	Msg  string // what is wrong, including the offending value
}

// Error returns "path: msg".
func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// Field returns the snake_case field path. Loaders use this method (through
// interface{ Field() string }) to locate the value in a scenario file.
func (e *FieldError) Field() string { return e.Path }

// fieldErr builds a *FieldError with a formatted message.
func fieldErr(path, format string, args ...any) error {
	return &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// errList collects validation errors in field order.
type errList []error

func (l *errList) add(err error) {
	if err != nil {
		*l = append(*l, err)
	}
}

// nested adds the errors of a nested struct's Validate, prefixing each
// field path with prefix + ".". Errors that are not *FieldError are wrapped
// into one whose path is the prefix itself.
func (l *errList) nested(prefix string, err error) {
	if err == nil {
		return
	}
	var leaves []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		leaves = j.Unwrap()
	} else {
		leaves = []error{err}
	}
	for _, e := range leaves {
		var fe *FieldError
		if errors.As(e, &fe) {
			*l = append(*l, &FieldError{Path: prefix + "." + fe.Path, Msg: fe.Msg})
		} else {
			*l = append(*l, &FieldError{Path: prefix, Msg: e.Error()})
		}
	}
}

func (l errList) join() error {
	if len(l) == 0 {
		return nil
	}
	return errors.Join(l...)
}

// Checks used by the Validate methods. Each names the field and the value.

func (l *errList) positiveInt(path string, v int) {
	if v < 1 {
		l.add(fieldErr(path, "must be >= 1, got %d", v))
	}
}

func (l *errList) nonNegInt(path string, v int) {
	if v < 0 {
		l.add(fieldErr(path, "must be >= 0, got %d", v))
	}
}

func (l *errList) positiveDur(path string, v time.Duration) {
	if v <= 0 {
		l.add(fieldErr(path, "must be > 0, got %v", v))
	}
}

func (l *errList) nonNegDur(path string, v time.Duration) {
	if v < 0 {
		l.add(fieldErr(path, "must be >= 0, got %v", v))
	}
}

// fraction checks lo < v <= hi (or lo <= v when incLo).
func (l *errList) inRange(path string, v, lo, hi float64, incLo bool) {
	okLo := v > lo || (incLo && v == lo)
	if !okLo || !(v <= hi) { // !(v <= hi) also catches NaN
		open := "("
		if incLo {
			open = "["
		}
		l.add(fieldErr(path, "must be in %s%g, %g], got %g", open, lo, hi, v))
	}
}

// ErrNilRand is returned by constructors that need randomness and were
// given none. There is deliberately no fallback to a global generator: every
// draw must come from a stream the caller controls, or runs stop being
// reproducible.
var ErrNilRand = &FieldError{Path: "rand", Msg: "a random source is required (no global fallback)"}

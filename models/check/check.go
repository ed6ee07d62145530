// Package check builds the field-level validation errors of model
// configurations. Errors carry the field path relative to the struct being
// validated (snake_case, as in scenario files), so the scenario loader can
// point at the file and line that holds the field.
package check

import (
	"errors"
	"fmt"

	"github.com/checkoutsim/checkoutsim/policy"
)

// Field returns an error for one field.
func Field(field, format string, args ...any) error {
	return &policy.FieldError{Path: field, Msg: fmt.Sprintf(format, args...)}
}

// Join combines errors (nil when there are none).
func Join(errs ...error) error { return errors.Join(errs...) }

// Prefix puts prefix in front of the field path of every field error in
// err, so a parent can report a child's errors at their full path. Errors
// without a field are attributed to prefix itself.
func Prefix(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var out []error
	for _, e := range flatten(err) {
		var fe interface{ Field() string }
		if errors.As(e, &fe) && fe.Field() != "" {
			sep := "."
			if f := fe.Field(); f[0] == '[' {
				sep = ""
			}
			out = append(out, &policy.FieldError{Path: prefix + sep + fe.Field(), Msg: message(e)})
			continue
		}
		out = append(out, &policy.FieldError{Path: prefix, Msg: message(e)})
	}
	return errors.Join(out...)
}

func message(e error) string {
	var fe *policy.FieldError
	if errors.As(e, &fe) {
		return fe.Msg
	}
	return e.Error()
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// Fields returns the field paths of the field errors in err, in order
// (errors without a field are left out): what a loader, or a test, maps to
// scenario lines.
func Fields(err error) []string {
	if err == nil {
		return nil
	}
	var out []string
	for _, e := range flatten(err) {
		var fe interface{ Field() string }
		if errors.As(e, &fe) {
			out = append(out, fe.Field())
		}
	}
	return out
}

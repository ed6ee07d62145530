// Package uncertainty analyses how a scenario's conclusions depend on the
// inputs it declares uncertain (its `uncertain:` entries): one-at-a-time
// sensitivity (a tornado per headline metric), Morris elementary-effects
// screening, and a robust A-versus-B comparison over Latin-hypercube draws
// of the shared uncertain inputs with common random numbers.
//
// The uncertain inputs are experiments/space dimensions, so a range is
// written and checked exactly as a tune knob is, and every draw is a valid
// scenario by construction: a range is accepted only when both its ends
// load.
package uncertainty

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/experiments/space"
)

// Dimensions turns a loaded scenario's uncertain entries into space
// dimensions and checks each against the scenario ref (loaded with the
// --set overrides sets): the path exists, the range parses, is an interval
// of numbers or durations (a list is refused: the field must be numeric),
// and both ends load. Every problem is a scenario.Error naming the file,
// line and field (uncertain[i].path or .range), all of them at once.
func Dimensions(sc *experiments.Scenario, ref string, sets []string) ([]space.Dimension, error) {
	var errs scenario.ErrorList
	load := space.ScenarioLoader(ref, sets)
	seen := map[string]int{}
	var dims []space.Dimension
	for i, u := range sc.Uncertain {
		file, line := splitSource(u.Source)
		bad := func(field, format string, args ...any) {
			errs = append(errs, &scenario.Error{File: file, Line: line,
				Path: fmt.Sprintf("uncertain[%d].%s", i, field), Msg: fmt.Sprintf(format, args...)})
		}
		if strings.TrimSpace(u.Path) == "" {
			bad("path", "a field path is required (e.g. inventory.lock_timeout)")
			continue
		}
		if j, dup := seen[u.Path]; dup {
			bad("path", "%s is already declared uncertain by uncertain[%d]", u.Path, j)
			continue
		}
		seen[u.Path] = i
		if strings.TrimSpace(u.Why) == "" {
			bad("why", "say in one line why %s is uncertain", u.Path)
		}
		// Setting null tells what the path is: no such field, or a field
		// that says what it expects (only numbers and durations vary).
		switch err := load([]string{u.Path + "=null"}); {
		case err != nil && isUnknownPath(err):
			bad("path", "%s", oneLine(err))
			continue
		case err == nil || !isNumeric(err):
			bad("path", "%s is not a numeric field (a number, whole number or duration); only those can be uncertain", u.Path)
			continue
		}
		d, err := space.ParseRange(u.Source, u.Path, u.Range)
		if err != nil {
			bad("range", "%s", oneLine(err))
			continue
		}
		if d.Type == space.List {
			bad("range", "%q is a list; an uncertain input is a numeric field with an interval lo..hi or log:lo..hi", u.Range)
			continue
		}
		ok := true
		for _, v := range d.Ends() {
			if err := load([]string{u.Path + "=" + v}); err != nil {
				bad("range", "end %s is not a valid %s: %s", v, u.Path, oneLine(err))
				ok = false
				break
			}
		}
		if ok {
			d.Path = scenario.NamedPath(sc, d.Path) // labels say providers[psp-a], not providers[0]
			dims = append(dims, d)
		}
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return dims, nil
}

// isUnknownPath tells a --set error about the path itself (no such field)
// from one about the value.
func isUnknownPath(err error) bool {
	s := err.Error()
	return strings.Contains(s, "unknown field") || strings.Contains(s, "is out of range:")
}

// isNumeric tells from the loader's complaint about a null value whether
// the field holds a number or a duration.
func isNumeric(err error) bool {
	s := err.Error()
	return strings.Contains(s, "expected a number") || strings.Contains(s, "expected a whole number") || strings.Contains(s, "expected a duration")
}

// splitSource splits "file:line" (the loader's Source) into its parts.
func splitSource(src string) (string, int) {
	if i := strings.LastIndexByte(src, ':'); i > 0 {
		if n, err := strconv.Atoi(src[i+1:]); err == nil {
			return src[:i], n
		}
	}
	return src, 0
}

// oneLine joins a multi-line error into one line, dropping the --set
// prefix the loader adds.
func oneLine(err error) string {
	var l scenario.ErrorList
	if errors.As(err, &l) && len(l) > 0 {
		var parts []string
		for _, e := range l {
			msg := e.Msg
			if e.Path != "" {
				msg = e.Path + ": " + msg
			}
			parts = append(parts, msg)
		}
		return strings.Join(parts, "; ")
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

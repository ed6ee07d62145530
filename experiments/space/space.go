// Package space describes a search space over scenario fields and samples
// it. A Dimension is one field path (as for --set) with a range: a linear
// or logarithmic interval of numbers or durations, an interval of whole
// numbers, or a list of values. A point u in [0,1) of the unit interval
// maps to the --set value of the field, so a sampler works on the unit
// hypercube and never needs to know what the fields are.
//
// Ranges are written as on the command line:
//
//	payments.client.timeout=200ms..3s                  durations, linear
//	payments.client.timeout=log:10ms..2s               durations, logarithmic
//	payments.client.retry.max_attempts=1..4            whole numbers
//	payments.client.token_bucket.token_ratio=0.05..0.5 real numbers
//	payments.client.retry.backoff.kind=constant,exponential   a list
//
// Whether a range holds whole numbers, real numbers or durations is read
// from its ends: "1..4" is whole, "1.0..4" and "0.5..2" are real,
// "200ms..3s" are durations. Check validates a space against a scenario
// by applying each dimension's ends (every value of a list) as --set
// overrides and loading the result, so a path that does not exist, a
// value of the wrong type or an end outside the field's own limits is
// found before anything runs, with the loader's message.
package space

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
)

// Type is what a dimension's values are.
type Type int

// The value types.
const (
	// Real is an interval of real numbers.
	Real Type = iota
	// Whole is an interval of whole numbers, both ends included.
	Whole
	// Duration is an interval of durations, written as Go durations.
	Duration
	// List is a list of values, each written as given.
	List
)

// String names the type.
func (t Type) String() string {
	switch t {
	case Real:
		return "real"
	case Whole:
		return "whole"
	case Duration:
		return "duration"
	case List:
		return "list"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Scale is how an interval is spread over [0,1).
type Scale int

// The scales.
const (
	// Linear spreads values evenly.
	Linear Scale = iota
	// Log spreads the logarithm of values evenly (both ends > 0).
	Log
)

// String names the scale.
func (s Scale) String() string {
	if s == Log {
		return "log"
	}
	return "linear"
}

// Dimension is one knob: a scenario field path and the values it may take.
type Dimension struct {
	// Path is the field path, as for --set ("payments.client.timeout").
	Path string
	// Range is the range as written ("200ms..3s").
	Range string
	// Source says where the dimension was given, for errors: "--knob" or
	// "file:line".
	Source string
	Type   Type
	Scale  Scale
	// Lo and Hi are the interval's ends (durations in nanoseconds); unused
	// for a List.
	Lo, Hi float64
	// Values are a List's values, in the order given.
	Values []string
}

// Error is a problem with a dimension, naming where it was given.
type Error struct {
	// Source is "--knob", "file:line" or similar.
	Source string
	// Knob is the knob as written ("path=range"); may be empty.
	Knob string
	Msg  string
}

func (e *Error) Error() string {
	if e.Knob == "" {
		return e.Source + ": " + e.Msg
	}
	return fmt.Sprintf("%s %s: %s", e.Source, e.Knob, e.Msg)
}

// ParseKnob parses "path=range" (a --knob flag); source names it in errors
// ("--knob").
func ParseKnob(source, s string) (Dimension, error) {
	path, rng, ok := strings.Cut(s, "=")
	if !ok {
		return Dimension{}, &Error{source, s, "expected path=range, e.g. payments.client.timeout=200ms..3s"}
	}
	d, err := ParseRange(source, strings.TrimSpace(path), rng)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Knob = s
		}
		return Dimension{}, err
	}
	return d, nil
}

// ParseRange parses the range of the knob at path: "lo..hi", "log:lo..hi"
// or "v1,v2,...". source names it in errors ("--knob", "tune.yaml:7").
func ParseRange(source, path, text string) (Dimension, error) {
	fail := func(format string, args ...any) (Dimension, error) {
		return Dimension{}, &Error{Source: source, Knob: path + "=" + text, Msg: fmt.Sprintf(format, args...)}
	}
	if path == "" {
		return fail("empty path before '='")
	}
	if strings.ContainsAny(path, " \t\n=") {
		return fail("path %q contains a blank or '='", path)
	}
	d := Dimension{Path: path, Range: strings.TrimSpace(text), Source: source}
	r := d.Range
	if r == "" {
		return fail("empty range: give lo..hi, log:lo..hi or a list v1,v2")
	}
	if rest, ok := strings.CutPrefix(r, "log:"); ok {
		d.Scale = Log
		r = strings.TrimSpace(rest)
	}
	lo, hi, isInterval := strings.Cut(r, "..")
	if !isInterval {
		if d.Scale == Log {
			return fail("log: needs an interval lo..hi")
		}
		vals, err := scenario.SplitList(r)
		if err != nil {
			return fail("%v", err)
		}
		for i, v := range vals {
			if v == "" {
				return fail("value %d of the list is empty", i+1)
			}
			if slices.Contains(vals[:i], v) {
				return fail("value %q is given twice", v)
			}
		}
		if len(vals) < 2 {
			return fail("a list needs at least two values (for one value, use --set %s=%s)", path, r)
		}
		d.Type, d.Values = List, vals
		return d, nil
	}
	lo, hi = strings.TrimSpace(lo), strings.TrimSpace(hi)
	if lo == "" || hi == "" {
		return fail("an interval needs both ends: lo..hi")
	}
	if strings.Contains(hi, "..") {
		return fail("more than one '..'")
	}
	var err error
	switch {
	case isWhole(lo) && isWhole(hi):
		d.Type = Whole
		var a, b int64
		if a, err = strconv.ParseInt(lo, 10, 64); err == nil {
			b, err = strconv.ParseInt(hi, 10, 64)
		}
		if err != nil || a < -1<<52 || b > 1<<52 || a > 1<<52 || b < -1<<52 {
			return fail("whole-number ends must be within +/-2^52")
		}
		d.Lo, d.Hi = float64(a), float64(b)
	case isDuration(lo) || isDuration(hi):
		d.Type = Duration
		a, err1 := time.ParseDuration(lo)
		b, err2 := time.ParseDuration(hi)
		if err1 != nil || err2 != nil {
			return fail("both ends must be durations such as 200ms or 3s")
		}
		d.Lo, d.Hi = float64(a), float64(b)
	default:
		d.Type = Real
		a, err1 := realEnd(lo)
		b, err2 := realEnd(hi)
		if err1 != nil || err2 != nil || math.IsInf(a, 0) || math.IsInf(b, 0) || math.IsNaN(a) || math.IsNaN(b) {
			return fail("ends must be numbers (1..4, 0.05..0.5), percentages (5%%..50%%) or durations (200ms..3s)")
		}
		d.Lo, d.Hi = a, b
	}
	switch {
	case d.Lo > d.Hi:
		return fail("lo is greater than hi")
	case d.Lo == d.Hi:
		return fail("both ends are equal: the range is one value (use --set %s=%s)", path, lo)
	case d.Scale == Log && d.Lo <= 0:
		return fail("a log range needs ends > 0")
	}
	return d, nil
}

// realEnd reads a real range end: a number, or a percentage read by the
// one fraction parser (5% is 0.05), so a fraction knob takes either form.
func realEnd(s string) (float64, error) {
	if strings.HasSuffix(s, "%") {
		return scenario.ParseFraction(s)
	}
	return strconv.ParseFloat(s, 64)
}

func isWhole(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isDuration(s string) bool {
	if s == "" {
		return false
	}
	last := s[len(s)-1]
	return last == 's' || last == 'm' || last == 'h'
}

// String is "path=range".
func (d Dimension) String() string { return d.Path + "=" + d.Range }

// Levels is the number of distinct values: a list's length, a whole
// interval's count; 0 for a real or duration interval.
func (d Dimension) Levels() int {
	switch d.Type {
	case List:
		return len(d.Values)
	case Whole:
		return int(d.Hi-d.Lo) + 1
	}
	return 0
}

// Value maps u in [0,1) to the --set value of the dimension (u is clamped
// to [0,1]; 1 gives the upper end). A whole interval and a list give
// each value to an equal share of [0,1) (on a log scale, shares even in
// the logarithm). Reals and durations are rounded to three significant
// digits, so that a value reads well as a setting, and stay within the
// ends.
func (d Dimension) Value(u float64) string {
	if math.IsNaN(u) || u < 0 {
		u = 0
	}
	u = min(u, 1)
	switch d.Type {
	case List:
		return d.Values[min(int(u*float64(len(d.Values))), len(d.Values)-1)]
	case Whole:
		var v float64
		if d.Scale == Log {
			v = math.Floor(d.Lo * math.Exp(u*math.Log((d.Hi+1)/d.Lo)))
		} else {
			v = d.Lo + math.Floor(u*(d.Hi-d.Lo+1))
		}
		return strconv.FormatInt(int64(math.Max(d.Lo, math.Min(d.Hi, v))), 10)
	}
	var v float64
	if d.Scale == Log {
		v = d.Lo * math.Exp(u*math.Log(d.Hi/d.Lo))
	} else {
		v = d.Lo + u*(d.Hi-d.Lo)
	}
	v = math.Max(d.Lo, math.Min(d.Hi, round3(v)))
	if d.Type == Duration {
		return time.Duration(math.Round(v)).String()
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// round3 rounds to three significant digits.
func round3(v float64) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// Grid returns n values spread evenly over the dimension (in its scale),
// both ends included: every value of a list or a whole interval with at
// most n values, else n values at u = i/(n-1). It is the axis of an
// exhaustive grid over the same space (n >= 2).
func (d Dimension) Grid(n int) []string {
	if l := d.Levels(); l > 0 && l <= n {
		out := make([]string, l)
		for i := range l {
			out[i] = d.Value((float64(i) + 0.5) / float64(l))
		}
		return out
	}
	n = max(n, 2)
	var out []string
	for i := range n {
		v := d.Value(float64(i) / float64(n-1))
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// Ends are the values Check applies: both ends of an interval, every
// value of a list.
func (d Dimension) Ends() []string {
	if d.Type == List {
		return slices.Clone(d.Values)
	}
	return []string{d.Value(0), d.Value(1)}
}

// Space is a list of dimensions: the unit hypercube [0,1)^len(Dims)
// mapped to scenario overrides.
type Space struct {
	Dims []Dimension
}

// New checks that dims name distinct paths and is not empty.
func New(dims ...Dimension) (*Space, error) {
	if len(dims) == 0 {
		return nil, &Error{Source: "--knob", Msg: "the space is empty: give at least one knob (--knob path=range)"}
	}
	for i, d := range dims {
		for _, e := range dims[:i] {
			if e.Path == d.Path {
				return nil, &Error{Source: d.Source, Knob: d.String(), Msg: fmt.Sprintf("path %s is already a knob (%s)", d.Path, e.Source)}
			}
		}
	}
	return &Space{Dims: slices.Clone(dims)}, nil
}

// Values maps a point of the unit hypercube to each dimension's value.
// u must have one coordinate per dimension.
func (s *Space) Values(u []float64) []string {
	if len(u) != len(s.Dims) {
		panic(fmt.Sprintf("space: point has %d coordinates, the space %d dimensions", len(u), len(s.Dims)))
	}
	out := make([]string, len(s.Dims))
	for i, d := range s.Dims {
		out[i] = d.Value(u[i])
	}
	return out
}

// Sets maps a point to its overrides, "path=value" in dimension order.
func (s *Space) Sets(u []float64) []string {
	vals := s.Values(u)
	for i, d := range s.Dims {
		vals[i] = d.Path + "=" + vals[i]
	}
	return vals
}

// Loader loads a scenario with overrides and returns the loader's error.
type Loader func(sets []string) error

// ScenarioLoader loads scenario ref (a built-in name or a file) with the
// base overrides followed by the given ones, as `run --set` does.
func ScenarioLoader(ref string, base []string) Loader {
	return func(sets []string) error {
		_, err := experiments.LoadScenario(ref, append(slices.Clone(base), sets...))
		return err
	}
}

// Check validates every dimension against the scenario that load loads:
// first the scenario with no knob applied, then each end of each
// dimension on its own. It returns one error per bad dimension, each
// naming the knob and where it was given, joined.
func (s *Space) Check(load Loader) error {
	if err := load(nil); err != nil {
		return err
	}
	var errs []error
	for _, d := range s.Dims {
		for _, v := range d.Ends() {
			if err := load([]string{d.Path + "=" + v}); err != nil {
				errs = append(errs, &Error{Source: d.Source, Knob: d.String(),
					Msg: fmt.Sprintf("value %s is not accepted: %s", v, OneLine(err))})
				break
			}
		}
	}
	return errors.Join(errs...)
}

// OneLine joins a multi-line loader error into one line, each distinct
// line once, for the one-line-per-problem messages of knobs and conditions.
func OneLine(err error) string {
	var lines []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

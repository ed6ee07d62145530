package scenario

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/sim"
)

var (
	durationType = reflect.TypeFor[time.Duration]()
	simTimeType  = reflect.TypeFor[sim.Time]()
)

// scalar decodes bool, string, integer and float fields.
func (d *decoder) scalar(n *yaml.Node, v reflect.Value, path string) {
	want := kindName(v.Type())
	if isNull(n) {
		d.errAt(n, path, "missing value: expected %s (remove the key to keep the default)", want)
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.errAt(n, path, "expected %s, got %s", want, describeNode(n))
		return
	}
	tag := n.ShortTag()
	switch v.Kind() {
	case reflect.String:
		v.SetString(n.Value)
	case reflect.Bool:
		var b bool
		if tag != "!!bool" || n.Decode(&b) != nil {
			d.errAt(n, path, "expected %s, got %s", want, describeNode(n))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, ok := d.integer(n, path, want)
		if !ok {
			return
		}
		if v.OverflowInt(i) {
			d.errAt(n, path, "out of range for %s, got %s", v.Type(), n.Value)
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		i, ok := d.integer(n, path, want)
		if !ok {
			return
		}
		if i < 0 {
			d.errAt(n, path, "must not be negative, got %s", n.Value)
			return
		}
		if v.OverflowUint(uint64(i)) {
			d.errAt(n, path, "out of range for %s, got %s", v.Type(), n.Value)
			return
		}
		v.SetUint(uint64(i))
	case reflect.Float32, reflect.Float64:
		var f float64
		switch tag {
		case "!!int", "!!float":
			if err := n.Decode(&f); err != nil {
				d.errAt(n, path, "expected %s, got %s", want, describeNode(n))
				return
			}
		case "!!str":
			var err error
			if f, err = ParseNumber(n.Value); err != nil {
				d.errAt(n, path, "%v", err)
				return
			}
		default:
			d.errAt(n, path, "expected %s, got %s", want, describeNode(n))
			return
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			d.errAt(n, path, "must be a finite number, got %s", n.Value)
			return
		}
		if v.OverflowFloat(f) {
			d.errAt(n, path, "out of range for %s, got %s", v.Type(), n.Value)
			return
		}
		v.SetFloat(f)
	}
}

// integer reads a whole number. Integers beyond int64 (only useful for
// uint64 fields above 2^63) are not supported.
func (d *decoder) integer(n *yaml.Node, path, want string) (int64, bool) {
	switch n.ShortTag() {
	case "!!int":
		var i int64
		if err := n.Decode(&i); err != nil {
			d.errAt(n, path, "out of range for a 64-bit integer, got %s", n.Value)
			return 0, false
		}
		return i, true
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.errAt(n, path, "expected %s, got %s", want, describeNode(n))
			return 0, false
		}
		if f != math.Trunc(f) {
			d.errAt(n, path, "must be a whole number, got %s", n.Value)
			return 0, false
		}
		if f < -(1<<63) || f >= 1<<63 {
			d.errAt(n, path, "out of range for a 64-bit integer, got %s", n.Value)
			return 0, false
		}
		return int64(f), true
	}
	d.errAt(n, path, "expected %s, got %s", want, describeNode(n))
	return 0, false
}

// rateUnits maps the unit after "/" in a rate to seconds per unit.
var rateUnits = map[string]float64{"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600}

// ParseNumber reads a number written with a unit suffix and returns it in
// the field's own unit: a rate "2000/s", "120/min" (= 2 per second) or
// "7200/h" (= 2 per second) as a value per second, a percentage "5%" as the
// fraction 0.05. A plain number ("1.5") is returned as is.
func ParseNumber(s string) (float64, error) {
	t := strings.TrimSpace(s)
	num, scale, unit := t, 1.0, ""
	if strings.HasSuffix(t, "%") {
		num, scale, unit = strings.TrimSpace(strings.TrimSuffix(t, "%")), 0.01, "%"
	} else if i := strings.LastIndexByte(t, '/'); i >= 0 {
		u := strings.TrimSpace(t[i+1:])
		per, ok := rateUnits[u]
		if !ok {
			return 0, fmt.Errorf("unknown rate unit %q in %q (use /s, /min or /h)", u, s)
		}
		num, scale, unit = strings.TrimSpace(t[:i]), 1/per, "/"+u
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		if unit == "" {
			return 0, fmt.Errorf("expected a number, a rate like 2000/s or a percentage like 5%%, got string %q", s)
		}
		return 0, fmt.Errorf("invalid number %q before %q", num, unit)
	}
	return f * scale, nil
}

// duration decodes time.Duration and sim.Time fields.
func (d *decoder) duration(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		d.errAt(n, path, "missing value: expected a duration like 250ms (remove the key to keep the default)")
		return
	}
	if n.Kind != yaml.ScalarNode {
		d.errAt(n, path, "expected a duration like 250ms, got %s", describeNode(n))
		return
	}
	switch n.ShortTag() {
	case "!!str":
	case "!!int", "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && f == 0 {
			v.SetInt(0)
			return
		}
		d.errAt(n, path, "a duration needs a unit, e.g. %sms or %ss (a bare number is ambiguous)", n.Value, n.Value)
		return
	default:
		d.errAt(n, path, "expected a duration like 250ms, got %s", describeNode(n))
		return
	}
	dur, err := ParseDuration(n.Value)
	if err != nil {
		d.errAt(n, path, "%v", err)
		return
	}
	v.SetInt(int64(dur))
}

// ParseDuration reads a non-negative Go duration string ("250ms", "1m30s",
// "1.5s", "2h"; units ns, us, ms, s, m, h).
func ParseDuration(s string) (time.Duration, error) {
	dur, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: want a number with a unit (ns, us, ms, s, m, h), e.g. 250ms or 1m30s", s)
	}
	if dur < 0 {
		return 0, fmt.Errorf("must not be negative, got %s", s)
	}
	return dur, nil
}

// kindName says what a field of type t expects, for error messages.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a non-negative whole number"
	case reflect.Float32, reflect.Float64:
		return "a number (or a rate like 2000/s, or a percentage like 5%)"
	}
	return t.String()
}

// deepCopy returns a copy of v whose exported pointers, slices and maps are
// copied too, so decoding into the copy never writes through to v. Beyond a
// fixed depth (a cyclic structure) the rest is shared. Interfaces are shared:
// values behind them (distributions) are treated as immutable.
func deepCopy(v reflect.Value, depth int) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	out.Set(v)
	if depth > maxDepth {
		return out
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(deepCopy(v.Elem(), depth+1))
			out.Set(p)
		}
	case reflect.Slice:
		if !v.IsNil() {
			s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			for i := 0; i < v.Len(); i++ {
				s.Index(i).Set(deepCopy(v.Index(i), depth+1))
			}
			out.Set(s)
		}
	case reflect.Map:
		if !v.IsNil() {
			m := reflect.MakeMapWithSize(v.Type(), v.Len())
			it := v.MapRange()
			for it.Next() {
				m.SetMapIndex(it.Key(), deepCopy(it.Value(), depth+1))
			}
			out.Set(m)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(deepCopy(v.Index(i), depth+1))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(deepCopy(v.Field(i), depth+1))
			}
		}
	}
	return out
}

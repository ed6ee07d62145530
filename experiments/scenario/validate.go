package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Validator is implemented by config structs that check their own values
// after decoding. Return errors.Join of several errors to report them all.
type Validator interface {
	Validate() error
}

// FieldError is the optional interface of an error returned by Validate
// that is about one field: Field is the field's path relative to the struct
// ("retry.max_attempts", "steps[2].service"), in scenario key names.
type FieldError interface {
	error
	Field() string
}

var validatorType = reflect.TypeFor[Validator]()

// validate walks v (children first) and calls Validate on every struct.
func (d *decoder) validate(v reflect.Value, path string, depth int) {
	if depth > maxDepth || !v.IsValid() {
		return
	}
	t := v.Type()
	_, hooked := d.cfg.hooks[t]
	switch {
	case hooked, t == durationType, t == simTimeType:
		return
	case t.Kind() == reflect.Pointer:
		if !v.IsNil() {
			d.validate(v.Elem(), path, depth+1)
		}
		return
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		for i := 0; i < v.Len(); i++ {
			d.validate(v.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		return
	case t.Kind() == reflect.Map:
		if t.Key().Kind() != reflect.String {
			return
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			e := reflect.New(t.Elem()).Elem() // map values are not addressable
			e.Set(v.MapIndex(k))
			d.validate(e, joinPath(path, k.String()), depth+1)
		}
		return
	case t.Kind() != reflect.Struct:
		return
	}
	if !reflect.PointerTo(t).Implements(unmarshalerType) {
		for _, f := range d.structFields(t) {
			fv, err := v.FieldByIndexErr(f.index)
			if err == nil {
				d.validate(fv, joinPath(path, f.name), depth+1)
			}
		}
	}
	d.callValidate(v, path)
}

// callValidate calls v's Validate method, if any, and reports its errors.
func (d *decoder) callValidate(v reflect.Value, path string) {
	var val Validator
	switch {
	case v.CanAddr() && v.Addr().Type().Implements(validatorType) && v.Addr().CanInterface():
		val = v.Addr().Interface().(Validator)
	case v.Type().Implements(validatorType) && v.CanInterface():
		val = v.Interface().(Validator)
	default:
		return
	}
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("internal error: Validate panicked: %v", r)
			}
		}()
		return val.Validate()
	}()
	for _, e := range flatten(err, 0) {
		d.report(e, path)
	}
}

// flatten splits errors.Join trees into their leaves.
func flatten(err error, depth int) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok && depth < maxDepth {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e, depth+1)...)
		}
		return out
	}
	return []error{err}
}

// report locates a Validate error of the struct at path.
func (d *decoder) report(err error, path string) {
	full, msg := path, err.Error()
	var fe FieldError
	if errors.As(err, &fe) {
		rel := fe.Field()
		msg = strings.TrimPrefix(msg, rel+": ")
		if rel != "" {
			if strings.HasPrefix(rel, "[") || path == "" {
				full = path + rel
			} else {
				full = path + "." + rel
			}
		}
	}
	if d.failedAt(full) {
		return // already reported as a decode error
	}
	p, ok := d.pos[full]
	for at := full; !ok; {
		at = parentPath(at)
		p, ok = d.pos[at]
		if ok {
			msg += " (default)"
		}
	}
	d.add(p, full, msg)
}

// failedAt reports whether path, or a path enclosing it, failed to decode.
func (d *decoder) failedAt(path string) bool {
	for {
		if d.failed[path] {
			return true
		}
		if path == "" {
			return false
		}
		path = parentPath(path)
	}
}

// parentPath drops the last key or index: "a.b[2]" -> "a.b" -> "a" -> "".
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

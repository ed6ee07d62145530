package scenario

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FieldDoc describes one scenario field, for generating docs/scenarios.md.
type FieldDoc struct {
	Path    string // "policies.payment.retry.max_attempts"; list elements as "steps[]", map entries as "services.<name>"
	Type    string // "duration", "number", "integer", "bool", "string", "mapping", "list of mapping", ...
	Default string // the value in defaults, formatted as a scenario would write it; "" when unset
	Doc     string // the field's `doc:"..."` tag
}

// Describe lists the fields of struct type t depth first in declaration
// order, with defaults read from defaults (a value or pointer of type t, or
// nil). Structs appear as "mapping" entries before their fields; element
// fields of lists and maps are listed once, under "[]" and ".<name>", with
// defaults taken from the first element only when it exists (so usually none).
func Describe(t reflect.Type, defaults any) []FieldDoc {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	v := reflect.ValueOf(defaults)
	for v.IsValid() && v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v = reflect.Value{}
			break
		}
		v = v.Elem()
	}
	if v.IsValid() && v.Type() != t {
		v = reflect.Value{}
	}
	var out []FieldDoc
	describeStruct(t, v, "", map[reflect.Type]bool{}, &out)
	return out
}

func describeStruct(t reflect.Type, v reflect.Value, path string, onStack map[reflect.Type]bool, out *[]FieldDoc) {
	if onStack[t] {
		return
	}
	onStack[t] = true
	defer delete(onStack, t)
	for _, f := range structFields(t) {
		var fv reflect.Value
		if v.IsValid() {
			if x, err := v.FieldByIndexErr(f.index); err == nil {
				fv = x
			}
		}
		describeField(f.typ, fv, joinPath(path, f.name), f.doc, onStack, out)
	}
}

func describeField(t reflect.Type, v reflect.Value, path, doc string, onStack map[reflect.Type]bool, out *[]FieldDoc) {
	*out = append(*out, FieldDoc{Path: path, Type: typeDoc(t), Default: formatDefault(v), Doc: doc})
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		if v.IsValid() {
			if v.IsNil() {
				v = reflect.Value{}
			} else {
				v = v.Elem()
			}
		}
	}
	if !composite(t) {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		describeStruct(t, v, path, onStack, out)
	case reflect.Slice:
		if et := deref(t.Elem()); et.Kind() == reflect.Struct && composite(et) {
			var ev reflect.Value
			if v.IsValid() && v.Len() > 0 {
				ev = v.Index(0)
				for ev.Kind() == reflect.Pointer && !ev.IsNil() {
					ev = ev.Elem()
				}
			}
			describeStruct(et, ev, path+"[]", onStack, out)
		}
	case reflect.Map:
		if et := deref(t.Elem()); et.Kind() == reflect.Struct && composite(et) {
			describeStruct(et, reflect.Value{}, path+".<name>", onStack, out)
		}
	}
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// composite reports whether t is decoded field by field (not by a hook,
// an Unmarshaler or as a duration).
func composite(t reflect.Type) bool {
	if t == durationType || t == simTimeType || reflect.PointerTo(t).Implements(unmarshalerType) {
		return false
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Map:
		return true
	}
	return false
}

func typeDoc(t reflect.Type) string {
	t = deref(t)
	switch {
	case t == durationType || t == simTimeType:
		return "duration"
	case reflect.PointerTo(t).Implements(unmarshalerType):
		return t.String()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "bool"
	case reflect.String:
		return "string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Struct:
		return "mapping"
	case reflect.Slice:
		return "list of " + typeDoc(t.Elem())
	case reflect.Map:
		return "map of name to " + typeDoc(t.Elem())
	}
	return t.String()
}

// formatDefault writes a default value the way a scenario file would.
func formatDefault(v reflect.Value) string {
	if !v.IsValid() || !v.CanInterface() {
		return ""
	}
	switch v.Type() {
	case durationType, simTimeType:
		return time.Duration(v.Int()).String()
	}
	if s, ok := v.Interface().(fmt.Stringer); ok && v.Kind() != reflect.Struct {
		if (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && v.IsNil() {
			return ""
		}
		return s.String()
	}
	switch v.Kind() {
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.Slice:
		if composite(deref(v.Type().Elem())) {
			return ""
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = formatDefault(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || composite(deref(v.Type().Elem())) {
			return ""
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k.String() + ": " + formatDefault(v.MapIndex(k))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return ""
		}
		return formatDefault(v.Elem())
	}
	return ""
}

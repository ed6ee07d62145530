package scenario

// The YAML-node operations every caller shares, with one set of rules:
// a key is found as a YAML reader sees it (the last of duplicates, merge
// keys skipped), a copy is deep and depth-bounded, a struct's keys are
// the decoder's (structFields: the shallower of two fields with one key
// wins).

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FindKey returns the index in m.Content of key k (the last one, as a YAML
// reader sees it; merge keys do not count), or -1.
func FindKey(m *yaml.Node, k string) int {
	j := -1
	for i := 0; i+1 < len(m.Content); i += 2 {
		if c := m.Content[i]; c.Kind == yaml.ScalarNode && c.Value == k && c.ShortTag() != "!!merge" {
			j = i
		}
	}
	return j
}

// MapValue returns the value of key k in mapping m (FindKey's), or nil.
func MapValue(m *yaml.Node, k string) *yaml.Node {
	if j := FindKey(m, k); j >= 0 {
		return m.Content[j+1]
	}
	return nil
}

// SetMapValue sets key k of mapping m to a copy of v, or removes the key
// when v is nil.
func SetMapValue(m *yaml.Node, k string, v *yaml.Node) {
	j := FindKey(m, k)
	switch {
	case j >= 0 && v == nil:
		m.Content = append(m.Content[:j], m.Content[j+2:]...)
	case j >= 0:
		m.Content[j+1] = CopyNode(v)
	case v != nil:
		m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k}, CopyNode(v))
	}
}

// CopyNode deep-copies a node tree, keeping its positions. Anchors are
// dropped (aliases inside keep pointing at theirs), and the copy stops
// at the decoder's depth bound.
func CopyNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	return copyNode(n, true, 0)
}

// Body is the top node of a document (n itself when it is not one).
func Body(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	return n
}

// CopyPath replaces, in dst, the value at a dotted path with src's value
// there (copied). "[*]" after a key stands for every element of a list,
// which must then have the same length in both. A path src does not set is
// removed from dst, so dst falls back to the default exactly as src does.
func CopyPath(dst, src *yaml.Node, path string) error {
	return copyParts(Body(dst), Body(src), strings.Split(path, "."), path)
}

func copyParts(dst, src *yaml.Node, parts []string, path string) error {
	key, rest := parts[0], parts[1:]
	all := strings.HasSuffix(key, "[*]")
	key = strings.TrimSuffix(key, "[*]")
	if dst.Kind != yaml.MappingNode || src.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: %q is not under a mapping", path, key)
	}
	sv, dv := MapValue(src, key), MapValue(dst, key)
	if !all && len(rest) == 0 {
		SetMapValue(dst, key, sv)
		return nil
	}
	if sv == nil || dv == nil {
		return fmt.Errorf("%s: %q must be set in both scenarios", path, key)
	}
	if !all {
		return copyParts(dv, sv, rest, path)
	}
	if sv.Kind != yaml.SequenceNode || dv.Kind != yaml.SequenceNode || len(sv.Content) != len(dv.Content) {
		return fmt.Errorf("%s: %q must be lists of the same length in both scenarios", path, key)
	}
	for i := range sv.Content {
		if len(rest) == 0 {
			dv.Content[i] = CopyNode(sv.Content[i])
			continue
		}
		if err := copyParts(dv.Content[i], sv.Content[i], rest, path+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	return nil
}

// KeyedValue is one decodable field of a struct value and its key.
type KeyedValue struct {
	Key   string
	Value reflect.Value
}

// Fields lists the decodable fields of struct value v with their keys, as
// the decoder resolves them; the fields under a nil embedded pointer are
// left out.
func Fields(v reflect.Value) []KeyedValue {
	var out []KeyedValue
	for _, f := range structFields(v.Type()) {
		fv, err := v.FieldByIndexErr(f.index)
		if err != nil {
			continue // through a nil embedded pointer
		}
		out = append(out, KeyedValue{f.name, fv})
	}
	return out
}

// FieldByKey finds the field of struct value v whose key is key.
func FieldByKey(v reflect.Value, key string) (reflect.Value, bool) {
	for _, f := range Fields(v) {
		if f.Key == key {
			return f.Value, true
		}
	}
	return reflect.Value{}, false
}

// NamedElement returns the index of the element of list seq whose name
// field is name (the last one, as FindKey reads a mapping). Services,
// payment providers, flow steps and traffic cohorts name their elements,
// so a path can say "services[checkout-api]" instead of "services[1]". The
// error says which names there are, with a did-you-mean for a near miss.
func NamedElement(seq *yaml.Node, name string) (int, error) {
	var names []string
	at := -1
	for i, el := range seq.Content {
		if el = resolveAlias(el); el.Kind != yaml.MappingNode {
			continue
		}
		v := MapValue(el, "name")
		if v != nil {
			v = resolveAlias(v)
		}
		if v != nil && v.Kind == yaml.ScalarNode {
			names = append(names, v.Value)
			if v.Value == name {
				at = i
			}
		}
	}
	switch {
	case at >= 0:
		return at, nil
	case len(seq.Content) == 0:
		return 0, fmt.Errorf("has no element named %q: it is empty", name)
	case len(names) == 0:
		return 0, fmt.Errorf("has no element named %q: its elements have no name field; give an index [0] to [%d]", name, len(seq.Content)-1)
	}
	msg := fmt.Sprintf("has no element named %q", name)
	if c := closest(name, names); c != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", c)
	}
	return 0, fmt.Errorf("%s; its names: %s", msg, strings.Join(names, ", "))
}

// addressable tells whether a list element can be written by its name in
// a path: not empty, not starting like an index (a digit or a sign), and
// without blanks, brackets or '=', which would end the path or the name.
func addressable(name string) bool {
	return name != "" && !strings.ContainsAny(name[:1], "0123456789+-") && !strings.ContainsAny(name, " \t\n[]=")
}

// NamedPath writes a field path with each list element whose value in v
// (a decoded struct, such as a loaded scenario with its defaults) has an
// addressable name by that name: "services[1].instances" becomes
// "services[checkout-api].instances", so labels say what the index meant.
// What it cannot follow (a map, a bad path, an index out of range) it
// keeps as written, and an unparsable path comes back unchanged.
func NamedPath(v any, path string) string {
	segs, err := parseSetPath(path)
	if err != nil {
		return path
	}
	rv := reflect.ValueOf(v)
	var b strings.Builder
	for i, s := range segs {
		for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) {
			rv = rv.Elem()
		}
		if s.key != "" {
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
			if rv.IsValid() && rv.Kind() == reflect.Struct {
				rv, _ = FieldByKey(rv, s.key)
			} else {
				rv = reflect.Value{}
			}
			continue
		}
		if !rv.IsValid() || rv.Kind() != reflect.Slice {
			b.WriteString(s.bracket())
			rv = reflect.Value{}
			continue
		}
		idx := s.index
		if s.name != "" {
			idx = -1
			for j := range rv.Len() {
				if elementName(rv.Index(j)) == s.name {
					idx = j
				}
			}
		}
		if idx < 0 || idx >= rv.Len() {
			b.WriteString(s.bracket())
			rv = reflect.Value{}
			continue
		}
		rv = rv.Index(idx)
		if n := elementName(rv); addressable(n) {
			b.WriteString("[" + n + "]")
		} else {
			b.WriteString(s.bracket())
		}
	}
	return b.String()
}

// elementName is a list element's name field ("" when it has none).
func elementName(el reflect.Value) string {
	for el.IsValid() && el.Kind() == reflect.Pointer && !el.IsNil() {
		el = el.Elem()
	}
	if !el.IsValid() || el.Kind() != reflect.Struct {
		return ""
	}
	if f, ok := FieldByKey(el, "name"); ok && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

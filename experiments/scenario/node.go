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

package scenario

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Limits that keep hostile input (deep nesting, alias bombs such as
// a: &a [*a, *a]) from exhausting the stack or the CPU.
const (
	maxDepth  = 64
	maxVisits = 100_000
)

// Decode parses data (the contents of filename) and decodes it into out, a
// non-nil pointer to a struct already filled with defaults. Only fields
// present in the YAML are overwritten. It then validates the result (see
// DecodeNode). The error, if any, is an ErrorList holding every problem
// found, sorted by line.
func Decode(filename string, data []byte, out any, opts ...Option) error {
	root, err := ParseNode(filename, data)
	if err != nil {
		return err
	}
	return DecodeNode(filename, root, out, opts...)
}

// DecodeNode decodes a parsed document (or its top mapping) into out, a
// non-nil pointer to a struct already filled with defaults, then validates.
//
// Validation walks the decoded value and calls Validate() error on every
// struct that has it (value or pointer receiver), children before parents.
// errors.Join results are split into their parts. An error that has a
// Field() string method (found with errors.As) names a field relative to the
// struct, like "retry.max_attempts" or "steps[2].service"; it is reported at
// that field's line if the file sets it, else at the nearest enclosing node
// the file has, with " (default)" appended to the message. Other errors are
// reported at the struct's own line with the struct's path. Validation errors
// for fields that already failed to decode are dropped as noise. The fields
// of an embedded struct are validated as part of the outer struct: its
// Validate is reached through Go's method promotion, so an outer struct that
// defines its own Validate must call the embedded one. Validate should not
// modify its receiver (map entries are validated on a copy).
func DecodeNode(filename string, root *yaml.Node, out any, opts ...Option) error {
	rv := reflect.ValueOf(out)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("scenario: decode %s: out must be a non-nil pointer to a struct, got %T", filename, out)
	}
	if root != nil && root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			root = nil
		} else {
			root = root.Content[0]
		}
	}
	if root == nil || isNull(root) {
		return ErrorList{{File: filename, Line: 1, Msg: "the file is empty; a scenario is a YAML mapping of fields"}}
	}
	if root.Kind != yaml.MappingNode {
		return ErrorList{{File: filename, Line: max(root.Line, 1), Column: root.Column,
			Msg: fmt.Sprintf("a scenario must be a mapping of fields (key: value), got %s", describeNode(root))}}
	}
	cfg := newConfig(opts)
	if !cfg.hasBaseDir {
		cfg.baseDir = filepath.Dir(filename)
	}
	d := &decoder{
		cfg:    cfg,
		file:   filename,
		pos:    map[string]position{"": {root.Line, root.Column}},
		failed: map[string]bool{},
		fields: map[reflect.Type][]field{},
	}
	d.value(root, rv.Elem(), "", 0)
	d.validate(rv.Elem(), "", 0)
	return d.errs.err()
}

// position is where a path was set: a line and column in the file, or line
// 0 for a value that came from --set.
type position struct{ line, col int }

type decoder struct {
	cfg    *config
	file   string
	errs   ErrorList
	pos    map[string]position // path -> where the file sets it; lookups only
	failed map[string]bool     // paths with a decode error; lookups only
	fields map[reflect.Type][]field
	visits int
	halted bool // the visit budget ran out; stop decoding
}

func (d *decoder) structFields(t reflect.Type) []field {
	f, ok := d.fields[t]
	if !ok {
		f = structFields(t)
		d.fields[t] = f
	}
	return f
}

// errAt records an error located at node n.
func (d *decoder) errAt(n *yaml.Node, path, format string, args ...any) {
	if path != "" {
		d.failed[path] = true
	}
	d.add(position{n.Line, n.Column}, path, fmt.Sprintf(format, args...))
}

func (d *decoder) add(p position, path, msg string) {
	e := &Error{File: d.file, Line: p.line, Column: p.col, Path: path, Msg: msg}
	if p.line <= 0 {
		e.File, e.Line, e.Column = SetFile, 0, 0
	}
	d.errs = append(d.errs, e)
}

// value decodes node n into v (settable), whose field path is path.
func (d *decoder) value(n *yaml.Node, v reflect.Value, path string, depth int) {
	if d.halted {
		return
	}
	d.visits++
	if d.visits > maxVisits {
		d.halted = true
		d.errAt(n, path, "the document is too large (over %d values after expanding aliases)", maxVisits)
		return
	}
	if depth > maxDepth {
		d.errAt(n, path, "nested too deeply (over %d levels)", maxDepth)
		return
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.errAt(n, path, "alias *%s has no anchor", n.Value)
			return
		}
		d.value(n.Alias, v, path, depth+1)
		return
	}
	t := v.Type()
	if hook, ok := d.cfg.hooks[t]; ok {
		d.hook(hook, n, v, path)
		return
	}
	if t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(unmarshalerType) {
		d.unmarshaler(n, v, path)
		return
	}
	switch t {
	case durationType, simTimeType:
		d.duration(n, v, path)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		d.pointer(n, v, path, depth)
	case reflect.Struct:
		d.structValue(n, v, path, depth)
	case reflect.Slice:
		d.slice(n, v, path, depth)
	case reflect.Map:
		d.mapValue(n, v, path, depth)
	case reflect.Bool, reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		d.scalar(n, v, path)
	default:
		d.errAt(n, path, "fields of Go type %s cannot be set from a scenario (no decoder; a program error: register one with WithTypeHook)", t)
	}
}

var unmarshalerType = reflect.TypeFor[Unmarshaler]()

func (d *decoder) hook(hook TypeHook, n *yaml.Node, v reflect.Value, path string) {
	ctx := HookContext{File: d.file, BaseDir: d.cfg.baseDir, Path: path}
	res, err := callHook(hook, n, ctx)
	if err != nil {
		d.errAt(n, path, "%s", err.Error())
		return
	}
	if !res.IsValid() {
		v.Set(reflect.Zero(v.Type()))
		return
	}
	if !res.Type().AssignableTo(v.Type()) {
		d.errAt(n, path, "the decoder for %s returned a %s (a program error)", v.Type(), res.Type())
		return
	}
	v.Set(res)
}

func callHook(hook TypeHook, n *yaml.Node, ctx HookContext) (res reflect.Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = reflect.Value{}, fmt.Errorf("internal error: the decoder panicked: %v", r)
		}
	}()
	return hook(n, ctx)
}

func (d *decoder) unmarshaler(n *yaml.Node, v reflect.Value, path string) {
	tmp := reflect.New(v.Type())
	tmp.Elem().Set(v)
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("internal error: UnmarshalScenario panicked: %v", r)
			}
		}()
		return tmp.Interface().(Unmarshaler).UnmarshalScenario(n)
	}()
	if err != nil {
		d.errAt(n, path, "%s", err.Error())
		return
	}
	v.Set(tmp.Elem())
}

// pointer: null sets nil; otherwise the target is a copy of the current
// target (so a default shared with other values is never written through),
// or of the registered default, or a zero value.
func (d *decoder) pointer(n *yaml.Node, v reflect.Value, path string, depth int) {
	if isNull(n) {
		v.Set(reflect.Zero(v.Type()))
		return
	}
	et := v.Type().Elem()
	p := reflect.New(et)
	if !v.IsNil() {
		p.Elem().Set(deepCopy(v.Elem(), 0))
	} else if def, ok := d.cfg.defaults[et]; ok {
		p.Elem().Set(deepCopy(def, 0))
	}
	d.value(n, p.Elem(), path, depth+1)
	v.Set(p)
}

// newElem returns a fresh settable value of type t: a copy of the registered
// default for t, or the zero value.
func (d *decoder) newElem(t reflect.Type) reflect.Value {
	e := reflect.New(t).Elem()
	if def, ok := d.cfg.defaults[t]; ok {
		e.Set(deepCopy(def, 0))
	}
	return e
}

// structValue merges a mapping into a struct field by field. null leaves the
// struct as it is (every field keeps its default).
func (d *decoder) structValue(n *yaml.Node, v reflect.Value, path string, depth int) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errAt(n, path, "expected a mapping of fields, got %s", describeNode(n))
		return
	}
	fields := d.structFields(v.Type())
	for _, kv := range d.pairs(n, path, depth) {
		name := kv.key.Value
		fp := joinPath(path, name)
		f, ok := findField(fields, name)
		if !ok {
			d.unknownField(kv.key, fp, name, fields)
			continue
		}
		d.pos[fp] = where(kv.key, kv.val)
		d.value(kv.val, fieldByIndexAlloc(v, f.index), fp, depth+1)
	}
}

func findField(fields []field, name string) (field, bool) {
	for _, f := range fields {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

func (d *decoder) unknownField(key *yaml.Node, path, name string, fields []field) {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	msg := "unknown field"
	if c := closest(name, names); c != "" {
		msg += fmt.Sprintf("; did you mean %q?", c)
	}
	if len(names) == 0 {
		msg += " (this mapping takes no fields)"
	} else {
		msg += " (valid fields: " + strings.Join(names, ", ") + ")"
	}
	d.errAt(key, path, "%s", msg)
}

// where is the position recorded for a key: the key's line, or line 0 when
// the value came from --set (ApplySet leaves new nodes at line 0).
func where(key, val *yaml.Node) position {
	if val.Line == 0 || key.Line == 0 {
		return position{}
	}
	return position{key.Line, key.Column}
}

// fieldByIndexAlloc is reflect.Value.FieldByIndex that allocates nil
// embedded pointers on the way.
func fieldByIndexAlloc(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// slice replaces the slice whole; each element starts from the registered
// default of its type.
func (d *decoder) slice(n *yaml.Node, v reflect.Value, path string, depth int) {
	if isNull(n) {
		v.Set(reflect.Zero(v.Type()))
		return
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.SequenceNode {
		hint := ""
		if n.Kind == yaml.ScalarNode {
			hint = " (write a list as [a, b], or one \"- item\" per line)"
		}
		d.errAt(n, path, "expected a list, got %s%s", describeNode(n), hint)
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, en := range n.Content {
		ep := fmt.Sprintf("%s[%d]", path, i)
		d.pos[ep] = position{en.Line, en.Column}
		e := d.newElem(v.Type().Elem())
		d.value(en, e, ep, depth+1)
		s.Index(i).Set(e)
	}
	v.Set(s)
}

// mapValue merges a mapping into a map[string]T entry by entry: an existing
// entry is updated like a struct field, a new one starts from the registered
// default. The map is cloned first so a default shared elsewhere is not
// modified.
func (d *decoder) mapValue(n *yaml.Node, v reflect.Value, path string, depth int) {
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		d.errAt(n, path, "fields of Go type %s cannot be set from a scenario (map keys must be strings; a program error)", t)
		return
	}
	if isNull(n) {
		v.Set(reflect.Zero(t))
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errAt(n, path, "expected a mapping, got %s", describeNode(n))
		return
	}
	m := reflect.MakeMap(t)
	if !v.IsNil() {
		m = deepCopy(v, 0)
	}
	for _, kv := range d.pairs(n, path, depth) {
		k := reflect.ValueOf(kv.key.Value).Convert(t.Key())
		ep := joinPath(path, kv.key.Value)
		d.pos[ep] = where(kv.key, kv.val)
		e := d.newElem(t.Elem())
		if old := m.MapIndex(k); old.IsValid() {
			e.Set(deepCopy(old, 0))
		}
		d.value(kv.val, e, ep, depth+1)
		m.SetMapIndex(k, e)
	}
	v.Set(m)
}

type pair struct{ key, val *yaml.Node }

// pairs lists the key/value pairs of a mapping: its own keys, then keys
// brought in by merge keys (<<: *base or <<: [*a, *b]) that it does not set
// itself, earlier merge sources winning, as YAML specifies. Keys must be
// scalars and unique; offenders are reported and skipped.
func (d *decoder) pairs(n *yaml.Node, path string, depth int) []pair {
	d.visits += len(n.Content) / 2
	if d.halted || d.visits > maxVisits {
		if !d.halted {
			d.halted = true
			d.errAt(n, path, "the document is too large (over %d values after expanding aliases)", maxVisits)
		}
		return nil
	}
	var own, merges []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, pair{k, v})
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errAt(k, path, "a key must be a plain name, got %s", describeNode(k))
			continue
		}
		if line, dup := seen[k.Value]; dup {
			d.errAt(k, joinPath(path, k.Value), "duplicate key (first set at line %d)", line)
			continue
		}
		seen[k.Value] = k.Line
		own = append(own, pair{k, v})
	}
	if len(merges) == 0 || depth > maxDepth {
		return own
	}
	out := own
	for _, m := range merges {
		var sources []*yaml.Node
		src := resolveAlias(m.val)
		switch src.Kind {
		case yaml.MappingNode:
			sources = []*yaml.Node{src}
		case yaml.SequenceNode:
			for _, s := range src.Content {
				sources = append(sources, resolveAlias(s))
			}
		default:
			sources = []*yaml.Node{src}
		}
		for _, s := range sources {
			if s.Kind != yaml.MappingNode {
				d.errAt(m.key, path, "a merge key (<<) needs a mapping or a list of mappings, got %s", describeNode(s))
				continue
			}
			for _, kv := range d.pairs(s, path, depth+1) {
				if _, dup := seen[kv.key.Value]; !dup {
					seen[kv.key.Value] = kv.key.Line
					out = append(out, kv)
				}
			}
		}
	}
	return out
}

// resolveAlias follows alias chains (bounded, in case of a cycle).
func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; i < maxDepth && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

// joinPath appends a mapping key to a path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

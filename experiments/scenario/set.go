package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ApplySet applies one command-line override "path=value" to a parsed
// scenario (a document node from ParseNode, or its top mapping), e.g.
//
//	policies.payment.retry.max_attempts=5
//	flow.steps[2].calls=per_item
//	traffic.peak_rate=3000/s
//	flow.retry_on=[timeout, unavailable]
//
// The path has keys separated by dots and list elements in brackets: an
// index ("steps[2]") or, for lists whose elements have a name field
// (services, providers, steps, cohorts), a name ("services[checkout-api]",
// NamedElement's rules). The value
// is read as one YAML scalar or flow value ("[1,2]", "{a: 1}"); text that
// YAML would read as a block mapping ("a: b") is kept as a plain string.
// Missing mappings on the way are created; an index must exist. A mapping
// reached through an alias is copied first, so the override changes only
// this path. The new nodes carry line 0, so DecodeNode reports their
// problems as "--set: path: msg". Errors name the assignment:
//
//	--set flow.steps[9].calls=per_item: index 9 is out of range: flow.steps has 3 elements
//	--set services[checkout-apii].instances=2: services has no element named "checkout-apii" (did you mean "checkout-api"?); its names: gateway, checkout-api
func ApplySet(root *yaml.Node, assignment string) error {
	fail := func(format string, args ...any) error {
		return &Error{File: "--set " + assignment, Msg: fmt.Sprintf(format, args...)}
	}
	path, value, ok := strings.Cut(assignment, "=")
	if !ok {
		return fail("expected path=value")
	}
	path = strings.TrimSpace(path)
	segs, err := parseSetPath(path)
	if err != nil {
		return fail("%v", err)
	}
	val, err := parseSetValue(value)
	if err != nil {
		return fail("%v", err)
	}
	if root == nil {
		return fail("no scenario to apply it to")
	}
	n := root
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return fail("no scenario to apply it to")
		}
		n = n.Content[0]
	}
	// parent[slot] is the node being descended into, so it can be replaced
	// (null -> new mapping, alias -> private copy, or the final value).
	parent, slot := []*yaml.Node{n}, 0
	done := ""
	for i, s := range segs {
		cur := parent[slot]
		if cur.Kind == yaml.AliasNode && cur.Alias != nil {
			cur = copyNode(resolveAlias(cur), true, 0)
			parent[slot] = cur
		}
		if s.key != "" {
			if isNull(cur) {
				cur = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
				parent[slot] = cur
			}
			if cur.Kind != yaml.MappingNode {
				return fail("cannot set key %q under %s, which is %s", s.key, orRoot(done), describeNode(cur))
			}
			j := FindKey(cur, s.key)
			if j < 0 {
				next := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
				if i+1 < len(segs) && segs[i+1].key == "" {
					what := "index " + segs[i+1].bracket()
					if segs[i+1].name != "" {
						what = "element " + segs[i+1].bracket()
					}
					return fail("%s does not exist, so %s cannot be set", joinPath(done, s.key), what)
				}
				cur.Content = append(cur.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.key}, next)
				j = len(cur.Content) - 2
			}
			parent, slot = cur.Content, j+1
			done = joinPath(done, s.key)
		} else {
			if cur.Kind != yaml.SequenceNode {
				return fail("cannot index %s, which is %s, not a list", orRoot(done), describeNode(cur))
			}
			index := s.index
			if s.name != "" {
				var err error
				if index, err = NamedElement(cur, s.name); err != nil {
					return fail("%s %v", done, err)
				}
			}
			if index >= len(cur.Content) {
				return fail("index %d is out of range: %s has %d elements", index, done, len(cur.Content))
			}
			parent, slot = cur.Content, index
			done += s.bracket()
		}
	}
	parent[slot] = val
	return nil
}

func orRoot(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

// setSeg is one step of a --set path: a key, or when key is "" a list
// element by name, or by index when name is "" too.
type setSeg struct {
	key   string
	index int
	name  string
}

// bracket is a list element's segment as written: "[2]" or "[checkout-api]".
func (s setSeg) bracket() string {
	if s.name != "" {
		return "[" + s.name + "]"
	}
	return "[" + strconv.Itoa(s.index) + "]"
}

// parseSetPath splits "a.b[2].c" into a, b, [2], c. A bracket that starts
// with a digit or a sign holds an index; any other holds a name.
func parseSetPath(path string) ([]setSeg, error) {
	if path == "" {
		return nil, fmt.Errorf("empty path before =")
	}
	var segs []setSeg
	i := 0
	for i < len(path) {
		switch {
		case path[i] == '[':
			if len(segs) == 0 {
				return nil, fmt.Errorf("path %q starts with an index; it must start with a key", path)
			}
			end := strings.IndexByte(path[i:], ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: missing ] after [", path)
			}
			num := path[i+1 : i+end]
			if num != "" && !strings.ContainsAny(num[:1], "0123456789+-") {
				if !addressable(num) {
					return nil, fmt.Errorf("path %q: [%s] is neither an index nor a name (a name has no blanks, brackets or '=')", path, num)
				}
				segs = append(segs, setSeg{name: num})
			} else {
				idx, err := strconv.Atoi(num)
				if err != nil || idx < 0 || strings.HasPrefix(num, "+") {
					return nil, fmt.Errorf("path %q: index [%s] is not a non-negative whole number", path, num)
				}
				segs = append(segs, setSeg{index: idx})
			}
			i += end + 1
			if i < len(path) && path[i] != '.' && path[i] != '[' {
				return nil, fmt.Errorf("path %q: expected . or [ after ]", path)
			}
			if i < len(path) && path[i] == '.' {
				i++
				if i == len(path) {
					return nil, fmt.Errorf("path %q ends with a dot", path)
				}
			}
		default:
			end := strings.IndexAny(path[i:], ".[]")
			if end < 0 {
				end = len(path) - i
			}
			key := path[i : i+end]
			if key == "" {
				return nil, fmt.Errorf("path %q has an empty key", path)
			}
			segs = append(segs, setSeg{key: key})
			i += end
			if i < len(path) && path[i] == ']' {
				return nil, fmt.Errorf("path %q: ] without [", path)
			}
			if i < len(path) && path[i] == '.' {
				i++
				if i == len(path) {
					return nil, fmt.Errorf("path %q ends with a dot", path)
				}
			}
		}
	}
	return segs, nil
}

// parseSetValue reads the right-hand side of a --set as a YAML scalar or
// flow value and clears its positions, marking it as coming from --set.
func parseSetValue(s string) (*yaml.Node, error) {
	var doc yaml.Node
	err := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("the YAML parser failed: %v", r)
			}
		}()
		return yaml.Unmarshal([]byte(s), &doc)
	}()
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "line 1: ")
		return nil, fmt.Errorf("invalid value %q: %s (quote it for a plain string)", s, msg)
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}, nil
	}
	n := doc.Content[0]
	if (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}, nil
	}
	if hasAlias(n, 0) {
		return nil, fmt.Errorf("invalid value %q: aliases (*name) cannot be used in --set", s)
	}
	return copyNode(n, false, 0), nil
}

func hasAlias(n *yaml.Node, depth int) bool {
	if n.Kind == yaml.AliasNode || depth > maxDepth {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c, depth+1) {
			return true
		}
	}
	return false
}

// copyNode deep-copies a node tree, keeping positions or clearing them
// (line 0 marks a --set value). Aliases inside keep pointing at their anchors.
func copyNode(n *yaml.Node, keepPos bool, depth int) *yaml.Node {
	c := *n
	if !keepPos {
		c.Line, c.Column = 0, 0
	}
	c.Anchor = ""
	if depth > maxDepth {
		c.Content = nil
		return &c
	}
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		c.Content[i] = copyNode(k, keepPos, depth+1)
	}
	return &c
}

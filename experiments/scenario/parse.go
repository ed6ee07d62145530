package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlLineRE matches the location prefix of go-yaml syntax errors.
var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// ParseNode parses one YAML document and returns its document node, checking
// the problems that come before any field: an empty file, a syntax error, a
// second document, a top level that is not a mapping. Errors are an
// ErrorList with one entry, located at a line >= 1, e.g.
//
//	before.yaml:3: syntax: mapping values are not allowed in this context
//
// The returned node can be changed with ApplySet and then given to DecodeNode.
func ParseNode(filename string, data []byte) (*yaml.Node, error) {
	doc, second, err := parseDocs(data)
	if err != nil {
		return nil, ErrorList{syntaxError(filename, data, err)}
	}
	if doc == nil || len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, ErrorList{{File: filename, Line: 1, Msg: "the file is empty; a scenario is a YAML mapping of fields (see `checkoutsim scenarios show`)"}}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, ErrorList{{File: filename, Line: max(top.Line, 1), Column: top.Column,
			Msg: fmt.Sprintf("a scenario must be a mapping of fields (key: value), got %s", describeNode(top))}}
	}
	if second != nil && len(second.Content) > 0 && !isNull(second.Content[0]) {
		return nil, ErrorList{{File: filename, Line: max(second.Line, 1),
			Msg: "a second YAML document (after ---); a scenario file holds exactly one document"}}
	}
	return doc, nil
}

// parseDocs decodes the first document and peeks at a second one. A panic in
// the YAML library on hostile input becomes an error.
func parseDocs(data []byte) (doc, second *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, second, err = nil, nil, fmt.Errorf("yaml: the YAML parser failed: %v", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	doc = new(yaml.Node)
	if err := dec.Decode(doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	second = new(yaml.Node)
	if err := dec.Decode(second); err != nil {
		if errors.Is(err, io.EOF) {
			return doc, nil, nil
		}
		return nil, nil, err
	}
	return doc, second, nil
}

// parserProblems are the messages of go-yaml's parser (as opposed to its
// scanner) errors. For these go-yaml v3.0.6 prints the 0-based line of the
// enclosing construct or of the problem (decode.go, parser.fail adds 1 only
// for scanner errors), so one is added here.
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected <document start>": true,
	"did not find expected '-' indicator":    true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"did not find expected <stream-start>":   true,
	"found duplicate %YAML directive":        true,
	"found duplicate %TAG directive":         true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

// syntaxError turns a go-yaml error ("yaml: line 3: ...") into
// "file:3: syntax: ...". go-yaml omits the line for a few errors; for those
// the line is found from the input where possible, else line 1 is used.
func syntaxError(filename string, data []byte, err error) *Error {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if parserProblems[m[2]] {
			line++
		}
		// At the end of the stream go-yaml's mark is one line past the text.
		last := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			last++
		}
		line = min(line, last)
		return &Error{File: filename, Line: max(line, 1), Msg: "syntax: " + m[2]}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if parserProblems[msg] {
		// go-yaml leaves the line out when its 0-based mark is 0: line 1.
		return &Error{File: filename, Line: 1, Msg: "syntax: " + msg}
	}
	return &Error{File: filename, Line: guessLine(data, msg), Msg: "syntax: " + msg}
}

// guessLine locates the errors go-yaml reports without a line: a control
// character, an unknown anchor. It returns 1 when it cannot tell.
func guessLine(data []byte, msg string) int {
	at := -1
	switch {
	case strings.Contains(msg, "control characters"):
		at = bytes.IndexFunc(data, func(r rune) bool {
			return r < 0x20 && r != '\t' && r != '\n' && r != '\r'
		})
	case strings.HasPrefix(msg, "unknown anchor '"):
		name, _, _ := strings.Cut(strings.TrimPrefix(msg, "unknown anchor '"), "'")
		at = bytes.Index(data, []byte("*"+name))
	}
	if at < 0 {
		return 1
	}
	return 1 + bytes.Count(data[:at], []byte("\n"))
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// describeNode says what a node is, for "expected X, got Y" messages.
func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		if n.Alias != nil && n.Alias != n {
			return describeNode(n.Alias)
		}
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:40] + "..."
	}
	switch n.ShortTag() {
	case "!!null":
		return "null"
	case "!!str":
		return fmt.Sprintf("string %q", v)
	case "!!int", "!!float":
		return "number " + v
	case "!!bool":
		return v
	}
	return fmt.Sprintf("%s %q", n.ShortTag(), v)
}

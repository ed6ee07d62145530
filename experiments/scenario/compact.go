package scenario

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// CompactFromMapping returns the compact text form of a value that can also
// be written as a mapping with a kind, for hooks whose parser only reads the
// compact form (distributions):
//
//	{kind: lognormal, median: 300ms, p99: 2s}  ->  lognormal(median=300ms, p99=2s)
//
// Keys keep their order; a nested mapping with a kind is converted the same
// way and a list becomes "[a, b]". A scalar is returned as written, so a
// hook can call this on any node. Plain values are copied unchanged (so
// "0.9*lognormal(median=80ms)" nests); a value quoted in the YAML
// (file: "my data, v2.csv") is emitted as a Go-quoted string, which
// dist.Parse reads as one value.
func CompactFromMapping(node *yaml.Node) (string, error) {
	return compact(node, 0)
}

func compact(n *yaml.Node, depth int) (string, error) {
	if n == nil {
		return "", fmt.Errorf("missing value")
	}
	if depth > maxDepth {
		return "", fmt.Errorf("nested too deeply")
	}
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.ScalarNode:
		if isNull(n) {
			return "", fmt.Errorf("missing value")
		}
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 && depth > 0 {
			return strconv.Quote(n.Value), nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		parts := make([]string, len(n.Content))
		for i, c := range n.Content {
			s, err := compact(c, depth+1)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	case yaml.MappingNode:
		kind := ""
		var args []string
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("a key must be a plain name, got %s", describeNode(k))
			}
			if seen[k.Value] {
				return "", fmt.Errorf("duplicate key %q", k.Value)
			}
			seen[k.Value] = true
			s, err := compact(v, depth+1)
			if err != nil {
				return "", fmt.Errorf("%s: %v", k.Value, err)
			}
			if k.Value == "kind" {
				kind = s
				continue
			}
			args = append(args, k.Value+"="+s)
		}
		if kind == "" {
			return "", fmt.Errorf("the mapping form needs a kind key, e.g. {kind: lognormal, median: 300ms, p99: 2s}")
		}
		return kind + "(" + strings.Join(args, ", ") + ")", nil
	}
	return "", fmt.Errorf("expected a compact form or a mapping with a kind, got %s", describeNode(n))
}

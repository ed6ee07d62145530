package scenario

import (
	"fmt"
	"strings"
)

// SplitList splits a flag's list of values at commas outside (), [], {} and
// quotes, and trims each value, so "lognormal(median=1s, p99=2s),const(1s)"
// is two values. sweep's --param, tune's --knob lists and --condition use it.
func SplitList(s string) ([]string, error) {
	var out []string
	depth, start := 0, 0
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'':
			quote = r
		case r == '(' || r == '[' || r == '{':
			depth++
		case r == ')' || r == ']' || r == '}':
			if depth--; depth < 0 {
				return nil, fmt.Errorf("unbalanced %q at byte %d", r, i)
			}
		case r == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote %q", quote)
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced brackets")
	}
	return append(out, strings.TrimSpace(s[start:])), nil
}

package scenario

import (
	"testing"
)

func TestCompactFromMapping(t *testing.T) {
	tests := []struct{ src, want string }{
		{"lognormal(median=300ms, p99=2s)", "lognormal(median=300ms, p99=2s)"},
		{"{kind: lognormal, median: 300ms, p99: 2s}", "lognormal(median=300ms, p99=2s)"},
		{"{median: 300ms, kind: lognormal, p99: 2s}", "lognormal(median=300ms, p99=2s)"},
		{"kind: exponential\nmean: 50ms\n", "exponential(mean=50ms)"},
		{"{kind: empirical, file: \"my data, v2.csv\", unit: ms}", `empirical(file="my data, v2.csv", unit=ms)`},
		{"{kind: mixture, a: {kind: constant, v: 1s}, w: [0.5, 0.5]}", "mixture(a=constant(v=1s), w=[0.5, 0.5])"},
		{"{kind: constant}", "constant()"},
		{"5", "5"},
	}
	for _, tt := range tests {
		root, err := ParseNode("t.yaml", []byte("x: "+tt.src+"\n"))
		if len(tt.src) > 0 && tt.src[0] == 'k' {
			root, err = ParseNode("t.yaml", []byte("x:\n  "+indent(tt.src)))
		}
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		got, err := CompactFromMapping(root.Content[0].Content[1])
		if err != nil || got != tt.want {
			t.Errorf("CompactFromMapping(%s) = %q, %v; want %q", tt.src, got, err, tt.want)
		}
	}
	for src, want := range map[string]string{
		"{median: 1s}":          "the mapping form needs a kind key, e.g. {kind: lognormal, median: 300ms, p99: 2s}",
		"{kind: a, m: 1, m: 2}": `duplicate key "m"`,
		"{kind: a, m: }":        "m: missing value",
		"null":                  "missing value",
		"{kind: a, {x: 1}: 2}":  "a key must be a plain name, got a mapping",
	} {
		root, err := ParseNode("t.yaml", []byte("x: "+src+"\n"))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if _, err := CompactFromMapping(root.Content[0].Content[1]); err == nil || err.Error() != want {
			t.Errorf("CompactFromMapping(%s) error = %v, want %q", src, err, want)
		}
	}
}

func indent(s string) string {
	out := ""
	for i, c := range s {
		out += string(c)
		if c == '\n' && i+1 < len(s) {
			out += "  "
		}
	}
	return out
}

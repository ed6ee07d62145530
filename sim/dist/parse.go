package dist

import (
	"fmt"
	"strconv"
	"strings"
)

// Option configures Parse.
type Option func(*parseConfig)

type parseConfig struct{ baseDir string }

// WithBaseDir resolves relative empirical file paths against dir (usually
// the directory of the scenario file). The path is printed by String as
// written, not resolved.
func WithBaseDir(dir string) Option { return func(c *parseConfig) { c.baseDir = dir } }

// known lists the distribution names Parse accepts, alphabetically.
var known = []string{"constant", "discrete", "empirical", "erlang", "exponential", "gamma",
	"lognormal", "mixture", "normal", "pareto", "scale", "uniform", "weibull", "zipf"}

// maxDepth bounds the nesting of mixture/scale in a spec.
const maxDepth = 32

// Parse reads the compact form of a distribution:
//
//	spec   = name "(" [arg {"," arg}] ")"
//	arg    = [key "="] value
//	value  = number | duration | word | "quoted" | "[" value {"," value} "]"
//	       | spec | number "*" spec | number ":" number
//
// Durations (a number followed by ns, us, µs, ms, s, m or h) become seconds;
// dimensionless parameters (shape, alpha, k, n, s, weights, factor) must be
// plain numbers. Parameters are named except: constant(v), the weighted
// components of mixture, and the value:weight pairs of discrete. Unknown,
// missing or repeated parameters are errors; every error names the
// distribution, the parameter and the offending text with its offset.
func Parse(spec string, opts ...Option) (Dist, error) {
	var cfg parseConfig
	for _, o := range opts {
		o(&cfg)
	}
	p := &parser{src: spec}
	if err := p.lex(); err != nil {
		return nil, p.wrap(err)
	}
	n, err := p.value(0)
	if err != nil {
		return nil, p.wrap(err)
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.wrap(p.errAt(t.pos, "unexpected %q after the distribution", t.text))
	}
	if n.kind != nCall {
		return nil, p.wrap(p.errAt(n.pos, "expected a distribution such as exponential(mean=50ms), got %q", n.text))
	}
	d, err := build(n, &cfg)
	if err != nil {
		return nil, p.wrap(err)
	}
	return d, nil
}

// MustParse is Parse for specs fixed in code (tests, examples); it panics on
// error and must not be used on user input.
func MustParse(spec string, opts ...Option) Dist {
	d, err := Parse(spec, opts...)
	if err != nil {
		panic(err)
	}
	return d
}

// ---- lexer ----

const delimiters = "()[],=*:\""

type tokKind int

const (
	tEOF tokKind = iota
	tAtom
	tString
	tPunct
)

type token struct {
	kind tokKind
	text string // atom text, unquoted string, or the punctuation character
	pos  int
}

type parser struct {
	src  string
	toks []token
	i    int
}

type posError struct {
	pos int
	msg string
}

func (e *posError) Error() string { return e.msg }

func (p *parser) errAt(pos int, format string, a ...any) error {
	return &posError{pos: pos, msg: fmt.Sprintf(format, a...)}
}

func (p *parser) wrap(err error) error {
	if pe, ok := err.(*posError); ok {
		return fmt.Errorf("dist: parse %q: at offset %d: %s", p.src, pe.pos, pe.msg)
	}
	return fmt.Errorf("dist: parse %q: %w", p.src, err)
}

func (p *parser) lex() error {
	s := p.src
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"':
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' {
					j++
				}
			}
			if j >= len(s) {
				return p.errAt(i, "unterminated quoted string")
			}
			u, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				return p.errAt(i, "bad quoted string %s", s[i:j+1])
			}
			p.toks = append(p.toks, token{tString, u, i})
			i = j + 1
		case strings.IndexByte(delimiters, c) >= 0:
			p.toks = append(p.toks, token{tPunct, s[i : i+1], i})
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(delimiters+" \t\n\r", s[j]) < 0 {
				j++
			}
			p.toks = append(p.toks, token{tAtom, s[i:j], i})
			i = j
		}
	}
	p.toks = append(p.toks, token{tEOF, "end of input", len(s)})
	return nil
}

func (p *parser) peek() token  { return p.toks[p.i] }
func (p *parser) peek2() token { return p.toks[min(p.i+1, len(p.toks)-1)] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isPunct(t token, c string) bool { return t.kind == tPunct && t.text == c }

// ---- syntax tree ----

type nodeKind int

const (
	nAtom     nodeKind = iota // number, duration or word
	nString                   // quoted string
	nList                     // [a, b, c]
	nCall                     // name(args)
	nWeighted                 // w*call
	nPair                     // a:b
)

type node struct {
	kind  nodeKind
	text  string // atom/string text, call name
	pos   int
	args  []arg   // nCall
	items []*node // nList; nWeighted {weight, call}; nPair {a, b}
}

type arg struct {
	key    string // "" for positional
	keyPos int
	val    *node
}

func (p *parser) value(depth int) (*node, error) {
	if depth > maxDepth {
		return nil, p.errAt(p.peek().pos, "nesting deeper than %d", maxDepth)
	}
	t := p.next()
	switch {
	case t.kind == tString:
		return &node{kind: nString, text: t.text, pos: t.pos}, nil
	case p.isPunct(t, "["):
		n := &node{kind: nList, pos: t.pos}
		if p.isPunct(p.peek(), "]") {
			p.next()
			return n, nil
		}
		for {
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, v)
			t := p.next()
			if p.isPunct(t, "]") {
				return n, nil
			}
			if !p.isPunct(t, ",") {
				return nil, p.errAt(t.pos, "expected ',' or ']' in list, got %q", t.text)
			}
		}
	case t.kind == tAtom:
		atom := &node{kind: nAtom, text: t.text, pos: t.pos}
		switch nx := p.peek(); {
		case p.isPunct(nx, "("):
			return p.call(t, depth)
		case p.isPunct(nx, "*"):
			p.next()
			name := p.next()
			if name.kind != tAtom || !p.isPunct(p.peek(), "(") {
				return nil, p.errAt(name.pos, "expected a distribution after %q*, got %q", t.text, name.text)
			}
			c, err := p.call(name, depth)
			if err != nil {
				return nil, err
			}
			return &node{kind: nWeighted, pos: t.pos, text: t.text, items: []*node{atom, c}}, nil
		case p.isPunct(nx, ":"):
			p.next()
			b := p.next()
			if b.kind != tAtom {
				return nil, p.errAt(b.pos, "expected a weight after %q:, got %q", t.text, b.text)
			}
			return &node{kind: nPair, pos: t.pos, text: t.text + ":" + b.text,
				items: []*node{atom, {kind: nAtom, text: b.text, pos: b.pos}}}, nil
		}
		return atom, nil
	}
	return nil, p.errAt(t.pos, "expected a value, got %q", t.text)
}

func (p *parser) call(name token, depth int) (*node, error) {
	open := p.next() // "("
	n := &node{kind: nCall, text: name.text, pos: name.pos}
	if p.isPunct(p.peek(), ")") {
		p.next()
		return n, nil
	}
	for {
		var a arg
		if t := p.peek(); t.kind == tAtom && p.isPunct(p.peek2(), "=") {
			p.next()
			p.next()
			a.key, a.keyPos = t.text, t.pos
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a.val = v
		if a.key == "" {
			a.keyPos = v.pos
		}
		n.args = append(n.args, a)
		t := p.next()
		if p.isPunct(t, ")") {
			return n, nil
		}
		if !p.isPunct(t, ",") {
			if t.kind == tEOF {
				return nil, p.errAt(open.pos, "%s: unclosed '('", name.text)
			}
			return nil, p.errAt(t.pos, "%s: expected ',' or ')', got %q", name.text, t.text)
		}
	}
}

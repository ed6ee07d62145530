package scenario

import (
	"reflect"

	"go.yaml.in/yaml/v3"
)

// Unmarshaler is implemented by types that parse their own YAML node, such as
// a distribution with a compact form "lognormal(median=300ms, p99=2s)" and a
// mapping form. The receiver holds the current (default) value when called.
// A returned error is reported at the node's line with the field's path.
type Unmarshaler interface {
	UnmarshalScenario(node *yaml.Node) error
}

// HookContext tells a type hook where the value comes from.
type HookContext struct {
	File    string // the scenario file name, as given to Decode
	BaseDir string // directory that relative paths in the file are relative to
	Path    string // the field path, e.g. "services.payment.latency"
}

// TypeHook decodes a node into a value of the type it was registered for.
// It is how the decoder handles types it cannot import, such as the
// dist.Dist interface:
//
//	scenario.WithTypeHook(reflect.TypeFor[dist.Dist](),
//		func(n *yaml.Node, ctx scenario.HookContext) (reflect.Value, error) {
//			spec, err := scenario.CompactFromMapping(n)
//			if err != nil {
//				return reflect.Value{}, err
//			}
//			d, err := dist.Parse(spec, dist.WithBaseDir(ctx.BaseDir))
//			return reflect.ValueOf(&d).Elem(), err
//		})
//
// The result must be assignable to the type; an invalid reflect.Value sets
// the zero value. The node is never an alias (aliases are resolved first).
type TypeHook func(node *yaml.Node, ctx HookContext) (reflect.Value, error)

// Option configures Decode, DecodeNode and Load.
type Option func(*config)

type config struct {
	hooks      map[reflect.Type]TypeHook
	defaults   map[reflect.Type]reflect.Value
	baseDir    string
	hasBaseDir bool
}

func newConfig(opts []Option) *config {
	c := &config{hooks: map[reflect.Type]TypeHook{}, defaults: map[reflect.Type]reflect.Value{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithTypeHook makes fields of type t (exactly t: register *T separately if
// needed) decode through fn. Hooks are checked before every other rule.
func WithTypeHook(t reflect.Type, fn TypeHook) Option {
	return func(c *config) {
		if t != nil && fn != nil {
			c.hooks[t] = fn
		}
	}
}

// WithDefault registers v (a struct value, or a pointer to one) as the
// starting value of every new struct of its type that the decoder creates:
// the target of a nil pointer, a new map entry, a slice element. So
//
//	steps:
//	  - service: pricing
//
// gives a step with the default timeout, not a zero one. The default is deep
// copied each time (slices, maps and pointers in exported fields).
func WithDefault(v any) Option {
	return func(c *config) {
		rv := reflect.ValueOf(v)
		for rv.Kind() == reflect.Pointer && !rv.IsNil() {
			rv = rv.Elem()
		}
		if rv.IsValid() && rv.Kind() != reflect.Pointer {
			c.defaults[rv.Type()] = rv
		}
	}
}

// WithBaseDir sets the directory that relative paths in the scenario (e.g. a
// trace file named by a distribution) are resolved against; HookContext
// passes it on. The default is the directory of the file name given to
// Decode, and Load uses the directory of the file it reads.
func WithBaseDir(dir string) Option {
	return func(c *config) { c.baseDir, c.hasBaseDir = dir, true }
}

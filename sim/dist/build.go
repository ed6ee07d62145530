package dist

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
)

// args of one call, with checks for unknown, duplicate and missing keys.
type params struct {
	c    *node
	args []arg
}

// namedParams checks that every argument of c is named, known and unique.
func namedParams(c *node, allowed ...string) (*params, error) {
	for i, a := range c.args {
		if a.key == "" {
			return nil, &posError{a.keyPos, fmt.Sprintf("%s: positional argument %q: parameters must be named (%s)", c.text, a.val.text, strings.Join(allowed, ", "))}
		}
		ok := false
		for _, k := range allowed {
			ok = ok || k == a.key
		}
		if !ok {
			return nil, &posError{a.keyPos, fmt.Sprintf("%s: unknown parameter %q (known: %s)", c.text, a.key, strings.Join(allowed, ", "))}
		}
		for _, b := range c.args[:i] {
			if b.key == a.key {
				return nil, &posError{a.keyPos, fmt.Sprintf("%s: parameter %s given twice", c.text, a.key)}
			}
		}
	}
	return &params{c: c, args: c.args}, nil
}

func (p *params) has(key string) bool { return p.get(key) != nil }

func (p *params) get(key string) *arg {
	for i := range p.args {
		if p.args[i].key == key {
			return &p.args[i]
		}
	}
	return nil
}

func (p *params) keys() string {
	var k []string
	for _, a := range p.args {
		k = append(k, a.key)
	}
	if len(k) == 0 {
		return "none"
	}
	return strings.Join(k, ", ")
}

// need returns the parameter or a "missing" error.
func (p *params) need(key string) (*node, error) {
	a := p.get(key)
	if a == nil {
		return nil, &posError{p.c.pos, fmt.Sprintf("%s: missing parameter %s (given: %s)", p.c.text, key, p.keys())}
	}
	return a.val, nil
}

// dur reads a required parameter that may be a duration.
func (p *params) dur(key string) (float64, error) {
	n, err := p.need(key)
	if err != nil {
		return 0, err
	}
	return number(p.c.text, key, n, true)
}

// plain reads a required dimensionless parameter.
func (p *params) plain(key string) (float64, error) {
	n, err := p.need(key)
	if err != nil {
		return 0, err
	}
	return number(p.c.text, key, n, false)
}

// integer reads a required whole-number parameter.
func (p *params) integer(key string) (int, error) {
	n, err := p.need(key)
	if err != nil {
		return 0, err
	}
	return intNumber(p.c.text, key, n)
}

func intNumber(dist, key string, n *node) (int, error) {
	v, err := number(dist, key, n, false)
	if err != nil {
		return 0, err
	}
	if v != math.Trunc(v) || math.Abs(v) > 1e15 {
		return 0, &posError{n.pos, fmt.Sprintf("%s: %s: %q is not a whole number", dist, key, n.text)}
	}
	return int(v), nil
}

// units maps duration suffixes to seconds; longer suffixes first so "ms"
// is not read as "m" + "s".
var units = []struct {
	suffix string
	mul    float64 // seconds per unit when >= 1
	div    float64 // units per second when sub-second (divide: correctly rounded)
}{
	{"ns", 0, 1e9}, {"us", 0, 1e6}, {"µs", 0, 1e6}, {"ms", 0, 1e3}, {"s", 1, 0}, {"m", 60, 0}, {"h", 3600, 0},
}

// UnitSeconds returns the seconds per unit of a duration unit name
// ("ms" -> 0.001): the one unit table of distributions, empirical files and
// `checkoutsim fit`.
func UnitSeconds(u string) (float64, bool) {
	for _, x := range units {
		if x.suffix == u {
			if x.div != 0 {
				return 1 / x.div, true
			}
			return x.mul, true
		}
	}
	return 0, false
}

// number reads an atom as a finite number; with durOK a unit suffix
// converts it to seconds.
func number(dist, key string, n *node, durOK bool) (float64, error) {
	bad := func(why string) error {
		return &posError{n.pos, fmt.Sprintf("%s: %s: %q %s", dist, key, n.text, why)}
	}
	if n.kind != nAtom {
		return 0, bad("is not a number")
	}
	t := n.text
	if v, err := strconv.ParseFloat(t, 64); err == nil {
		if !finite(v) {
			return 0, bad("must be finite")
		}
		return v, nil
	} else if errors.Is(err, strconv.ErrRange) {
		return 0, bad("is out of range")
	}
	for _, u := range units {
		if !strings.HasSuffix(t, u.suffix) {
			continue
		}
		v, err := strconv.ParseFloat(t[:len(t)-len(u.suffix)], 64)
		if err != nil {
			continue
		}
		if !durOK {
			return 0, bad("must be a plain number, not a duration")
		}
		if u.div != 0 {
			v /= u.div
		} else {
			v *= u.mul
		}
		if !finite(v) {
			return 0, bad("must be finite")
		}
		return v, nil
	}
	if durOK {
		return 0, bad("is not a number or duration (units ns, us, µs, ms, s, m, h)")
	}
	return 0, bad("is not a number")
}

// mk adapts a constructor's (concrete pointer, error) to (Dist, error)
// without producing a non-nil interface holding a nil pointer.
func mk[T Dist](d T, err error) (Dist, error) {
	if err != nil {
		return nil, err
	}
	return d, nil
}

// build turns a call node into a distribution; constructor errors get the
// call's position.
func build(c *node, cfg *parseConfig) (Dist, error) {
	d, err := buildCall(c, cfg)
	if err != nil {
		if _, ok := err.(*posError); !ok {
			err = &posError{c.pos, err.Error()}
		}
		return nil, err
	}
	return d, nil
}

func buildCall(c *node, cfg *parseConfig) (Dist, error) {
	switch c.text {
	case "constant":
		if len(c.args) == 1 && c.args[0].key == "" {
			v, err := number("constant", "value", c.args[0].val, true)
			if err != nil {
				return nil, err
			}
			return mk(NewConstant(v))
		}
		p, err := namedParams(c, "value")
		if err != nil {
			return nil, err
		}
		v, err := p.dur("value")
		if err != nil {
			return nil, err
		}
		return mk(NewConstant(v))
	case "uniform":
		return two(c, "min", "max", true, true, func(a, b float64) (Dist, error) { return NewUniform(a, b) })
	case "normal":
		return two(c, "mean", "sd", true, true, func(a, b float64) (Dist, error) { return NewNormal(a, b) })
	case "gamma":
		return two(c, "shape", "scale", false, true, func(a, b float64) (Dist, error) { return NewGamma(a, b) })
	case "pareto":
		return two(c, "xm", "alpha", true, false, func(a, b float64) (Dist, error) { return NewPareto(a, b) })
	case "weibull":
		return two(c, "shape", "scale", false, true, func(a, b float64) (Dist, error) { return NewWeibull(a, b) })
	case "exponential":
		p, err := namedParams(c, "mean", "rate")
		if err != nil {
			return nil, err
		}
		switch {
		case p.has("mean") && p.has("rate"):
			return nil, &posError{c.pos, "exponential: give mean or rate, not both"}
		case p.has("rate"):
			v, err := p.plain("rate")
			if err != nil {
				return nil, err
			}
			return mk(NewExponentialRate(v))
		}
		v, err := p.dur("mean")
		if err != nil {
			return nil, err
		}
		return mk(NewExponential(v))
	case "lognormal":
		return buildLognormal(c)
	case "erlang":
		p, err := namedParams(c, "k", "mean")
		if err != nil {
			return nil, err
		}
		k, err := p.integer("k")
		if err != nil {
			return nil, err
		}
		m, err := p.dur("mean")
		if err != nil {
			return nil, err
		}
		return mk(NewErlang(k, m))
	case "zipf":
		p, err := namedParams(c, "n", "s")
		if err != nil {
			return nil, err
		}
		n, err := p.integer("n")
		if err != nil {
			return nil, err
		}
		s, err := p.plain("s")
		if err != nil {
			return nil, err
		}
		return mk(NewZipf(n, s))
	case "discrete":
		var vs, ws []float64
		for _, a := range c.args {
			if a.key != "" || a.val.kind != nPair {
				return nil, &posError{a.keyPos, "discrete: arguments must be value:weight pairs such as 2:25"}
			}
			v, err := number("discrete", "value", a.val.items[0], true)
			if err != nil {
				return nil, err
			}
			w, err := number("discrete", "weight", a.val.items[1], false)
			if err != nil {
				return nil, err
			}
			vs, ws = append(vs, v), append(ws, w)
		}
		return mk(NewDiscrete(vs, ws))
	case "mixture":
		var ws []float64
		var ds []Dist
		for _, a := range c.args {
			if a.key != "" || a.val.kind != nWeighted {
				return nil, &posError{a.keyPos, "mixture: arguments must be weighted distributions such as 0.9*exponential(mean=1s)"}
			}
			w, err := number("mixture", "weight", a.val.items[0], false)
			if err != nil {
				return nil, err
			}
			d, err := build(a.val.items[1], cfg)
			if err != nil {
				return nil, err
			}
			ws, ds = append(ws, w), append(ds, d)
		}
		return mk(NewMixture(ws, ds))
	case "scale":
		p, err := namedParams(c, "factor", "dist")
		if err != nil {
			return nil, err
		}
		f, err := p.plain("factor")
		if err != nil {
			return nil, err
		}
		dn, err := p.need("dist")
		if err != nil {
			return nil, err
		}
		if dn.kind != nCall {
			return nil, &posError{dn.pos, fmt.Sprintf("scale: dist: %q is not a distribution", dn.text)}
		}
		d, err := build(dn, cfg)
		if err != nil {
			return nil, err
		}
		return mk(NewScaled(d, f))
	case "empirical":
		return buildEmpirical(c, cfg)
	}
	return nil, &posError{c.pos, fmt.Sprintf("unknown distribution %q (known: %s)", c.text, strings.Join(known, ", "))}
}

// two builds a distribution from two required named parameters.
func two(c *node, k1, k2 string, dur1, dur2 bool, f func(a, b float64) (Dist, error)) (Dist, error) {
	p, err := namedParams(c, k1, k2)
	if err != nil {
		return nil, err
	}
	get := func(k string, dur bool) (float64, error) {
		if dur {
			return p.dur(k)
		}
		return p.plain(k)
	}
	a, err := get(k1, dur1)
	if err != nil {
		return nil, err
	}
	b, err := get(k2, dur2)
	if err != nil {
		return nil, err
	}
	return f(a, b)
}

func buildLognormal(c *node) (Dist, error) {
	p, err := namedParams(c, "median", "p99", "mu", "sigma", "mean", "sd")
	if err != nil {
		return nil, err
	}
	switch {
	case p.has("median") || p.has("p99"):
		if len(p.args) > 2 || p.has("mu") || p.has("sigma") || p.has("mean") || p.has("sd") {
			break
		}
		return two(c, "median", "p99", true, true, func(a, b float64) (Dist, error) { return NewLognormalMedianP99(a, b) })
	case p.has("mu") || p.has("sigma"):
		if p.has("mean") || p.has("sd") {
			break
		}
		return two(c, "mu", "sigma", false, false, func(a, b float64) (Dist, error) { return NewLognormal(a, b) })
	case p.has("mean") || p.has("sd"):
		return two(c, "mean", "sd", true, true, func(a, b float64) (Dist, error) { return NewLognormalMeanSD(a, b) })
	}
	return nil, &posError{c.pos, fmt.Sprintf("lognormal: give median and p99, mu and sigma, or mean and sd (given: %s)", p.keys())}
}

func buildEmpirical(c *node, cfg *parseConfig) (Dist, error) {
	p, err := namedParams(c, "samples", "file", "column", "unit")
	if err != nil {
		return nil, err
	}
	if p.has("samples") {
		if p.has("file") || p.has("column") || p.has("unit") {
			return nil, &posError{c.pos, "empirical: give samples=[...] or file= (with column= and unit=), not both"}
		}
		l, _ := p.need("samples")
		if l.kind != nList {
			return nil, &posError{l.pos, fmt.Sprintf("empirical: samples: %q is not a list such as [0.1, 0.2]", l.text)}
		}
		xs := make([]float64, 0, len(l.items))
		for _, it := range l.items {
			v, err := number("empirical", "samples", it, true)
			if err != nil {
				return nil, err
			}
			xs = append(xs, v)
		}
		return mk(NewEmpirical(xs))
	}
	fn, err := p.need("file")
	if err != nil {
		return nil, &posError{c.pos, fmt.Sprintf("empirical: give samples=[...] or file= (given: %s)", p.keys())}
	}
	if fn.kind != nAtom && fn.kind != nString || fn.text == "" {
		return nil, &posError{fn.pos, "empirical: file: expected a file name"}
	}
	column := "0"
	if a := p.get("column"); a != nil {
		if a.val.kind != nAtom && a.val.kind != nString || a.val.text == "" {
			return nil, &posError{a.val.pos, "empirical: column: expected a column name or 0-based index"}
		}
		column = a.val.text
	}
	unit, factor := "", 1.0
	if a := p.get("unit"); a != nil {
		f, ok := UnitSeconds(a.val.text)
		if a.val.kind != nAtom || !ok {
			return nil, &posError{a.val.pos, fmt.Sprintf("empirical: unit: %q is not one of ns, us, µs, ms, s, m, h", a.val.text)}
		}
		unit, factor = a.val.text, f
	}
	path := fn.text
	if !filepath.IsAbs(path) && cfg.baseDir != "" {
		path = filepath.Join(cfg.baseDir, path)
	}
	e, err := LoadEmpiricalCSV(path, column, factor)
	if err != nil {
		return nil, &posError{fn.pos, err.Error()}
	}
	e.file, e.column, e.unit = fn.text, column, unit
	return e, nil
}

package dist

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

// roundTripSpecs covers every kind and every parameter form.
var roundTripSpecs = []string{
	"constant(5)", "constant(2ms)", "constant(value=1.5)",
	"uniform(min=10ms, max=30ms)",
	"exponential(mean=50ms)", "exponential(rate=20)",
	"normal(mean=100ms, sd=20ms)", "normal(mean=-1, sd=1)",
	"lognormal(median=300ms, p99=2s)", "lognormal(mu=-2, sigma=0.5)", "lognormal(mean=80ms, sd=40ms)",
	"gamma(shape=2, scale=10ms)", "erlang(k=3, mean=30ms)",
	"pareto(xm=5ms, alpha=1.5)", "weibull(shape=0.8, scale=1s)",
	"empirical(samples=[0.35, 0.1, 200ms])",
	"empirical(file=latencies.csv, column=latency_ms, unit=ms)",
	"empirical(file=bare.csv)",
	"mixture(0.9*lognormal(median=80ms,p99=400ms), 0.1*constant(3s))",
	"mixture(3*mixture(1*constant(1), 1*constant(2)), 1*scale(factor=2, dist=uniform(min=0, max=1)))",
	"discrete(1:30, 2:25, 3:20, 5:15, 10:10)",
	"zipf(n=10000, s=1.1)", "zipf(n=1e6, s=1)",
	"scale(factor=2.5, dist=lognormal(median=80ms, p99=400ms))",
	"  exponential( mean = 1.5m )  ",
}

func TestRoundTrip(t *testing.T) {
	for _, spec := range roundTripSpecs {
		d, err := Parse(spec, WithBaseDir("testdata"))
		if err != nil {
			t.Errorf("Parse(%q): %v", spec, err)
			continue
		}
		s1 := d.String()
		d2, err := Parse(s1, WithBaseDir("testdata"))
		if err != nil {
			t.Errorf("Parse(String()=%q) of %q: %v", s1, spec, err)
			continue
		}
		if !reflect.DeepEqual(d, d2) {
			t.Errorf("%q -> %q parses to a different distribution:\n%#v\n%#v", spec, s1, d, d2)
		}
		if s2 := d2.String(); s2 != s1 {
			t.Errorf("%q: String %q, then %q", spec, s1, s2)
		}
	}
}

func TestParseValues(t *testing.T) {
	cases := []struct {
		spec string
		want Dist
	}{
		{"constant(2ms)", &Constant{V: 0.002}},
		{"constant(250us)", &Constant{V: 0.00025}},
		{"constant(250µs)", &Constant{V: 0.00025}},
		{"constant(7ns)", &Constant{V: 7e-9}},
		{"constant(1.5m)", &Constant{V: 90}},
		{"constant(2h)", &Constant{V: 7200}},
		{"constant(1e-3s)", &Constant{V: 0.001}},
		{"uniform(max=3, min=1)", &Uniform{Min: 1, Max: 3}},
	}
	for _, c := range cases {
		got, err := Parse(c.spec)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Parse(%q) = %#v, %v; want %#v", c.spec, got, err, c.want)
		}
	}
	e := MustParse("empirical(file=latencies.csv, column=latency_ms, unit=ms)", WithBaseDir("testdata")).(*Empirical)
	if want := []float64{0.00725, 0.0125, 0.03, 0.1}; !reflect.DeepEqual(e.x, want) {
		t.Errorf("empirical ms column = %v, want %v", e.x, want)
	}
	e = MustParse("empirical(file=latencies.csv, column=1)", WithBaseDir("testdata")).(*Empirical)
	if e.Len() != 4 || e.x[3] != 100 {
		t.Errorf("column index 1 with header: %v", e.x)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ spec, want string }{
		{"", "expected a value"},
		{"lognorm(median=1)", `unknown distribution "lognorm" (known: constant, discrete, empirical, erlang, exponential, gamma, lognormal, mixture, normal, pareto, scale, uniform, weibull, zipf)`},
		{"exponential(mean=50xs)", `exponential: mean: "50xs" is not a number or duration`},
		{"exponential(mean=50ms, mean=1)", "exponential: parameter mean given twice"},
		{"exponential(mean=1, rate=1)", "give mean or rate, not both"},
		{"exponential(avg=1)", `exponential: unknown parameter "avg" (known: mean, rate)`},
		{"exponential(1)", `exponential: positional argument "1"`},
		{"uniform(min=1)", "uniform: missing parameter max (given: min)"},
		{"lognormal(median=300ms, p99=200ms)", "lognormal: p99 (0.2) must be greater than median (0.3)"},
		{"lognormal(median=300ms, sd=1)", "lognormal: give median and p99, mu and sigma, or mean and sd (given: median, sd)"},
		{"gamma(shape=2ms, scale=1)", `gamma: shape: "2ms" must be a plain number, not a duration`},
		{"zipf(n=10.5, s=1)", `zipf: n: "10.5" is not a whole number`},
		{"zipf(n=1e400, s=1)", `zipf: n: "1e400" is out of range`},
		{"constant(inf)", `constant: value: "inf" must be finite`},
		{"constant(1", "constant: unclosed '('"},
		{"constant(1) x", `unexpected "x" after the distribution`},
		{"5", `expected a distribution such as exponential(mean=50ms), got "5"`},
		{"discrete(1:30, 2)", "discrete: arguments must be value:weight pairs"},
		{"discrete(1:0)", "discrete: weight 1 (0) must be finite and positive"},
		{"mixture(0.5*constant(1), constant(2))", "mixture: arguments must be weighted distributions"},
		{"mixture(x*constant(1))", `mixture: weight: "x" is not a number`},
		{"scale(factor=2, dist=5)", `scale: dist: "5" is not a distribution`},
		{"empirical(samples=[1, x])", `empirical: samples: "x" is not a number`},
		{"empirical(file=nope.csv)", "nope.csv"},
		{"empirical(file=latencies.csv, column=p99)", `column "p99" not in the header "id,latency_ms"`},
		{"empirical(file=latencies.csv, unit=parsec)", `empirical: unit: "parsec" is not one of`},
		{"empirical(file=bad_text.csv, column=latency_ms)", `bad_text.csv:3:3: column latency_ms: "abc" is not a finite number`},
		{"empirical(file=bad_negative.csv, column=latency_ms)", `bad_negative.csv:3:4: column latency_ms: value -4 is negative`},
		{"empirical(file=header_only.csv, column=latency_ms)", "header_only.csv: no data rows in column latency_ms"},
		{"empirical(file=empty.csv)", "empty.csv: no data rows"},
		{"empirical(file=short_row.csv, column=latency_ms)", "short_row.csv:3: the row has 1 fields, no column 2"},
		{`empirical(file="unterminated)`, "unterminated quoted string"},
		{strings.Repeat("scale(factor=1, dist=", 40) + "constant(1)" + strings.Repeat(")", 40), "nesting deeper than"},
	}
	for _, c := range cases {
		_, err := Parse(c.spec, WithBaseDir("testdata"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q): error %v\nwant it to contain %q", c.spec, err, c.want)
		}
	}
}

func TestStringForms(t *testing.T) {
	for spec, want := range map[string]string{
		"zipf(n=1e6, s=1)":               "zipf(n=1000000, s=1)",
		"erlang(k=12, mean=2s)":          "erlang(k=12, mean=2)",
		"exponential(rate=20)":           "exponential(rate=20)",
		"lognormal(mean=80ms, sd=4e1ms)": "lognormal(mean=0.08, sd=0.04)",
	} {
		if got := MustParse(spec).String(); got != want {
			t.Errorf("Parse(%q).String() = %q, want %q", spec, got, want)
		}
	}
}

func TestParseErrorOffset(t *testing.T) {
	_, err := Parse("mixture(0.5*constant(1), 0.5*gamma(shape=x, scale=1))")
	if err == nil || !strings.Contains(err.Error(), "at offset 41: gamma: shape") {
		t.Errorf("error %v, want offset 41 of the bad shape", err)
	}
}

// FuzzParse checks that Parse never panics and that whatever it accepts
// prints to a spec that parses back to the same string.
func FuzzParse(f *testing.F) {
	for _, s := range roundTripSpecs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		d, err := Parse(spec, WithBaseDir("testdata"))
		if err != nil {
			return
		}
		s1 := d.String()
		d2, err := Parse(s1, WithBaseDir("testdata"))
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its String %q fails: %v", spec, s1, err)
		}
		if s2 := d2.String(); s2 != s1 {
			t.Fatalf("Parse(%q): String %q, reparsed String %q", spec, s1, s2)
		}
		if m := d.Mean(); math.IsNaN(m) {
			t.Fatalf("Parse(%q).Mean() is NaN", spec)
		}
	})
}

func ExampleParse() {
	d, err := Parse("lognormal(median=300ms, p99=2s)")
	if err != nil {
		fmt.Println(err)
		return
	}
	q := d.(Quantiler)
	fmt.Printf("%s: median %.3g s, p99 %.3g s, mean %.4f s\n", d, q.Quantile(0.5), q.Quantile(0.99), d.Mean())

	_, err = Parse("lognormal(median=300ms, p99=200ms)")
	fmt.Println(err)
	// Output:
	// lognormal(median=0.3, p99=2): median 0.3 s, p99 2 s, mean 0.4183 s
	// dist: parse "lognormal(median=300ms, p99=200ms)": at offset 0: lognormal: p99 (0.2) must be greater than median (0.3)
}

func ExampleMixture() {
	d := MustParse("mixture(0.9*exponential(mean=80ms), 0.1*constant(3s))")
	fmt.Printf("%s mean %.3f s\n", d, d.Mean())
	// Output:
	// mixture(0.9*exponential(mean=0.08), 0.1*constant(3)) mean 0.372 s
}

package dist

import (
	"math/rand/v2"
	"testing"
)

// benchSpecs is one representative of each kind.
var benchSpecs = []struct{ name, spec string }{
	{"Constant", "constant(2ms)"},
	{"Uniform", "uniform(min=1, max=3)"},
	{"Exponential", "exponential(mean=50ms)"},
	{"Normal", "normal(mean=100ms, sd=20ms)"},
	{"NormalNegMean", "normal(mean=-1, sd=1)"},
	{"Lognormal", "lognormal(median=300ms, p99=2s)"},
	{"Gamma", "gamma(shape=2, scale=10ms)"},
	{"GammaSmallShape", "gamma(shape=0.5, scale=10ms)"},
	{"Erlang", "erlang(k=3, mean=30ms)"},
	{"Pareto", "pareto(xm=5ms, alpha=1.5)"},
	{"Weibull", "weibull(shape=0.8, scale=1s)"},
	{"Empirical", "empirical(samples=[0.1, 0.2, 0.35, 0.4, 1, 2])"},
	{"Mixture", "mixture(0.9*lognormal(median=80ms, p99=400ms), 0.1*constant(3s))"},
	{"Discrete", "discrete(1:30, 2:25, 3:20, 5:15, 10:10)"},
	{"Zipf1e4", "zipf(n=10000, s=1.1)"},
	{"Zipf1e6", "zipf(n=1e6, s=1)"},
	{"Scaled", "scale(factor=3, dist=exponential(mean=50ms))"},
}

func BenchmarkSample(b *testing.B) {
	for _, c := range benchSpecs {
		d := MustParse(c.spec)
		b.Run(c.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			b.ReportAllocs()
			s := 0.0
			for b.Loop() {
				s += d.Sample(r)
			}
			sink = s
		})
	}
}

var sink float64

// TestSampleAllocs enforces the zero-allocation promise for every kind.
func TestSampleAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range benchSpecs {
		d := MustParse(c.spec)
		if a := testing.AllocsPerRun(1000, func() { sink += d.Sample(r) }); a != 0 {
			t.Errorf("%s: %v allocs per Sample, want 0", c.spec, a)
		}
	}
	z := MustParse("zipf(n=100, s=1)").(*Zipf)
	if a := testing.AllocsPerRun(1000, func() { sink += float64(z.Int(r)) }); a != 0 {
		t.Errorf("Zipf.Int: %v allocs, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("mixture(0.9*lognormal(median=80ms, p99=400ms), 0.1*constant(3s))"); err != nil {
			b.Fatal(err)
		}
	}
}

package dist_test

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Fitting 200 latencies placed at the quantiles of a lognormal with median
// 120 ms and sigma 0.5: the lognormal comes first, with its parameters
// recovered, and its line pastes into a scenario.
func ExampleFitSamples() {
	const n, mu, sigma = 200, -2.1203, 0.5 // e^-2.1203 = 0.12 s
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = math.Exp(mu + sigma*distuv.UnitNormal.Quantile((float64(i)+0.5)/n))
	}
	r, err := dist.FitSamples(xs, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range r.Fits[:3] {
		fmt.Printf("%-9s D=%.3f  %s\n", f.Family, f.KS, "latency: "+f.Dist.String())
	}
	// Output:
	// lognormal D=0.003  latency: lognormal(median=0.12, p99=0.3826)
	// gamma     D=0.036  latency: gamma(shape=4.194, scale=0.03239)
	// weibull   D=0.063  latency: weibull(shape=2.027, scale=0.154)
}

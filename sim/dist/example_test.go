package dist_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// A model keeps a Dist and its own stream, and converts seconds to virtual
// time with sim.Seconds.
func ExampleDist() {
	service, err := dist.Parse("exponential(mean=50ms)")
	if err != nil {
		fmt.Println(err)
		return
	}
	r := rand.New(rand.NewPCG(1, 2)) // in checkoutsim: rng.New(seed, rep).Stream("payment")
	sum := 0.0
	for range 100000 {
		sum += service.Sample(r)
	}
	fmt.Printf("%s: analytic mean %.3f s, sample mean %.3f s\n", service, service.Mean(), sum/100000)
	// Output:
	// exponential(mean=0.05): analytic mean 0.050 s, sample mean 0.050 s
}

func ExampleZipf() {
	z, err := dist.NewZipf(10000, 1.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := rand.New(rand.NewPCG(1, 2))
	top := 0
	for range 100000 {
		if z.Int(r) == 0 {
			top++
		}
	}
	fmt.Printf("P(item 0) = %.3f, observed %.3f\n", z.Prob(0), float64(top)/100000)
	// Output:
	// P(item 0) = 0.151, observed 0.152
}

func ExampleDiscrete() {
	cart, _ := dist.Parse("discrete(1:30, 2:25, 3:20, 5:15, 10:10)")
	fmt.Printf("mean cart size %.2f\n", cart.Mean())
	// Output:
	// mean cart size 3.15
}

func ExampleScale() {
	base, _ := dist.NewLognormalMedianP99(0.08, 0.4)
	slow, _ := dist.Scale(base, 3) // a degradation episode: 3x slower
	q, _ := dist.QuantileOf(slow, 0.99)
	fmt.Printf("%s p99 %.2f s\n", slow, q)
	// Output:
	// scale(factor=3, dist=lognormal(median=0.08, p99=0.4)) p99 1.20 s
}

func ExampleLoadEmpiricalCSV() {
	e, err := dist.LoadEmpiricalCSV("testdata/latencies.csv", "latency_ms", 1e-3)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d samples, median %.5f s\n", e.Len(), e.Quantile(0.5))
	_, err = dist.LoadEmpiricalCSV("testdata/bad_text.csv", "latency_ms", 1e-3)
	fmt.Println(err)
	// Output:
	// 4 samples, median 0.02125 s
	// empirical: testdata/bad_text.csv:3:3: column latency_ms: "abc" is not a finite number
}

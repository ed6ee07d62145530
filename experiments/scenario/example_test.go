package scenario_test

import (
	"fmt"
	"reflect"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

type Retry struct {
	MaxAttempts int
	Backoff     time.Duration
}

// rangeError is how a config reports a bad field from Validate: Field names
// the field relative to the struct, so the decoder can find its line.
type rangeError struct{ field, msg string }

func (e rangeError) Error() string { return e.msg }
func (e rangeError) Field() string { return e.field }

func (r *Retry) Validate() error {
	if r.MaxAttempts < 1 {
		return rangeError{"max_attempts", fmt.Sprintf("must be >= 1, got %d", r.MaxAttempts)}
	}
	return nil
}

type Config struct {
	PeakRate float64 // per second
	Retry    Retry
}

func ExampleDecode() {
	cfg := Config{PeakRate: 100, Retry: Retry{MaxAttempts: 3, Backoff: 50 * time.Millisecond}}
	err := scenario.Decode("before.yaml", []byte(`
peak_rate: 120/min
retry:
  max_attempts: 0
  backof: 100ms
`), &cfg)
	fmt.Println(err)
	fmt.Println("peak_rate:", cfg.PeakRate, "backoff:", cfg.Retry.Backoff)
	// Output:
	// before.yaml:4: retry.max_attempts: must be >= 1, got 0
	// before.yaml:5: retry.backof: unknown field; did you mean "backoff"? (valid fields: max_attempts, backoff)
	// peak_rate: 2 backoff: 50ms
}

// distHook registers dist.Parse for fields of type dist.Dist, accepting both
// the compact form and the mapping form.
func distHook() scenario.Option {
	return scenario.WithTypeHook(reflect.TypeFor[dist.Dist](),
		func(n *yaml.Node, ctx scenario.HookContext) (reflect.Value, error) {
			spec, err := scenario.CompactFromMapping(n)
			if err != nil {
				return reflect.Value{}, err
			}
			d, err := dist.Parse(spec, dist.WithBaseDir(ctx.BaseDir))
			if err != nil {
				return reflect.Value{}, err
			}
			return reflect.ValueOf(&d).Elem(), nil
		})
}

func ExampleWithTypeHook() {
	var svc struct {
		Latency dist.Dist
		Think   dist.Dist
	}
	err := scenario.Decode("svc.yaml", []byte(`
latency: lognormal(median=300ms, p99=2s)
think: {kind: exponential, mean: 5s}
`), &svc, distHook())
	fmt.Println(err)
	// Lognormal mean = median * exp(sigma^2/2) with sigma = ln(p99/median)/z(0.99)
	// = ln(2/0.3)/2.3263 = 0.8155, so 0.3 * exp(0.3325) = 0.418 s.
	fmt.Printf("%.3g %.3g\n", svc.Latency.Mean(), svc.Think.Mean())
	// Output:
	// <nil>
	// 0.418 5
}

func ExampleApplySet() {
	root, _ := scenario.ParseNode("before.yaml", []byte("retry:\n  max_attempts: 3\n"))
	_ = scenario.ApplySet(root, "retry.max_attempts=0")
	cfg := Config{Retry: Retry{MaxAttempts: 3}}
	fmt.Println(scenario.DecodeNode("before.yaml", root, &cfg))
	fmt.Println(scenario.ApplySet(root, "retry[0]=1"))
	// Output:
	// --set: retry.max_attempts: must be >= 1, got 0
	// --set retry[0]=1: cannot index retry, which is a mapping, not a list
}

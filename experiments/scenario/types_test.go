package scenario

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/checkoutsim/checkoutsim/sim"
)

// The types below stand in for the models/ and policy/ config structs: nested
// structs, an embedded struct, pointers, slices, maps, durations, sim.Time,
// rates, fractions and an interface field decoded through a hook.

// fieldErr is the kind of error a config's Validate returns about one field.
type fieldErr struct{ field, msg string }

func (e fieldErr) Error() string { return e.msg }
func (e fieldErr) Field() string { return e.field }

// Dist is a stand-in for dist.Dist.
type Dist interface {
	Mean() float64
	String() string
}

// testDist is what the test hook parses "kind(k=v, ...)" into.
type testDist struct {
	Kind   string
	Params map[string]float64 // seconds for durations
}

func (d testDist) Mean() float64 { return d.Params["median"] }
func (d testDist) String() string {
	return fmt.Sprintf("%s%v", d.Kind, d.Params)
}

// parseTestDist is a small compact-form parser: kind(name=duration, ...),
// requiring p99 >= median like the real one will.
func parseTestDist(spec string) (Dist, error) {
	open := strings.IndexByte(spec, '(')
	if open <= 0 || !strings.HasSuffix(spec, ")") {
		return nil, fmt.Errorf("invalid distribution %q: want kind(param=value, ...)", spec)
	}
	d := testDist{Kind: spec[:open], Params: map[string]float64{}}
	if d.Kind != "lognormal" && d.Kind != "constant" {
		return nil, fmt.Errorf("unknown distribution kind %q", d.Kind)
	}
	body := spec[open+1 : len(spec)-1]
	for _, p := range strings.Split(body, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok {
			return nil, fmt.Errorf("invalid parameter %q in %q", p, spec)
		}
		dur, err := time.ParseDuration(v)
		if err != nil {
			f, ferr := strconv.ParseFloat(v, 64)
			if ferr != nil {
				return nil, fmt.Errorf("invalid value %q for %s", v, k)
			}
			d.Params[k] = f
			continue
		}
		d.Params[k] = dur.Seconds()
	}
	if d.Params["p99"] != 0 && d.Params["p99"] < d.Params["median"] {
		return nil, fmt.Errorf("p99 %gs is below the median %gs", d.Params["p99"], d.Params["median"])
	}
	return d, nil
}

func distHook(n *yaml.Node, ctx HookContext) (reflect.Value, error) {
	spec, err := CompactFromMapping(n)
	if err != nil {
		return reflect.Value{}, err
	}
	d, err := parseTestDist(spec)
	if err != nil {
		return reflect.Value{}, err
	}
	return reflect.ValueOf(&d).Elem(), nil
}

var testOpts = []Option{WithTypeHook(reflect.TypeFor[Dist](), distHook)}

type Meta struct {
	Name string
	Seed uint64
}

type Scenario struct {
	Meta        `yaml:",inline"`
	Description string `doc:"one line shown by checkoutsim scenarios"`
	Traffic     Traffic
	Services    map[string]*Service
	Flow        Flow
	Policies    map[string]Policy
	Tags        []string
	HTTPTimeout time.Duration
	Internal    int `yaml:"-"`
	hidden      int //nolint:unused // proves unexported fields are ignored
}

type Traffic struct {
	PeakRate float64 `doc:"arrivals per second at the peak"`
	Duration sim.Time
	Cohorts  map[string]Cohort
}

type Cohort struct {
	Share float64 `doc:"fraction of arrivals, 0..1"`
	Think time.Duration
}

type Service struct {
	Workers int
	Shards  uint8
	Latency Dist
}

type Flow struct {
	Steps []Step
}

type Step struct {
	Service string
	Calls   string
}

type Policy struct {
	Timeout time.Duration
	Retry   *Retry
	Breaker Breaker
}

type Retry struct {
	MaxAttempts int
	Backoff     time.Duration
	Jitter      float64
}

type Breaker struct {
	FailureRatio float64
	OpenFor      sim.Time
}

func (r *Retry) Validate() error {
	var errs []error
	if r.MaxAttempts < 1 {
		errs = append(errs, fieldErr{"max_attempts", fmt.Sprintf("must be >= 1, got %d", r.MaxAttempts)})
	}
	if r.Jitter < 0 || r.Jitter > 1 {
		errs = append(errs, fieldErr{"jitter", fmt.Sprintf("must be a fraction in [0, 1], got %g", r.Jitter)})
	}
	return errors.Join(errs...)
}

// Validate has a value receiver and returns a plain error: reported at the
// struct's own line.
func (b Breaker) Validate() error {
	if b.FailureRatio > 0 && b.OpenFor == 0 {
		return errors.New("open_for must be set when failure_ratio > 0")
	}
	return nil
}

func (s *Service) Validate() error {
	if s.Workers < 1 {
		return fieldErr{"workers", fmt.Sprintf("must be >= 1, got %d", s.Workers)}
	}
	return nil
}

// Validate checks cross references, naming a nested field path.
func (s *Scenario) Validate() error {
	var errs []error
	for i, st := range s.Flow.Steps {
		if _, ok := s.Services[st.Service]; !ok {
			errs = append(errs, fieldErr{fmt.Sprintf("flow.steps[%d].service", i), fmt.Sprintf("unknown service %q", st.Service)})
		}
	}
	if s.Traffic.PeakRate < 0 {
		errs = append(errs, fieldErr{"traffic.peak_rate", fmt.Sprintf("must be >= 0, got %g", s.Traffic.PeakRate)})
	}
	return errors.Join(errs...)
}

func defaultScenario() Scenario {
	lat, _ := parseTestDist("constant(value=1ms)")
	return Scenario{
		Meta:        Meta{Name: "default", Seed: 1},
		Traffic:     Traffic{PeakRate: 100, Duration: 10 * sim.Minute},
		Services:    map[string]*Service{"db": {Workers: 4, Latency: lat}},
		Policies:    map[string]Policy{"db": {Timeout: time.Second}},
		HTTPTimeout: 5 * time.Second,
		Internal:    7,
	}
}

package queueing

import (
	"fmt"
	"math"
	"strconv"
)

// Model names.
const (
	ModelMMc     = "M/M/c"
	ModelMD1     = "M/D/1"
	ModelMG1     = "M/G/1"
	ModelErlangA = "M/M/c+M"
)

// Metric names. Times are in seconds.
const (
	MetricMeanWait = "mean_wait_s"         // mean time in queue
	MetricPWait    = "p_wait"              // P(wait > 0): fraction that had to queue
	MetricPAbandon = "p_abandon"           // fraction of customers who reneged
	MetricLittle   = "littles_law_rel_err" // |L - lambda W| / L
)

// LittleTolerance is the largest relative error |L - lambda W| / L that a
// Little's-law case accepts.
const LittleTolerance = 0.01

// Case is one validation case: a queueing model with its parameters, the
// metric compared and how long each replication runs.
type Case struct {
	Model  string
	Lambda float64 // arrival rate, per second
	Mu     float64 // service rate of one server, per second
	C      int     // servers (1 for M/D/1 and M/G/1)
	SCV    float64 // M/G/1: squared coefficient of variation of service
	Theta  float64 // M/M/c+M: patience rate (mean patience 1/Theta)
	Metric string
	// Customers is the expected number of arrivals per replication in the
	// measured window; Warmup the expected arrivals discarded before it.
	Customers int
	Warmup    int
}

// Param is one named model parameter, for reports.
type Param struct {
	Name  string
	Value float64
}

// Params returns the model's parameters in a fixed order.
func (c Case) Params() []Param {
	ps := []Param{{"lambda", c.Lambda}, {"mu", c.Mu}}
	switch c.Model {
	case ModelMMc:
		ps = append(ps, Param{"c", float64(c.C)})
	case ModelMG1:
		ps = append(ps, Param{"scv", c.SCV})
	case ModelErlangA:
		ps = append(ps, Param{"c", float64(c.C)}, Param{"theta", c.Theta})
	}
	return ps
}

// Rho returns the offered utilisation lambda / (c mu).
func (c Case) Rho() float64 { return c.Lambda / (float64(c.C) * c.Mu) }

// String names the case, e.g. "M/M/c lambda=4 mu=1 c=5 mean_wait_s".
func (c Case) String() string {
	s := c.Model
	for _, p := range c.Params() {
		s += " " + p.Name + "=" + strconv.FormatFloat(p.Value, 'g', -1, 64)
	}
	return s + " " + c.Metric
}

// Validate checks the case's fields; errors name the field and value.
func (c Case) Validate() error {
	switch c.Model {
	case ModelMMc, ModelErlangA:
		if c.C < 1 {
			return fmt.Errorf("queueing: case %s: C = %d, want >= 1", c, c.C)
		}
	case ModelMD1, ModelMG1:
		if c.C != 1 {
			return fmt.Errorf("queueing: case %s: C = %d, want 1", c, c.C)
		}
	default:
		return fmt.Errorf("queueing: case Model = %q, want one of %s, %s, %s, %s", c.Model, ModelMMc, ModelMD1, ModelMG1, ModelErlangA)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"Lambda", c.Lambda}, {"Mu", c.Mu}} {
		if !(f.v > 0) || math.IsInf(f.v, 0) {
			return fmt.Errorf("queueing: case %s: %s = %v, want a finite value > 0", c, f.name, f.v)
		}
	}
	if c.Model == ModelErlangA && (!(c.Theta > 0) || math.IsInf(c.Theta, 0)) {
		return fmt.Errorf("queueing: case %s: Theta = %v, want a finite value > 0", c, c.Theta)
	}
	if c.Model == ModelMG1 && (!(c.SCV >= 1) || math.IsInf(c.SCV, 0)) {
		// The hyperexponential sampler needs scv >= 1.
		return fmt.Errorf("queueing: case %s: SCV = %v, want a finite value >= 1", c, c.SCV)
	}
	if c.Model != ModelErlangA && c.Rho() >= 1 {
		return fmt.Errorf("queueing: case %s: rho = %v, want < 1", c, c.Rho())
	}
	switch c.Metric {
	case MetricMeanWait, MetricLittle:
	case MetricPWait:
		if c.Model != ModelMMc {
			return fmt.Errorf("queueing: case %s: Metric %q is only defined for %s", c, c.Metric, ModelMMc)
		}
	case MetricPAbandon:
		if c.Model != ModelErlangA {
			return fmt.Errorf("queueing: case %s: Metric %q is only defined for %s", c, c.Metric, ModelErlangA)
		}
	default:
		return fmt.Errorf("queueing: case %s: Metric = %q, want %s, %s, %s or %s", c, c.Metric, MetricMeanWait, MetricPWait, MetricPAbandon, MetricLittle)
	}
	if c.Metric == MetricMeanWait && c.Model == ModelErlangA {
		return fmt.Errorf("queueing: case %s: Metric %q has no formula here for %s", c, c.Metric, ModelErlangA)
	}
	if c.Customers < 1000 {
		return fmt.Errorf("queueing: case %s: Customers = %d, want >= 1000", c, c.Customers)
	}
	if c.Warmup < 0 {
		return fmt.Errorf("queueing: case %s: Warmup = %d, want >= 0", c, c.Warmup)
	}
	return nil
}

// Analytic returns the formula's value of the case's metric.
func (c Case) Analytic() (float64, error) {
	if err := c.Validate(); err != nil {
		return 0, err
	}
	switch c.Metric {
	case MetricLittle:
		return 0, nil // Little's law is exact: the error should be 0
	case MetricPWait:
		return MMcPWait(c.Lambda, c.Mu, c.C)
	case MetricPAbandon:
		return ErlangAAbandon(c.Lambda, c.Mu, c.Theta, c.C)
	}
	switch c.Model {
	case ModelMMc:
		return MMcWait(c.Lambda, c.Mu, c.C)
	case ModelMD1:
		return MD1Wait(c.Lambda, c.Mu)
	default: // ModelMG1
		return MG1Wait(c.Lambda, c.Mu, c.SCV)
	}
}

// Cases returns the built-in validation grid:
//   - M/M/c, c in {1, 5, 20} x rho in {0.5, 0.8, 0.95}: mean wait and
//     P(wait > 0) against Erlang C;
//   - M/D/1 and M/G/1 (scv 4, balanced-means H2 service) at rho 0.5 and
//     0.8: mean wait against Pollaczek-Khinchine;
//   - M/M/10+M (Erlang A) at rho 1.0 and 1.2 with mean patience of 5 and 4
//     service times, and at rho 1.0 with theta = mu: P(abandon);
//   - Little's law on every one of these stations.
//
// Run lengths grow with the relaxation time, which scales like
// rho/(1 - sqrt(rho))^2 customers (Morse 1955; Whitt 1989): at rho 0.95
// about 1,500, so those cases run 500,000 customers per replication after
// a warm-up of 50,000 (over 30 relaxation times), which with 20
// replications gives a 95% interval of about +-3% on the mean wait; the
// single server, whose waiting-time mean has the largest relative
// variance (Whitt, "Planning queueing simulations", Mgmt. Sci. 35, 1989),
// runs twice as long.
func Cases() []Case {
	length := func(rho float64, scv float64) (customers, warmup int) {
		switch {
		case rho <= 0.5:
			customers = 75_000
		case rho <= 0.8:
			customers = 150_000
		default:
			customers = 500_000
		}
		if scv > 1 && rho > 0.5 {
			customers = 500_000 // heavy service-time variance
		}
		return customers, max(customers/10, 10_000)
	}
	var cs []Case
	add := func(c Case, metrics ...string) {
		c.Customers, c.Warmup = length(c.Rho(), c.SCV)
		if c.C == 1 && c.SCV == 0 && c.Rho() > 0.9 {
			// The single server at rho 0.95 has the largest relative
			// variance of the grid and skewed replication means: twice
			// the length keeps its t interval honest.
			c.Customers, c.Warmup = 2*c.Customers, 2*c.Warmup
		}
		for _, m := range metrics {
			c.Metric = m
			cs = append(cs, c)
		}
	}
	for _, servers := range []int{1, 5, 20} {
		for _, rho := range []float64{0.5, 0.8, 0.95} {
			add(Case{Model: ModelMMc, Lambda: rho * float64(servers), Mu: 1, C: servers},
				MetricMeanWait, MetricPWait, MetricLittle)
		}
	}
	for _, rho := range []float64{0.5, 0.8} {
		add(Case{Model: ModelMD1, Lambda: rho, Mu: 1, C: 1}, MetricMeanWait, MetricLittle)
	}
	for _, rho := range []float64{0.5, 0.8} {
		add(Case{Model: ModelMG1, Lambda: rho, Mu: 1, C: 1, SCV: 4}, MetricMeanWait, MetricLittle)
	}
	for _, ea := range []struct{ lambda, theta float64 }{{10, 0.2}, {12, 0.25}, {10, 1}} {
		c := Case{Model: ModelErlangA, Lambda: ea.lambda, Mu: 1, C: 10, Theta: ea.theta}
		c.Customers, c.Warmup = 150_000, 15_000
		for _, m := range []string{MetricPAbandon, MetricLittle} {
			c.Metric = m
			cs = append(cs, c)
		}
	}
	return cs
}

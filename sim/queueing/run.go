package queueing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"

	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/resource"
	"github.com/checkoutsim/checkoutsim/sim/rng"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// DefaultReplications is the number of independent replications per case
// used by checkoutsim verify.
const DefaultReplications = 20

// VerdictLevel is the confidence level of the interval that decides Pass.
//
// Why not 95%: the grid has about 40 cases, so even a perfect simulator
// would see two 95% intervals miss their analytic value on a typical seed,
// and the verdict would flip from seed to seed. A 99.9% interval (Student
// t, same replications) makes a false failure of the whole suite about a
// 4% event per seed while still catching real errors: a bias of a few
// percent in a waiting time is several standard errors at these run
// lengths. The 95% interval is still reported, as the usual summary.
const VerdictLevel = 0.999

// Result is the outcome of one validation case.
type Result struct {
	Case         Case
	Replications int
	Analytic     float64
	Simulated    float64    // mean over replications
	CI95         [2]float64 // 95% Student-t interval of the mean
	Verdict      [2]float64 // VerdictLevel interval used for Pass
	Pass         bool
}

// Run simulates one case: replications independent runs on fresh engines,
// replication i drawing from rng.New(seed, i). It is RunAll of one case.
func Run(c Case, seed uint64, replications int) (Result, error) {
	rs, err := RunAll([]Case{c}, seed, replications)
	if err != nil {
		return Result{}, err
	}
	return rs[0], nil
}

// RunAll runs every case. Cases that differ only in Metric share their
// simulations (the same runs measured differently), so RunAll(cases)[i]
// equals Run(cases[i]) exactly. Replications run in parallel on up to
// GOMAXPROCS goroutines, each on its own engine and streams, and results
// are written into indexed slots and summed in replication order, so the
// output does not depend on scheduling or GOMAXPROCS.
func RunAll(cases []Case, seed uint64, replications int) ([]Result, error) {
	if replications < 2 {
		return nil, fmt.Errorf("queueing: replications = %d, want >= 2 (a confidence interval needs two)", replications)
	}
	var models []Case // unique models, in first-appearance order
	index := map[Case]int{}
	which := make([]int, len(cases))
	for i, c := range cases {
		if err := c.Validate(); err != nil {
			return nil, err
		}
		m := c
		m.Metric = ""
		k, ok := index[m]
		if !ok {
			k = len(models)
			index[m] = k
			models = append(models, m)
		}
		which[i] = k
	}

	reps := make([][]repMetrics, len(models))
	for k := range reps {
		reps[k] = make([]repMetrics, replications)
	}
	jobs := make(chan [2]int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(models)*replications); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				reps[j[0]][j[1]] = simulate(models[j[0]], seed, j[1])
			}
		}()
	}
	// Longest models first, so the tail of the run stays parallel.
	for _, k := range byCost(models) {
		for r := 0; r < replications; r++ {
			jobs <- [2]int{k, r}
		}
	}
	close(jobs)
	wg.Wait()

	out := make([]Result, len(cases))
	for i, c := range cases {
		an, err := c.Analytic()
		if err != nil {
			return nil, err
		}
		var s stats.Summary
		for _, m := range reps[which[i]] {
			s.Add(m.get(c.Metric))
		}
		lo, hi := s.CI95()
		vlo, vhi := s.CI(VerdictLevel)
		pass := an >= vlo && an <= vhi
		if c.Metric == MetricLittle {
			pass = vhi <= LittleTolerance
		}
		if math.IsNaN(s.Mean()) {
			pass = false
		}
		out[i] = Result{Case: c, Replications: replications, Analytic: an, Simulated: s.Mean(),
			CI95: [2]float64{lo, hi}, Verdict: [2]float64{vlo, vhi}, Pass: pass}
	}
	return out, nil
}

// byCost orders model indexes by decreasing expected events, ties by index.
func byCost(models []Case) []int {
	order := make([]int, len(models))
	for i := range order {
		order[i] = i
	}
	cost := func(i int) int { return models[i].Customers + models[i].Warmup }
	for i := 1; i < len(order); i++ { // insertion sort: stable, tiny n
		for j := i; j > 0 && cost(order[j]) > cost(order[j-1]); j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	return order
}

// repMetrics are one replication's estimates of every metric.
type repMetrics struct {
	meanWait, pWait, pAbandon, little float64
}

func (m repMetrics) get(metric string) float64 {
	switch metric {
	case MetricMeanWait:
		return m.meanWait
	case MetricPWait:
		return m.pWait
	case MetricPAbandon:
		return m.pAbandon
	default:
		return m.little
	}
}

// streamPrefix names a model's random streams, so that different models
// draw independent numbers for the same (seed, replication).
func streamPrefix(m Case) string {
	s := "verify/" + m.Model
	for _, p := range m.Params() {
		s += "/" + p.Name + "=" + strconv.FormatFloat(p.Value, 'g', -1, 64)
	}
	return s + "/"
}

// simulate runs one replication of a model on a fresh engine: Poisson
// arrivals into a Station, a warm-up that is discarded with ResetStats,
// then a window of about m.Customers arrivals.
func simulate(m Case, seed uint64, rep int) repMetrics {
	e := sim.New()
	prefix := streamPrefix(m)
	streams := rng.New(seed, rep)
	arrivals := streams.Stream(prefix + "arrivals")
	service := newService(m, streams.Stream(prefix+"service"))
	patience := streams.Stream(prefix + "patience")
	st, err := resource.NewStation(e, resource.StationConfig{
		Name: m.Model, Servers: m.C, QueueCap: resource.Unbounded, CancelAbandoned: true,
	})
	if err != nil { // unreachable: the case was validated
		return repMetrics{math.NaN(), math.NaN(), math.NaN(), math.NaN()}
	}
	interarrival := 1 / m.Lambda
	var arrive func()
	if m.Model == ModelErlangA {
		meanPatience := 1 / m.Theta
		arrive = func() {
			st.SubmitPatience(service(), sim.Seconds(patience.ExpFloat64()*meanPatience), nil)
			e.After(sim.Seconds(arrivals.ExpFloat64()*interarrival), arrive)
		}
	} else {
		arrive = func() {
			st.Submit(service(), nil)
			e.After(sim.Seconds(arrivals.ExpFloat64()*interarrival), arrive)
		}
	}
	e.At(sim.Seconds(arrivals.ExpFloat64()*interarrival), arrive)
	warm := sim.Seconds(float64(m.Warmup) * interarrival)
	e.RunUntil(warm)
	st.ResetStats()
	e.RunUntil(warm + sim.Seconds(float64(m.Customers)*interarrival))

	s := st.Stats()
	var out repMetrics
	out.meanWait = s.MeanWait()
	out.pWait = ratio(s.Delayed, s.Started)
	out.pAbandon = ratio(s.Reneged, s.Reneged+s.Served)
	// L from the time average, lambda W from the departures of the same
	// window: lambda = Departures/Window, W = SojournSum/Departures.
	lw := s.SojournSum / s.Window.Seconds()
	out.little = math.Abs(s.MeanInSystem-lw) / s.MeanInSystem
	return out
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// newService returns the model's service-time sampler.
func newService(m Case, r *rand.Rand) func() sim.Time {
	mean := 1 / m.Mu
	switch m.Model {
	case ModelMD1:
		d := sim.Seconds(mean)
		return func() sim.Time { return d }
	case ModelMG1:
		// Two-phase hyperexponential with balanced means (Whitt 1982;
		// Allen, Probability, Statistics and Queueing Theory, 1990): with
		// p1 = (1 + sqrt((scv-1)/(scv+1)))/2, phase i has rate
		// 2 p_i / mean, so p1/mu1 = p2/mu2 and the mean and scv are exact.
		p1 := (1 + math.Sqrt((m.SCV-1)/(m.SCV+1))) / 2
		mean1 := mean / (2 * p1)
		mean2 := mean / (2 * (1 - p1))
		return func() sim.Time {
			if r.Float64() < p1 {
				return sim.Seconds(r.ExpFloat64() * mean1)
			}
			return sim.Seconds(r.ExpFloat64() * mean2)
		}
	default:
		return func() sim.Time { return sim.Seconds(r.ExpFloat64() * mean) }
	}
}

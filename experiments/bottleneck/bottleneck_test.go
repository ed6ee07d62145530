package bottleneck

import (
	"bytes"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/models/database"
	"github.com/checkoutsim/checkoutsim/models/payment"
	"github.com/checkoutsim/checkoutsim/models/service"
	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/stats"
)

// system is a gateway -> checkout-api -> payments path with a capped
// provider, a 30 s warm-up and samples every 10 s.
func system() *checkout.Config {
	return &checkout.Config{
		Warmup: 30 * sim.Second, SampleInterval: 10 * sim.Second,
		Services: []service.Config{
			{Name: "gateway", Instances: 4, WorkersPerInstance: 64},
			{Name: "checkout-api", Instances: 2, WorkersPerInstance: 32},
			{Name: "payments", Instances: 2, WorkersPerInstance: 32},
		},
		Database: database.Config{PoolSize: 10},
		Payments: payment.Config{Providers: []payment.ProviderConfig{{Name: "psp-a", Concurrency: 50}}},
		Flow: checkout.Flow{Gateway: "gateway", Orchestrator: "checkout-api",
			Steps: []checkout.Step{{Name: "payment", Kind: checkout.KindPayment, Service: "payments"}}},
	}
}

// result is one replication: six samples (10..60 s), so the measured
// window's are the last four (30..60 s).
func result(apiBusy float64, apiBacklog []float64, inFlight float64) *checkout.Result {
	r := &checkout.Result{Interval: 10 * sim.Second, Signals: checkout.Signals{LockWait: new(stats.Histogram), PoolWait: new(stats.Histogram), PoolTimeouts: 2}}
	r.Services = []checkout.ServiceResult{
		{Name: "gateway", Utilisation: 0.5, BusyWorkerS: 128, WorkerS: 256, MaxInstances: 4},
		{Name: "checkout-api", Utilisation: 0.7, BusyWorkerS: apiBusy * 64, WorkerS: 64, MaxInstances: 3, Overloaded: 5, Dropped: 1},
		{Name: "payments", Utilisation: 0.25}, // no window (a testbed result): the whole run's
	}
	add := func(name string, v ...float64) { r.Series = append(r.Series, checkout.Series{Name: name, Values: v}) }
	add(checkout.SeriesBacklog+"checkout-api", apiBacklog...)
	add(checkout.SeriesInstances+"checkout-api", 2, 2, 2, 3, 3, 2)
	add(checkout.SeriesDBPoolInUse, 10, 10, 9, 9, 10, 10)
	add(checkout.SeriesDBPoolWaiting, 0, 0, 4, 2, 1, 1)
	add(checkout.SeriesProviderInFlight+"psp-a", 0, 0, inFlight, inFlight, inFlight, inFlight)
	var l checkout.Layer
	l.Name, l.Calls, l.Attempts = "payment->psp-a", 10, 12
	l.Outcomes[policy.Timeout] = 3
	r.Layers = []checkout.Layer{l}
	return r
}

func TestSummarize(t *testing.T) {
	s := Summarize(system(), []*checkout.Result{
		result(0.96, []float64{500, 0, 2, 2, 2, 2}, 40),
		result(0.98, []float64{0, 0, 4, 4, 4, 7}, 46),
	})
	api := s.Services[1]
	want := Service{Service: "checkout-api", Role: RoleOrchestrator, Workers: 64, Utilisation: 0.97, QueueMean: 3.375, BacklogMax: 500,
		InstancesMin: 2, InstancesMean: 2.5, InstancesMax: 3, Rejected: 12, Saturated: true}
	if api.Utilisation-want.Utilisation > 1e-12 || want.Utilisation-api.Utilisation > 1e-12 {
		t.Errorf("utilisation %v, want %v (the window's busy/available, mean over replications)", api.Utilisation, want.Utilisation)
	}
	api.Utilisation = want.Utilisation
	if api != want {
		t.Errorf("checkout-api:\n got %+v\nwant %+v", api, want)
	}
	if pay := s.Services[2]; pay.Utilisation != 0.25 || pay.Role != RoleStep || pay.Saturated {
		t.Errorf("payments without a window: %+v, want the whole run's utilisation 0.25, role step, not saturated", pay)
	}
	if gw := s.Services[0]; gw.Utilisation != 0.5 || gw.Saturated || gw.InstancesMean != 4 || gw.InstancesMin != 4 {
		t.Errorf("gateway without series: %+v, want utilisation 0.5, the configured 4 instances, not saturated", gw)
	}
	if p := s.DBPool; p.InUseMean != 9.5 || p.InUseShare != 0.95 || p.WaitingMax != 4 || p.Timeouts != 4 || !p.Saturated {
		t.Errorf("pool %+v, want in use 9.5 of 10, 4 waiting at most, 4 timeouts, saturated", p)
	}
	if p := s.Providers[0]; p.InFlightMean != 43 || p.InFlightMax != 46 || p.Attempts != 24 || p.TimedOut != 6 || p.Saturated {
		t.Errorf("provider %+v, want 43 mean of a cap of 50 (below 90%%: not saturated), 24 attempts, 6 timed out", p)
	}
	if s.HotRows.Saturated {
		t.Errorf("hot rows saturated without waits: %+v", s.HotRows)
	}
	if s.Verdict.Kind != KindDBPool || s.Verdict.AlsoSaturated[0] != "checkout-api" {
		t.Errorf("verdict %+v, want the DB pool, checkout-api also saturated", s.Verdict)
	}
}

func TestSaturationNeedsAQueue(t *testing.T) {
	cases := []struct {
		name    string
		busy    float64
		backlog []float64
		want    bool
	}{
		{"busy and queueing", 0.95, []float64{0, 0, 1, 1, 1, 1}, true},
		{"busy, nobody waits in the window", 0.95, []float64{300, 0, 0, 0, 0, 0}, true}, // 12 rejected
		{"queueing, not busy", 0.85, []float64{0, 0, 5, 5, 5, 5}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Summarize(system(), []*checkout.Result{result(c.busy, c.backlog, 0)})
			if got := s.Services[1].Saturated; got != c.want {
				t.Errorf("saturated = %v, want %v: %+v", got, c.want, s.Services[1])
			}
		})
	}
	r := result(0.95, []float64{300, 0, 0, 0, 0, 0}, 0)
	r.Services[1].Overloaded, r.Services[1].Dropped = 0, 0
	if s := Summarize(system(), []*checkout.Result{r}); s.Services[1].Saturated {
		t.Errorf("busy without a queue in the window or rejections is saturated: %+v", s.Services[1])
	}
}

func TestLines(t *testing.T) {
	s := Summarize(system(), []*checkout.Result{result(0.96, []float64{0, 0, 2, 2, 2, 2}, 46)})
	var buf bytes.Buffer
	tw := output.NewTable(&buf)
	s.Lines(tw)
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	got := buf.String()
	for _, want := range []string{
		"SERVICES (measured window; queue, backlog and instances sampled every 10 s)",
		"  checkout-api  orchestrator  64       96.0%        2.00        2            2/2.5/3                 6         saturated",
		"  payments      step          64       25.0%        0           0            2/2/2                   0",
		"  provider psp-a  in flight 46.0 mean, 46.0 max (cap 50), 3 of 12 attempts timed out                   saturated",
		"bottleneck: provider psp-a (in flight 92.0% of its cap of 50); also saturated: checkout-api, DB pool\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	var none *Summary
	none.Lines(tw) // a summary saved before the section: nothing
	none.CompareLines(tw, s)
	if err := tw.Flush(); err != nil || buf.String() != got {
		t.Errorf("a nil summary wrote %q", strings.TrimPrefix(buf.String(), got))
	}
}

func TestCompareLines(t *testing.T) {
	a := Summarize(system(), []*checkout.Result{result(0.5, []float64{0, 0, 0, 0, 0, 0}, 0)})
	cfg := system()
	cfg.Services = append(cfg.Services[:1], service.Config{Name: "checkout-v2", Instances: 1, WorkersPerInstance: 8})
	b := Summarize(cfg, []*checkout.Result{result(0.5, nil, 0)})
	var buf bytes.Buffer
	tw := output.NewTable(&buf)
	a.CompareLines(tw, b)
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `
SERVICES (measured window)
  SERVICE       A: UTILISATION  B: UTILISATION  A: BACKLOG MAX  B: BACKLOG MAX
  gateway       50.0%           50.0%           0               0
  checkout-api  50.0%           -               0               -
  payments      25.0%           -               0               -
  checkout-v2   -               0%              -               0
A: bottleneck: DB pool (in use 95.0% of 10 connections, 4 waiting at most, 2 timeouts)
B: bottleneck: DB pool (in use 95.0% of 10 connections, 4 waiting at most, 2 timeouts)
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

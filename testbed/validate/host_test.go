package validate

import (
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
)

// The calibrated host reaches the simulator two ways, Apply (check's own
// prediction) and the --set lines of --calibrated; both give the same
// valid host section, and an unmeasured host leaves it out.
func TestHostCalibrationApplies(t *testing.T) {
	const path = "../scenarios/testbed-before.yaml"
	sc, err := experiments.LoadScenario(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		host    HostCPU
		enabled bool
	}{
		{"measured", HostCPU{Measured: true, Cores: 2, StatementCPUS: 1.07e-4, RequestCPUS: 2.5e-3, BackgroundLoad: 1.66}, true},
		{"not measured", HostCPU{Cores: 2}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cal := &Calibration{Host: c.host}
			applied := cal.Apply(sc).Host
			if applied.Enabled() != c.enabled {
				t.Fatalf("Apply: host enabled %v, want %v", applied.Enabled(), c.enabled)
			}
			set, err := experiments.LoadScenario(path, cal.hostSets())
			if err != nil {
				t.Fatalf("the --set lines %q do not load: %v", cal.hostSets(), err)
			}
			got := set.Host
			if got.Enabled() != c.enabled || got.Cores != applied.Cores || got.BackgroundLoad != applied.BackgroundLoad {
				t.Fatalf("--set host %+v, Apply host %+v", got, applied)
			}
			if !c.enabled {
				return
			}
			if got.StatementCPU.String() != applied.StatementCPU.String() || got.RequestCPU.String() != applied.RequestCPU.String() {
				t.Errorf("--set cpu %v/%v, Apply %v/%v", got.StatementCPU, got.RequestCPU, applied.StatementCPU, applied.RequestCPU)
			}
			if m := got.StatementCPU.Mean(); m < 1.069e-4 || m > 1.071e-4 {
				t.Errorf("statement_cpu mean %g, want the measured 1.07e-4", m)
			}
		})
	}
}

func TestBackgroundLoad(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		otherCores, runnable float64
		cores                int
		want                 float64
	}{
		{"idle machine: busy cores, not the noisy runnable count", 0.04, 0.84, 2, 0.04},
		{"a core to spare: every other thread runs", 1.2, 3, 2, 1.2},
		{"saturated: the runnable count tells the threads apart", 1.98, 5.6, 2, 5.6},
		{"saturated, runnable undercounted: at least the busy cores", 1.98, 1.1, 2, 1.98},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := backgroundLoad(tc.otherCores, tc.runnable, tc.cores); got != tc.want {
				t.Errorf("backgroundLoad(%v, %v, %d) = %v, want %v", tc.otherCores, tc.runnable, tc.cores, got, tc.want)
			}
		})
	}
}

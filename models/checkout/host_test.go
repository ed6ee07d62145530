package checkout

import (
	"math"
	"testing"

	"github.com/checkoutsim/checkoutsim/models/host"
	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// A shared host stretches the statements of a long transaction while
// other work shares the cores (here each request's service CPU: 20 per
// second of 20 ms, all of it host CPU, on one core), so a hot row is held
// longer and its lock wait grows;
// a host with a core for every job in flight and no background changes
// nothing, because a job alone keeps its light-load time. (On a single
// hot row the transactions' own statements never overlap: the lock
// serializes them.)
func TestHostStretchesLockHolds(t *testing.T) {
	const rate = 20
	lockWait := func(h host.Config) (mean, p99 float64) {
		cfg := hotSKU(t, rate, 10)
		cfg.Services[0].CPU = dist.MustParse("constant(20ms)")
		cfg.Host = h
		r := run(t, cfg, 1, 0)
		return r.Signals.LockWait.Mean(), r.Signals.LockWait.Quantile(0.99)
	}
	cpu := dist.MustParse("constant(1.5ms)") // of each 2 ms statement
	base, baseP99 := lockWait(host.Config{})
	roomy, roomyP99 := lockWait(host.Config{Cores: 1000, StatementCPU: cpu, RequestCPU: dist.MustParse("constant(20ms)")})
	shared, sharedP99 := lockWait(host.Config{Cores: 1, StatementCPU: cpu, RequestCPU: dist.MustParse("constant(20ms)")})
	t.Logf("mean lock wait: no host %.2f ms, 1000 cores %.2f ms, 1 core %.2f ms (P99 %.1f, %.1f, %.1f ms)",
		base*1e3, roomy*1e3, shared*1e3, baseP99*1e3, roomyP99*1e3, sharedP99*1e3)
	if math.Abs(roomy-base) > 1e-6*base {
		t.Errorf("a host with a core per job changed the mean lock wait: %.6f s, without a host %.6f s", roomy, base)
	}
	if !(shared > 1.5*base) {
		t.Errorf("one shared core: mean lock wait %.2f ms, want well above %.2f ms without a host", shared*1e3, base*1e3)
	}
}

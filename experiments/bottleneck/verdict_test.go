package bottleneck

import (
	"slices"
	"testing"
)

// svc is a service row with what Judge reads.
func svc(name string, role Role, util float64, backlog int, sat bool) Service {
	return Service{Service: name, Role: role, Utilisation: util, BacklogMax: backlog, Saturated: sat}
}

// path is the baseline's services: gateway, orchestrator, steps.
func path(gw, api, pay Service) []Service {
	return []Service{gw, api, svc("pricing", RoleStep, 0.02, 0, false), pay, svc("catalog", RoleBrowse, 0.01, 0, false)}
}

func TestJudge(t *testing.T) {
	idleGW, idleAPI, idlePay := svc("gateway", RoleGateway, 0.1, 0, false), svc("checkout-api", RoleOrchestrator, 0.31, 0, false), svc("payments", RoleStep, 0.2, 0, false)
	cases := []struct {
		name string
		s    Summary
		kind Kind
		who  string
		also []string
		text string
	}{
		{"nothing saturated names the busiest service",
			Summary{Services: path(idleGW, idleAPI, idlePay)},
			KindNone, "checkout-api", nil,
			"bottleneck: none saturated (busiest: checkout-api, utilisation 31.0%)"},
		{"no services at all",
			Summary{},
			KindNone, "", nil, "bottleneck: none saturated"},
		{"the orchestrator, not the gateway waiting on it with the longer backlog",
			Summary{Services: path(svc("gateway", RoleGateway, 1, 9183, true), svc("checkout-api", RoleOrchestrator, 0.9997, 192, true), idlePay)},
			KindService, "checkout-api", []string{"gateway"},
			"bottleneck: checkout-api (utilisation 100.0%, backlog 192); also saturated: gateway"},
		{"a step service below a saturated orchestrator",
			Summary{Services: path(idleGW, svc("checkout-api", RoleOrchestrator, 0.95, 40, true), svc("payments", RoleStep, 0.97, 300, true))},
			KindService, "payments", []string{"checkout-api"},
			"bottleneck: payments (utilisation 97.0%, backlog 300); also saturated: checkout-api"},
		{"only the gateway",
			Summary{Services: path(svc("gateway", RoleGateway, 0.99, 50, true), idleAPI, idlePay)},
			KindService, "gateway", nil,
			"bottleneck: gateway (utilisation 99.0%, backlog 50)"},
		{"rejections are named",
			Summary{Services: []Service{{Service: "checkout-api", Role: RoleOrchestrator, Utilisation: 0.93, BacklogMax: 20, Rejected: 412, Saturated: true}}},
			KindService, "checkout-api", nil,
			"bottleneck: checkout-api (utilisation 93.0%, backlog 20, 412 rejected)"},
		{"equally deep: the busier step service",
			Summary{Services: []Service{svc("pricing", RoleStep, 0.92, 900, true), svc("inventory", RoleStep, 0.98, 10, true)}},
			KindService, "inventory", []string{"pricing"},
			"bottleneck: inventory (utilisation 98.0%, backlog 10); also saturated: pricing"},
		{"equally deep and busy: the longer backlog",
			Summary{Services: []Service{svc("pricing", RoleStep, 0.95, 10, true), svc("inventory", RoleStep, 0.95, 900, true)}},
			KindService, "inventory", []string{"pricing"},
			"bottleneck: inventory (utilisation 95.0%, backlog 900); also saturated: pricing"},
		{"a busy service that keeps up (not saturated) is not named",
			Summary{Services: path(idleGW, idleAPI, svc("payments", RoleStep, 0.907, 0, false))},
			KindNone, "payments", nil,
			"bottleneck: none saturated (busiest: payments, utilisation 90.7%)"},
		{"the DB pool below the services waiting on it",
			Summary{Services: path(idleGW, svc("checkout-api", RoleOrchestrator, 0.99, 500, true), idlePay),
				DBPool: DBPool{Size: 200, InUseMean: 198, InUseShare: 0.99, WaitingMax: 41, Timeouts: 12, Saturated: true}},
			KindDBPool, "DB pool", []string{"checkout-api"},
			"bottleneck: DB pool (in use 99.0% of 200 connections, 41 waiting at most, 12 timeouts); also saturated: checkout-api"},
		{"hot rows below the pool their transactions hold",
			Summary{Services: path(idleGW, idleAPI, idlePay),
				DBPool:  DBPool{Size: 200, InUseShare: 0.95, WaitingMax: 3, Saturated: true},
				HotRows: HotRows{LockWaitP99S: 2, LockTimeouts: 1234, Saturated: true}},
			KindHotRows, "hot rows", []string{"DB pool"},
			"bottleneck: hot rows (lock wait P99 2.00 s, 1234 lock timeouts, 0 deadlocks); also saturated: DB pool"},
		{"a capped provider below everything",
			Summary{Services: path(svc("gateway", RoleGateway, 1, 5000, true), svc("checkout-api", RoleOrchestrator, 1, 190, true), svc("payments", RoleStep, 0.99, 70, true)),
				HotRows:   HotRows{LockWaitP99S: 1.5, Saturated: true},
				Providers: []Provider{{Provider: "psp-a", Cap: 100, InFlightMean: 97, Saturated: true}, {Provider: "psp-b"}}},
			KindProvider, "psp-a", []string{"gateway", "checkout-api", "payments", "hot rows"},
			"bottleneck: provider psp-a (in flight 97.0% of its cap of 100); also saturated: gateway, checkout-api, payments, hot rows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Judge(&c.s)
			if v.Kind != c.kind || v.Name != c.who || v.Text != c.text {
				t.Errorf("Judge = %s %q\n%s\nwant %s %q\n%s", v.Kind, v.Name, v.Text, c.kind, c.who, c.text)
			}
			if !slices.Equal(v.AlsoSaturated, c.also) && !(len(v.AlsoSaturated) == 0 && len(c.also) == 0) {
				t.Errorf("also saturated = %v, want %v", v.AlsoSaturated, c.also)
			}
		})
	}
}

func TestVerdictShort(t *testing.T) {
	for _, c := range []struct {
		v    Verdict
		want string
	}{
		{Verdict{Kind: KindService, Name: "checkout-api", Load: 0.99997}, "checkout-api 100.0%"},
		{Verdict{Kind: KindDBPool, Name: "DB pool", Load: 0.97}, "DB pool 97.0%"},
		{Verdict{Kind: KindProvider, Name: "psp-a", Load: 0.9}, "psp-a 90.0%"},
		{Verdict{Kind: KindHotRows, Name: "hot rows"}, "hot rows"},
		{Verdict{Kind: KindNone, Name: "payments", Load: 0.57}, "none"},
	} {
		if got := c.v.Short(); got != c.want {
			t.Errorf("%+v: Short() = %q, want %q", c.v, got, c.want)
		}
	}
}

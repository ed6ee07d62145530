package report

import (
	"html"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/bottleneck"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// The report shows both runs' verdicts and every constraint's load, the
// saturated ones tagged.
func TestReportServicesSection(t *testing.T) {
	ra, rb := reportResults(2)
	for _, r := range ra { // A: the orchestrator is saturated (busy, 12 waiting), B: not
		r.Services = []checkout.ServiceResult{{Name: "checkout-api", BusyWorkerS: 99, WorkerS: 100}}
	}
	for _, r := range rb {
		r.Services = []checkout.ServiceResult{{Name: "checkout-api", BusyWorkerS: 40, WorkerS: 100}}
	}
	a, b := testScenario("before", ""), testScenario("after", "")
	out := renderTestReport(t, Input{Seed: 1, A: Run{Scenario: a, Results: ra}, B: Run{Scenario: b, Results: rb}})
	va, vb := bottleneck.Summarize(&a.Config, ra).Verdict, bottleneck.Summarize(&b.Config, rb).Verdict
	if va.Name != "checkout-api" || vb.Kind != bottleneck.KindNone {
		t.Fatalf("test data: verdicts %q and %q, want checkout-api saturated in A only", va.Text, vb.Text)
	}
	for _, want := range []string{
		`id="services"`, "5. Services: where the bottleneck is",
		`<div class="verdict" id="bottleneck-a"><span class="run a">A</span> ` + html.EscapeString(va.Text) + "</div>",
		`<div class="verdict" id="bottleneck-b"><span class="run b">B</span> ` + html.EscapeString(vb.Text) + "</div>",
		`<td><b>checkout-api</b><span class="ci">changed</span></td><td>orchestrator</td><td class="lines">utilisation 99.0%`,
		"<td><b>DB pool</b></td>", "<td><b>hot rows</b></td>", "<td><b>provider psp-a</b></td>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(out, `<span class="tag bad">saturated</span>`); n != 1 {
		t.Errorf("%d saturated tags, want 1 (checkout-api in A)", n)
	}
}

func TestNewServicesSection(t *testing.T) {
	if newServicesSection(nil, &bottleneck.Summary{}) != nil {
		t.Error("a run without the summary (saved before it) gives a section")
	}
	a := &bottleneck.Summary{Services: []bottleneck.Service{{Service: "gateway", Role: bottleneck.RoleGateway}, {Service: "api", Saturated: true}},
		Providers: []bottleneck.Provider{{Provider: "psp-a"}}}
	b := &bottleneck.Summary{Services: []bottleneck.Service{{Service: "api-v2"}, {Service: "gateway", Saturated: true}},
		Providers: []bottleneck.Provider{{Provider: "psp-b", Saturated: true}}}
	s := newServicesSection(a, b)
	var got []string
	for _, r := range s.Rows {
		got = append(got, r.Name+":"+flag(r.A != "")+flag(r.B != "")+flag(r.SatA)+flag(r.SatB)+flag(r.MovedOrFixed))
	}
	want := "gateway:11011 api:10101 api-v2:01000 DB pool:11000 hot rows:11000 provider psp-a:10000 provider psp-b:01011"
	if strings.Join(got, " ") != want {
		t.Errorf("rows (name:hasA hasB satA satB changed)\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

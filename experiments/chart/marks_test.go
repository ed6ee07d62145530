package chart

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/internal/synth"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

var update = flag.Bool("update", false, "rewrite experiments/chart/testdata/*.golden")

// testMarks are an SLO of 150 ms and a promotion and a slow episode
// inside synth.Result's 2-minute axis.
var testMarks = Marks{SLOP99S: 0.15, Events: []Event{
	{Label: "promotion, cache purged", StartS: 30, EndS: 30},
	{Label: "psp-a slow x2.5", StartS: 60, EndS: 90},
}}

func TestScenarioEvents(t *testing.T) {
	load := func(name string) *experiments.Scenario {
		sc, err := experiments.LoadScenario(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	before, after := load("flash-sale-before"), load("flash-sale-after")
	got := ScenarioEvents(&before.Config)
	want := []Event{
		{Label: "promotion, cache purged", StartS: 300, EndS: 300},
		{Label: "psp-a slow x2.5, errors +2%", StartS: 480, EndS: 660},
	}
	if !slices.Equal(got, want) {
		t.Errorf("flash-sale-before events = %+v, want %+v", got, want)
	}
	// Compared: the episode both schedule once, the promotions (which
	// differ in what they invalidate) each labelled with their run.
	m := ScenarioMarks(1.5, before, after)
	want = []Event{
		{Label: "A: promotion, cache purged", StartS: 300, EndS: 300},
		{Label: "B: promotion, 2% of SKUs invalidated, pre-warmed", StartS: 300, EndS: 300},
		{Label: "psp-a slow x2.5, errors +2%", StartS: 480, EndS: 660},
	}
	if m.SLOP99S != 1.5 || !slices.Equal(m.Events, want) {
		t.Errorf("ScenarioMarks = %+v, want SLO 1.5 and %+v", m, want)
	}
	if evs := ScenarioEvents(&load("baseline").Config); len(evs) != 0 {
		t.Errorf("baseline schedules nothing, got %+v", evs)
	}
}

// Every time chart carries the event labels; the latency charts carry
// the SLO line's legend entry, and only they do.
func TestChartsMarkEventsAndSLO(t *testing.T) {
	dir := t.TempDir()
	a := []*checkout.Result{synth.Result(0, 12, 1, 10)}
	b := []*checkout.Result{synth.Result(0, 12, 0.5, 10)}
	if err := WriteRunPlots(dir, "run", a, testMarks); err != nil {
		t.Fatal(err)
	}
	if err := WriteComparePlots(dir, "a", "b", a, b, testMarks); err != nil {
		t.Fatal(err)
	}
	slo := "SLO: P99 ≤ 150 ms"
	for _, c := range []string{"run-latency", "a-vs-b-p99"} {
		checkChart(t, dir, c, 1080, 540, slo, testMarks.Events[0].Label, testMarks.Events[1].Label)
	}
	for _, c := range []string{"a-vs-b-latency-cdf", "a-vs-b-latency-tail"} {
		checkChart(t, dir, c, 1080, 540, slo)
	}
	for _, c := range []string{"run-throughput", "run-cache-hit-ratio", "run-backlog", "a-vs-b-errors", "a-vs-b-lock-wait"} {
		checkChart(t, dir, c, 1080, 540, testMarks.Events[0].Label, testMarks.Events[1].Label)
		svg, _ := os.ReadFile(filepath.Join(dir, c+".svg"))
		if bytes.Contains(svg, []byte("SLO")) {
			t.Errorf("%s: a chart that is not of P99 latency shows the SLO", c)
		}
	}
	// Without marks, none of it.
	if err := WriteRunPlots(dir, "plain", a, Marks{}); err != nil {
		t.Fatal(err)
	}
	if svg, _ := os.ReadFile(filepath.Join(dir, "plain-latency.svg")); bytes.Contains(svg, []byte("SLO")) || bytes.Contains(svg, []byte("promotion")) {
		t.Error("a chart without marks shows an SLO or an event")
	}
}

// The report's charts carry hover titles: one strip per sample with both
// runs' values, the quantiles on the distributions, the events and the
// SLO. The p99 chart's and the CDF's hover layers are golden files.
func TestInlineHoverTitles(t *testing.T) {
	a := []*checkout.Result{synth.Result(0, 12, 1, 10), synth.Result(1, 12, 1.2, 20)}
	b := []*checkout.Result{synth.Result(0, 12, 0.5, 10), synth.Result(1, 12, 0.6, 20)}
	charts, err := CompareInline("before", "after", a, b, testMarks)
	if err != nil {
		t.Fatal(err)
	}
	layer := regexp.MustCompile(`(?s)<g class="hover-values">.*?</g>\n`)
	for _, c := range charts {
		svgText(t, c.ID, c.SVG) // well-formed
		got := layer.Find(c.SVG)
		if got == nil {
			t.Errorf("%s: no hover layer", c.ID)
			continue
		}
		if !bytes.HasSuffix(bytes.TrimSpace(c.SVG), []byte("</g>\n</svg>")) && !bytes.HasSuffix(bytes.TrimSpace(c.SVG), []byte("</svg>")) {
			t.Errorf("%s: the hover layer is not inside the svg element", c.ID)
		}
		if c.ID != "p99" && c.ID != "latency-cdf" {
			continue
		}
		path := filepath.Join("testdata", "hover-"+c.ID+".golden")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./experiments/chart -run TestInlineHoverTitles -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: hover layer differs from %s:\n%s", c.ID, path, got)
		}
	}
	p99 := string(layer.Find(charts[2].SVG))
	for _, want := range []string{
		"at 0:10 min&#10;A: before: 110 ms&#10;B: after: 55.0 ms", // sample 0 (0-10 s): 0.1 s × the mean scale, 1.1 for A
		"psp-a slow x2.5 from 1:00 to 1:30 min",
		"promotion, cache purged at 0:30 min",
		"SLO: P99 ≤ 150 ms",
	} {
		if !strings.Contains(p99, want) {
			t.Errorf("p99 hover layer lacks %q:\n%s", want, p99)
		}
	}
	if n := strings.Count(p99, `<rect class="hover"`); n != 12+2+1 {
		t.Errorf("p99 hover layer has %d shapes, want 12 samples + 2 events + the SLO", n)
	}
	if cdf := string(layer.Find(charts[0].SVG)); strings.Count(cdf, "<circle") != 8 || !strings.Contains(cdf, "A: before: P99 ") {
		t.Errorf("CDF hover layer: want 8 quantile dots (P50, P90, P99, P99.9 of A and B):\n%s", cdf)
	}
}

// Labels of events at the same time are drawn side by side, and a label
// longer than the plot is high ends in an ellipsis.
func TestEventLabelsFit(t *testing.T) {
	f := newFigure("x", "", "", "")
	f.addEvents([]Event{{Label: "A: p", StartS: 60, EndS: 60}, {Label: "B: p", StartS: 60, EndS: 60}, {Label: "e", StartS: 90, EndS: 120}})
	if got := []int{f.hover.events[0].slot, f.hover.events[1].slot, f.hover.events[2].slot}; !slices.Equal(got, []int{0, 1, 0}) {
		t.Errorf("label slots %v, want [0 1 0]", got)
	}
	sty := f.legend.TextStyle
	long := "B: promotion, 2% of SKUs invalidated, pre-warmed"
	if got := fitText(sty, long, sty.Width(long)); got != long {
		t.Errorf("a label that fits was changed to %q", got)
	}
	w := sty.Width("B: promotion, 2% of SKUs")
	if got := fitText(sty, long, w); !strings.HasSuffix(got, "…") || sty.Width(got) > w || !strings.HasPrefix(long, strings.TrimSuffix(got, "…")) {
		t.Errorf("fitText = %q (width %v), want a prefix with an ellipsis within %v", got, sty.Width(got), w)
	}
}

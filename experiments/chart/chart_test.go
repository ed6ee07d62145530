package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/capacity"
	"github.com/checkoutsim/checkoutsim/experiments/internal/synth"
	"github.com/checkoutsim/checkoutsim/models/checkout"
	"github.com/checkoutsim/checkoutsim/sim"
)

func TestMeanSeries(t *testing.T) {
	a := &checkout.Result{Series: []checkout.Series{{Name: "x", Unit: "s", Values: []float64{1, 2, 0}}}}
	b := &checkout.Result{Series: []checkout.Series{{Name: "x", Unit: "s", Values: []float64{3, 0, 0, 5}}}}
	got, unit, ok := meanSeries([]*checkout.Result{a, b}, "x")
	if want := []float64{2, 1, 0, 5}; !ok || unit != "s" || !slices.Equal(got, want) {
		t.Errorf("meanSeries = %v %q %v, want %v s true", got, unit, ok, want)
	}
	// Latency percentiles skip the zeros of intervals without clicks.
	lat := meanLatencySeries([]*checkout.Result{a, b}, "x")
	if lat[0] != 2 || lat[1] != 2 || !math.IsNaN(lat[2]) || lat[3] != 5 {
		t.Errorf("meanLatencySeries = %v, want [2 2 NaN 5]", lat)
	}
	if _, _, ok := meanSeries([]*checkout.Result{a}, "missing"); ok {
		t.Error("meanSeries found a missing series")
	}
	sum, _, _ := sumSeries([]*checkout.Result{a, b}, []string{"x", "x"})
	if want := []float64{4, 2, 0, 10}; !slices.Equal(sum, want) {
		t.Errorf("sumSeries = %v, want %v", sum, want)
	}
}

func TestMinutesAndWarmup(t *testing.T) {
	xs := minutes(3, 30)
	if want := []float64{0.5, 1, 1.5}; !slices.Equal(xs, want) {
		t.Errorf("minutes(3, 30) = %v, want %v (a sample is drawn at the end of its interval)", xs, want)
	}
	r := synth.Result(0, 12, 1, 0) // 120 s run, 100 s measured
	if got := warmupMinutes([]*checkout.Result{r}, 12, 10); math.Abs(got-20.0/60) > 1e-12 {
		t.Errorf("warmupMinutes = %g, want %g", got, 20.0/60)
	}
}

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		suffix string
		want   []string
	}{
		{0, 10, "", []string{"0", "2", "4", "6", "8", "10"}},
		{0, 1, "", []string{"0", "0.2", "0.4", "0.6", "0.8", "1.0"}},
		{0, 160000, "", []string{"0", "50k", "100k", "150k"}},
		{90, 100, "%", []string{"90%", "92%", "94%", "96%", "98%", "100%"}},
		{0, 12.5, "", []string{"0", "2.5", "5.0", "7.5", "10.0", "12.5"}},
		{0, 3e7, "", []string{"0", "10M", "20M", "30M"}},
	}
	for _, tt := range tests {
		var got []string
		for _, tk := range (niceTicks{suffix: tt.suffix}).Ticks(tt.lo, tt.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("niceTicks(%g, %g) labels = %q, want %q", tt.lo, tt.hi, got, tt.want)
		}
	}
	if got := (niceTicks{}).Ticks(5, 5); got != nil {
		t.Errorf("niceTicks on an empty range = %v, want nil", got)
	}
}

func TestLatencyTicks(t *testing.T) {
	var got []string
	for _, tk := range (latencyTicks{}).Ticks(0.01, 2) { // 2.3 decades
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	want := []string{"10 ms", "20 ms", "50 ms", "100 ms", "200 ms", "500 ms", "1 s", "2 s"}
	if !slices.Equal(got, want) {
		t.Errorf("latencyTicks(0.01, 2) = %q, want %q", got, want)
	}
	got = nil
	for _, tk := range (latencyTicks{}).Ticks(0.05, 200) { // 3.6 decades: 1 and 5 only
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	want = []string{"50 ms", "100 ms", "500 ms", "1 s", "5 s", "10 s", "50 s", "100 s"}
	if !slices.Equal(got, want) {
		t.Errorf("latencyTicks(0.05, 200) = %q, want %q", got, want)
	}
	if got := (latencyTicks{}).Ticks(0, 1); got != nil {
		t.Errorf("latencyTicks from 0 = %v, want nil (no log axis through 0)", got)
	}
}

func TestLog10Ticks(t *testing.T) {
	var got []string
	for _, tk := range (log10ShareTicks{}).Ticks(-4, 0) {
		if tk.Label != "" {
			got = append(got, tk.Label)
		}
	}
	if want := []string{"0.01%", "0.1%", "1%", "10%", "100%"}; !slices.Equal(got, want) {
		t.Errorf("log10ShareTicks(-4, 0) = %q, want %q", got, want)
	}
	got = nil
	for _, tk := range (log10LatencyTicks{}).Ticks(-2, 0) { // 10 ms .. 1 s
		if tk.Label != "" {
			got = append(got, tk.Label)
			if want := math.Log10(map[string]float64{"10 ms": 0.01, "20 ms": 0.02, "50 ms": 0.05, "100 ms": 0.1, "200 ms": 0.2, "500 ms": 0.5, "1 s": 1}[tk.Label]); math.Abs(tk.Value-want) > 1e-12 {
				t.Errorf("tick %q at %g, want %g", tk.Label, tk.Value, want)
			}
		}
	}
	if len(got) != 7 {
		t.Errorf("log10LatencyTicks(-2, 0) = %q, want 7 labels from 10 ms to 1 s", got)
	}
}

func TestFileSlug(t *testing.T) {
	tests := map[string]string{
		"flash-sale-before": "flash-sale-before",
		"P99 (s) by x/y":    "p99-s-by-x-y",
		"../etc/passwd":     "etc-passwd",
		"":                  "chart",
		"<script>":          "script",
		"a.b_c":             "a.b_c",
	}
	for in, want := range tests {
		if got := fileSlug(in); got != want {
			t.Errorf("fileSlug(%q) = %q, want %q", in, got, want)
		}
	}
}

// checkChart checks that dir holds name.png (a PNG of the chart size)
// and name.svg (well-formed XML) whose text includes every want string.
func checkChart(t *testing.T, dir, name string, wantW, wantH int, want ...string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil || format != "png" {
		t.Fatalf("%s.png: decode: %v (format %q)", name, err, format)
	}
	if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Errorf("%s.png is %dx%d, want %dx%d", name, b.Dx(), b.Dy(), wantW, wantH)
	}
	svg, err := os.ReadFile(filepath.Join(dir, name+".svg"))
	if err != nil {
		t.Fatal(err)
	}
	text := svgText(t, name, svg)
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s.svg: no text %q in %q", name, w, text)
		}
	}
}

// svgText parses an SVG document strictly and returns the content of its
// text elements, one per line.
func svgText(t *testing.T, name string, svg []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	var b strings.Builder
	inText := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s.svg is not well-formed XML: %v", name, err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			inText = el.Name.Local == "text"
		case xml.EndElement:
			inText = false
		}
		if cd, ok := tok.(xml.CharData); ok && inText {
			b.Write(cd)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

var _ = png.Decode // register the PNG decoder for image.Decode

func TestWriteRunPlots(t *testing.T) {
	dir := t.TempDir()
	results := []*checkout.Result{synth.Result(0, 12, 1, 10), synth.Result(1, 12, 1.2, 20)}
	name := `flash <sale> & "co"`
	if err := WriteRunPlots(dir, name, results, Marks{}); err != nil {
		t.Fatal(err)
	}
	prefix := "flash-sale-co-"
	charts := map[string][]string{
		"latency":         {name + ": checkout latency percentiles per interval", "P99", "P95", "P50", "simulated time (min)", "latency (ms)", "warm-up (not measured)"},
		"throughput":      {"checkouts (per s)", "succeeded", "failed", "abandoned", "arrivals"},
		"cache-hit-ratio": {"hit ratio (%)", "94%", "100%"},
		"lock-wait":       {"lock wait (ms)"},
		"attempts":        {"gateway attempts", "payment attempts"},
		"breakers":        {"psp-a", "closed", "half-open", "open"},
		"backlog":         {"gateway", "checkout-api", "backlog (requests)"},
		"instances":       {"instances", "gateway"},
		"db-pool":         {"connections in use", "requests waiting"},
	}
	for c, want := range charts {
		checkChart(t, dir, prefix+c, 1080, 540, want...)
	}
	if svg, _ := os.ReadFile(filepath.Join(dir, prefix+"instances.svg")); bytes.Contains(svg, []byte("instances (instances)")) {
		t.Error("instances chart repeats its unit in the axis label")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2*len(charts) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("dir holds %d files, want %d: %v (no temporary files left)", len(entries), 2*len(charts), names)
	}
}

func TestWriteRunPlotsBadInput(t *testing.T) {
	if err := WriteRunPlots(t.TempDir(), "x", nil, Marks{}); err == nil {
		t.Error("no results: no error")
	}
	if err := WriteRunPlots(t.TempDir(), "x", []*checkout.Result{{}}, Marks{}); err == nil || !strings.Contains(err.Error(), "no time series") {
		t.Errorf("results without series: error %v, want one about the time series", err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if err := WriteRunPlots(missing, "x", []*checkout.Result{synth.Result(0, 6, 1, 0)}, Marks{}); err == nil {
		t.Error("missing directory: no error")
	}
}

// TestChartsDeterministic renders the same charts twice from equal
// inputs and requires the same bytes, SVG and PNG.
func TestChartsDeterministic(t *testing.T) {
	render := func() [][]byte {
		a := []*checkout.Result{synth.Result(0, 12, 1, 10), synth.Result(1, 12, 1.2, 20)}
		b := []*checkout.Result{synth.Result(0, 12, 0.5, 5)}
		figs, err := compareFigures("before", "after", a, b, false, testMarks)
		if err != nil {
			t.Fatal(err)
		}
		run, err := runFigures("before", a, testMarks)
		if err != nil {
			t.Fatal(err)
		}
		var out [][]byte
		for _, f := range append(figs, run...) {
			svg, err := renderSVG(f, true)
			if err != nil {
				t.Fatal(err)
			}
			png, err := renderPNG(f)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, svg, png)
		}
		return out
	}
	first, second := render(), render()
	for i := range first {
		if !bytes.Equal(first[i], second[i]) {
			t.Fatalf("chart output %d differs between two renderings of the same input", i)
		}
	}
}

func TestWriteComparePlots(t *testing.T) {
	dir := t.TempDir()
	a := []*checkout.Result{synth.Result(0, 12, 2, 10), synth.Result(1, 12, 2.2, 20)}
	b := []*checkout.Result{synth.Result(0, 12, 0.5, 10), synth.Result(1, 12, 0.6, 20)}
	if err := WriteComparePlots(dir, "before", "after", a, b, Marks{}); err != nil {
		t.Fatal(err)
	}
	p := "before-vs-after-"
	checkChart(t, dir, p+"latency-cdf", 1080, 540, "Checkout latency distribution: before vs after", "A: before", "B: after",
		"checkout latency (log scale)", "P99 level", "1 ms", "100 ms", "1 s", "100%")
	checkChart(t, dir, p+"latency-tail", 1080, 540, "Checkout latency tail: before vs after", "clicks slower than that",
		"P99 level (1% slower)", "P99.9 level (0.1% slower)", "100%", "1%", "0.1%")
	checkChart(t, dir, p+"p99", 1080, 540, "P99 checkout latency per interval: before vs after", "A: before", "B: after")
	for _, c := range []string{"errors", "cache-hit-ratio", "lock-wait", "payment-attempts"} {
		checkChart(t, dir, p+c, 1080, 540, "A: before", "B: after")
	}
	// Runs sampled at different intervals share the chart, each on its
	// own time axis.
	slow := []*checkout.Result{synth.Result(0, 6, 1, 10)}
	slow[0].Interval = 20 * sim.Second
	if err := WriteComparePlots(dir, "ten", "twenty", a, slow, Marks{}); err != nil {
		t.Errorf("different sample intervals: %v", err)
	}
	if err := WriteComparePlots(dir, "a", "b", a, nil, Marks{}); err == nil {
		t.Error("no results for B: no error")
	}
}

func TestWriteSweepHeatmap(t *testing.T) {
	dir := t.TempDir()
	xs := []string{"1", "2", "4"}
	ys := []string{"100ms", "1s"}
	values := [][]float64{{0.5, 1.5, math.NaN()}, {2, 3.25, 8}}
	if err := WriteSweepHeatmap(dir, "P99 latency (s)", "max attempts", "timeout", xs, ys, values); err != nil {
		t.Fatal(err)
	}
	checkChart(t, dir, "sweep-p99-latency-s", 1080, 540, "P99 latency (s)", "max attempts", "timeout", "100ms", "1s", "4", "3.25", "n/a")

	bad := []struct {
		name   string
		xs, ys []string
		values [][]float64
		want   string
	}{
		{"no columns", nil, ys, [][]float64{{}, {}}, "must not be empty"},
		{"rows", xs, ys, [][]float64{{1, 2, 3}}, "1 rows of values for 2 ys"},
		{"columns", xs, ys, [][]float64{{1, 2, 3}, {1, 2}}, "row 1 (1s) has 2 values for 3 xs"},
	}
	for _, tt := range bad {
		err := WriteSweepHeatmap(dir, "t", "x", "y", tt.xs, tt.ys, tt.values)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
	// All values equal, or all missing: still a chart.
	if err := WriteSweepHeatmap(dir, "flat", "x", "y", []string{"a"}, []string{"b"}, [][]float64{{math.NaN()}}); err != nil {
		t.Errorf("all-NaN grid: %v", err)
	}
}

func TestWriteCapacityPlot(t *testing.T) {
	dir := t.TempDir()
	curve := []capacity.Point{ // in search order, not load order
		{Multiplier: 2, OfferedPerS: 200, P99S: 3, ErrorRate: 0.05},
		{Multiplier: 1, OfferedPerS: 100, P99S: 0.8, ErrorRate: 0.001, Pass: true},
		{Multiplier: 1.5, OfferedPerS: 150, P99S: 1.4, ErrorRate: 0.004, Pass: true},
		{Multiplier: 1.75, OfferedPerS: 175, P99S: 2.2, ErrorRate: 0.02},
	}
	if err := WriteCapacityPlot(dir, "flash-sale-after", curve, 2, 0.01); err != nil {
		t.Fatal(err)
	}
	checkChart(t, dir, "flash-sale-after-capacity", 1080, 840, "flash-sale-after: capacity search", "offered load (checkouts per s)",
		"SLO: P99 2 s", "SLO: error rate 1.00%", "SLO met", "SLO broken", "largest load meeting the SLO", "error rate (%)")
	if err := WriteCapacityPlot(dir, "x", nil, 2, 0.01); err == nil {
		t.Error("empty curve: no error")
	}
	if err := WriteCapacityPlot(dir, "x", curve, 0, 0.01); err == nil || !strings.Contains(err.Error(), "slo p99") {
		t.Errorf("zero SLO: error %v, want one naming the slo p99", err)
	}
	// Without offered rates the x axis is the multiplier.
	for i := range curve {
		curve[i].OfferedPerS = 0
	}
	if err := WriteCapacityPlot(dir, "m", curve, 2, 0.01); err != nil {
		t.Fatal(err)
	}
	checkChart(t, dir, "m-capacity", 1080, 840, "traffic multiplier")
	// A search result's chart shades the knee's interval; without one
	// (one replication) there is no such legend entry.
	res := &capacity.Result{Scenario: "k", SLOP99S: 2, MaxErrorRate: 0.01, Curve: curve[:2],
		SustainableMultiplierCI: &experiments.CI{1, 1.75}}
	if err := WriteCapacity(dir, res); err != nil {
		t.Fatal(err)
	}
	checkChart(t, dir, "k-capacity", 1080, 840, "knee, 95% CI")
	res.Scenario, res.SustainableMultiplierCI = "none", nil
	if err := WriteCapacity(dir, res); err != nil {
		t.Fatal(err)
	}
	if svg, err := os.ReadFile(filepath.Join(dir, "none-capacity.svg")); err != nil || strings.Contains(svgText(t, "none", svg), "knee") {
		t.Errorf("a result without an interval shows a knee band (%v)", err)
	}
}

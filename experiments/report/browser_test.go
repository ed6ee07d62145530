package report

// The evidence report in a real browser: headless Chromium (Debian's
// chromium package; .ci/run installs it) renders a report of a tiny run,
// takes a screenshot and dumps the DOM. The test checks that the page
// logged nothing to the console and that the key numbers are in the
// rendered DOM. Without Chromium the test fails when CI is set and skips
// otherwise.

import (
	"bytes"
	"context"
	stdhtml "html"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/chart"
	"github.com/checkoutsim/checkoutsim/experiments/output"
)

const chromiumPath = "/usr/bin/chromium"

// chromium runs headless Chromium on the file with extra flags and
// returns its stdout and stderr.
func chromium(t *testing.T, file string, flags ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(),
		"--enable-logging=stderr", "--v=0",
	}, flags...)
	args = append(args, "file://"+file)
	cmd := exec.CommandContext(ctx, chromiumPath, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", flags, err, errb.String())
	}
	t.Logf("chromium %v: %v", flags, time.Since(start).Round(time.Millisecond))
	return out.String(), errb.String()
}

// consoleLines are the lines of Chromium's log that report a console
// message or an uncaught error of a page.
func consoleLines(log string) []string {
	var bad []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, ":CONSOLE") || strings.Contains(l, "Uncaught") {
			bad = append(bad, l)
		}
	}
	return bad
}

func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s not found, and CI is set: .ci/run must install Debian's chromium package for this test", chromiumPath)
		}
		t.Skipf("%s not found: install Debian's chromium package (apt-get install -y chromium) to run the browser test", chromiumPath)
	}
}

func TestReportInChromium(t *testing.T) {
	requireChromium(t)
	dir := t.TempDir()

	// The detector must see a console error when there is one, or its
	// silence on the report means nothing.
	control := filepath.Join(dir, "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><p>x</p><script>console.error("control-error")</script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, log := chromium(t, control, "--dump-dom"); len(consoleLines(log)) == 0 || !strings.Contains(log, "control-error") {
		t.Fatalf("the console detector missed a deliberate console.error; chromium log:\n%s", log)
	}

	// A tiny real run of two scenarios; A's provider slow episode is moved
	// into the minute, so the charts mark it.
	sets := []string{"duration=1m", "warmup=10s"}
	setsA := append(slices.Clone(sets), "payments.providers[0].episodes[0].start=20s", "payments.providers[0].episodes[0].end=40s")
	a, err := experiments.LoadScenario("retry-storm", setsA)
	if err != nil {
		t.Fatal(err)
	}
	b, err := experiments.LoadScenario("baseline", sets)
	if err != nil {
		t.Fatal(err)
	}
	const seed, reps = 3, 2
	ra, err := experiments.RunReplications(t.Context(), a, seed, reps, 0)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := experiments.RunReplications(t.Context(), b, seed, reps, 0)
	if err != nil {
		t.Fatal(err)
	}
	ya, _ := experiments.BuiltinYAML("retry-storm")
	yb, _ := experiments.BuiltinYAML("baseline")
	var html bytes.Buffer
	in := Input{Seed: seed, SLOP99S: 1,
		A: Run{Scenario: a, YAML: string(ya), Sets: setsA, Results: ra},
		B: Run{Scenario: b, YAML: string(yb), Sets: sets, Results: rb},
	}
	if err := Write(&html, in); err != nil {
		t.Fatal(err)
	}
	built, err := buildReport(in)
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, html.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	shot := filepath.Join(dir, "out.png")
	_, log := chromium(t, page, "--screenshot="+shot, "--window-size=1280,2400")
	if bad := consoleLines(log); len(bad) > 0 {
		t.Errorf("console messages while rendering the report:\n%s", strings.Join(bad, "\n"))
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if bnd := img.Bounds(); bnd.Dx() != 1280 || bnd.Dy() != 2400 {
		t.Errorf("screenshot is %v, want 1280x2400", bnd)
	}
	if n := distinctColors(img, 64); n < 8 {
		t.Errorf("screenshot has %d distinct colours: the page looks blank", n)
	}

	dom, log := chromium(t, page, "--dump-dom")
	if bad := consoleLines(log); len(bad) > 0 {
		t.Errorf("console messages while loading the report:\n%s", strings.Join(bad, "\n"))
	}
	cs := experiments.CompareResults(a, b, seed, ra, rb)
	want := []string{"Checkout evidence: retry-storm vs baseline", "retry-storm", "baseline"}
	for _, c := range cs.Change {
		switch c.Metric {
		case "latency_p99_s", "error_rate", "throughput_per_s", "cost_usd":
			phrase, _ := changePhrase(&c)
			want = append(want, output.Human(c.A, c.Unit), output.Human(c.B, c.Unit), phrase)
		}
	}
	want = append(want, output.Human(cs.A.Checkout.Latency.P99, "s"), output.Human(cs.B.Checkout.Latency.P99, "s"))
	for _, w := range want {
		if !strings.Contains(dom, w) {
			t.Errorf("rendered DOM lacks %q", w)
		}
	}
	// Every chart the report built is rendered: its signal charts, the
	// latency distribution and the tail.
	signals := len(built.Charts)
	if signals == 0 || built.CDF == nil || built.Tail == nil {
		t.Fatalf("the report built %d signal charts, CDF %v, tail %v", signals, built.CDF != nil, built.Tail != nil)
	}
	if n := strings.Count(dom, "<svg"); n != signals+2 {
		t.Errorf("rendered DOM has %d charts, want %d", n, signals+2)
	}
	// The written verdict, every sentence of it, heads the summary.
	if len(built.Verdict.Lines) == 0 || !strings.Contains(dom, `id="verdict"`) {
		t.Errorf("rendered DOM has no verdict (lines %q)", built.Verdict.Lines)
	}
	for _, l := range built.Verdict.Lines {
		if !strings.Contains(dom, stdhtml.EscapeString(l)) {
			t.Errorf("rendered DOM lacks the verdict's %q", l)
		}
	}
	// The event marker (A's slow episode, drawn on each signal chart), its hover title, the SLO line (P99 chart, CDF and tail)
	// and hover values at the samples.
	evs := chart.ScenarioMarks(1, a, b).Events
	if len(evs) != 1 || !strings.HasPrefix(evs[0].Label, "A: ") {
		t.Fatalf("events %+v, want A's slow episode only", evs)
	}
	label := stdhtml.EscapeString(evs[0].Label)
	if n := strings.Count(dom, ">"+label+"</text>"); n != signals {
		t.Errorf("rendered DOM draws the event label %q on %d charts, want %d", label, n, signals)
	}
	if !strings.Contains(dom, "<title>"+label+" from 0:20 to 0:40 min</title>") {
		t.Errorf("rendered DOM lacks the event's hover title")
	}
	if n := strings.Count(dom, "SLO: P99 ≤ 1.00 s</text>"); n != 3 {
		t.Errorf("rendered DOM shows the SLO's legend on %d charts, want 3 (P99, CDF, tail)", n)
	}
	if n := strings.Count(dom, "<title>at "); n < signals*6 {
		t.Errorf("rendered DOM has %d sample hover titles, want at least 6 per signal chart", n)
	}
	if t.Failed() {
		t.Logf("report kept at %s (seed %d, %d replications, sets %v)", page, seed, reps, sets)
	}
}

// distinctColors counts distinct colours on a grid of samples.
func distinctColors(img image.Image, step int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += step {
		for x := b.Min.X; x < b.Max.X; x += step / 4 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}

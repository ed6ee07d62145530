package experiments

// This file renders the evidence report as HTML: html/template escapes
// every string that comes from the user (scenario names, descriptions,
// YAML, cohort and variant names), the charts are inline SVG drawn by
// gonum/plot (which escapes the text it draws), and the one font the
// charts use is embedded once as a data: URL, so the file needs no network
// access and no JavaScript.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"

	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// Sizes of the report's charts: the CDF spans the page, the signals sit
// two to a row.
const (
	reportCDFWidth     = 9 * vg.Inch
	reportCDFHeight    = 4 * vg.Inch
	reportSignalWidth  = 6.4 * vg.Inch
	reportSignalHeight = 3.3 * vg.Inch
)

// addCharts renders the comparison charts as inline SVG, their titles
// moved out of the drawing into the page's headings.
func (r *report) addCharts(ra, rb []*checkout.Result) error {
	figs, err := compareFigures(r.NameA, r.NameB, ra, rb, true)
	if err != nil {
		return err
	}
	captions := map[string]string{
		"latency-cdf":      "Share of checkout clicks answered within a given time, all replications merged. Further left is faster; the gap at the top is the tail.",
		"latency-tail":     "The same distributions from the other end: the share of clicks slower than each latency, on log scales, so the slowest 1% and 0.1% are as visible as the median.",
		"p99":              "P99 of the clicks answered in each sample interval, mean over replications. Gaps: no click was answered in that interval.",
		"errors":           "Checkouts that failed per second of simulated time.",
		"cache-hit-ratio":  "Share of cache reads served from cache in each interval; dips follow purges and promotion starts.",
		"lock-wait":        "Mean wait for inventory row locks, over the lock waits in each interval.",
		"payment-attempts": "Attempts sent to payment providers per second, retries included: the retry load on the provider.",
		"gateway-attempts": "Requests into the checkout API per second: user clicks, re-clicks and gateway retries.",
		"backlog":          "Requests queued for a worker, summed over all services, sampled at each interval's end.",
	}
	prefix := fileSlug(r.NameA) + "-vs-" + fileSlug(r.NameB) + "-"
	for i, f := range figs {
		id := strings.TrimPrefix(f.file, prefix)
		title := f.p.Title.Text
		f.p.Title.Text = ""
		f.w, f.h = reportSignalWidth, reportSignalHeight
		f.legendAbove = true
		if i < 2 {
			f.w, f.h = reportCDFWidth, reportCDFHeight
		}
		svg, err := renderSVG(f, false)
		if err != nil {
			return err
		}
		c := reportChart{ID: id, Title: title, Caption: captions[id], SVG: inlineSVG(svg, title)}
		switch i {
		case 0:
			r.CDF = &c
			continue
		case 1:
			r.Tail = &c
			continue
		}
		r.Charts = append(r.Charts, c)
	}
	return nil
}

// inlineSVG turns an SVG document into an element for an HTML page: the
// XML prolog and comment go, and the element is labelled for screen
// readers.
func inlineSVG(doc []byte, label string) string {
	s := string(doc)
	if i := strings.Index(s, "<svg"); i >= 0 {
		s = s[i:]
	}
	return strings.Replace(s, "<svg", `<svg role="img" aria-label="`+html.EscapeString(label)+`"`, 1)
}

// chartFontFace is the CSS @font-face rule embedding the charts' font
// (Liberation Sans, SIL Open Font License) as a data: URL.
func chartFontFace() (string, error) {
	face := font.DefaultCache.Lookup(font.From(chartFont, 10), 10)
	if face.Face == nil {
		return "", fmt.Errorf("report: font %v not found", chartFont)
	}
	var raw bytes.Buffer
	if _, err := face.Face.WriteSourceTo(nil, &raw); err != nil {
		return "", fmt.Errorf("report: read font: %w", err)
	}
	return `@font-face{font-family:"Liberation Sans";font-style:normal;font-weight:normal;src:url(data:font/ttf;base64,` +
		base64.StdEncoding.EncodeToString(raw.Bytes()) + `) format("truetype");}`, nil
}

// renderReport executes the template.
func renderReport(w io.Writer, r *report) error {
	var b bytes.Buffer
	if err := reportTemplate.Execute(&b, r); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

var reportTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	// trusted marks HTML this package generated (chart SVG) as safe.
	"trusted": func(s string) template.HTML { return template.HTML(s) },
	"css":     func(s string) template.CSS { return template.CSS(s) },
	"bar": func(widthPct float64, color string) template.CSS {
		return template.CSS(fmt.Sprintf("width:%.3f%%;background:%s", widthPct, color))
	},
	"width":  func(widthPct float64) template.CSS { return template.CSS(fmt.Sprintf("width:%.3f%%", widthPct)) },
	"swatch": func(color string) template.CSS { return template.CSS("background:" + color) },
	"inc":    func(i int) int { return i + 1 },
}).Parse(reportHTML))

const reportHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
{{css .FontFace}}
:root{--a:#D55E00;--b:#0072B2;--good:#0a7d4f;--bad:#b3261e;--ink:#1d2329;--muted:#5f6b76;--line:#e3e7eb;--bg:#f5f6f8}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 "Liberation Sans",Arial,Helvetica,sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 28px 48px}
header{border-bottom:3px solid var(--ink);padding-bottom:14px;margin-bottom:22px}
h1{font-size:28px;line-height:1.2;margin:0 0 8px}
h2{font-size:20px;margin:36px 0 6px;padding-top:4px}
h3{font-size:15px;margin:0 0 4px}
p{margin:6px 0 10px}
.sub{color:var(--muted);margin:0}
.run{display:inline-block;padding:1px 8px;border-radius:3px;color:#fff;font-weight:bold;margin-right:4px}
.run.a{background:var(--a)}.run.b{background:var(--b)}
.lead{color:var(--muted);max-width:900px}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin:18px 0 10px}
.kpi{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 16px}
.kpi .label{font-size:13px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.kpi .delta{font-size:26px;font-weight:bold;margin:4px 0 2px;line-height:1.15}
.kpi .vals{font-size:14px;color:var(--muted)}
.good,.ci.good{color:var(--good)}.bad,.ci.bad{color:var(--bad)}
.verdict{border-left:5px solid var(--good);background:#fff;padding:10px 14px;margin:14px 0;border-radius:0 6px 6px 0}
.verdict.warn{border-left-color:var(--bad)}
.card{background:#fff;border:1px solid var(--line);border-radius:6px;padding:16px 18px;margin:12px 0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th,td{padding:7px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);border-bottom:2px solid var(--ink);white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
tbody tr:nth-child(even){background:#fafbfc}
.ci{display:block;font-size:12px;color:var(--muted);white-space:nowrap}
.tag{display:inline-block;font-size:12px;font-weight:bold;padding:0 6px;border-radius:3px}
.tag.bad{background:#fde8e6}.tag.good{background:#e3f4ec}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.chart{background:#fff;border:1px solid var(--line);border-radius:6px;padding:12px 14px;margin:0}
.chart svg{display:block;width:100%;height:auto}
figcaption{font-size:13px;color:var(--muted);margin-top:4px}
.split{display:grid;grid-template-columns:3fr 1fr;gap:14px;align-items:start}
.chart.wide{margin-top:14px;max-width:75%}
.bars{margin:8px 0 4px}
.barrow{display:grid;grid-template-columns:230px 1fr;gap:12px;align-items:center;margin:12px 0}
.barname{font-weight:bold;overflow-wrap:anywhere}
.barname small{display:block;font-weight:normal;color:var(--muted);font-size:12px}
.track{background:#f0f2f4;border-radius:3px}
.stack{display:flex;height:30px;border-radius:3px;overflow:hidden}
.stack span{display:block;height:100%}
.sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.params{display:grid;grid-template-columns:1fr;gap:14px}
details{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 14px}
summary{cursor:pointer;font-weight:bold}
pre{background:#f7f8fa;border:1px solid var(--line);border-radius:4px;padding:10px;font:12px/1.45 "Liberation Mono",Menlo,Consolas,monospace;white-space:pre;max-height:560px;overflow:auto}
.method{font-size:13px;color:var(--muted);border-top:1px solid var(--line);margin-top:36px;padding-top:12px}
@media (max-width:900px){.kpis{grid-template-columns:1fr 1fr}.charts,.params,.split{grid-template-columns:1fr}.chart.wide{max-width:none}}
@media print{body{background:#fff}main{padding:0}.chart,.card,.kpi{break-inside:avoid}pre{max-height:none;white-space:pre-wrap}}
</style>
</head>
<body>
<main>
<header>
<h1>{{.Title}}</h1>
<p class="sub"><span class="run a">A</span> <b id="name-a">{{.NameA}}</b>{{if .DescA}} — {{.DescA}}{{end}}</p>
<p class="sub"><span class="run b">B</span> <b id="name-b">{{.NameB}}</b>{{if .DescB}} — {{.DescB}}{{end}}</p>
<p class="sub">{{.Replications}} paired replication{{if ne .Replications 1}}s{{end}} per run, seed {{.Seed}}, {{.DurationMin}} min of simulated traffic each ({{.MeasuredMin}} min measured after warm-up), common random numbers.</p>
</header>

<section id="summary">
<h2>Summary</h2>
<div class="kpis">
{{range .Headlines}}<div class="kpi"><div class="label">{{.Label}}</div><div class="delta {{if .Good}}good{{end}}">{{.Change}}</div><div class="vals">{{.Before}} → {{.After}}</div></div>
{{end}}</div>
{{if .Regressions}}<div class="verdict warn" id="cohort-verdict"><b>Cohort regression:</b> {{range $i, $n := .Regressions}}{{if $i}}, {{end}}{{$n}}{{end}} got worse under B. See <a href="#cohorts">cohorts</a>.</div>
{{else if .Cohorts}}<div class="verdict" id="cohort-verdict"><b>No cohort regressed:</b> every cohort's P99 and error rate under B is no worse than under A{{if .CI}} (paired 95% intervals){{end}}.</div>
{{end}}</section>

<section id="before-after">
<h2>1. Before / after</h2>
<p class="lead">Each metric is the mean over replications; the change compares the runs replication by replication with common random numbers{{if .CI}}, with a paired 95% confidence interval{{else}} (one replication: no confidence intervals){{end}}. Green: better with its interval clear of no change; red: worse.</p>
<table id="before-after-table">
<thead><tr><th>Metric</th><th class="num">Before (A)</th><th class="num">After (B)</th><th class="num">Change</th></tr></thead>
<tbody>
{{range .Table}}<tr><td>{{.Label}}</td><td class="num">{{.Before}}{{if .BeforeCI}}<span class="ci">{{.BeforeCI}}</span>{{end}}</td><td class="num">{{.After}}{{if .AfterCI}}<span class="ci">{{.AfterCI}}</span>{{end}}</td><td class="num {{if .Good}}good{{else if .Bad}}bad{{end}}">{{.Change}}{{if .ChangeCI}}<span class="ci">{{.ChangeCI}}</span>{{end}}</td></tr>
{{end}}</tbody>
</table>
</section>

<section id="latency">
<h2>2. Latency distribution</h2>
<div class="split">
{{with .CDF}}<figure class="chart" id="chart-{{.ID}}"><h3>{{.Title}}</h3>{{trusted .SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}
<table id="percentiles"><thead><tr><th>Checkout latency</th><th class="num">A</th><th class="num">B</th></tr></thead><tbody>
{{range .Percentiles}}<tr><td>{{.Label}}</td><td class="num">{{.A}}</td><td class="num">{{.B}}</td></tr>
{{end}}</tbody></table>
</div>
{{with .Tail}}<figure class="chart wide" id="chart-{{.ID}}"><h3>{{.Title}}</h3>{{trusted .SVG}}<figcaption>{{.Caption}}</figcaption></figure>{{end}}
</section>

<section id="signals">
<h2>3. Constraint signals over time</h2>
<p class="lead">The mechanisms behind the latency: lock waits, cache hit ratio, retries and backlog, A and B on the same axes over simulated time (mean over replications; the warm-up is shaded).</p>
<div class="charts">
{{range .Charts}}<figure class="chart" id="chart-{{.ID}}"><h3>{{.Title}}</h3>{{trusted .SVG}}<figcaption>{{.Caption}}</figcaption></figure>
{{end}}</div>
</section>

<section id="attribution">
<h2>4. Where the P99 goes</h2>
<p class="lead">The clicks at or above each run's P99 (all replications merged), with their mean time split by where it was spent on the request's critical path. Bar length is the mean latency of those clicks.</p>
<div class="card bars">
<div class="barrow"><div class="barname"><span class="run a">A</span> {{.AttrA.Name}}<small>{{.AttrA.MeanS}} mean of {{.AttrA.Clicks}} clicks ≥ {{.AttrA.ThresholdS}}</small></div><div class="track"><div class="stack" style="{{width .AttrA.WidthPct}}">{{range .AttrA.Bars}}<span style="{{bar .WidthPct .Color}}" title="{{.Title}}"></span>{{end}}</div></div></div>
<div class="barrow"><div class="barname"><span class="run b">B</span> {{.AttrB.Name}}<small>{{.AttrB.MeanS}} mean of {{.AttrB.Clicks}} clicks ≥ {{.AttrB.ThresholdS}}</small></div><div class="track"><div class="stack" style="{{width .AttrB.WidthPct}}">{{range .AttrB.Bars}}<span style="{{bar .WidthPct .Color}}" title="{{.Title}}"></span>{{end}}</div></div></div>
</div>
<table id="attribution-table"><thead><tr><th>Time spent</th><th class="num">A: mean per slow click</th><th class="num">A: share</th><th class="num">B: mean per slow click</th><th class="num">B: share</th></tr></thead><tbody>
{{range .AttrRows}}<tr><td><span class="sw" style="{{swatch .Color}}"></span>{{.Span}}</td><td class="num">{{.A}}</td><td class="num">{{.AShare}}</td><td class="num">{{.B}}</td><td class="num">{{.BShare}}</td></tr>
{{end}}</tbody></table>
</section>

<section id="ablation">
<h2>5. Ablation: what each group of fixes contributes</h2>
{{if .Ablation}}<p class="lead">Each variant against the baseline: its value, and the change with its paired 95% interval.</p>
<table id="ablation-table"><thead><tr><th>Variant</th>{{range .AblationCols}}<th class="num">{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Ablation}}<tr><td><b>{{.Variant}}</b>{{if .Description}}<span class="ci">{{.Description}}</span>{{end}}</td>{{range .Cells}}<td class="num">{{.Value}}{{if .Change}}<span class="ci {{if .Good}}good{{else if .Bad}}bad{{end}}">{{.Change}}</span>{{end}}{{if .CI}}<span class="ci">{{.CI}}</span>{{end}}</td>{{end}}</tr>
{{end}}</tbody></table>
{{else}}<p class="lead" id="ablation-none">No ablation variants were run for this report.</p>{{end}}
</section>

<section id="cohorts">
<h2>6. Cohorts</h2>
{{if .Cohorts}}<p class="lead">Every cohort separately, so that no overall improvement hides a regression in one segment. A cohort is flagged when its P99 or error rate got worse{{if .CI}} with its paired 95% interval clear of no change{{else}} by more than 10% (one replication: no intervals){{end}}.</p>
<table id="cohort-table"><thead><tr><th>Cohort</th><th class="num">Checkouts A / B</th><th class="num">P99 A</th><th class="num">P99 B</th><th class="num">P99 change</th><th class="num">Errors A</th><th class="num">Errors B</th><th class="num">Error change</th><th>Verdict</th></tr></thead><tbody>
{{range .Cohorts}}<tr><td><b>{{.Name}}</b></td><td class="num">{{.AttemptsA}} / {{.AttemptsB}}</td><td class="num">{{.P99A}}</td><td class="num">{{.P99B}}</td><td class="num {{if .P99Good}}good{{else if .P99Bad}}bad{{end}}">{{.P99Change}}{{if .P99CI}}<span class="ci">{{.P99CI}}</span>{{end}}</td><td class="num">{{.ErrA}}</td><td class="num">{{.ErrB}}</td><td class="num {{if .ErrGood}}good{{else if .ErrBad}}bad{{end}}">{{.ErrChange}}{{if .ErrCI}}<span class="ci">{{.ErrCI}}</span>{{end}}</td><td>{{if .Regressed}}<span class="tag bad">regressed</span><span class="ci">{{.Why}}</span>{{else}}<span class="tag good">ok</span>{{end}}</td></tr>
{{end}}</tbody></table>
{{else}}<p class="lead">{{.NoCohortsMessage}}</p>{{end}}
</section>

<section id="parameters">
<h2>7. Scenario parameters</h2>
<div class="params">
<details open><summary><span class="run a">A</span> {{.NameA}}</summary>{{if .SetsA}}<p>Overrides: {{range $i, $s := .SetsA}}{{if $i}}, {{end}}<code>{{$s}}</code>{{end}}</p>{{end}}<pre id="yaml-a">{{.YAMLA}}</pre></details>
<details open><summary><span class="run b">B</span> {{.NameB}}</summary>{{if .SetsB}}<p>Overrides: {{range $i, $s := .SetsB}}{{if $i}}, {{end}}<code>{{$s}}</code>{{end}}</p>{{end}}<pre id="yaml-b">{{.YAMLB}}</pre></details>
</div>
</section>

<p class="method">Method: checkoutsim, a deterministic discrete-event simulation running the real resilience policy code under a virtual clock. Replication i of A and of B draw their arrivals, carts and service times from the same named random streams (seed {{.Seed}}, replication i), so their difference is the configuration's effect. Rates, percentiles and costs are means over replications with Student-t intervals; changes are ratios B/A of the paired means with delta-method intervals (differences by paired t when A is 0). The same inputs give this same file byte for byte.</p>
</main>
</body>
</html>
`

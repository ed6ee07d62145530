package report

// This file renders the evidence report as HTML: html/template escapes
// every string that comes from the user (scenario names, descriptions,
// YAML, cohort and variant names), the charts are inline SVG drawn by
// gonum/plot (which escapes the text it draws), and the one font the
// charts use is embedded once as a data: URL, so the file needs no network
// access and no JavaScript.

import (
	"bytes"
	_ "embed"
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments/chart"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// captions explain the report's charts, by chart ID.
var captions = map[string]string{
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

// addCharts adds the comparison charts as inline SVG: the latency CDF
// and tail first, then the signals.
func (r *report) addCharts(ra, rb []*checkout.Result, marks chart.Marks) error {
	charts, err := chart.CompareInline(r.NameA, r.NameB, ra, rb, marks)
	if err != nil {
		return err
	}
	for i, c := range charts {
		rc := reportChart{ID: c.ID, Title: c.Title, Caption: captions[c.ID], SVG: inlineSVG(c.SVG, c.Title)}
		switch i {
		case 0:
			r.CDF = &rc
		case 1:
			r.Tail = &rc
		default:
			r.Charts = append(r.Charts, rc)
		}
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

// reportHTML is the page's template.
//
//go:embed report.html
var reportHTML string

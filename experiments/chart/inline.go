package chart

// Charts for a web page: the evidence report shows the comparison charts
// as inline SVG with their titles in the page's headings, and embeds the
// charts' one font.

import (
	"bytes"
	"encoding/base64"
	"fmt"
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

// Inline is a chart drawn as an SVG document for a web page, its title
// left out of the drawing for the page to show.
type Inline struct {
	ID    string // the chart's file name without the runs' prefix: "latency-cdf", "p99", ...
	Title string
	SVG   []byte
}

// CompareInline draws the comparison charts of runs a and b for a page:
// the latency CDF and tail first (page-wide), then the constraint signals
// (two to a row), with the legend above each plot, the marks, and hover
// titles (hover.go) on the values, the event markers and the SLO line.
func CompareInline(nameA, nameB string, a, b []*checkout.Result, marks Marks) ([]Inline, error) {
	figs, err := compareFigures(nameA, nameB, a, b, true, marks)
	if err != nil {
		return nil, err
	}
	prefix := fileSlug(nameA) + "-vs-" + fileSlug(nameB) + "-"
	var out []Inline
	for i, f := range figs {
		title := f.p.Title.Text
		f.p.Title.Text = ""
		f.w, f.h = reportSignalWidth, reportSignalHeight
		f.legendAbove = true
		if i < 2 {
			f.w, f.h = reportCDFWidth, reportCDFHeight
		}
		svg, err := renderSVG(f, false)
		if err != nil {
			return nil, err
		}
		svg = withHover(svg, f)
		out = append(out, Inline{ID: strings.TrimPrefix(f.file, prefix), Title: title, SVG: svg})
	}
	return out, nil
}

// FontFace is the CSS @font-face rule embedding the charts' font
// (Liberation Sans, SIL Open Font License) as a data: URL.
func FontFace() (string, error) {
	face := font.DefaultCache.Lookup(font.From(chartFont, 10), 10)
	if face.Face == nil {
		return "", fmt.Errorf("chart: font %v not found", chartFont)
	}
	var raw bytes.Buffer
	if _, err := face.Face.WriteSourceTo(nil, &raw); err != nil {
		return "", fmt.Errorf("chart: read font: %w", err)
	}
	return `@font-face{font-family:"Liberation Sans";font-style:normal;font-weight:normal;src:url(data:font/ttf;base64,` +
		base64.StdEncoding.EncodeToString(raw.Bytes()) + `) format("truetype");}`, nil
}

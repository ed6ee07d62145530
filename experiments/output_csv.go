package experiments

// CSV output: one row per scalar of the JSON summary, named by its JSON
// path, so a spreadsheet and a jq query agree on names. The rows are made
// by walking the JSON the summary marshals to, in key order, so a field
// added to the JSON (or written by a MarshalJSON from the metric
// registry) appears in the CSV without a second list to keep in sync.

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments/output"
)

// Row is one CSV row: a metric's JSON path, its value and, for estimates
// over replications, its 95% interval.
type Row struct {
	Metric string
	Value  string
	CI     *CI
}

// Rows flattens the summary into rows in JSON order. Paths use dots
// ("checkout.latency_s.p99"); an element of a list is named by its first
// field ("cohorts.eu-mobile.error_rate"); each "_ci95" field becomes the
// interval of the row before it. Time series are left out (one number per
// sample is not a metric; use -o json).
func (s *RunSummary) Rows() []Row {
	data, err := json.Marshal(s)
	if err != nil { // numbers, strings and their structs always marshal
		panic(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var rows []Row
	flattenObject("", decodeOrdered(dec), &rows)
	return rows
}

// jsonNode is a decoded JSON value that keeps its objects' key order.
type jsonNode struct {
	keys   []string    // an object's keys, in order
	fields []*jsonNode // an object's values, or an array's elements
	array  bool
	scalar any // json.Number, string, bool or nil
}

// decodeOrdered reads one value from dec (a valid document: Rows
// decodes what it has just marshalled).
func decodeOrdered(dec *json.Decoder) *jsonNode {
	tok, _ := dec.Token()
	switch tok {
	case json.Delim('{'):
		n := &jsonNode{}
		for dec.More() {
			key, _ := dec.Token()
			n.keys = append(n.keys, key.(string))
			n.fields = append(n.fields, decodeOrdered(dec))
		}
		_, _ = dec.Token() // '}'
		return n
	case json.Delim('['):
		n := &jsonNode{array: true}
		for dec.More() {
			n.fields = append(n.fields, decodeOrdered(dec))
		}
		_, _ = dec.Token() // ']'
		return n
	}
	return &jsonNode{scalar: tok}
}

// flattenObject appends the rows of object n's fields.
func flattenObject(prefix string, n *jsonNode, rows *[]Row) {
	for i, name := range n.keys {
		if prefix == "" && name == "series" {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		if base, isCI := strings.CutSuffix(path, "_ci95"); isCI {
			if f := n.fields[i]; f.array && len(f.fields) == 2 && len(*rows) > 0 && (*rows)[len(*rows)-1].Metric == base {
				lo, _ := f.fields[0].scalar.(json.Number).Float64()
				hi, _ := f.fields[1].scalar.(json.Number).Float64()
				(*rows)[len(*rows)-1].CI = &CI{lo, hi}
			}
			continue
		}
		flattenValue(path, n.fields[i], rows)
	}
}

func flattenValue(path string, n *jsonNode, rows *[]Row) {
	switch v := n.scalar; {
	case n.array:
		for _, el := range n.fields {
			if len(el.keys) == 0 {
				return // series values, CI pairs: not rows
			}
			// The first field names the element; the rest are its values.
			name := &jsonNode{keys: el.keys[1:], fields: el.fields[1:]}
			flattenObject(path+"."+scalarText(el.fields[0].scalar), name, rows)
		}
	case n.keys != nil:
		flattenObject(path, n, rows)
	case v != nil: // null: an absent optional value has no row
		*rows = append(*rows, Row{Metric: path, Value: scalarText(v)})
	}
}

// scalarText prints a JSON scalar as the CSV has always printed the Go
// value: integers as written, other numbers in strconv's shortest 'g'
// form ("1e-07", where JSON writes "1e-7").
func scalarText(v any) string {
	switch v := v.(type) {
	case json.Number:
		if strings.ContainsAny(string(v), ".eE") {
			f, _ := v.Float64()
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case string:
		return v
	}
	return ""
}

// writeRowsCSV writes rows under the header metric,value,ci_lo,ci_hi.
func writeRowsCSV(w io.Writer, rows []Row) error {
	records := [][]string{{"metric", "value", "ci_lo", "ci_hi"}}
	for _, r := range rows {
		lo, hi := "", ""
		if r.CI != nil {
			lo = strconv.FormatFloat(r.CI[0], 'g', -1, 64)
			hi = strconv.FormatFloat(r.CI[1], 'g', -1, 64)
		}
		records = append(records, []string{r.Metric, r.Value, lo, hi})
	}
	return output.WriteCSV(w, records)
}

// WriteCSV writes the summary as CSV: metric,value,ci_lo,ci_hi.
func (s *RunSummary) WriteCSV(w io.Writer) error { return writeRowsCSV(w, s.Rows()) }

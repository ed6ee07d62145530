package experiments

// CSV output: one row per scalar of the JSON summary, named by its JSON
// path, so a spreadsheet and a jq query agree on names. The rows are made
// by walking the summary's struct fields in order (reflection over the
// json tags), so a field added to the JSON appears in the CSV without a
// second list to keep in sync.

import (
	"fmt"
	"io"
	"reflect"
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
	var rows []Row
	flattenFields("", reflect.ValueOf(*s), 0, &rows)
	return rows
}

// flattenFields appends the rows of struct v's fields from index from on.
func flattenFields(prefix string, v reflect.Value, from int, rows *[]Row) {
	t := v.Type()
	for i := from; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" || (prefix == "" && name == "series") {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		if ci, isCI := v.Field(i).Interface().(*CI); isCI {
			base := strings.TrimSuffix(path, "_ci95")
			if ci != nil && len(*rows) > 0 && (*rows)[len(*rows)-1].Metric == base {
				(*rows)[len(*rows)-1].CI = ci
			}
			continue
		}
		flattenValue(path, v.Field(i), rows)
	}
}

func flattenValue(path string, f reflect.Value, rows *[]Row) {
	switch f.Kind() {
	case reflect.Pointer: // optional sections and values (recovery); absent ones have no row
		if !f.IsNil() {
			flattenValue(path, f.Elem(), rows)
		}
	case reflect.Bool:
		*rows = append(*rows, Row{Metric: path, Value: strconv.FormatBool(f.Bool())})
	case reflect.Struct:
		flattenFields(path, f, 0, rows)
	case reflect.Slice:
		if f.Type().Elem().Kind() != reflect.Struct {
			return // series values, CI pairs: not rows
		}
		for j := range f.Len() {
			el := f.Index(j)
			// The first field names the element; the rest are its values.
			flattenFields(path+"."+fmt.Sprint(el.Field(0).Interface()), el, 1, rows)
		}
	case reflect.Int, reflect.Int64:
		*rows = append(*rows, Row{Metric: path, Value: strconv.FormatInt(f.Int(), 10)})
	case reflect.Uint64:
		*rows = append(*rows, Row{Metric: path, Value: strconv.FormatUint(f.Uint(), 10)})
	case reflect.Float64:
		*rows = append(*rows, Row{Metric: path, Value: strconv.FormatFloat(f.Float(), 'g', -1, 64)})
	case reflect.String:
		*rows = append(*rows, Row{Metric: path, Value: f.String()})
	}
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

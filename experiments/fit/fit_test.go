package fit

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Every printed line parses back with dist.Parse to the distribution that
// was fitted and scored, and the empirical line loads every sample.
func TestFitLinesParseBack(t *testing.T) {
	xs := quantileSamples(must(dist.NewLognormalMedianP99(0.2, 0.8)), 3000)
	dir := t.TempDir()
	path := filepath.Join(dir, "lat, ms.csv") // a name that needs quoting
	var b strings.Builder
	b.WriteString("latency_ms\n")
	for _, v := range xs {
		b.WriteString(strconv.FormatFloat(v*1000, 'g', -1, 64) + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	samples, err := ReadSamplesCSV(path, "latency_ms", "ms")
	if err != nil {
		t.Fatal(err)
	}
	r, err := dist.FitSamples(samples, EmpiricalSpec(path, "latency_ms", "ms"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Fits) != 4 {
		t.Fatalf("%d fits, want 4", len(r.Fits))
	}
	for _, f := range r.Fits {
		line := ScenarioLine(f)
		spec, ok := strings.CutPrefix(line, "latency: ")
		if !ok {
			t.Fatalf("%s: line %q does not start with latency:", f.Family, line)
		}
		d, err := dist.Parse(spec)
		if err != nil {
			t.Fatalf("%s: %q does not parse: %v", f.Family, spec, err)
		}
		if d.String() != spec {
			t.Errorf("%s: %q parses to %q", f.Family, spec, d.String())
		}
		if f.Family == dist.FamilyEmpirical {
			if d.(*dist.Empirical).Len() != len(xs) {
				t.Errorf("empirical line loads %d samples, want %d", d.(*dist.Empirical).Len(), len(xs))
			}
			continue
		}
		// The parsed distribution is the fitted one (the one D was
		// computed for), not a re-rounded neighbour.
		if d.Mean() != f.Dist.Mean() {
			t.Errorf("%s: parsed mean %v, fitted %v", f.Family, d.Mean(), f.Dist.Mean())
		}
	}
}

// Bad input: each error names the file, line and column, or says what is
// missing.
func TestReadSamplesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text, column, unit, want string
	}{
		{"empty", "", "0", "s", "x.csv: no data rows in column 0 (the file is empty or has only a header)"},
		{"header only", "latency_ms\n", "latency_ms", "ms", "x.csv: no data rows in column latency_ms"},
		{"not a number", "latency_ms\n12\nabc\n", "latency_ms", "ms", `x.csv:3:1: column latency_ms: "abc" is not a finite number`},
		{"second column", "ts,lat\n1,12\n2,fast\n", "lat", "ms", `x.csv:3:3: column lat: "fast" is not a finite number`},
		{"negative", "0.1\n-0.2\n", "0", "s", "x.csv:2:1: column 0: -0.2 is not positive"},
		{"zero", "0.1\n0\n", "0", "s", "x.csv:2:1: column 0: 0 is not positive"},
		{"infinite", "0.1\ninf\n", "0", "s", `x.csv:2:1: column 0: "inf" is not a finite number`},
		{"short row", "a,b\n1,2\n3\n", "1", "s", "x.csv:3: the row has 1 fields, no column 2 (1)"},
		{"missing column", "ts,lat\n1,2\n", "latency", "s", `x.csv:1: column "latency" not in the header "ts,lat"`},
		{"bad quote", "lat\n\"12\n", "lat", "s", "x.csv:2:"},
		{"bad unit", "1\n", "0", "min", `unit "min": want s, ms or us`},
		{"empty column", "1\n", "", "s", "column: give a header name or a 0-based index"},
	} {
		_, err := readSamples(strings.NewReader(tc.text), "x.csv", tc.column, tc.unit)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

// Good input: headers optional with an index, units converted, spaces and
// CRLF tolerated.
func TestReadSamples(t *testing.T) {
	for _, tc := range []struct {
		name, text, column, unit string
		want                     []float64
	}{
		{"no header", "0.5\n1.5\n", "0", "s", []float64{0.5, 1.5}},
		{"header by index", "lat\n500\n1500\n", "0", "ms", []float64{0.5, 1.5}},
		{"header by name", "ts, lat\r\n1, 250\r\n2, 750\r\n", "lat", "us", []float64{250e-6, 750e-6}},
		{"index into second", "5,200\n6,400\n", "1", "ms", []float64{0.2, 0.4}},
		// As in dist.LoadEmpiricalCSV (so the empirical line reads the same
		// samples): a first-row field equal to the column is its header.
		{"index that names a field", "7,1\n8,400\n", "1", "ms", []float64{0.4}},
	} {
		got, err := readSamples(strings.NewReader(tc.text), "x.csv", tc.column, tc.unit)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-15 {
				t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}

// The output is a function of the samples alone: the same input gives
// byte-identical table and JSON, whatever the order of the samples.
func TestFitOutputDeterministic(t *testing.T) {
	xs := quantileSamples(must(dist.NewWeibull(1.4, 0.25)), 500)
	rev := slices.Clone(xs)
	slices.Reverse(rev)
	src := Source{File: "x.csv", Column: "0", Unit: "s"}
	out := func(xs []float64) string {
		r, err := dist.FitSamples(xs, "")
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteTable(&b, src, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&b, src, r); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a, b := out(xs), out(rev)
	if a != b {
		t.Errorf("output depends on sample order:\n%s\n---\n%s", a, b)
	}
	// The JSON parses and lists the fits in the table's order.
	i := strings.Index(a, "{")
	var j struct {
		Best string `json:"best"`
		Fits []struct {
			Family string   `json:"family"`
			KS     float64  `json:"ks_d"`
			P      *float64 `json:"ks_p_value"`
			Dist   string   `json:"dist"`
		} `json:"fits"`
	}
	if err := json.Unmarshal([]byte(a[i:]), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Fits) != 4 || j.Fits[0].Family != j.Best || j.Fits[3].Family != dist.FamilyEmpirical || j.Fits[3].P != nil {
		t.Errorf("JSON fits %+v best %s: want 4, best first, empirical last with null p-value", j.Fits, j.Best)
	}
	for k := 1; k < 3; k++ {
		if j.Fits[k].KS < j.Fits[k-1].KS {
			t.Errorf("JSON fits not sorted by D: %+v", j.Fits)
		}
	}
}

func FuzzReadSamples(f *testing.F) {
	f.Add("latency_ms\n12\n13.5\n", "latency_ms")
	f.Add("1,2\n3,4\n", "1")
	f.Add("\"a\nb\",1\n", "0")
	f.Add("", "0")
	f.Fuzz(func(t *testing.T, text, column string) {
		xs, err := readSamples(strings.NewReader(text), "f.csv", column, "ms")
		if err != nil {
			return
		}
		for _, v := range xs {
			if !(v > 0) || math.IsInf(v, 0) {
				t.Fatalf("accepted sample %v from %q", v, text)
			}
		}
		if len(xs) >= 2 {
			if _, err := dist.FitSamples(xs, ""); err != nil && !strings.Contains(err.Error(), "equal") &&
				!strings.Contains(err.Error(), "weibull") && !strings.Contains(err.Error(), "gamma") {
				t.Fatalf("dist.FitSamples(%v): %v", xs, err)
			}
		}
	})
}

// quantileSamples are n samples of d placed at its quantiles (i+0.5)/n.
func quantileSamples(d dist.Quantiler, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = d.Quantile((float64(i) + 0.5) / float64(n))
	}
	return xs
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

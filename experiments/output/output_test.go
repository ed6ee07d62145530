package output

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

func TestSig(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{0, "0"}, {1, "1.00"}, {0.123456, "0.123"}, {12.345, "12.3"}, {123.45, "123"}, {12345.6, "12346"},
		{-0.5, "-0.500"}, {0.00123456, "0.00123"}, {4.56e-13, "4.56e-13"}, {2e9, "2e+09"},
	} {
		if got := Sig(tc.v); got != tc.want {
			t.Errorf("Sig(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestHuman(t *testing.T) {
	ci := &[2]float64{0.01, 0.03}
	for _, tc := range []struct {
		v      float64
		ci     *[2]float64
		unit   string
		want   string
		wantCI string
	}{
		{0.25, nil, "s", "250 ms", ""},
		{2.5, nil, "s", "2.50 s", ""},
		{0.02, ci, "fraction", "2.00%", "[1.00, 3.00]%"},
		{0.02, ci, "s", "20.0 ms", "[10.0, 30.0] ms"},
		{120, nil, "1/s", "120", ""},
		{3, nil, "USD", "3.00 USD", ""},
	} {
		if got, gotCI := Human(tc.v, tc.unit), HumanCI(tc.v, tc.ci, tc.unit); got != tc.want || gotCI != tc.wantCI {
			t.Errorf("Human(%v, %q) = %q %q, want %q %q", tc.v, tc.unit, got, gotCI, tc.want, tc.wantCI)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, f := range Formats {
		if err := Check(f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	err := Check("xml")
	if err == nil || !strings.Contains(err.Error(), `"xml"`) || !strings.Contains(err.Error(), "table, json or csv") {
		t.Errorf("Check(xml) = %v", err)
	}
}

// fake records which writer Write picked.
type fake struct{ got string }

func (f *fake) WriteTable(io.Writer) error { f.got = "table"; return nil }
func (f *fake) WriteJSON(io.Writer) error  { f.got = "json"; return nil }
func (f *fake) WriteCSV(io.Writer) error   { f.got = "csv"; return errors.New("csv failed") }

func TestWrite(t *testing.T) {
	for _, tc := range []struct{ format, want, err string }{
		{Table, "table", ""}, {JSON, "json", ""}, {CSV, "csv", "csv failed"}, {"yaml", "", `"yaml"`},
	} {
		f := &fake{}
		err := Write(io.Discard, tc.format, f)
		if f.got != tc.want || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("Write(%q): wrote %q, error %v; want %q, error %q", tc.format, f.got, err, tc.want, tc.err)
		}
	}
}

func TestObjectKeepsOrder(t *testing.T) {
	var o Object
	if b, err := o.Bytes(); err != nil || string(b) != "{}" {
		t.Errorf("empty object: %s, %v", b, err)
	}
	o.Add("z", 1)
	o.Add("a", []int{2})
	o.Add("m", nil)
	if b, err := o.Bytes(); err != nil || string(b) != `{"z":1,"a":[2],"m":null}` {
		t.Errorf("object: %s, %v", b, err)
	}
	o.Add("bad", math.NaN())
	o.Add("after", 1)
	if _, err := o.Bytes(); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Errorf("NaN: error %v, want one naming the key", err)
	}
}

func TestTrimmedTable(t *testing.T) {
	var b bytes.Buffer
	err := Trimmed(&b, func(w io.Writer) error {
		tw := NewTable(w)
		tw.Line("a", "1", "")
		tw.Line("long name", "22", "")
		return tw.Flush()
	})
	if want := "a          1\nlong name  22\n"; err != nil || b.String() != want {
		t.Errorf("table %q, %v; want %q", b.String(), err, want)
	}
}

// A value next to its limit gets the digits that tell them apart, so a
// pass/fail verdict never reads as a contradiction.
func TestHumanVs(t *testing.T) {
	for _, tc := range []struct {
		v, limit float64
		unit     string
		want     string
	}{
		{1.5034, 1.5, "s", "1.503 s"},  // fails, and shows it
		{1.4996, 1.5, "s", "1.4996 s"}, // passes, and shows it
		{1.5, 1.5, "s", "1.50 s"},      // equal: no extra digits
		{1.2, 1.5, "s", "1.20 s"},      // far: as Human
		{0.9996, 1, "s", "999.6 ms"},   // in the value's own scale
		{0.010004, 0.01, "fraction", "1.0004%"},
		{0.0101, 0.01, "fraction", "1.01%"},
		{0.0099996, 0.01, "fraction", "0.99996%"}, // just under a power of ten
		{1.5 + 1e-12, 1.5, "s", "1.50000000 s"},   // at most 9 digits
	} {
		if got := HumanVs(tc.v, tc.limit, tc.unit); got != tc.want {
			t.Errorf("HumanVs(%v, %v, %q) = %q, want %q", tc.v, tc.limit, tc.unit, got, tc.want)
		}
	}
}

// --strict judges the interval's upper end, which then gets the digits.
func TestHumanCIVs(t *testing.T) {
	for _, tc := range []struct {
		v     float64
		ci    *[2]float64
		limit float64
		unit  string
		want  string
	}{
		{1.45, &[2]float64{1.40, 1.5004}, 1.5, "s", "[1.40, 1.5004] s"},
		{1.45, &[2]float64{1.40, 1.4999}, 1.5, "s", "[1.40, 1.4999] s"},
		{1.45, &[2]float64{1.40, 1.60}, 1.5, "s", "[1.40, 1.60] s"},
		{0.9, &[2]float64{0.8, 1.0004}, 1, "s", "[800, 1000.4] ms"}, // in the estimate's scale
		{0.009, &[2]float64{0.008, 0.0100003}, 0.01, "fraction", "[0.800, 1.00003]%"},
		{0.5, nil, 1, "s", ""},
	} {
		if got := HumanCIVs(tc.v, tc.ci, tc.limit, tc.unit); got != tc.want {
			t.Errorf("HumanCIVs(%v, %v, %v, %q) = %q, want %q", tc.v, tc.ci, tc.limit, tc.unit, got, tc.want)
		}
	}
}

func TestHumanLimit(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{1.5, "s", "1.50 s"}, {1.2345, "s", "1.2345 s"}, {0.8, "s", "800 ms"}, {0.01, "fraction", "1.00%"},
		{0.0125, "fraction", "1.25%"}, {0.01234, "fraction", "1.234%"}, {0.35, "s", "350 ms"},
	} {
		if got := HumanLimit(tc.v, tc.unit); got != tc.want {
			t.Errorf("HumanLimit(%v, %q) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
}

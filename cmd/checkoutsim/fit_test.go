package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim/dist"
)

// Flag parsing, apart from behaviour: the run function is replaced.
func TestFitFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want fitOptions
		err  string
	}{
		{[]string{"x.csv"}, fitOptions{file: "x.csv", column: "0", unit: "s", output: "table"}, ""},
		{[]string{"x.csv", "--column", "latency_ms", "--unit", "ms", "-o", "json"},
			fitOptions{file: "x.csv", column: "latency_ms", unit: "ms", unitSet: true, output: "json"}, ""},
		{[]string{"x.csv", "--unit", "min"}, fitOptions{}, `--unit "min": want s, ms or us`},
		{[]string{"x.csv", "-o", "csv"}, fitOptions{}, `--output "csv": want table or json`},
		{[]string{}, fitOptions{}, "want one FILE.csv, got 0 arguments"},
		{[]string{"a.csv", "b.csv"}, fitOptions{}, "got 2 arguments"},
	} {
		var got *fitOptions
		cmd := newFitCmdWith(func(o *fitOptions, _, _ io.Writer) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || got != nil {
				t.Errorf("%v: error %v, want %q without running", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || got == nil || !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%v: options %+v err %v, want %+v", tc.args, got, err, tc.want)
		}
	}
}

// writeCSV writes text into a temporary file and returns its path.
func fitWriteCSV(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The committed sample fits, the table's best line pastes into a scenario
// that validates, and JSON and table agree on the ranking.
func TestFitSampleCSV(t *testing.T) {
	file := filepath.Join("..", "..", "notebooks", "data", "provider_latency.csv")
	var out, errb bytes.Buffer
	if code := run([]string{"fit", file, "--column", "latency_ms", "--unit", "ms"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if errb.Len() != 0 {
		t.Errorf("stderr %q, want empty with --unit given", errb.String())
	}
	for _, want := range []string{"2000 samples (unit ms)", "rank  family", "Best parametric fit:", "latency: empirical(file="} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	var jout bytes.Buffer
	if code := run([]string{"fit", file, "--column", "latency_ms", "--unit", "ms", "-o", "json"}, &jout, &errb); code != exitOK {
		t.Fatalf("json: exit %d: %s", code, errb.String())
	}
	var j struct {
		Best string `json:"best"`
		Fits []struct {
			Family string `json:"family"`
			Dist   string `json:"dist"`
		} `json:"fits"`
	}
	if err := json.Unmarshal(jout.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Fits) != 4 || j.Fits[0].Family != j.Best {
		t.Fatalf("fits %+v best %q", j.Fits, j.Best)
	}
	if !strings.Contains(out.String(), "1     "+j.Best) {
		t.Errorf("table's rank 1 is not the JSON's best %q:\n%s", j.Best, out.String())
	}
	for _, f := range j.Fits {
		if _, err := dist.Parse(f.Dist); err != nil {
			t.Errorf("%s: %q does not parse: %v", f.Family, f.Dist, err)
		}
	}
	// The best line, pasted with --set, gives a valid scenario.
	var vout bytes.Buffer
	if code := run([]string{"validate", "baseline", "--set", "payments.providers[0].latency=" + j.Fits[0].Dist}, &vout, &errb); code != exitOK {
		t.Errorf("validate with the fitted latency: exit %d: %s %s", code, vout.String(), errb.String())
	}
}

// A column named *_ms read as seconds draws a warning on stderr.
func TestFitWarnsAboutUnit(t *testing.T) {
	file := fitWriteCSV(t, "l.csv", "latency_ms\n120\n250\n90\n400\n")
	var out, errb bytes.Buffer
	if code := run([]string{"fit", file, "--column", "latency_ms"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "give --unit ms") {
		t.Errorf("stderr %q, want a hint to give --unit ms", errb.String())
	}
}

// Bad files exit 2 with the file, line and column in the message.
func TestFitBadInputExitsTwo(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		args       []string
		want       string
	}{
		{"bad.csv", "latency_ms\n12\n1x\n", []string{"--column", "latency_ms"}, `bad.csv:3:1: column latency_ms: "1x" is not a finite number`},
		{"neg.csv", "ts,lat\n1,0.2\n2,-0.1\n", []string{"--column", "lat"}, "neg.csv:3:3: column lat: -0.1 is not positive"},
		{"empty.csv", "", nil, "no data rows in column 0"},
		{"same.csv", "0.2\n0.2\n", nil, "all 2 samples are equal"},
		{"one.csv", "0.2\n", nil, "need at least 2 samples, got 1"},
	} {
		file := fitWriteCSV(t, tc.name, tc.text)
		var out, errb bytes.Buffer
		code := run(append([]string{"fit", file}, tc.args...), &out, &errb)
		if code != exitBadInput || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("%s: exit %d stderr %q, want 2 and %q", tc.name, code, errb.String(), tc.want)
		}
		if out.Len() != 0 {
			t.Errorf("%s: printed %q on a bad file", tc.name, out.String())
		}
	}
	var errb bytes.Buffer
	if code := run([]string{"fit", filepath.Join(t.TempDir(), "missing.csv")}, io.Discard, &errb); code != exitBadInput ||
		!strings.Contains(errb.String(), "missing.csv") {
		t.Errorf("missing file: exit %d stderr %q, want 2 naming the file", code, errb.String())
	}
}

// --where fits only the matching rows (the sample count says so), and an
// unknown column or a malformed filter is bad input naming it.
func TestFitWhere(t *testing.T) {
	file := fitWriteCSV(t, "calls.csv", "provider,latency_ms\npsp-a,120\npsp-b,900\npsp-a,250\npsp-b,950\npsp-a,90\npsp-a,400\n")
	var out, errb bytes.Buffer
	if code := run([]string{"fit", file, "--column", "latency_ms", "--unit", "ms", "--where", "provider=psp-a"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "4 samples (unit ms)") || !strings.Contains(out.String(), "empirical(samples=[0.09, 0.12, 0.25, 0.4])") {
		t.Errorf("want psp-a's 4 samples, inline in the empirical line:\n%s", out.String())
	}
	for _, tc := range []struct{ where, want string }{
		{"vendor=psp-a", `calls.csv:1: --where vendor=psp-a: column "vendor" not in the header "provider,latency_ms"`},
		{"provider", `fit: --where "provider": want COLUMN=VALUE`},
		{"provider=psp-c", "no data rows left in column latency_ms after --where provider=psp-c"},
	} {
		out.Reset()
		errb.Reset()
		code := run([]string{"fit", file, "--column", "latency_ms", "--unit", "ms", "--where", tc.where}, &out, &errb)
		if code != exitBadInput || !strings.Contains(errb.String(), tc.want) || out.Len() != 0 {
			t.Errorf("--where %s: exit %d stderr %q stdout %q, want 2 and %q", tc.where, code, errb.String(), out.String(), tc.want)
		}
	}
}

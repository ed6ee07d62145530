package traffic

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
)

func TestParseTrace(t *testing.T) {
	ms := sim.Millisecond
	cases := []struct {
		name  string
		in    string
		want  []sim.Time
		error string // substring of the error; "" when it parses
	}{
		{"plain", "0.5\n1\n2.25\n", []sim.Time{500 * ms, s, 2250 * ms}, ""},
		{"header", "timestamp_s,region\n1,eu\n2,us\n", []sim.Time{s, 2 * s}, ""},
		{"header after comment and blank", "# recorded 2026-11-27\n\n  t  \n3\n", []sim.Time{3 * s}, ""},
		{"blank and comment lines skipped", "1\n\n   \n# note\n2\n", []sim.Time{s, 2 * s}, ""},
		{"extra columns and spaces", " 1.5 , x, y\n", []sim.Time{1500 * ms}, ""},
		{"unsorted is sorted", "3\n1\n2\n", []sim.Time{s, 2 * s, 3 * s}, ""},
		{"duplicates kept", "1\n1\n", []sim.Time{s, s}, ""},
		{"CRLF", "t\r\n1\r\n2\r\n", []sim.Time{s, 2 * s}, ""},
		{"bad row names file and line", "t\n1\n# c\nabc\n", nil, "trace.csv:4: timestamp"},
		{"second header is a bad row", "1\nt\n", nil, "trace.csv:2:"},
		{"negative timestamp", "1\n-2\n", nil, "trace.csv:2: timestamp: must be between 0"},
		{"NaN", "NaN\n", nil, "trace.csv:1:"},
		{"infinite", "t\n+Inf\n", nil, "trace.csv:2:"},
		{"too large", "2e9\n", nil, "trace.csv:1:"},
		{"empty file", "", nil, "trace.csv: no timestamps"},
		{"only a header", "timestamp\n", nil, "no timestamps"},
		{"only comments", "# a\n\n# b\n", nil, "no timestamps"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := ParseTrace("trace.csv", strings.NewReader(c.in))
			if c.error != "" {
				if err == nil || !strings.Contains(err.Error(), c.error) {
					t.Fatalf("ParseTrace(%q) error %v, want one containing %q", c.in, err, c.error)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseTrace(%q): %v", c.in, err)
			}
			if tr.Len() != len(c.want) {
				t.Fatalf("Len() = %d, want %d", tr.Len(), len(c.want))
			}
			for i, w := range c.want {
				if got := tr.Next(); got != w {
					t.Fatalf("timestamp %d = %v, want %v", i, got, w)
				}
			}
			if got := tr.Next(); got != sim.Never {
				t.Fatalf("after the last timestamp Next() = %v, want sim.Never", got)
			}
			if got := tr.Clone().Next(); got != c.want[0] {
				t.Fatalf("Clone().Next() = %v, want the first timestamp %v", got, c.want[0])
			}
		})
	}
}

func TestLoadTrace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "arrivals.csv")
	if err := os.WriteFile(path, []byte("t\n0.1\n0.2\nbad\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTrace(path); err == nil || !strings.Contains(err.Error(), path+":4:") {
		t.Fatalf("LoadTrace error %v, want one naming %s:4", err, path)
	}
	missing := filepath.Join(dir, "missing.csv")
	if _, err := LoadTrace(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("LoadTrace of a missing file: error %v, want one naming the file", err)
	}
}

// FuzzParseTrace: any input parses or returns an error (never panics), and
// a parsed trace is sorted, non-negative and non-empty.
func FuzzParseTrace(f *testing.F) {
	for _, seed := range []string{"t\n1\n2\n", "# c\n\n1,2,3\n", "-1\n", "1e400\n", "", "\xff\n1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tr, err := ParseTrace("fuzz", strings.NewReader(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz") {
				t.Fatalf("error %q does not name the input", err)
			}
			return
		}
		if tr.Len() == 0 {
			t.Fatal("parsed an empty trace")
		}
		prev := sim.Time(0)
		for at := tr.Next(); at != sim.Never; at = tr.Next() {
			if at < prev {
				t.Fatalf("timestamp %v after %v", at, prev)
			}
			prev = at
		}
	})
}

package fit

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseWhere(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Where
		err  string
	}{
		{"provider=psp-a", Where{"provider", "psp-a"}, ""},
		{" region = eu ", Where{"region", "eu"}, ""},
		{"note=a=b", Where{"note", "a=b"}, ""},
		{"status=", Where{"status", ""}, ""},
		{"provider", Where{}, `where "provider": want COLUMN=VALUE`},
		{"=psp-a", Where{}, `where "=psp-a": want COLUMN=VALUE`},
	} {
		got, err := ParseWhere(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v %v, want %+v", tc.in, got, err, tc.want)
		}
	}
}

// Rows are filtered before fitting; errors in kept rows keep the file's
// line numbers, rows left out are never read as samples, and an unknown
// column is named.
func TestReadSamplesWhere(t *testing.T) {
	const text = "provider,latency_ms,region\npsp-a,100,eu\npsp-b,x,eu\npsp-a,300,us\n\"psp\nb\",7,eu\npsp-a,500,eu\n"
	for _, tc := range []struct {
		name  string
		where []Where
		text  string
		want  []float64
		err   string
	}{
		{"one filter", []Where{{"provider", "psp-a"}}, text, []float64{0.1, 0.3, 0.5}, ""},
		{"two filters", []Where{{"provider", "psp-a"}, {"region", "eu"}}, text, []float64{0.1, 0.5}, ""},
		{"kept bad row keeps its line", []Where{{"provider", "psp-b"}}, text, nil, `x.csv:3:7: column latency_ms: "x" is not a finite number`},
		{"row after a multi-line row keeps its line", []Where{{"region", "eu"}}, "provider,latency_ms,region\n\"a\nb\",1,us\nc,-1,eu\n", nil, "x.csv:4:3: column latency_ms: -1 is not positive"},
		{"nothing left", []Where{{"provider", "psp-c"}}, text, nil, "x.csv: no data rows left in column latency_ms after --where provider=psp-c"},
		{"unknown column", []Where{{"psp", "a"}}, text, nil, `x.csv:1: --where psp=a: column "psp" not in the header "provider,latency_ms,region"`},
		{"empty file", []Where{{"provider", "a"}}, "", nil, "the file is empty, no header row"},
	} {
		path := filepath.Join(t.TempDir(), "x.csv")
		if err := os.WriteFile(path, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadSamplesWhere(path, "latency_ms", "ms", tc.where)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, got, err, tc.want)
		}
	}
}

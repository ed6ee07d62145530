package saved

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/checkoutsim/checkoutsim/experiments"
	"github.com/checkoutsim/checkoutsim/experiments/atomicfile"
	"github.com/checkoutsim/checkoutsim/experiments/metric"
	"github.com/checkoutsim/checkoutsim/experiments/output"
	"github.com/checkoutsim/checkoutsim/experiments/scenario"
	"github.com/checkoutsim/checkoutsim/models/checkout"
)

// Format is the value of a saved result's "format" field; Version is the
// version this code writes and reads.
const (
	Format  = "checkoutsim-saved-result"
	Version = 1
)

// Source is what made a saved result.
type Source int

const (
	Simulation Source = iota // checkoutsim run
	Testbed                  // checkoutsim testbed run: one real run
)

var sourceNames = []string{"simulation", "testbed"}

func (s Source) String() string { return sourceNames[s] }

// MarshalText writes the source's name.
func (s Source) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a source's name.
func (s *Source) UnmarshalText(b []byte) error {
	for i, n := range sourceNames {
		if string(b) == n {
			*s = Source(i)
			return nil
		}
	}
	return fmt.Errorf("%q: want %s", b, strings.Join(sourceNames, " or "))
}

// File is a saved result; field order is the file's key order.
type File struct {
	Format       string   `json:"format"`
	Version      int      `json:"version"`
	Source       Source   `json:"source"`
	Scenario     string   `json:"scenario"`        // its name
	Ref          string   `json:"scenario_ref"`    // as given: a built-in name or a file
	SHA256       string   `json:"scenario_sha256"` // of scenario_yaml and sets (Hash)
	YAML         string   `json:"scenario_yaml"`   // its source text
	Sets         []string `json:"sets"`            // --set and --duration as applied
	Seed         uint64   `json:"seed"`
	Replications int      `json:"replications"`
	DurationS    float64  `json:"duration_s"`
	// Headline is each headline metric per replication (null where a
	// replication leaves it undefined), for readers outside checkoutsim;
	// Read checks it against Results.
	Headline Headline `json:"headline"`
	// Results are the replications' raw results, in replication order.
	Results []*checkout.Result `json:"results"`
}

// Headline maps a headline metric's key to its value per replication.
type Headline map[string][]*float64

// MarshalJSON writes the metrics in the registry's order.
func (h Headline) MarshalJSON() ([]byte, error) {
	var o output.Object
	for _, m := range metric.Headline() {
		if v, ok := h[m.Key]; ok {
			o.Add(m.Key, v)
		}
	}
	return o.Bytes()
}

// headlineOf is every headline metric of results, per replication.
func headlineOf(results []*checkout.Result) Headline {
	h := Headline{}
	for _, m := range metric.Headline() {
		vs := make([]*float64, len(results))
		for i, r := range results {
			if v, ok := m.Value(r); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				vs[i] = &v
			}
		}
		h[m.Key] = vs
	}
	return h
}

// Hash is the hex SHA-256 of a scenario's source text and its overrides:
// two saved results with the same hash ran the same configuration.
func Hash(yaml string, sets []string) string {
	sum := sha256.New()
	io.WriteString(sum, yaml)
	for _, s := range sets {
		io.WriteString(sum, "\x00"+s)
	}
	return hex.EncodeToString(sum.Sum(nil))
}

// New makes the saved result of results, run from sc loaded from ref
// with the overrides sets (--set and --duration; the seed and the number
// of results are their own fields).
func New(source Source, ref string, sc *experiments.Scenario, sets []string, seed uint64, results []*checkout.Result) (*File, error) {
	yaml, err := experiments.ScenarioSource(ref)
	if err != nil {
		return nil, err
	}
	sets = append([]string{}, sets...)
	return &File{
		Format: Format, Version: Version, Source: source,
		Scenario: sc.Name, Ref: ref, SHA256: Hash(string(yaml), sets), YAML: string(yaml), Sets: sets,
		Seed: seed, Replications: len(results), DurationS: sc.Duration.Seconds(),
		Headline: headlineOf(results), Results: results,
	}, nil
}

// WriteFile writes f to path atomically: every top-level field on a line
// of its own, and each replication's results on its own line, so an error
// reading it back names a line that means something.
func WriteFile(path string, f *File) error {
	return atomicfile.WriteFile(path, func(w io.Writer) error { return f.write(w) })
}

func (f *File) write(w io.Writer) error {
	var b bytes.Buffer
	b.WriteString("{\n")
	fields := []struct {
		key string
		v   any
	}{
		{"format", f.Format}, {"version", f.Version}, {"source", f.Source}, {"scenario", f.Scenario},
		{"scenario_ref", f.Ref}, {"scenario_sha256", f.SHA256}, {"scenario_yaml", f.YAML}, {"sets", f.Sets},
		{"seed", f.Seed}, {"replications", f.Replications}, {"duration_s", f.DurationS}, {"headline", f.Headline},
	}
	for _, fl := range fields {
		v, err := json.Marshal(fl.v)
		if err != nil {
			return fmt.Errorf("saved result: %s: %w", fl.key, err)
		}
		fmt.Fprintf(&b, "%q: %s,\n", fl.key, v)
	}
	b.WriteString("\"results\": [")
	for i, r := range f.Results {
		v, err := json.Marshal(r)
		if err != nil {
			return fmt.Errorf("saved result: results[%d]: %w", i, err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n")
		b.Write(v)
	}
	b.WriteString("\n]\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

// Read reads and checks a saved result. Every error is bad input naming
// the file, the line and the field ("a.json:14: seed: ...").
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &scenario.Error{File: path, Msg: err.Error()}
	}
	return Parse(path, data)
}

// Parse is Read of a file's contents; name is used in errors.
func Parse(name string, data []byte) (*File, error) {
	f := &File{}
	lines := map[string]int{} // line of each field, for the checks
	fail := func(line int, field, format string, args ...any) error {
		return &scenario.Error{File: name, Line: line, Path: field, Msg: fmt.Sprintf(format, args...)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fail(1, "", "not a saved result: want a JSON object")
	}
	fields := map[string]any{
		"format": &f.Format, "version": &f.Version, "source": &f.Source, "scenario": &f.Scenario,
		"scenario_ref": &f.Ref, "scenario_sha256": &f.SHA256, "scenario_yaml": &f.YAML, "sets": &f.Sets,
		"seed": &f.Seed, "replications": &f.Replications, "duration_s": &f.DurationS, "headline": &f.Headline,
	}
	for dec.More() {
		tok, err := dec.Token()
		line := lineAt(data, dec.InputOffset())
		if err != nil {
			return nil, fail(line, "", "%s", jsonMessage(err))
		}
		key, _ := tok.(string)
		if _, dup := lines[key]; dup {
			return nil, fail(line, key, "given twice")
		}
		lines[key] = line
		if key == "results" {
			if f.Results, err = readResults(dec, data, fail); err != nil {
				return nil, err
			}
			continue
		}
		ptr, ok := fields[key]
		if !ok {
			return nil, fail(line, key, "unknown field (a saved result of a later version?)")
		}
		if err := dec.Decode(ptr); err != nil {
			return nil, fail(line, key, "%s", jsonMessage(err))
		}
		if key == "format" && f.Format != Format {
			return nil, fail(line, key, "%q, want %q", f.Format, Format)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail(lineAt(data, dec.InputOffset()), "", "%s", jsonMessage(err))
	}
	if err := f.check(lines, fail); err != nil {
		return nil, err
	}
	return f, nil
}

// readResults reads the results array one replication at a time, so an
// error names the replication and its line.
func readResults(dec *json.Decoder, data []byte, fail func(int, string, string, ...any) error) ([]*checkout.Result, error) {
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, fail(lineAt(data, dec.InputOffset()), "results", "want an array of replications")
	}
	var out []*checkout.Result
	for i := 0; dec.More(); i++ {
		off := dec.InputOffset() // before the comma, or at the first replication
		for off < int64(len(data)) && strings.IndexByte(", \t\r\n", data[off]) >= 0 {
			off++
		}
		line := lineAt(data, off)
		r := &checkout.Result{}
		if err := dec.Decode(r); err != nil {
			return nil, fail(line, fmt.Sprintf("results[%d]", i), "%s", jsonMessage(err))
		}
		out = append(out, r)
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail(lineAt(data, dec.InputOffset()), "results", "%s", jsonMessage(err))
	}
	return out, nil
}

// check checks the fields against each other: the version, the counts,
// the hash, each replication's seed and index, the headline values.
func (f *File) check(lines map[string]int, fail func(int, string, string, ...any) error) error {
	for _, key := range []string{"format", "version", "scenario_yaml", "seed", "replications", "results"} {
		if _, ok := lines[key]; !ok {
			return fail(1, key, "missing")
		}
	}
	switch {
	case f.Version != Version:
		return fail(lines["version"], "version", "%d: this checkoutsim reads version %d", f.Version, Version)
	case f.Replications < 1 || f.Replications != len(f.Results):
		return fail(lines["replications"], "replications", "%d, but results holds %d replications", f.Replications, len(f.Results))
	case f.SHA256 != Hash(f.YAML, f.Sets):
		return fail(lines["scenario_sha256"], "scenario_sha256", "does not match scenario_yaml and sets: the file was edited")
	}
	for i, r := range f.Results {
		if r.Seed != f.Seed || r.Replication != i || r.Latency == nil {
			return fail(lines["results"], fmt.Sprintf("results[%d]", i), "seed %d, replication %d: want seed %d, replication %d, with a latency histogram", r.Seed, r.Replication, f.Seed, i)
		}
	}
	want := headlineOf(f.Results)
	keys := slices.Sorted(maps.Keys(f.Headline)) // the first bad key named, whatever the map's order
	for _, key := range keys {
		vs := f.Headline[key]
		w, ok := want[key]
		if !ok {
			return fail(lines["headline"], "headline."+key, "not a headline metric")
		}
		for i := range max(len(vs), len(w)) {
			if i >= len(vs) || i >= len(w) || (vs[i] == nil) != (w[i] == nil) || vs[i] != nil && *vs[i] != *w[i] {
				return fail(lines["headline"], fmt.Sprintf("headline.%s[%d]", key, i), "does not match the replication's results: the file was edited")
			}
		}
	}
	return nil
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// jsonMessage strips encoding/json's "json: " prefix.
func jsonMessage(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "not valid JSON: " + se.Error()
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "the file ends early (truncated?)"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

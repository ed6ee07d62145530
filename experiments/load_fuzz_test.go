package experiments

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments/scenario"
)

// FuzzLoadScenario feeds arbitrary files and one --set override to the
// loader: it must never panic, every error must point at the file (with a
// line) or at --set, and an accepted scenario must be valid. The seed
// corpus is testdata/fuzz/FuzzLoadScenario plus every built-in and every
// file in testdata/scenarios. Run with
//
//	go test -run XXX -fuzz FuzzLoadScenario -fuzztime 60s -fuzzminimizetime 5s ./experiments/
//
// (The built-in seeds are large, so minimising a new input takes a while
// with the default minimize time, during which the exec count stands still.)
func FuzzLoadScenario(f *testing.F) {
	for _, b := range BuiltinScenarios() {
		data, err := BuiltinYAML(b.Name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "duration=30s")
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "scenarios", "*.yaml"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
	}
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		var sets []string
		if set != "" {
			sets = []string{set}
		}
		s, err := LoadScenarioBytes("fuzz.yaml", data, sets)
		if err == nil {
			if s == nil || s.Name == "" {
				t.Fatalf("accepted without a name: %+v", s)
			}
			if err := s.Config.Validate(); err != nil {
				t.Fatalf("accepted an invalid scenario: %v", err)
			}
			return
		}
		var l scenario.ErrorList
		if !errors.As(err, &l) || len(l) == 0 {
			t.Fatalf("error %T %q is not a scenario.ErrorList", err, err)
		}
		for _, e := range l {
			fromFile := e.File == "fuzz.yaml" && e.Line >= 1
			fromSet := strings.HasPrefix(e.File, scenario.SetFile) && set != ""
			if !fromFile && !fromSet {
				t.Errorf("error without file:line or --set: %q (file %q line %d)", e.Error(), e.File, e.Line)
			}
			if e.Msg == "" {
				t.Errorf("error with no message at %s:%d", e.File, e.Line)
			}
		}
	})
}

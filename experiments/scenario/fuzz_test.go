package scenario

import (
	"errors"
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary bytes (and one --set assignment) to the loader
// over a representative target: nested structs, an inlined struct, maps,
// slices, durations, sim.Time, rates and a hook-typed field. It must never
// panic, must be deterministic, and every error must carry a line >= 1 or
// the --set marker. Seeds: testdata/fuzz/FuzzDecode.
//
//	go test -run XXX -fuzz FuzzDecode -fuzztime 60s ./experiments/scenario/
func FuzzDecode(f *testing.F) {
	f.Add([]byte("name: x\ntraffic: {peak_rate: 2000/s, duration: 1m}\n"), "traffic.peak_rate=5%")
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		run := func() (Scenario, error) {
			s := defaultScenario()
			root, err := ParseNode("f.yaml", data)
			if err != nil {
				return s, err
			}
			var l ErrorList
			if set != "" {
				if err := ApplySet(root, set); err != nil {
					var e *Error
					if !errors.As(err, &e) || !strings.HasPrefix(e.File, "--set ") {
						t.Fatalf("ApplySet error %T %v does not name the assignment", err, err)
					}
					l = append(l, e)
				}
			}
			if err := DecodeNode("f.yaml", root, &s, testOpts...); err != nil {
				l = append(l, err.(ErrorList)...)
			}
			return s, l.err()
		}
		_, err1 := run()
		_, err2 := run()
		if (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
			t.Fatalf("not deterministic:\n%v\n---\n%v", err1, err2)
		}
		if err1 == nil {
			return
		}
		var l ErrorList
		if !errors.As(err1, &l) || len(l) == 0 {
			t.Fatalf("error is %T, want a non-empty ErrorList: %v", err1, err1)
		}
		for _, e := range l {
			if e.Line < 1 && !strings.HasPrefix(e.File, SetFile) {
				t.Errorf("error without a line or --set marker: %q", e.Error())
			}
			if e.Msg == "" {
				t.Errorf("error without a message: %+v", e)
			}
		}
	})
}

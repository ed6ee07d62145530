package policy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCoresArePure parses every non-test file of this package and fails on
// anything that would make a core depend on the wall clock, real timers,
// global randomness, goroutines or another package of this module. This is
// what lets the simulator run these cores in virtual time.
func TestCoresArePure(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	banned := map[string]bool{"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
		"AfterFunc": true, "NewTimer": true, "NewTicker": true, "Tick": true}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case p == "math/rand" || p == "math/rand/v2" || p == "crypto/rand":
				t.Errorf("%s imports %s: randomness must come from the Rand passed in", name, p)
			case strings.HasPrefix(p, "github.com/checkoutsim/"):
				t.Errorf("%s imports %s: policy must import nothing of this module", name, p)
			case p == "sync" || p == "sync/atomic" || p == "context" || p == "os":
				t.Errorf("%s imports %s: cores are single-threaded and do no I/O", name, p)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: go statement at %v", name, fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if id, ok := n.X.(*ast.Ident); ok && id.Name == "time" && banned[n.Sel.Name] {
					t.Errorf("%s: time.%s at %v reads or waits on the wall clock", name, n.Sel.Name, fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
	if checked < 10 {
		t.Fatalf("only %d files checked", checked)
	}
}

// FuzzParseOutcome: parsing never panics, and whatever parses prints back
// to the same text.
func FuzzParseOutcome(f *testing.F) {
	for _, s := range []string{"success", "timeout", "overloaded", "", "Success", "fail\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOutcome(s)
		if err == nil && o.String() != s {
			t.Fatalf("%q parsed to %v", s, o)
		}
	})
}

// FuzzBreaker feeds arbitrary operation sequences to a breaker: no panic,
// and never more trial calls in flight than permitted.
func FuzzBreaker(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 200, 17, 33})
	f.Fuzz(func(t *testing.T, ops []byte) {
		b, err := NewBreaker(BreakerConfig{Mode: BreakerCountWindow, WindowSize: 4, MinimumCalls: 2, FailureRateThreshold: 0.5,
			SlowCallDuration: 3, SlowCallRateThreshold: 0.5, OpenDuration: 5, HalfOpenPermits: 2}, nil)
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		var out []Permit
		for _, op := range ops {
			now = now.Add(timeDur(op >> 5))
			if op&1 == 0 || len(out) == 0 {
				if p, err := b.Allow(now); err == nil {
					out = append(out, p)
				}
			} else {
				i := int(op>>1) % len(out)
				b.Record(now, out[i], Outcome(op>>1%6), timeDur(op>>4))
				out = append(out[:i], out[i+1:]...)
			}
			if b.TrialsInFlight() > 2 {
				t.Fatalf("%d trials in flight", b.TrialsInFlight())
			}
		}
	})
}

func timeDur(b byte) time.Duration { return time.Duration(b) }

package testbed

import (
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/experiments"
)

func TestApproximations(t *testing.T) {
	cases := []struct {
		ref  string
		want []string // fields refused, in order
	}{
		{"scenarios/testbed-before.yaml", nil},
		{"scenarios/testbed-after.yaml", nil},
		{"flash-sale-before", []string{"services[1].autoscale", "services[2].autoscale", "database.pool_size"}},
		{"flash-sale-after", []string{"services[1].autoscale", "services[2].autoscale", "database.pool_size", "inventory.idempotency_statements"}},
	}
	for _, c := range cases {
		t.Run(c.ref, func(t *testing.T) {
			sc, err := experiments.LoadScenario(c.ref, nil)
			if err != nil {
				t.Fatal(err)
			}
			got := Approximations(sc)
			var fields []string
			for _, a := range got {
				fields = append(fields, a.Field)
			}
			if strings.Join(fields, ",") != strings.Join(c.want, ",") {
				t.Fatalf("refused %v, want %v", fields, c.want)
			}
			if len(got) > 0 {
				msg := (&RefusedError{Fields: got}).Error()
				if n := strings.Count(msg, "\n") + 1; n != len(got) {
					t.Errorf("want one line per field, got %d lines:\n%s", n, msg)
				}
				for _, f := range c.want {
					if !strings.Contains(msg, f) {
						t.Errorf("message does not name %s:\n%s", f, msg)
					}
				}
			}
		})
	}
}

// A field the testbed cannot realize is refused before any server is
// contacted (the DSN below points nowhere).
func TestRunRefusesBeforeConnecting(t *testing.T) {
	sc, err := experiments.LoadScenario("flash-sale-before", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(t.Context(), sc, Options{DSN: "host=127.0.0.1 port=1 user=nobody", Redis: "127.0.0.1:1"})
	var ref *RefusedError
	if !asRefused(err, &ref) || len(ref.Fields) != 3 {
		t.Fatalf("want a RefusedError with 3 fields, got %v", err)
	}
}

func asRefused(err error, target **RefusedError) bool {
	r, ok := err.(*RefusedError)
	if ok {
		*target = r
	}
	return ok
}

// The approximated scenario is the one the testbed builds, and it needs
// no further approximation; the original is left untouched.
func TestApproximated(t *testing.T) {
	sc, err := experiments.LoadScenario("flash-sale-after", nil)
	if err != nil {
		t.Fatal(err)
	}
	ap := Approximated(sc)
	if got := Approximations(ap); len(got) != 0 {
		t.Fatalf("approximated scenario still needs %v", got)
	}
	if sc.Services[1].Autoscale == nil || sc.Database.PoolSize != 400 || sc.Inventory.IdempotencyStatements != 0 {
		t.Fatal("Approximated changed its argument")
	}
	if ap.Cache.XFetchBeta != sc.Cache.XFetchBeta || sc.Cache.XFetchBeta == 0 {
		t.Fatalf("x_fetch_beta %v, want the scenario's %v: the testbed realizes XFetch", ap.Cache.XFetchBeta, sc.Cache.XFetchBeta)
	}
	if err := ap.Config.Validate(); err != nil {
		t.Fatalf("approximated scenario invalid: %v", err)
	}
}

package experiments

import (
	"testing"
)

func TestPaymentSlowdownMetastability(t *testing.T) {
	for _, c := range []struct {
		name      string
		recovered bool
	}{{"payment-slowdown-before", false}, {"payment-slowdown-after", true}} {
		sc, err := LoadScenario(c.name, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := RunReplications(t.Context(), sc, 2, 1, 1)
		if err != nil {
			t.Fatal(err)
		}
		rs := Summarize(sc, 2, res).Recovery
		if rs == nil || len(rs.Runs) != 1 {
			t.Fatalf("%s: no recovery verdict", c.name)
		}
		r := rs.Runs[0]
		if r.Recovered != c.recovered || (r.Recovered && *r.RecoveryS > 60) {
			t.Fatalf("%s (seed 2): recovered %v after %v, want %v within 60 s: %+v", c.name, r.Recovered, r.RecoveryS, c.recovered, r)
		}
		if !c.recovered && r.EndGoodput > 0.5*r.PreGoodput {
			t.Fatalf("%s: goodput at the end %.2f is not degraded (before %.2f)", c.name, r.EndGoodput, r.PreGoodput)
		}
	}
}

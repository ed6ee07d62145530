package queueing

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// erlangCDirect is the textbook definition with factorials, usable for
// small c: C = (a^c/c! * c/(c-a)) / (sum_{k<c} a^k/k! + a^c/c! * c/(c-a)).
func erlangCDirect(c int, a float64) float64 {
	sum, term := 0.0, 1.0
	for k := 0; k < c; k++ {
		sum += term
		term *= a / float64(k+1)
	}
	last := term * float64(c) / (float64(c) - a)
	return last / (sum + last)
}

func TestErlangBKnownValues(t *testing.T) {
	for _, a := range []float64{0.1, 1, 2.5, 7} {
		b1, _ := ErlangB(1, a)
		b2, _ := ErlangB(2, a)
		if !near(b1, a/(1+a), 1e-14) {
			t.Errorf("B(1,%v)=%v want %v", a, b1, a/(1+a))
		}
		want2 := a * a / 2 / (1 + a + a*a/2)
		if !near(b2, want2, 1e-14) {
			t.Errorf("B(2,%v)=%v want %v", a, b2, want2)
		}
	}
	// Large c, where a^c and c! overflow: the recursion stays finite.
	if b, err := ErlangB(1000, 950); err != nil || !(b > 0 && b < 0.1) {
		t.Errorf("B(1000, 950) = %v, %v", b, err)
	}
}

func TestErlangCAgainstDefinition(t *testing.T) {
	for _, tc := range []struct {
		c int
		a float64
	}{{1, 0.5}, {2, 1.5}, {5, 4}, {10, 9.5}, {20, 19}, {3, 0.01}} {
		got, err := ErlangC(tc.c, tc.a)
		if err != nil {
			t.Fatal(err)
		}
		if want := erlangCDirect(tc.c, tc.a); !near(got, want, 1e-12) {
			t.Errorf("C(%d,%v) = %v, want %v", tc.c, tc.a, got, want)
		}
	}
	// C(1, rho) = rho.
	for _, rho := range []float64{0.1, 0.5, 0.95} {
		if got, _ := ErlangC(1, rho); !near(got, rho, 1e-15) {
			t.Errorf("C(1,%v) = %v", rho, got)
		}
	}
}

func TestMMcWaitSpecialCases(t *testing.T) {
	for _, rho := range []float64{0.3, 0.8, 0.95} {
		lambda, mu := rho*2, 2.0
		w, _ := MMcWait(lambda, mu, 1)
		w1, _ := MM1Wait(lambda, mu)
		if want := rho / (mu - lambda); !near(w, want, 1e-13) || !near(w1, want, 1e-13) {
			t.Errorf("rho %v: MMcWait(c=1)=%v MM1Wait=%v, want rho/(mu-lambda)=%v", rho, w, w1, want)
		}
		// M/G/1 with scv 1 is M/M/1; M/D/1 waits half as long.
		g, _ := MG1Wait(lambda, mu, 1)
		d, _ := MD1Wait(lambda, mu)
		if !near(g, w, 1e-13) || !near(d, w/2, 1e-13) {
			t.Errorf("rho %v: MG1(scv=1)=%v MD1=%v, M/M/1=%v", rho, g, d, w)
		}
	}
	// M/M/2 closed form: Wq = rho^2 / (mu (1 - rho^2)) with rho = lambda/(2 mu).
	lambda, mu := 1.5, 1.0
	rho := lambda / (2 * mu)
	if w, _ := MMcWait(lambda, mu, 2); !near(w, rho*rho/(mu*(1-rho*rho)), 1e-13) {
		t.Errorf("M/M/2 Wq = %v, want %v", w, rho*rho/(mu*(1-rho*rho)))
	}
}

// With theta = mu the Erlang A chain has death rate n mu in every state:
// it is M/M/inf, N ~ Poisson(a), and P(ab) = E[(N-c)+] / a.
func TestErlangAThetaEqualsMu(t *testing.T) {
	for _, tc := range []struct {
		c      int
		lambda float64
	}{{1, 0.5}, {10, 10}, {10, 12}, {50, 45}} {
		got, err := ErlangAAbandon(tc.lambda, 1, 1, tc.c)
		if err != nil {
			t.Fatal(err)
		}
		a := tc.lambda
		p, excess := math.Exp(-a), 0.0
		for n := 0; n < 1000; n++ {
			excess += float64(max(0, n-tc.c)) * p
			p *= a / float64(n+1)
		}
		if want := excess / a; !near(got, want, 1e-12) {
			t.Errorf("c=%d lambda=%v: P(ab)=%v, want %v", tc.c, tc.lambda, got, want)
		}
	}
}

// Overloaded Erlang A: in the fluid limit the servers are saturated and the
// abandonment fraction tends to 1 - c mu / lambda; for finite c it is a
// little below it. And more patience (smaller theta) means fewer losses.
func TestErlangAOverloadAndMonotone(t *testing.T) {
	pab, _ := ErlangAAbandon(200, 1, 0.2, 100)
	if fluid := 1 - 100.0/200; !(pab < fluid && pab > fluid-0.02) {
		t.Errorf("P(ab) = %v, want just below the fluid value %v", pab, fluid)
	}
	prev := 1.0
	for _, theta := range []float64{2, 1, 0.5, 0.1} {
		p, _ := ErlangAAbandon(10, 1, theta, 10)
		if !(p < prev) {
			t.Errorf("theta %v: P(ab) %v not below %v", theta, p, prev)
		}
		prev = p
	}
}

func TestFormulaErrorsNameTheParameter(t *testing.T) {
	for _, tc := range []struct {
		err  error
		name string
	}{
		{second(MMcWait(-1, 1, 2)), "lambda"},
		{second(MMcWait(1, 0, 2)), "mu"},
		{second(MMcWait(3, 1, 2)), "unstable"},
		{second(MMcPWait(1, math.NaN(), 2)), "mu"},
		{second(ErlangC(0, 0.5)), "c = 0"},
		{second(ErlangB(-1, 0.5)), "c = -1"},
		{second(MM1Wait(2, 1)), "unstable"},
		{second(MG1Wait(0.5, 1, -1)), "scv"},
		{second(MG1Wait(1, 1, 1)), "rho"},
		{second(ErlangAAbandon(1, 1, 0, 3)), "theta"},
		{second(ErlangAAbandon(1, 1, 1, 0)), "c = 0"},
	} {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.name) {
			t.Errorf("error %v, want one mentioning %q", tc.err, tc.name)
		}
	}
}

func second(_ float64, err error) error { return err }

func ExampleMMcWait() {
	// 5 servers, each 1 job/s, at 80% utilisation.
	wq, _ := MMcWait(4, 1, 5)
	pw, _ := MMcPWait(4, 1, 5)
	fmt.Printf("Wq = %.4f s, P(wait) = %.4f, Little: Lq = %.4f\n", wq, pw, LittleL(4, wq))
	// Output:
	// Wq = 0.5541 s, P(wait) = 0.5541, Little: Lq = 2.2165
}

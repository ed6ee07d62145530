package queueing

import (
	"fmt"
	"math"
)

func checkRate(name string, x float64) error {
	if !(x > 0) || math.IsInf(x, 0) {
		return fmt.Errorf("queueing: %s = %v, want a finite value > 0", name, x)
	}
	return nil
}

// ErlangB returns the Erlang B blocking probability B(c, a) of an M/M/c/c
// loss system with offered load a = lambda/mu Erlangs, by the numerically
// stable recursion
//
//	B(0, a) = 1,  B(k, a) = a B(k-1, a) / (k + a B(k-1, a)),
//
// which never forms a^c or c! (Jagerman, "Some properties of the Erlang
// loss function", Bell Syst. Tech. J. 53, 1974).
func ErlangB(c int, a float64) (float64, error) {
	if c < 0 {
		return 0, fmt.Errorf("queueing: c = %d, want >= 0", c)
	}
	if !(a >= 0) || math.IsInf(a, 0) {
		return 0, fmt.Errorf("queueing: offered load a = %v, want a finite value >= 0", a)
	}
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b, nil
}

// ErlangC returns the Erlang C probability that an arrival to an M/M/c
// queue has to wait, P(Wq > 0), for offered load a = lambda/mu < c:
//
//	C(c, a) = c B(c, a) / (c - a (1 - B(c, a)))
//
// (Kleinrock, Queueing Systems Vol. 1, 1975, eq. 3.40, rewritten through
// Erlang B for numerical stability). For c = 1 it equals rho.
func ErlangC(c int, a float64) (float64, error) {
	if c < 1 {
		return 0, fmt.Errorf("queueing: c = %d, want >= 1", c)
	}
	if !(a < float64(c)) {
		return 0, fmt.Errorf("queueing: offered load a = %v with c = %d: unstable, want a < c", a, c)
	}
	b, err := ErlangB(c, a)
	if err != nil {
		return 0, err
	}
	cf := float64(c)
	return cf * b / (cf - a*(1-b)), nil
}

// MMcWait returns the mean waiting time in queue of an M/M/c queue,
//
//	Wq = C(c, a) / (c mu - lambda),  a = lambda/mu
//
// (Kleinrock 1975, eq. 3.43).
func MMcWait(lambda, mu float64, c int) (float64, error) {
	if err := checkRate("lambda", lambda); err != nil {
		return 0, err
	}
	if err := checkRate("mu", mu); err != nil {
		return 0, err
	}
	pc, err := ErlangC(c, lambda/mu)
	if err != nil {
		return 0, err
	}
	return pc / (float64(c)*mu - lambda), nil
}

// MMcPWait returns P(Wq > 0) of an M/M/c queue: Erlang C.
func MMcPWait(lambda, mu float64, c int) (float64, error) {
	if err := checkRate("lambda", lambda); err != nil {
		return 0, err
	}
	if err := checkRate("mu", mu); err != nil {
		return 0, err
	}
	return ErlangC(c, lambda/mu)
}

// MM1Wait returns the mean wait in queue of an M/M/1 queue,
// Wq = rho / (mu - lambda) with rho = lambda/mu < 1.
func MM1Wait(lambda, mu float64) (float64, error) {
	if err := checkRate("lambda", lambda); err != nil {
		return 0, err
	}
	if err := checkRate("mu", mu); err != nil {
		return 0, err
	}
	if lambda >= mu {
		return 0, fmt.Errorf("queueing: lambda = %v >= mu = %v: unstable", lambda, mu)
	}
	return lambda / mu / (mu - lambda), nil
}

// MG1Wait returns the Pollaczek-Khinchine mean wait in queue of an M/G/1
// queue with service rate mu (mean service 1/mu) and squared coefficient
// of variation scv of the service time:
//
//	Wq = lambda E[S^2] / (2 (1 - rho)) = rho (1 + scv) / (2 mu (1 - rho))
//
// (Kleinrock 1975, eq. 5.72). scv = 0 is M/D/1, scv = 1 is M/M/1.
func MG1Wait(lambda, mu, scv float64) (float64, error) {
	if err := checkRate("lambda", lambda); err != nil {
		return 0, err
	}
	if err := checkRate("mu", mu); err != nil {
		return 0, err
	}
	if !(scv >= 0) || math.IsInf(scv, 0) {
		return 0, fmt.Errorf("queueing: scv = %v, want a finite value >= 0", scv)
	}
	rho := lambda / mu
	if rho >= 1 {
		return 0, fmt.Errorf("queueing: rho = lambda/mu = %v: unstable, want < 1", rho)
	}
	return rho * (1 + scv) / (2 * mu * (1 - rho)), nil
}

// MD1Wait returns the mean wait of an M/D/1 queue, rho / (2 mu (1 - rho)):
// half that of M/M/1 (Pollaczek-Khinchine with scv = 0).
func MD1Wait(lambda, mu float64) (float64, error) { return MG1Wait(lambda, mu, 0) }

// ErlangAAbandon returns the probability that a customer abandons an
// M/M/c+M queue (Erlang A: Poisson arrivals lambda, c exponential servers
// of rate mu, exponential patience of rate theta while waiting).
//
// It is computed exactly from the birth-death chain of the number in
// system N: birth rate lambda in every state, death rate
// min(n, c) mu + max(0, n - c) theta in state n. Stationary probabilities
// follow p(n+1) = p(n) lambda / death(n+1); the chain is truncated where
// the remaining tail is negligible (relative mass below 1e-16, which it
// reaches quickly because death rates grow linearly beyond c). Since
// abandonments happen at rate theta E[(N - c)+],
//
//	P(abandon) = theta E[(N - c)+] / lambda
//
// (Garnett, Mandelbaum and Reiman, "Designing a call center with impatient
// customers", MSOM 4(3), 2002). Stable for any lambda when theta > 0.
func ErlangAAbandon(lambda, mu, theta float64, c int) (float64, error) {
	if err := checkRate("lambda", lambda); err != nil {
		return 0, err
	}
	if err := checkRate("mu", mu); err != nil {
		return 0, err
	}
	if err := checkRate("theta", theta); err != nil {
		return 0, err
	}
	if c < 1 {
		return 0, fmt.Errorf("queueing: c = %d, want >= 1", c)
	}
	const maxStates = 10_000_000
	p, sum, queued := 1.0, 1.0, 0.0 // unnormalised p(0) = 1
	for n := 1; n < maxStates; n++ {
		death := float64(min(n, c))*mu + float64(max(0, n-c))*theta
		p *= lambda / death
		sum += p
		queued += float64(max(0, n-c)) * p
		if sum > 1e200 { // rescale; only ratios matter
			p, sum, queued = p*1e-200, sum*1e-200, queued*1e-200
		}
		if death > lambda && p < 1e-16*sum && float64(max(0, n-c))*p < 1e-16*(queued+sum) {
			return theta * queued / sum / lambda, nil
		}
	}
	return 0, fmt.Errorf("queueing: Erlang A chain did not converge in %d states (lambda=%v mu=%v theta=%v c=%d)", maxStates, lambda, mu, theta, c)
}

// LittleL returns L = lambda W (Little, "A proof for the queuing formula
// L = lambda W", Operations Research 9(3), 1961): the time-average number
// in a system equals the arrival rate times the mean time spent in it,
// for any stationary system and any service discipline.
func LittleL(lambda, w float64) float64 { return lambda * w }

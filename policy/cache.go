package policy

import (
	"math"
	"time"
)

// CacheConfig holds the cache-helper parameters a scenario sets.
type CacheConfig struct {
	TTL        time.Duration // base time to live, > 0
	TTLJitter  float64       // fraction in [0, 1]: TTLs spread over TTL*(1±TTLJitter)
	XFetchBeta float64       // early-refresh eagerness, >= 0 (0 disables; 1 is the paper's default)
}

// Validate reports every invalid field.
func (c CacheConfig) Validate() error {
	var l errList
	l.positiveDur("ttl", c.TTL)
	l.inRange("ttl_jitter", c.TTLJitter, 0, 1, true)
	l.inRange("x_fetch_beta", c.XFetchBeta, 0, 1e6, true)
	return l.join()
}

// JitterTTL returns ttl spread uniformly over [ttl*(1-fraction),
// ttl*(1+fraction)], so keys written together (a cache warmed at a flash
// sale's start) do not all expire together and stampede the database.
// The mean is ttl. fraction is clamped to [0, 1]; validate it with
// CacheConfig. With fraction 0 no random number is drawn.
func JitterTTL(ttl time.Duration, fraction float64, rnd Rand) time.Duration {
	if !(fraction > 0) {
		return ttl
	}
	if fraction > 1 {
		fraction = 1
	}
	return time.Duration(float64(ttl) * (1 + fraction*(2*rnd.Float64()-1)))
}

// XFetchShouldRefresh is probabilistic early expiration (Vattani, Chierichetti
// and Lowenstein, "Optimal Probabilistic Cache Stampede Prevention", VLDB
// 2015): a reader refreshes the value before it expires when
//
//	now - delta*beta*ln(U) >= expiry,  U ~ U(0, 1]
//
// where delta is how long recomputing the value takes and beta >= 0 scales
// the eagerness (1 is optimal in the paper). Since -ln(U) is exponential
// with mean 1, refreshes spread out ahead of the expiry and usually one
// reader refreshes instead of a stampede at expiry. U is drawn as
// 1 - Float64() so that it lies in (0, 1] and ln(U) is finite.
func XFetchShouldRefresh(now, expiry time.Time, delta time.Duration, beta float64, rnd Rand) bool {
	u := 1 - rnd.Float64()
	gap := float64(expiry.Sub(now))
	return -float64(delta)*beta*math.Log(u) >= gap
}

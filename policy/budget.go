package policy

import (
	"math"
	"time"
)

// RetryBudget limits retries across all calls to one downstream, so that a
// failing dependency sees at most a bounded extra load from retries instead
// of a multiple of its normal load (a "retry storm").
//
// A Retrier calls Deposit once when a call starts, Record after every
// attempt, and Withdraw before it schedules a retry; a false Withdraw stops
// the retry with reason ReasonBudget. Implementations are synchronous and
// not safe for concurrent use (the live adapter serialises access).
type RetryBudget interface {
	// Deposit notes that a new call (its first attempt) starts at now.
	Deposit(now time.Time)
	// Record notes the outcome of one attempt.
	Record(now time.Time, o Outcome)
	// Withdraw asks for one retry at now and consumes it if allowed.
	Withdraw(now time.Time) bool
}

// TokenBucketConfig configures the gRPC retry throttle (gRFC A6, "Retry
// Throttling"): the bucket starts full at MaxTokens; every failed attempt
// takes 1 token, every successful one adds TokenRatio (up to MaxTokens);
// retries are allowed only while tokens > MaxTokens/2.
type TokenBucketConfig struct {
	MaxTokens  float64 // (0, 1000], as in gRPC
	TokenRatio float64 // (0, MaxTokens]; kept to 3 decimals like gRPC
}

// Validate reports every invalid field.
func (c TokenBucketConfig) Validate() error {
	var l errList
	l.inRange("max_tokens", c.MaxTokens, 0, 1000, false)
	hi := c.MaxTokens
	if !(hi > 0) {
		hi = 1000
	}
	l.inRange("token_ratio", c.TokenRatio, 0, hi, false)
	if c.TokenRatio > 0 && math.Round(c.TokenRatio*1000) < 1 {
		l.add(fieldErr("token_ratio", "must be >= 0.001 (gRPC keeps 3 decimals), got %g", c.TokenRatio))
	}
	return l.join()
}

// TokenBucket is the gRPC retry throttle. Tokens are kept in thousandths,
// as gRPC does, so a ratio of 0.1 adds exactly 100 and long runs do not
// drift through floating-point sums.
type TokenBucket struct {
	max, ratio, tokens int64 // milli-tokens
}

var _ RetryBudget = (*TokenBucket)(nil)

// NewTokenBucket returns a full bucket.
func NewTokenBucket(maxTokens, tokenRatio float64) (*TokenBucket, error) {
	c := TokenBucketConfig{MaxTokens: maxTokens, TokenRatio: tokenRatio}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m := int64(math.Round(maxTokens * 1000))
	return &TokenBucket{max: m, ratio: int64(math.Round(tokenRatio * 1000)), tokens: m}, nil
}

// New builds the bucket described by c.
func (c TokenBucketConfig) New() (*TokenBucket, error) {
	return NewTokenBucket(c.MaxTokens, c.TokenRatio)
}

// Deposit does nothing: the gRPC bucket refills only on successes.
func (b *TokenBucket) Deposit(time.Time) {}

// Record takes one token for Failure, Timeout or Overloaded and adds
// TokenRatio for Success. Rejected and Ignored never reached the server and
// leave the bucket alone. Tokens stay within [0, MaxTokens].
func (b *TokenBucket) Record(_ time.Time, o Outcome) {
	switch o {
	case Success:
		b.tokens += b.ratio
		if b.tokens > b.max {
			b.tokens = b.max
		}
	case Failure, Timeout, Overloaded:
		b.tokens -= 1000
		if b.tokens < 0 {
			b.tokens = 0
		}
	}
}

// Withdraw allows a retry while tokens > MaxTokens/2. It consumes nothing:
// in gRPC the failure that prompted the retry already paid.
func (b *TokenBucket) Withdraw(time.Time) bool { return 2*b.tokens > b.max }

// Tokens returns the current token count.
func (b *TokenBucket) Tokens() float64 { return float64(b.tokens) / 1000 }

// RatioBudgetConfig configures a Finagle-style retry budget
// (com.twitter.finagle.service.RetryBudget): every call deposits RetryRatio
// of a retry, every retry withdraws one, deposits and withdrawals expire
// after TTL, and a reserve of MinRetriesPerSec*TTL retries is always
// available so low-traffic clients can still retry.
type RatioBudgetConfig struct {
	TTL              time.Duration // how long deposits and withdrawals count; Finagle default 10s
	MinRetriesPerSec float64       // >= 0; Finagle default 10
	RetryRatio       float64       // retries per call, [0, 1000]; 0.2 = 20% (Finagle's percentCanRetry)
	Buckets          int           // time buckets in the TTL window, >= 1; 10 is usual
}

// Validate reports every invalid field.
func (c RatioBudgetConfig) Validate() error {
	var l errList
	l.positiveDur("ttl", c.TTL)
	l.inRange("min_retries_per_sec", c.MinRetriesPerSec, 0, 1e9, true)
	l.inRange("retry_ratio", c.RetryRatio, 0, 1000, true)
	l.positiveInt("buckets", c.Buckets)
	if c.Buckets > 0 && c.TTL > 0 && int64(c.TTL) < int64(c.Buckets) {
		l.add(fieldErr("buckets", "must be <= ttl in nanoseconds (%d), got %d", int64(c.TTL), c.Buckets))
	}
	return l.join()
}

// RatioBudget is the Finagle retry budget. Balances are kept in thousandths
// of a retry: a call deposits round(1000*RetryRatio), a retry costs 1000.
// Balance(now) = reserve + deposits - withdrawals within the TTL window.
type RatioBudget struct {
	w       window
	deposit int64
	reserve int64
}

var _ RetryBudget = (*RatioBudget)(nil)

// NewRatioBudget validates c and returns an empty budget (only the reserve).
func NewRatioBudget(c RatioBudgetConfig) (*RatioBudget, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &RatioBudget{
		w:       newWindow(c.TTL, c.Buckets),
		deposit: int64(math.Round(c.RetryRatio * 1000)),
		reserve: int64(math.Round(c.MinRetriesPerSec * c.TTL.Seconds() * 1000)),
	}, nil
}

// Deposit credits RetryRatio of a retry.
func (b *RatioBudget) Deposit(now time.Time) { b.w.add(now, 0, b.deposit) }

// Record does nothing: the ratio budget counts calls, not their outcomes.
func (b *RatioBudget) Record(time.Time, Outcome) {}

// Withdraw takes one retry if the balance holds one.
func (b *RatioBudget) Withdraw(now time.Time) bool {
	if b.reserve+b.w.sum(now)[0] < 1000 {
		return false
	}
	b.w.add(now, 0, -1000)
	return true
}

// Balance returns the number of retries available at now.
func (b *RatioBudget) Balance(now time.Time) float64 {
	return float64(b.reserve+b.w.sum(now)[0]) / 1000
}

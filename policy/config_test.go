package policy

import (
	"strings"
	"testing"
	"time"
)

func validBackoff() BackoffConfig {
	return BackoffConfig{Kind: BackoffExponential, Base: 10 * time.Millisecond, Cap: time.Second, Multiplier: 2, Jitter: JitterFull}
}

func validRetry() RetryConfig {
	return RetryConfig{MaxAttempts: 3, PerAttemptTimeout: 200 * time.Millisecond, Backoff: validBackoff()}
}

func validBreaker() BreakerConfig {
	return BreakerConfig{Mode: BreakerCountWindow, WindowSize: 10, MinimumCalls: 5, FailureRateThreshold: 0.5,
		OpenDuration: time.Second, HalfOpenPermits: 2}
}

// TestValidateNamesFields checks that every invalid value is reported under
// its snake_case field path, nested paths included, and valid configs pass.
func TestValidateNamesFields(t *testing.T) {
	type validator interface{ Validate() error }
	mod := func(f func(*RetryConfig)) RetryConfig { c := validRetry(); f(&c); return c }
	modB := func(f func(*BreakerConfig)) BreakerConfig { c := validBreaker(); f(&c); return c }
	tests := []struct {
		name   string
		cfg    validator
		fields []string
	}{
		{"retry ok", validRetry(), nil},
		{"max attempts 0", mod(func(c *RetryConfig) { c.MaxAttempts = 0 }), []string{"max_attempts"}},
		{"nested backoff", mod(func(c *RetryConfig) { c.Backoff.Base = 0; c.Backoff.Jitter = "wild" }), []string{"backoff.base", "backoff.jitter"}},
		{"cap below base", mod(func(c *RetryConfig) { c.Backoff.Cap = time.Millisecond }), []string{"backoff.cap"}},
		{"multiplier", mod(func(c *RetryConfig) { c.Backoff.Multiplier = 0.5 }), []string{"backoff.multiplier"}},
		{"kind", mod(func(c *RetryConfig) { c.Backoff.Kind = "linear" }), []string{"backoff.kind"}},
		{"retry on success", mod(func(c *RetryConfig) { c.RetryOn = []Outcome{Timeout, Success} }), []string{"retry_on[1]"}},
		{"negative durations", mod(func(c *RetryConfig) { c.PerAttemptTimeout = -1; c.Reserve = -1; c.MinAttemptTime = -1 }),
			[]string{"per_attempt_timeout", "reserve", "min_attempt_time"}},
		{"constant without cap", BackoffConfig{Kind: BackoffConstant, Base: time.Millisecond, Jitter: JitterNone}, nil},
		{"decorrelated needs cap", BackoffConfig{Kind: BackoffConstant, Base: time.Millisecond, Jitter: JitterDecorrelated}, []string{"cap"}},
		{"token bucket", TokenBucketConfig{MaxTokens: 0, TokenRatio: -1}, []string{"max_tokens", "token_ratio"}},
		{"token bucket ok", TokenBucketConfig{MaxTokens: 10, TokenRatio: 0.1}, nil},
		{"ratio budget", RatioBudgetConfig{TTL: 0, MinRetriesPerSec: -1, RetryRatio: 2000, Buckets: 0},
			[]string{"ttl", "min_retries_per_sec", "retry_ratio", "buckets"}},
		{"breaker ok", validBreaker(), nil},
		{"breaker mode", modB(func(c *BreakerConfig) { c.Mode = "smart" }), []string{"mode"}},
		{"breaker min calls", modB(func(c *BreakerConfig) { c.MinimumCalls = 11 }), []string{"minimum_calls"}},
		{"breaker thresholds", modB(func(c *BreakerConfig) {
			c.FailureRateThreshold = 0
			c.SlowCallDuration = time.Second
			c.SlowCallRateThreshold = 1.5
		}), []string{"failure_rate_threshold", "slow_call_rate_threshold"}},
		{"breaker open", modB(func(c *BreakerConfig) { c.OpenDuration = 0; c.OpenJitter = 1; c.HalfOpenPermits = 0 }),
			[]string{"open_duration", "open_jitter", "half_open_permits"}},
		{"breaker time window", BreakerConfig{Mode: BreakerTimeWindow, FailureRateThreshold: 0.5, OpenDuration: 1, HalfOpenPermits: 1},
			[]string{"window_duration", "window_buckets", "minimum_calls"}},
		{"breaker consecutive", BreakerConfig{Mode: BreakerConsecutive, OpenDuration: 1, HalfOpenPermits: 1}, []string{"consecutive_failures"}},
		{"bulkhead", BulkheadConfig{MaxConcurrent: 0, MaxQueue: 5}, []string{"max_concurrent", "max_wait"}},
		{"bulkhead ok", BulkheadConfig{MaxConcurrent: 1}, nil},
		{"gradient2", Gradient2Config{InitialLimit: 1, MinLimit: 1, MaxLimit: 1, Smoothing: 0, Tolerance: 0.5, QueueSize: -1, LongWindow: 0},
			[]string{"smoothing", "tolerance", "queue_size", "long_window"}},
		{"aimd", AIMDConfig{InitialLimit: 50, MinLimit: 0, MaxLimit: 10, BackoffRatio: 1}, []string{"min_limit", "initial_limit", "backoff_ratio"}},
		{"throttle", ThrottleConfig{K: 0.5, Window: time.Minute, Buckets: 0}, []string{"k", "buckets"}},
		{"idempotency", IdempotencyConfig{}, []string{"ttl", "max_entries"}},
		{"cache", CacheConfig{TTL: time.Second, TTLJitter: 2, XFetchBeta: -1}, []string{"ttl_jitter", "x_fetch_beta"}},
		{"stack", StackConfig{Retry: &RetryConfig{MaxAttempts: 2, Backoff: BackoffConfig{Kind: BackoffExponential, Base: 1, Cap: 0, Multiplier: 2, Jitter: JitterNone}},
			TokenBucket: &TokenBucketConfig{MaxTokens: 10, TokenRatio: 0.1}, RatioBudget: &RatioBudgetConfig{TTL: time.Second, Buckets: 10}},
			[]string{"retry.backoff.cap", "ratio_budget"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fieldsOf(t, tc.cfg.Validate())
			if !sameFields(got, tc.fields...) {
				t.Fatalf("fields = %v, want %v (error: %v)", got, tc.fields, tc.cfg.Validate())
			}
		})
	}
}

func TestFieldErrorMessageHasValue(t *testing.T) {
	err := RetryConfig{MaxAttempts: -3, Backoff: validBackoff()}.Validate()
	if err == nil || !strings.Contains(err.Error(), "max_attempts: must be in [1, 1000], got -3") {
		t.Fatalf("error = %v", err)
	}
}

func TestConstructorsRequireRand(t *testing.T) {
	if _, err := NewRetryPolicy(validRetry(), nil, nil); err != ErrNilRand {
		t.Errorf("NewRetryPolicy with jitter and nil rand: err = %v", err)
	}
	c := validRetry()
	c.Backoff.Jitter = JitterNone
	if _, err := NewRetryPolicy(c, nil, nil); err != nil {
		t.Errorf("no jitter needs no rand: %v", err)
	}
	if _, err := NewThrottle(ThrottleConfig{K: 2, Window: time.Minute, Buckets: 10}, nil); err != ErrNilRand {
		t.Errorf("NewThrottle nil rand: err = %v", err)
	}
	b := validBreaker()
	b.OpenJitter = 0.1
	if _, err := NewBreaker(b, nil); err != ErrNilRand {
		t.Errorf("NewBreaker jitter nil rand: err = %v", err)
	}
	if _, err := (StackConfig{}).Build(nil); err != ErrNilRand {
		t.Errorf("Build nil rand: err = %v", err)
	}
}

func TestOutcomeText(t *testing.T) {
	for o := Success; o < numOutcomes; o++ {
		b, err := o.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Outcome
		if err := back.UnmarshalText(b); err != nil || back != o {
			t.Errorf("round trip %v: got %v, %v", o, back, err)
		}
	}
	if _, err := ParseOutcome("boom"); err == nil {
		t.Error("ParseOutcome accepted an unknown name")
	}
}

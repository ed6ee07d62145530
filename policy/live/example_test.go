package live_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/checkoutsim/checkoutsim/policy"
	"github.com/checkoutsim/checkoutsim/policy/live"
)

// A checkout service wires the policies around its HTTP call to the
// pricing service: one Executor per downstream, used by an http.Client
// through the Transport middleware.
func ExampleTransport() {
	var hits atomic.Int32
	pricing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) <= 2 { // a brief hiccup
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"sku":"tv-55","cents":49900}`)
	}))
	defer pricing.Close()

	stack, err := policy.StackConfig{
		Timeout: 2 * time.Second, // end-to-end budget per request
		Retry: &policy.RetryConfig{MaxAttempts: 3, PerAttemptTimeout: 500 * time.Millisecond, Reserve: 10 * time.Millisecond,
			Backoff: policy.BackoffConfig{Kind: policy.BackoffExponential, Base: time.Millisecond, Cap: 20 * time.Millisecond, Multiplier: 2, Jitter: policy.JitterFull}},
		TokenBucket: &policy.TokenBucketConfig{MaxTokens: 10, TokenRatio: 0.1}, // retries stop when the service is down
		Breaker: &policy.BreakerConfig{Mode: policy.BreakerCountWindow, WindowSize: 20, MinimumCalls: 10,
			FailureRateThreshold: 0.5, OpenDuration: 5 * time.Second, OpenJitter: 0.2, HalfOpenPermits: 2},
		Bulkhead: &policy.BulkheadConfig{MaxConcurrent: 16, MaxQueue: 32, MaxWait: 50 * time.Millisecond},
	}.Build(rand.New(rand.NewPCG(1, 2))) // a seeded source: no global randomness
	if err != nil {
		panic(err)
	}
	exec, err := live.New(stack, live.Options{Observe: func(e live.Event) {
		fmt.Printf("attempt %d: %v, %v\n", e.Attempt, e.Outcome, e.Decision.Reason)
	}})
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: &live.Transport{Exec: exec}}

	fmt.Println(stack)
	resp, err := client.Get(pricing.URL + "/price/tv-55")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// deadline(2s) -> retry(max 3, exponential/full, token bucket) -> breaker(count_window) -> bulkhead(16+32) -> call
	// attempt 1: failure, retry
	// attempt 2: failure, retry
	// attempt 3: success, succeeded
	// 200 {"sku":"tv-55","cents":49900}
}

// Any call can go through an Executor; tag errors with the outcome the
// policies should see, for example a payment provider saying "slow down".
func ExampleExecutor_Execute() {
	stack, _ := policy.StackConfig{
		Retry: &policy.RetryConfig{MaxAttempts: 3,
			Backoff: policy.BackoffConfig{Kind: policy.BackoffConstant, Base: time.Millisecond, Jitter: policy.JitterNone}},
	}.Build(rand.New(rand.NewPCG(1, 2)))
	exec, _ := live.New(stack, live.Options{})
	attempts := 0
	err := exec.Execute(context.Background(), func(ctx context.Context) error {
		attempts++
		return &live.OutcomeError{Outcome: policy.Overloaded, Err: errors.New("payment provider: 429")}
	})
	fmt.Println(attempts, err)
	// Output: 1 overloaded: payment provider: 429
}

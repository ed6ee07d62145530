package policy

import (
	"testing"
	"time"
)

func TestStackBuildAndDescribe(t *testing.T) {
	r := validRetry()
	br := validBreaker()
	s, err := StackConfig{
		Timeout:     2 * time.Second,
		Retry:       &r,
		TokenBucket: &TokenBucketConfig{MaxTokens: 10, TokenRatio: 0.1},
		Throttle:    &ThrottleConfig{K: 2, Window: time.Minute, Buckets: 60},
		Breaker:     &br,
		Bulkhead:    &BulkheadConfig{MaxConcurrent: 10, MaxQueue: 20, MaxWait: 50 * time.Millisecond},
	}.Build(newRand(1))
	if err != nil {
		t.Fatal(err)
	}
	want := "deadline(2s) -> retry(max 3, exponential/full, token bucket) -> breaker(count_window) -> throttle(K=2) -> bulkhead(10+20) -> call"
	if got := s.String(); got != want {
		t.Fatalf("String() =\n%s\nwant\n%s", got, want)
	}
	bare, err := StackConfig{}.Build(newRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := bare.String(); got != "deadline(caller) -> retry(max 1, constant/none) -> call" {
		t.Fatalf("bare stack: %s", got)
	}
	if Order[0] != LayerDeadline || Order[len(Order)-1] != LayerCall {
		t.Fatal("Order must start with the deadline and end with the call")
	}
}

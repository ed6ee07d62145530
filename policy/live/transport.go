package live

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/checkoutsim/checkoutsim/policy"
)

// ClassifyHTTP is the default classification of an HTTP exchange: a
// transport error goes through Classify; 429 is Overloaded ("don't retry");
// 408 and 504 are Timeout; other 5xx are Failure; everything else
// (including 4xx client errors, which say nothing about the server's
// health) is Success for the policies.
func ClassifyHTTP(resp *http.Response, err error) policy.Outcome {
	if err != nil {
		return Classify(err)
	}
	switch c := resp.StatusCode; {
	case c == http.StatusTooManyRequests:
		return policy.Overloaded
	case c == http.StatusRequestTimeout || c == http.StatusGatewayTimeout:
		return policy.Timeout
	case c >= 500:
		return policy.Failure
	}
	return policy.Success
}

// Transport is an http.RoundTripper middleware that sends each request
// through an Executor. A request is retried only if it is safe to replay:
// its method is idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE) or it
// carries an Idempotency-Key header, and its body can be recreated
// (GetBody, as set by http.NewRequest). Other requests make one attempt,
// still through the breaker, throttle and bulkhead.
//
// When every attempt gets an error status, the last response is returned
// with a nil error, as an http.Client caller expects.
type Transport struct {
	Base     http.RoundTripper                          // nil: http.DefaultTransport
	Exec     *Executor                                  // required
	Classify func(*http.Response, error) policy.Outcome // nil: ClassifyHTTP
}

type statusError struct{ code int }

func (e *statusError) Error() string { return fmt.Sprintf("HTTP status %d", e.code) }

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Exec == nil {
		return nil, errors.New("live.Transport: Exec is nil")
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	classify := t.Classify
	if classify == nil {
		classify = ClassifyHTTP
	}
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	retry := replayable && isIdempotent(req)

	var last *http.Response // last error-status response, body still open
	attempts := 0
	ctx, cancelCall := t.Exec.callContext(req.Context())
	err := t.Exec.run(ctx, retry, func(ctx context.Context, cancel context.CancelFunc) error {
		attempts++
		r := req.Clone(ctx)
		if attempts > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				cancel()
				return &OutcomeError{Outcome: policy.Ignored, Err: err}
			}
			r.Body = body
		}
		resp, err := base.RoundTrip(r)
		o := classify(resp, err)
		if resp != nil {
			resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
		} else {
			cancel()
		}
		if last != nil { // superseded by this attempt
			discard(last)
			last = nil
		}
		if err != nil {
			return &OutcomeError{Outcome: o, Err: err}
		}
		last = resp
		if o == policy.Success {
			return nil
		}
		return &OutcomeError{Outcome: o, Err: &statusError{code: resp.StatusCode}}
	})
	var se *statusError
	if last != nil && (err == nil || errors.As(err, &se)) {
		// The end-to-end deadline keeps bounding the body read.
		last.Body = &cancelBody{ReadCloser: last.Body, cancel: cancelCall}
		return last, nil
	}
	if last != nil {
		discard(last)
	}
	cancelCall()
	return nil, err
}

func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
}

func isIdempotent(r *http.Request) bool {
	switch r.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return r.Header.Get("Idempotency-Key") != "" || r.Header.Get("X-Idempotency-Key") != ""
}

// cancelBody releases the attempt's context when the body is closed, so the
// per-attempt timeout keeps bounding the body read.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

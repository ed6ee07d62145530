package policy

import "fmt"

// Outcome classifies how one attempt of a call ended. Policies decide on
// outcomes, never on errors or status codes, so the simulator (which has no
// errors) and a real service (which maps its errors with a classifier) feed
// them the same way.
type Outcome uint8

const (
	// Success: the call did what was asked.
	Success Outcome = iota
	// Failure: a transient server-side failure (5xx-like); retryable.
	Failure
	// Timeout: the attempt ran out of time; retryable.
	Timeout
	// Overloaded: the server said "overloaded, don't retry" (429, gRPC
	// pushback, RESOURCE_EXHAUSTED). Not retried by default, so retries do
	// not amplify an overload.
	Overloaded
	// Rejected: a local policy (breaker, bulkhead, throttle, budget)
	// refused the attempt before it reached the server. Not retried by
	// default and ignored by the breaker.
	Rejected
	// Ignored: an outcome that must not count for or against a breaker
	// (for example a client error such as 404 or a cancelled call).
	Ignored

	numOutcomes
)

var outcomeNames = [numOutcomes]string{"success", "failure", "timeout", "overloaded", "rejected", "ignored"}

// String returns the snake_case name used in scenario files.
func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// ParseOutcome parses a name as printed by String.
func ParseOutcome(s string) (Outcome, error) {
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), nil
		}
	}
	return 0, fmt.Errorf("unknown outcome %q (want one of success, failure, timeout, overloaded, rejected, ignored)", s)
}

// MarshalText implements encoding.TextMarshaler (YAML and JSON use it).
func (o Outcome) MarshalText() ([]byte, error) {
	if o >= numOutcomes {
		return nil, fmt.Errorf("invalid outcome %d", uint8(o))
	}
	return []byte(o.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// outcomeSet is a bit set of outcomes, used so classification costs one AND.
type outcomeSet uint8

func setOf(os []Outcome) outcomeSet {
	var s outcomeSet
	for _, o := range os {
		if o < numOutcomes {
			s |= 1 << o
		}
	}
	return s
}

func (s outcomeSet) has(o Outcome) bool { return o < numOutcomes && s&(1<<o) != 0 }

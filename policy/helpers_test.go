package policy

import (
	"errors"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
)

// t0 is the simulator's time origin: virtual time v is time.Unix(0, v).
var t0 = time.Unix(0, 0)

func at(d time.Duration) time.Time { return t0.Add(d) }

// fixedRand returns the values in v in turn, cycling.
type fixedRand struct {
	v []float64
	i int
}

func (r *fixedRand) Float64() float64 {
	x := r.v[r.i%len(r.v)]
	r.i++
	return x
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// fieldsOf returns the sorted Field() paths of a Validate error.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var leaves []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		leaves = j.Unwrap()
	} else {
		leaves = []error{err}
	}
	var out []string
	for _, e := range leaves {
		var f interface{ Field() string }
		if !errors.As(e, &f) {
			t.Fatalf("error %q does not implement Field()", e)
		}
		if !strings.HasPrefix(e.Error(), f.Field()+": ") {
			t.Errorf("error %q does not start with its field %q", e, f.Field())
		}
		out = append(out, f.Field())
	}
	sort.Strings(out)
	return out
}

func sameFields(a []string, b ...string) bool {
	sort.Strings(b)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

package experiments

import (
	"encoding/json"
	"math/rand"
	"reflect"
	"strings"
	"testing"
	"testing/quick"
)

// The hand-written MarshalJSON methods must write every field and the
// UnmarshalJSON methods read each back: a field added to one of these
// structs but not to its MarshalJSON fails the round trip.
func TestSummaryJSONRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for _, typ := range []reflect.Type{
		reflect.TypeFor[CheckoutSummary](), reflect.TypeFor[SignalsSummary](),
		reflect.TypeFor[CohortSummary](), reflect.TypeFor[BrowseSummary](),
	} {
		for range 20 {
			in, ok := quick.Value(typ, r)
			if !ok {
				t.Fatalf("%s: quick cannot generate it", typ)
			}
			data, err := json.Marshal(in.Interface())
			if err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			out := reflect.New(typ)
			if err := json.Unmarshal(data, out.Interface()); err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			if !reflect.DeepEqual(in.Interface(), out.Elem().Interface()) {
				t.Fatalf("%s: the round trip through\n%s\nlost a field:\n%+v\n%+v", typ, data, in.Interface(), out.Elem().Interface())
			}
		}
	}
}

// Registry fields are written under the registry's names, in the
// documented order, and with their intervals.
func TestSummaryJSONRegistryFields(t *testing.T) {
	c := CheckoutSummary{Attempts: 3, ErrorRate: 0.25, ErrorRateCI: &CI{0.1, 0.4}, ThroughputPerS: 2}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	want := `"clicks":0,"error_rate":0.25,"error_rate_ci95":[0.1,0.4],"abandon_rate":0,"throughput_per_s":2,"latency_s":`
	if !strings.Contains(string(data), want) {
		t.Errorf("checkout JSON\n%s\nlacks\n%s", data, want)
	}
}

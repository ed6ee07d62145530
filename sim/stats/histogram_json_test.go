package stats

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// A histogram survives JSON exactly, clamped values and 128-bit sum
// included, and so do its quantiles and mean.
func TestHistogramJSONRoundTrip(t *testing.T) {
	var h Histogram
	for i := int64(1); i <= 5000; i++ {
		h.Record(i * i * 997)
	}
	h.Record(-5)
	h.Record(HistogramMaxNs + 10)
	for _, g := range []*Histogram{{}, &h} {
		data, err := json.Marshal(g)
		if err != nil {
			t.Fatal(err)
		}
		var back Histogram
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if !reflect.DeepEqual(*g, back) {
			t.Fatalf("round trip of %d values changed the histogram", g.Count())
		}
	}
}

func TestHistogramJSONRefusesImpossible(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`{"n":2,"sum_lo":3,"min_ns":1,"max_ns":2,"buckets":[[1,1],[2,2]]}`, "buckets hold 3 values, n is 2"},
		{`{"n":2,"sum_lo":3,"min_ns":1,"max_ns":2,"buckets":[[2,1],[1,1]]}`, "after the previous one"},
		{`{"n":1,"sum_lo":3,"min_ns":1,"max_ns":1,"buckets":[[99999,1]]}`, "want an index in 0..2367"},
		{`{"n":1,"sum_lo":3,"min_ns":1,"max_ns":1,"buckets":[[1,0]]}`, "a count > 0"},
		{`{"n":1,"sum_lo":3,"min_ns":5,"max_ns":1,"buckets":[[1,1]]}`, "want 0 <= min <= max"},
		{`{"n":0,"sum_lo":3,"min_ns":0,"max_ns":0,"buckets":[]}`, "empty, yet"},
		{`{"n":"x"}`, "cannot unmarshal"},
	} {
		var h Histogram
		if err := json.Unmarshal([]byte(tc.json), &h); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.json, err, tc.want)
		}
	}
}

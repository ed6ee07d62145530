package stats

import (
	"reflect"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
)

func TestTimeSeriesBuckets(t *testing.T) {
	s, err := NewTimeSeries(10*sim.Second, 13*sim.Second+1, sim.Second)
	if err != nil {
		t.Fatal(err)
	}
	s.Add(10*sim.Second, 2)   // bucket 0
	s.Add(11*sim.Second-1, 4) // bucket 0, last ns
	s.Add(11*sim.Second, 5)   // bucket 1
	s.Add(13*sim.Second, 7)   // bucket 3 (the partial one)
	s.Add(9*sim.Second, 1)    // before start
	s.Add(13*sim.Second+1, 1) // at end: outside
	want := []SeriesPoint{
		{T: 10, Sum: 6, Count: 2, Mean: 3},
		{T: 11, Sum: 5, Count: 1, Mean: 5},
		{T: 12},
		{T: 13, Sum: 7, Count: 1, Mean: 7},
	}
	if got := s.Points(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Points = %+v\nwant %+v", got, want)
	}
	if s.Outside() != 2 {
		t.Fatalf("Outside = %d, want 2", s.Outside())
	}
}

func TestTimeSeriesErrors(t *testing.T) {
	for _, c := range []struct{ start, end, iv sim.Time }{
		{0, sim.Second, 0}, {sim.Second, sim.Second, 1}, {0, sim.Hour, 1},
	} {
		if _, err := NewTimeSeries(c.start, c.end, c.iv); err == nil {
			t.Errorf("NewTimeSeries(%v, %v, %v): no error", c.start, c.end, c.iv)
		}
	}
}

package experiments

import (
	"slices"
	"strings"
	"testing"
)

func TestOverridesAll(t *testing.T) {
	seed := uint64(7)
	for _, tc := range []struct {
		o    Overrides
		want []string
	}{
		{Overrides{}, []string{}},
		{Overrides{Sets: []string{"a=1"}, Duration: "2m"}, []string{"a=1", "duration=2m"}},
		{Overrides{Sets: []string{"seed=3"}, Seed: &seed, Replications: 4}, []string{"seed=3", "seed=7", "replications=4"}},
	} {
		if got := tc.o.All(); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: %q, want %q", tc.o, got, tc.want)
		}
	}
}

// The flags win over the file and over --set; a --duration inside the
// warm-up gets a hint, found from the error's field, not its text.
func TestOverridesLoad(t *testing.T) {
	seed := uint64(9)
	sc, err := Overrides{Sets: []string{"replications=5"}, Seed: &seed, Replications: 3}.Load("one-station")
	if err != nil {
		t.Fatal(err)
	}
	if s, r := RunParams(sc); s != 9 || r != 3 {
		t.Errorf("RunParams = %d, %d; want 9, 3", s, r)
	}
	_, err = Overrides{Duration: "1s"}.Load("one-station")
	if err == nil || !strings.Contains(err.Error(), "warmup") || !strings.Contains(err.Error(), "hint: --duration 1s") {
		t.Errorf("duration inside the warm-up: %v, want the warmup error with a hint", err)
	}
	_, err = Overrides{Sets: []string{"warmup=-1s"}}.Load("one-station")
	if err == nil || strings.Contains(err.Error(), "hint") {
		t.Errorf("a bad warmup without --duration: %v, want no duration hint", err)
	}
}

// RunPair counts both runs' simulated time in one progress, A's then
// B's (2 replications of 20 s each: 80000 ms in all), labelled by side.
func TestRunPairProgress(t *testing.T) {
	a, b := shortScenario("a"), shortScenario("b")
	var done []int
	var labels []string
	ra, rb, err := RunPair(t.Context(), a, b, 1, 2, 1, func(d, total int, label string) {
		if total != 80_000 {
			t.Errorf("total %d, want 80000", total)
		}
		done = append(done, d)
		if len(labels) == 0 || labels[len(labels)-1] != label {
			labels = append(labels, label)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(ra) != 2 || len(rb) != 2 || !slices.IsSorted(done) || !slices.Contains(done, 40_000) || done[len(done)-1] != 80_000 || !slices.Equal(labels, []string{"a", "b"}) {
		t.Errorf("%d and %d results, progress %v labels %v; want 2, 2, up to 40000 for a then 80000 for b", len(ra), len(rb), done, labels)
	}
}

package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

type step struct {
	at          time.Duration // since the start
	done, total int
	label       string
}

func play(mode Mode, units string, steps []step, end time.Duration) string {
	var w bytes.Buffer
	c := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	start := c.t
	d := New(&w, mode, "compare a vs b", units, c.now)
	for _, s := range steps {
		c.t = start.Add(s.at)
		d.Update(s.done, s.total, s.label)
	}
	c.t = start.Add(end)
	d.Finish()
	return w.String()
}

// Piped: nothing in the first second, then a plain line at most every 5
// s with the share done, the step under way, the time taken and left,
// and a closing line; a short job prints nothing at all.
func TestLines(t *testing.T) {
	steps := []step{
		{500 * time.Millisecond, 1000, 60000, "a"},
		{1200 * time.Millisecond, 3000, 60000, "a"},
		{3 * time.Second, 9000, 60000, "a"},
		{6200 * time.Millisecond, 30000, 60000, "b"},
		{9 * time.Second, 45000, 60000, "b"},
		{12 * time.Second, 60000, 60000, "b"},
	}
	for _, tc := range []struct {
		name  string
		mode  Mode
		units string
		steps []step
		end   time.Duration
		want  string
	}{
		{"percent", Lines, "", steps, 12 * time.Second,
			"compare a vs b: 5% (a), 1 s elapsed, about 23 s left\n" +
				"compare a vs b: 50% (b), 6 s elapsed, about 6 s left\n" +
				"compare a vs b: 100% (b), 12 s elapsed, about 0 s left\n" +
				"compare a vs b: done in 12 s\n"},
		{"units", Lines, "points", []step{{2 * time.Second, 0, 4, ""}, {70 * time.Second, 3, 4, "x=2"}}, 90 * time.Second,
			"compare a vs b: 0/4 points, 2 s elapsed, estimating time left\n" +
				"compare a vs b: 3/4 points (x=2), 1m10s elapsed, about 23 s left\n" +
				"compare a vs b: done in 1m30s\n"},
		{"short job", Lines, "", steps[:1], 900 * time.Millisecond, ""},
		{"off", Off, "", steps, 12 * time.Second, ""},
	} {
		if got := play(tc.mode, tc.units, tc.steps, tc.end); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// On a terminal the bar is redrawn in place and erased at the end.
func TestBar(t *testing.T) {
	got := play(Bar, "", []step{{1500 * time.Millisecond, 30000, 60000, "b"}, {1600 * time.Millisecond, 31000, 60000, "b"}}, 2*time.Second)
	want := "\r\033[Kcompare a vs b [###############...............] 50% (b), 2 s elapsed, about 2 s left" + "\r\033[K"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestModeFor(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		name  string
		w     interface{ Write([]byte) (int, error) }
		quiet bool
		want  Mode
	}{
		{"file", f, false, Lines},
		{"file, quiet", f, true, Off},
		{"buffer", &bytes.Buffer{}, false, Off},
	} {
		if got := ModeFor(tc.w, tc.quiet); got != tc.want {
			t.Errorf("%s: mode %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0 s", 1499 * time.Millisecond: "1 s", 59 * time.Second: "59 s", 65 * time.Second: "1m05s", 3601 * time.Second: "60m01s"} {
		if got := Seconds(d); got != want || strings.Contains(got, "ms") {
			t.Errorf("Seconds(%v) = %q, want %q", d, got, want)
		}
	}
}

package traffic

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/checkoutsim/checkoutsim/sim"
)

// Trace replays recorded arrival timestamps (seconds from the start of the
// run), one per line, optionally with a header line. Blank lines and lines
// starting with '#' are skipped.
type Trace struct {
	times []sim.Time
	next  int
}

// LoadTrace reads a trace CSV. The first column of each row is the arrival
// time in seconds; a non-numeric first row is taken as a header. Errors name
// the file and line.
func LoadTrace(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	return ParseTrace(path, f)
}

// ParseTrace reads a trace from r; name is used in error messages.
func ParseTrace(name string, r io.Reader) (*Trace, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var times []sim.Time
	line := 0
	headerAllowed := true // only the first non-blank row may be a header
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		field, _, _ := strings.Cut(text, ",")
		field = strings.TrimSpace(field)
		v, err := strconv.ParseFloat(field, 64)
		if err != nil {
			if headerAllowed {
				headerAllowed = false
				continue
			}
			return nil, fmt.Errorf("%s:%d: timestamp: %q is not a number of seconds", name, line, field)
		}
		if v < 0 || v != v || v > 1e9 {
			return nil, fmt.Errorf("%s:%d: timestamp: must be between 0 and 1e9 seconds, got %v", name, line, v)
		}
		headerAllowed = false
		times = append(times, sim.Seconds(v))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if len(times) == 0 {
		return nil, fmt.Errorf("%s: no timestamps", name)
	}
	// Traces are usually sorted; sort to be safe (stable, deterministic).
	slices.Sort(times)
	return &Trace{times: times}, nil
}

// Len returns the number of timestamps.
func (t *Trace) Len() int { return len(t.times) }

// Next returns the next arrival time, or sim.Never after the last one.
func (t *Trace) Next() sim.Time {
	if t.next >= len(t.times) {
		return sim.Never
	}
	v := t.times[t.next]
	t.next++
	return v
}

// Clone returns a trace positioned at its start, sharing the timestamps.
func (t *Trace) Clone() *Trace { return &Trace{times: t.times} }

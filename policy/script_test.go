package policy

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBreakerScripts runs the scripts in testdata/breaker. Each line is a
// command, optionally followed by "=> expected result":
//
//	config key=value ...        build a breaker (keys: snake_case config fields)
//	advance 75ms                move the clock
//	call failure [dur]          Allow + Record now; result: state after, or "rejected"
//	allow NAME                  Allow and keep the permit; result: admitted / rejected
//	record NAME outcome [dur]   Record a kept permit; result: state after
//	state | counts | stats      print state / window counts / cumulative stats
//	hooks                       print state changes since the last hooks
func TestBreakerScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/breaker/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runBreakerScript(t, f) })
	}
}

func runBreakerScript(t *testing.T, path string) {
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var (
		b       *Breaker
		now     = t0
		permits = map[string]Permit{}
		changes []string
	)
	sc := bufio.NewScanner(fh)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cmd, want, hasWant := strings.Cut(text, "=>")
		args := strings.Fields(cmd)
		fail := func(format string, a ...any) {
			t.Fatalf("%s:%d: %s: %s", path, line, text, fmt.Sprintf(format, a...))
		}
		dur := func(i int) time.Duration {
			if len(args) <= i {
				return 0
			}
			d, err := time.ParseDuration(args[i])
			if err != nil {
				fail("%v", err)
			}
			return d
		}
		outcome := func(i int) Outcome {
			o, err := ParseOutcome(args[i])
			if err != nil {
				fail("%v", err)
			}
			return o
		}
		var got string
		switch args[0] {
		case "config":
			c, err := parseBreakerConfig(args[1:])
			if err != nil {
				fail("%v", err)
			}
			if b, err = NewBreaker(c, &fixedRand{v: []float64{0.5}}); err != nil {
				fail("%v", err)
			}
			b.OnStateChange(func(s StateChange) {
				changes = append(changes, fmt.Sprintf("%v->%v(calls=%d failures=%d slow=%d)", s.From, s.To, s.Counts.Calls, s.Counts.Failures, s.Counts.Slow))
			})
		case "advance":
			now = now.Add(dur(1))
		case "call":
			p, err := b.Allow(now)
			if err != nil {
				got = "rejected"
				break
			}
			b.Record(now, p, outcome(1), dur(2))
			got = b.State(now).String()
		case "allow":
			p, err := b.Allow(now)
			if err != nil {
				got = "rejected"
			} else {
				permits[args[1]] = p
				got = "admitted"
			}
		case "record":
			p, ok := permits[args[1]]
			if !ok {
				fail("unknown permit %s", args[1])
			}
			delete(permits, args[1])
			b.Record(now, p, outcome(2), dur(3))
			got = b.State(now).String()
		case "state":
			got = b.State(now).String()
		case "counts":
			c := b.Counts(now)
			got = fmt.Sprintf("calls=%d failures=%d slow=%d", c.Calls, c.Failures, c.Slow)
		case "stats":
			s := b.Stats()
			got = fmt.Sprintf("admitted=%d rejected=%d stale=%d transitions=%d", s.Admitted, s.Rejected, s.StaleRecords, s.Transitions)
		case "hooks":
			got = strings.Join(changes, " ")
			if got == "" {
				got = "none"
			}
			changes = nil
		default:
			fail("unknown command")
		}
		if hasWant && strings.TrimSpace(want) != got {
			fail("got %q, want %q", got, strings.TrimSpace(want))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

func parseBreakerConfig(kv []string) (BreakerConfig, error) {
	var c BreakerConfig
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		var err error
		num := func() int { n, e := strconv.Atoi(v); err = e; return n }
		flt := func() float64 { f, e := strconv.ParseFloat(v, 64); err = e; return f }
		dur := func() time.Duration { d, e := time.ParseDuration(v); err = e; return d }
		switch k {
		case "mode":
			c.Mode = BreakerMode(v)
		case "consecutive_failures":
			c.ConsecutiveFailures = num()
		case "window_size":
			c.WindowSize = num()
		case "window_duration":
			c.WindowDuration = dur()
		case "window_buckets":
			c.WindowBuckets = num()
		case "minimum_calls":
			c.MinimumCalls = num()
		case "failure_rate_threshold":
			c.FailureRateThreshold = flt()
		case "slow_call_duration":
			c.SlowCallDuration = dur()
		case "slow_call_rate_threshold":
			c.SlowCallRateThreshold = flt()
		case "open_duration":
			c.OpenDuration = dur()
		case "open_jitter":
			c.OpenJitter = flt()
		case "half_open_permits":
			c.HalfOpenPermits = num()
		default:
			return c, fmt.Errorf("unknown key %q", k)
		}
		if err != nil {
			return c, fmt.Errorf("%s: %v", k, err)
		}
	}
	return c, nil
}

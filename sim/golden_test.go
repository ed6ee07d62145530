package sim_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/checkoutsim/checkoutsim/sim"
	"github.com/checkoutsim/checkoutsim/sim/rng"
)

// Regenerate the golden file after an intended change of event order with
//
//	go test ./sim -run TestGoldenTrace -update
//
// and explain in the commit message why the trace changed.
var update = flag.Bool("update", false, "rewrite sim/testdata/golden_trace.txt")

const goldenPath = "testdata/golden_trace.txt"

// traceMM2 runs a small M/M/2 queue (lambda 1.5/s, mu 1/s per server,
// 200 s of virtual time) written directly on the engine, with the streams
// of (seed, rep), and returns a description of its trace: number of events,
// final clock and the SHA-256 of every fired event's (time, sequence).
// Any change to event ordering, tie-breaking, clamping, cancellation or
// the random streams changes the hash.
func traceMM2(seed uint64, rep int) string {
	e := sim.New()
	h := sha256.New()
	var buf [16]byte
	e.SetTrace(func(at sim.Time, seq uint64) {
		binary.LittleEndian.PutUint64(buf[:8], uint64(at))
		binary.LittleEndian.PutUint64(buf[8:], seq)
		h.Write(buf[:])
	})
	streams := rng.New(seed, rep)
	arr, svc, imp := streams.Stream("arrivals"), streams.Stream("service"), streams.Stream("impatience")
	const servers = 2
	busy, queue := 0, 0
	var finish func()
	start := func() {
		busy++
		e.After(sim.Seconds(svc.ExpFloat64()), finish)
	}
	finish = func() {
		busy--
		if queue > 0 {
			queue--
			start()
		}
	}
	var arrive func()
	arrive = func() {
		if busy < servers {
			start()
		} else {
			queue++
			// Each waiter also schedules a patience timer that is
			// cancelled at once half of the time, to pin Cancel too.
			t := e.After(sim.Seconds(imp.ExpFloat64()*5), func() {})
			if imp.IntN(2) == 0 {
				e.Cancel(t)
			}
		}
		e.After(sim.Seconds(arr.ExpFloat64()/1.5), arrive)
	}
	e.At(0, arrive)
	e.RunUntil(200 * sim.Second)
	return fmt.Sprintf("events %d\nend %v\nsha256 %s\n", e.Processed(), e.Now(), hex.EncodeToString(h.Sum(nil)))
}

func TestGoldenTrace(t *testing.T) {
	got := traceMM2(42, 0)
	header := "# Golden trace of traceMM2(seed 42, rep 0) in sim/golden_test.go.\n" +
		"# Regenerate only for an intended change: go test ./sim -run TestGoldenTrace -update\n"
	if *update {
		if err := os.WriteFile(filepath.FromSlash(goldenPath), []byte(header+got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote %s", goldenPath)
	}
	b, err := os.ReadFile(filepath.FromSlash(goldenPath))
	if err != nil {
		t.Fatalf("%v (create it with -update)", err)
	}
	var want []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "#") {
			want = append(want, line)
		}
	}
	if w := strings.Join(want, "\n"); got != w {
		t.Fatalf("the engine's trace changed (seed 42, rep 0):\ngot\n%s\nwant\n%s\nIf the change is intended, rerun with -update.", got, w)
	}
}

// The same (seed, replication) replays exactly; another replication or
// another seed draws different numbers.
func TestReplicationsDrawDifferently(t *testing.T) {
	a := traceMM2(42, 0)
	if again := traceMM2(42, 0); again != a {
		t.Fatalf("same seed and replication, different traces:\n%s\n%s", a, again)
	}
	for _, other := range []struct {
		seed uint64
		rep  int
	}{{42, 1}, {42, 2}, {43, 0}} {
		if b := traceMM2(other.seed, other.rep); b == a {
			t.Errorf("seed %d rep %d gives the same trace as seed 42 rep 0", other.seed, other.rep)
		}
	}
}

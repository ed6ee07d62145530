package testbed

import (
	"math"
	"runtime"
	"testing"
	"time"
)

// ReadCPU sees this process's own work, and on Linux the machine's busy
// time covers it.
func TestReadCPU(t *testing.T) {
	before := ReadCPU()
	var d CPUTimes
	x := 0
	// Busy until 50 ms of CPU are seen (on a shared machine that takes
	// longer than 50 ms of wall time), or fail after 10 s.
	for start := time.Now(); d.Self < 0.05; d = ReadCPU().Sub(before) {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("this process's CPU time grew %.3f s in 10 s of busy loop, want 0.05", d.Self)
		}
		for range 1_000_000 {
			x++
		}
	}
	if x == 0 {
		t.Fatal("no work done")
	}
	if runtime.GOOS != "linux" {
		return
	}
	if !d.OK {
		t.Fatal("CPU times not read on Linux")
	}
	if d.Machine < d.Self-0.03 { // /proc/stat counts in 10 ms ticks
		t.Errorf("machine busy %.3f s, less than this process's %.3f s", d.Machine, d.Self)
	}
	if d.Others() < 0 || d.Postgres < 0 || d.Redis < 0 {
		t.Errorf("negative CPU: %+v", d)
	}
	if n, ok := procsRunning(); !ok || n < 1 {
		t.Errorf("procs_running = %v, %v; want at least the reading thread", n, ok)
	}
}

// selfRunning counts the calling thread and a spinning goroutine's thread:
// the threads the idle measurement must not take for other work.
func TestSelfRunning(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/task")
	}
	if n := selfRunning(); n < 1 {
		t.Fatalf("selfRunning() = %v, want at least the calling thread", n)
	}
	if runtime.GOMAXPROCS(0) < 2 {
		return
	}
	stop := make(chan struct{})
	spinning := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		close(spinning)
		for {
			select {
			case <-stop:
				return
			default:
			}
		}
	}()
	<-spinning
	defer close(stop)
	// A spinning thread is running or runnable (state R) at every look.
	best := 0.0
	for range 50 {
		best = max(best, selfRunning())
	}
	if best < 2 {
		t.Errorf("selfRunning() = %v with a goroutine spinning on its own thread, want >= 2", best)
	}
}

// Sub differences the servers' threads one by one: a PostgreSQL backend
// that exits between two readings must not make the difference negative
// (a difference of sums did, in CI), and a new one counts all it ran.
func TestCPUTimesSubThreadByThread(t *testing.T) {
	before := CPUTimes{OK: true, threads: map[int64]threadCPU{
		10: {s: 1.0},              // a backend that keeps running
		11: {s: 5.0},              // a backend that exits before the second reading
		20: {redis: true, s: 2.0}, // redis-server
	}}
	after := CPUTimes{OK: true, threads: map[int64]threadCPU{
		10: {s: 1.25},
		12: {s: 0.5}, // a backend started in between
		20: {redis: true, s: 2.1},
	}}
	d := after.Sub(before)
	if math.Abs(d.Postgres-0.75) > 1e-9 || math.Abs(d.Redis-0.1) > 1e-9 {
		t.Errorf("Sub: postgres %v, redis %v; want 0.75 (0.25 + 0.5; the exited backend nothing), 0.1", d.Postgres, d.Redis)
	}
}

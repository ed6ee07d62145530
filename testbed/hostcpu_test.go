package testbed

import (
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

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
	x := 0
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
		x++ // busy: about 0.1 s of CPU
	}
	d := ReadCPU().Sub(before)
	if x == 0 || d.Self < 0.05 {
		t.Fatalf("this process used %.3f s of CPU over a 0.1 s busy loop, want at least 0.05", d.Self)
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

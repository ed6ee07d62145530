package testbed

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// CPUTimes is the CPU time consumed so far, in seconds, by this process,
// by PostgreSQL's processes, by Redis's, and by the whole machine (all
// cores, every process), read from Linux's /proc. Differences of two
// readings give what each used over an interval.
type CPUTimes struct {
	At       time.Time
	Self     float64 // this process: the testbed's services, clients and load generator
	Postgres float64 // every process named postgres (the server and its backends)
	Redis    float64 // every process named redis-server
	Machine  float64 // busy time of every core (/proc/stat: not idle, not iowait)
	// OK is false where /proc cannot be read (not Linux): then nothing
	// but Self is measured.
	OK bool
	// threads holds each PostgreSQL and Redis thread's run time, so that
	// Sub can difference thread by thread: a backend that exits between
	// two readings takes its whole run time out of the sum, and a plain
	// difference of sums would go negative.
	threads map[int64]threadCPU
}

// threadCPU is one server thread's run time so far.
type threadCPU struct {
	redis bool // redis-server's, else postgres's
	s     float64
}

// userHZ is the unit of /proc/stat's counters: USER_HZ, 100 on every
// Linux architecture Go supports (the kernel exports it as the constant
// 100 whatever its internal tick rate).
const userHZ = 100

// ReadCPU reads the CPU times now.
func ReadCPU() CPUTimes {
	t := CPUTimes{At: time.Now(), Self: selfCPU()}
	if runtime.GOOS != "linux" {
		return t
	}
	machine, ok := machineBusy()
	if !ok {
		return t
	}
	t.Machine, t.OK = machine, true
	t.threads = namedCPU()
	for _, th := range t.threads {
		if th.redis {
			t.Redis += th.s
		} else {
			t.Postgres += th.s
		}
	}
	return t
}

// Sub is the CPU used between b and t (t later). PostgreSQL's and
// Redis's are differenced thread by thread: a thread in both readings
// counts what it ran in between, one that started after b all it ran,
// and one that ended before t nothing (an undercount, never negative).
func (t CPUTimes) Sub(b CPUTimes) CPUTimes {
	d := CPUTimes{At: t.At, Self: t.Self - b.Self, Machine: t.Machine - b.Machine, OK: t.OK && b.OK}
	for tid, th := range t.threads {
		ran := th.s - b.threads[tid].s // 0 for a thread b did not see
		if ran < 0 {
			ran = th.s // a new thread that reused an ended one's ID
		}
		if th.redis {
			d.Redis += ran
		} else {
			d.Postgres += ran
		}
	}
	return d
}

// Others is the machine's busy time that is neither this process's nor
// PostgreSQL's nor Redis's: other processes' (at least 0).
func (t CPUTimes) Others() float64 {
	return max(0, t.Machine-t.Self-t.Postgres-t.Redis)
}

// machineBusy reads the first line of /proc/stat: the time all cores
// spent in user, nice, system, irq, softirq and steal.
func machineBusy() (float64, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	f := strings.Fields(string(line))
	if len(f) < 8 || f[0] != "cpu" {
		return 0, false
	}
	var busy float64
	for i, v := range f[1:] {
		if i == 3 || i == 4 || i >= 8 { // idle, iowait; guest time is already in user
			continue
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		busy += n
	}
	return busy / userHZ, true
}

// selfRunning counts this process's threads that are running or waiting
// for a core now (state R in /proc/self/task/*/stat): the reader, and any
// Go runtime thread spinning for work, which procs_running also counts.
func selfRunning() float64 {
	stats, _ := filepath.Glob("/proc/self/task/*/stat")
	n := 0
	for _, f := range stats {
		data, err := os.ReadFile(f)
		if err != nil {
			continue // the thread exited
		}
		// "tid (comm) S ...": comm may hold spaces and parentheses.
		if i := bytes.LastIndexByte(data, ')'); i >= 0 && i+2 < len(data) && data[i+2] == 'R' {
			n++
		}
	}
	return float64(n)
}

// procsRunning reads /proc/stat's procs_running: the threads running or
// waiting for a core now, on the whole machine (the reader included).
func procsRunning() (float64, bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "procs_running "); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return n, err == nil
		}
	}
	return 0, false
}

// namedCPU reads the run time of every thread of the processes named
// postgres and redis-server (/proc/PID/task/TID/schedstat, nanoseconds),
// by thread ID.
func namedCPU() map[int64]threadCPU {
	out := map[int64]threadCPU{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(d + "/comm")
		if err != nil {
			continue
		}
		switch name := strings.TrimSpace(string(comm)); name {
		case "postgres", "redis-server":
			threadsCPU(d, name == "redis-server", out)
		}
	}
	return out
}

func threadsCPU(proc string, redis bool, out map[int64]threadCPU) {
	tasks, _ := filepath.Glob(proc + "/task/[0-9]*")
	for _, t := range tasks {
		tid, err := strconv.ParseInt(filepath.Base(t), 10, 64)
		if err != nil {
			continue
		}
		data, err := os.ReadFile(t + "/schedstat")
		if err != nil {
			continue // the thread ended
		}
		if f := strings.Fields(string(data)); len(f) > 0 {
			if ns, err := strconv.ParseFloat(f[0], 64); err == nil {
				out[tid] = threadCPU{redis: redis, s: ns / 1e9}
			}
		}
	}
}

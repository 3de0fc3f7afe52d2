package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat's CPU times.
const clockTicks = 100

// cpuSeconds is the CPU time of pid; with children, also that of its
// finished children (which PostgreSQL's backends become) and of its live
// ones.
func cpuSeconds(pid int, children bool) float64 {
	f := statFields(pid)
	if len(f) < 17 {
		return 0
	}
	ticks := atoi(f[13]) + atoi(f[14]) // utime, stime
	if children {
		ticks += atoi(f[15]) + atoi(f[16]) // cutime, cstime
		for _, c := range childPIDs(pid) {
			if cf := statFields(c); len(cf) >= 15 {
				ticks += atoi(cf[13]) + atoi(cf[14])
			}
		}
	}
	return float64(ticks) / clockTicks
}

// statFields splits /proc/PID/stat after the command name, so that the
// fields keep proc(5)'s numbering (field 14, utime, is index 13).
func statFields(pid int) []string {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return append([]string{"pid", "comm"}, strings.Fields(string(b[i+1:]))...)
}

func childPIDs(parent int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := statFields(pid); len(f) > 3 && atoi(f[3]) == int64(parent) {
			out = append(out, pid)
		}
	}
	return out
}

// memBytes is the resident memory of pid (VmRSS); with children, the
// proportional set size of it and its children, so that PostgreSQL's shared
// buffers are counted once.
func memBytes(pid int, children bool) int64 {
	if !children {
		return statusKB(pid, "VmRSS:") << 10
	}
	total := smapsPss(pid)
	for _, c := range childPIDs(pid) {
		total += smapsPss(c)
	}
	return total
}

func statusKB(pid int, key string) int64 {
	return fieldKB(filepath.Join("/proc", strconv.Itoa(pid), "status"), key)
}

func smapsPss(pid int) int64 {
	return fieldKB(filepath.Join("/proc", strconv.Itoa(pid), "smaps_rollup"), "Pss:") << 10
}

func fieldKB(path, key string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key); ok {
			return atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	return n
}

// loadAverage is the machine's 1-minute load average.
func loadAverage() float64 {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

// ProcStats is one process (tree) over a phase.
type ProcStats struct {
	Measured   bool    `json:"measured"`
	CPUSeconds float64 `json:"cpu_seconds"`
	CPUPercent float64 `json:"cpu_percent"` // of one core
	PeakMB     float64 `json:"peak_rss_mb"`
	EndMB      float64 `json:"end_rss_mb"`
}

// sampler follows a process's CPU and peak memory during a phase.
type sampler struct {
	pid      int
	children bool
	cpu0     float64
	start    time.Time
	mu       sync.Mutex
	peak     int64
	stop     chan struct{}
	done     chan struct{}
}

func startSampler(pid int, children bool) *sampler {
	s := &sampler{pid: pid, children: children, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	if pid == 0 {
		close(s.done)
		return s
	}
	s.cpu0 = cpuSeconds(pid, children)
	go func() {
		defer close(s.done)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *sampler) sample() int64 {
	m := memBytes(s.pid, s.children)
	s.mu.Lock()
	s.peak = max(s.peak, m)
	s.mu.Unlock()
	return m
}

func (s *sampler) end() ProcStats {
	if s.pid == 0 {
		return ProcStats{}
	}
	close(s.stop)
	<-s.done
	end := s.sample()
	cpu := cpuSeconds(s.pid, s.children) - s.cpu0
	wall := time.Since(s.start).Seconds()
	return ProcStats{Measured: true, CPUSeconds: cpu, CPUPercent: 100 * cpu / wall, PeakMB: mb(s.peak), EndMB: mb(end)}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

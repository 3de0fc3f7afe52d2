package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/devices/cardsim"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// TestMemorySoak makes BK_MEMSOAK_ACTIONS consent actions (give, then
// withdraw) through the real kiosk window under Xvfb, built with -tags soak
// so that the test can tap its widgets (remote.go), for 20 citizens in
// turn, and samples the kiosk's resident memory and glibc's C heap in use
// (the GL driver's memory) every round. After a first round to warm up
// (every screen and citizen drawn once), memory must level off: growth over
// the second half of the run at most half the growth over the first half,
// plus a little for noise (levelled); needs at least three rounds (120
// actions). Then one citizen turns large text on and off 40 times: each is
// a real theme change, and the C heap must level off over those too. Heap
// profiles after every round (heap-NNNN.pprof) and at the end go to the
// artifact directory for `go tool pprof -diff_base`. make memsoak runs 1,000
// actions, make memsoak-short 120. BK_MEMSOAK_WRAP runs the kiosk under a
// tool, e.g. "heaptrack -o /tmp/kiosk".
func TestMemorySoak(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BK_MEMSOAK_ACTIONS"))
	if n <= 0 {
		t.Skip("set BK_MEMSOAK_ACTIONS (make memsoak, make memsoak-short)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	debugAddr := ln.Addr().String()
	ln.Close()
	sock := filepath.Join(t.TempDir(), "remote.sock")
	// Fyne keeps the renderers of widgets no longer shown for a minute
	// (FYNE_CACHE, default 1m). The soak taps twenty times faster than a
	// person, so in a short run nothing would ever expire and the cache
	// alone would look like a leak; a shorter lifetime lets the run judge
	// what lies beyond it.
	const fyneCache = "10s"
	rk := startRealKiosk(t, realKioskOptions{
		tags: "soak", config: fmt.Sprintf("debug_addr = %q\n%s", debugAddr, os.Getenv("BK_MEMSOAK_CONFIG")), env: []string{"BK_REMOTE_SOCKET=" + sock, "FYNE_CACHE=" + fyneCache},
		wrap: strings.Fields(os.Getenv("BK_MEMSOAK_WRAP")),
	})
	out := testtool.ArtifactDir(t)
	ctl := dialRemote(t, sock, rk)

	const citizens = 20
	// The cards belong to this run's central: in the shared artifact
	// directory a second soak running at the same time would replace them
	// with cards of another issuer (unknown_issuer here).
	cardDir := t.TempDir()
	cards := make([]string, citizens)
	cprs := make([]string, citizens)
	for i := range cards {
		cprs[i] = fmt.Sprintf("%02d0180-1%03d", i+1, i+1)
		c := rk.central.Issuer.Citizen(cprs[i], fmt.Sprintf("Borger %02d Soak", i+1))
		cf, err := cardsim.NewCardFile(c.Cert.Encode(), c.Key, "1234")
		if err != nil {
			t.Fatal(err)
		}
		cards[i] = filepath.Join(cardDir, fmt.Sprintf("citizen-%02d.json", i+1))
		if err := cf.Save(cards[i]); err != nil {
			t.Fatal(err)
		}
	}

	start := time.Now()
	var samples []memSample
	sample := func(actions int) {
		m := memSample{actions: actions, rssMB: rssMB(t, rk.cmd.Process.Pid), cMB: cHeapMB(ctl.do("malloc"))}
		samples = append(samples, m)
		t.Logf("after %4d actions (%5.0f s): RSS %.0f MB; C heap in use %.1f MB; Go: %s",
			actions, time.Since(start).Seconds(), m.rssMB, m.cMB, goMem(debugAddr))
	}
	sample(0)
	for done := 0; done < n; done += 2 {
		i := (done / 2) % citizens
		c := rk.central.RequestConsent(t, "sundhed", cprs[i], "health")
		if err := rk.reader.Insert(cards[i]); err != nil {
			t.Fatal(err)
		}
		ctl.want("pin")
		ctl.do("pin 1234")
		ctl.want("home")
		ctl.tap("home.consents", "consents")
		ctl.tap("consent.give."+c.ID, "confirm_give")
		ctl.tap("confirm_give.yes", "result")
		ctl.tap("result.back", "consents")
		ctl.tap("consent.withdraw."+c.ID, "confirm_withdraw")
		ctl.tap("confirm_withdraw.yes", "result")
		if err := rk.reader.Remove(); err != nil {
			t.Fatal(err)
		}
		ctl.want("welcome")
		actions := done + 2
		if actions%(2*citizens) == 0 || actions >= n {
			sample(actions)
			saveHeap(t, debugAddr, filepath.Join(out, fmt.Sprintf("heap-%04d.pprof", actions)))
		}
	}
	toggles := toggleLargeText(t, ctl, rk, cards[0], func() memSample { return memSample{cMB: cHeapMB(ctl.do("malloc"))} })
	saveHeap(t, debugAddr, filepath.Join(out, "heap-end.pprof"))
	t.Logf("%d actions in %.0f s; heap profiles in %s", n, time.Since(start).Seconds(), out)
	// Each toggle is a real theme change (Fyne drops its text textures).
	if msg := levelled(toggles[1:], func(m memSample) float64 { return m.cMB }, 2); msg != "" {
		t.Errorf("C heap in use grows with theme changes: %s", msg)
	}
	if n < 6*citizens {
		t.Logf("fewer than %d actions: not enough rounds to judge levelling off", 6*citizens)
		return
	}
	// The first round (samples[1]) is warm-up: caches fill as every screen
	// and citizen is drawn once.
	if msg := levelled(samples[1:], func(m memSample) float64 { return m.rssMB }, 8); msg != "" {
		t.Errorf("resident memory does not level off: %s", msg)
	}
	if msg := levelled(samples[1:], func(m memSample) float64 { return m.cMB }, 3); msg != "" {
		t.Errorf("C heap in use does not level off: %s", msg)
	}
}

// toggleLargeText signs in with card and turns large text on and off 40
// times in the display panel over the home screen, sampling after every 10 toggles (the first
// sample before any).
func toggleLargeText(t *testing.T, ctl *remoteCtl, rk *realKiosk, card string, sample func() memSample) []memSample {
	t.Helper()
	if err := rk.reader.Insert(card); err != nil {
		t.Fatal(err)
	}
	ctl.want("pin")
	ctl.do("pin 1234")
	ctl.want("home")
	// Large text lives in the "Skærm og lyd" panel, which stands in for
	// the screen while it is open.
	ctl.tap("display", "display")
	samples := []memSample{sample()}
	for k := 1; k <= 40; k++ {
		ctl.tap("toggle.large", "display")
		time.Sleep(300 * time.Millisecond) // pacing, not a limit: let the window draw in the new theme
		if k%10 == 0 {
			m := sample()
			m.actions = k
			samples = append(samples, m)
			t.Logf("after %d large-text toggles: C heap in use %.1f MB", k, m.cMB)
		}
	}
	ctl.tap("display", "home")
	if err := rk.reader.Remove(); err != nil {
		t.Fatal(err)
	}
	ctl.want("welcome")
	return samples
}

// memSample is the kiosk's memory after some actions, in MB.
type memSample struct {
	actions    int
	rssMB, cMB float64
}

// levelled judges samples (in order, the first after warm-up) of one
// figure: growth over the second half of the run (by actions) must be at
// most half the growth over the first half plus slackMB, which covers noise
// when both are near zero. A steady leak grows as much in both halves and
// fails. It returns "" when levelled, else what was seen.
func levelled(samples []memSample, fig func(memSample) float64, slackMB float64) string {
	if len(samples) < 3 {
		return ""
	}
	first, last := samples[0], samples[len(samples)-1]
	midActions := (first.actions + last.actions) / 2
	mid := samples[1]
	for _, m := range samples[1 : len(samples)-1] {
		if abs(m.actions-midActions) < abs(mid.actions-midActions) {
			mid = m
		}
	}
	g1, g2 := fig(mid)-fig(first), fig(last)-fig(mid)
	if g2 <= 0.5*max(g1, 0)+slackMB {
		return ""
	}
	return fmt.Sprintf("%.1f MB over actions %d-%d, then %.1f MB over %d-%d (want at most half the first plus %.0f MB)",
		g1, first.actions, mid.actions, g2, mid.actions, last.actions, slackMB)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// cHeapMB reads the bytes in use from the soak build's malloc answer
// ("inuse=N free=N mmap=N").
func cHeapMB(reply string) float64 {
	for _, f := range strings.Fields(reply) {
		if v, ok := strings.CutPrefix(f, "inuse="); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return n / (1 << 20)
		}
	}
	return 0
}

// remoteCtl talks to the soak build's remote control socket.
type remoteCtl struct {
	t  *testing.T
	rk *realKiosk
	c  net.Conn
	r  *bufio.Reader
}

func dialRemote(t *testing.T, sock string, rk *realKiosk) *remoteCtl {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			t.Cleanup(func() { c.Close() })
			return &remoteCtl{t: t, rk: rk, c: c, r: bufio.NewReader(c)}
		}
		if time.Now().After(deadline) {
			t.Fatalf("remote control socket: %v\nkiosk log:\n%s", err, rk.logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// do sends one command and returns its answer after "ok".
func (r *remoteCtl) do(cmd string) string {
	r.t.Helper()
	r.c.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintln(r.c, cmd)
	line, err := r.r.ReadString('\n')
	if err != nil {
		r.t.Fatalf("remote %q: %v\nkiosk log:\n%s", cmd, err, r.rk.logs())
	}
	got, ok := strings.CutPrefix(strings.TrimSpace(line), "ok")
	if !ok {
		r.t.Fatalf("remote %q: %s (screen %s)", cmd, strings.TrimSpace(line), r.screen())
	}
	return strings.TrimSpace(got)
}

func (r *remoteCtl) screen() string {
	fmt.Fprintln(r.c, "screen")
	line, _ := r.r.ReadString('\n')
	return strings.TrimSpace(strings.TrimPrefix(line, "ok"))
}

// want waits until the window shows screen id.
func (r *remoteCtl) want(id string) {
	r.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := r.do("screen")
		if got == id {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("screen %q after 60 s; want %q\nkiosk log:\n%s", got, id, r.rk.logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// tap taps button id and waits for screen next.
func (r *remoteCtl) tap(id, next string) {
	r.t.Helper()
	r.do("tap " + id)
	r.want(next)
}

// rssMB reads a process's resident memory (VmRSS) in MB.
func rssMB(t *testing.T, pid int) float64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	t.Fatal("no VmRSS in /proc status")
	return 0
}

// saveHeap fetches a heap profile from the kiosk's pprof endpoint.
func saveHeap(t *testing.T, addr, path string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/debug/pprof/heap?gc=1")
	if err != nil {
		t.Errorf("heap profile: %v", err)
		return
	}
	defer resp.Body.Close()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	io.Copy(f, resp.Body)
}

// goMem summarises the Go runtime's own view (from the heap profile's
// MemStats), to tell Go memory from C memory (GL, Mesa) in the RSS.
func goMem(addr string) string {
	resp, err := http.Get("http://" + addr + "/debug/pprof/heap?debug=1")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var parts []string
	for _, l := range strings.Split(string(b), "\n") {
		for _, k := range []string{"# Sys = ", "# HeapInuse = ", "# HeapReleased = ", "# NumGC = "} {
			if v, ok := strings.CutPrefix(l, k); ok {
				n, _ := strconv.ParseFloat(v, 64)
				if k != "# NumGC = " {
					v = fmt.Sprintf("%.0f MB", n/(1<<20))
				}
				parts = append(parts, strings.TrimSuffix(strings.TrimPrefix(k, "# "), " = ")+" "+v)
			}
		}
	}
	return strings.Join(parts, ", ")
}

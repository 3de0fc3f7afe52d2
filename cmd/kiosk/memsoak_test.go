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
// turn, and logs the kiosk's resident memory as it goes. It fails when
// memory after the run exceeds the level after the first round by more than
// BK_MEMSOAK_MAX_GROWTH_MB (default 40). Heap profiles at the first round
// and at the end go to the artifact directory for `go tool pprof
// -diff_base`. make memsoak runs 1,000 actions, make memsoak-short 60.
func TestMemorySoak(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BK_MEMSOAK_ACTIONS"))
	if n <= 0 {
		t.Skip("set BK_MEMSOAK_ACTIONS (make memsoak, make memsoak-short)")
	}
	maxGrowth := 40.0
	if v, err := strconv.ParseFloat(os.Getenv("BK_MEMSOAK_MAX_GROWTH_MB"), 64); err == nil {
		maxGrowth = v
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	debugAddr := ln.Addr().String()
	ln.Close()
	sock := filepath.Join(t.TempDir(), "remote.sock")
	rk := startRealKiosk(t, realKioskOptions{
		tags: "soak", config: fmt.Sprintf("debug_addr = %q", debugAddr), env: []string{"BK_REMOTE_SOCKET=" + sock},
	})
	out := testtool.ArtifactDir(t)
	ctl := dialRemote(t, sock, rk)

	const citizens = 20
	cards := make([]string, citizens)
	cprs := make([]string, citizens)
	for i := range cards {
		cprs[i] = fmt.Sprintf("%02d0180-1%03d", i+1, i+1)
		c := rk.central.Issuer.Citizen(cprs[i], fmt.Sprintf("Borger %02d Soak", i+1))
		cf, err := cardsim.NewCardFile(c.Cert.Encode(), c.Key, "1234")
		if err != nil {
			t.Fatal(err)
		}
		cards[i] = filepath.Join(out, fmt.Sprintf("citizen-%02d.json", i+1))
		if err := cf.Save(cards[i]); err != nil {
			t.Fatal(err)
		}
	}

	t.Logf("after    0 actions: RSS %.0f MB; Go: %s", rssMB(t, rk.cmd.Process.Pid), goMem(debugAddr))
	start := time.Now()
	var base float64
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
		if actions == 2*citizens || actions >= n || actions%100 == 0 {
			rss := rssMB(t, rk.cmd.Process.Pid)
			t.Logf("after %4d actions (%5.0f s): RSS %.0f MB; Go: %s", actions, time.Since(start).Seconds(), rss, goMem(debugAddr))
			if actions == 2*citizens {
				base = rss
				saveHeap(t, debugAddr, filepath.Join(out, "heap-first-round.pprof"))
			}
		}
	}
	rss := rssMB(t, rk.cmd.Process.Pid)
	saveHeap(t, debugAddr, filepath.Join(out, "heap-end.pprof"))
	t.Logf("%d actions in %.0f s; RSS after the first round %.0f MB, at the end %.0f MB; heap profiles in %s",
		n, time.Since(start).Seconds(), base, rss, out)
	if base > 0 && rss-base > maxGrowth {
		t.Errorf("resident memory grew %.0f MB after the first round (%.0f -> %.0f MB); want at most %.0f", rss-base, base, rss, maxGrowth)
	}
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

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/devices/cardsim"
	"github.com/borgerkiosk/borgerkiosk/devices/printersim"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// TestSmokeRealWindow builds the real kiosk binary (cgo, GLFW), starts it
// under Xvfb against central and the device simulators, and checks that the
// welcome screen is drawn: a screenshot that is not blank.
func TestSmokeRealWindow(t *testing.T) {
	rk := startRealKiosk(t, realKioskOptions{})
	xwd := testtool.Require(t, "xwd")
	convert := testtool.Require(t, "convert")
	display := rk.display
	logs := rk.logs

	// The first frames can be black while GL starts: try for a while.
	shot := filepath.Join(testtool.ArtifactDir(t), "kiosk-welcome.png")
	var lastErr error
	for i := 0; i < 60; i++ {
		time.Sleep(time.Second)
		xwdOut, err := exec.Command(xwd, "-root", "-silent", "-display", display).Output()
		if err != nil {
			lastErr = err
			continue
		}
		conv := exec.Command(convert, "xwd:-", "png:"+shot)
		conv.Stdin = bytes.NewReader(xwdOut)
		if out, err := conv.CombinedOutput(); err != nil {
			lastErr = fmt.Errorf("convert: %v: %s", err, out)
			continue
		}
		if lastErr = notBlank(shot); lastErr == nil {
			t.Logf("screenshot of the welcome screen: %s", shot)
			return
		}
	}
	t.Fatalf("no drawn screen after 60 s: %v\nkiosk log:\n%s", lastErr, logs())
}

// notBlank checks that a screenshot shows a drawn screen: several colours
// and a good share of pixels that differ from the most common one.
func notBlank(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return err
	}
	counts := map[uint32]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			counts[(r>>8)<<16|(g>>8)<<8|bl>>8]++
		}
	}
	total, top := 0, 0
	for _, n := range counts {
		total += n
		top = max(top, n)
	}
	if len(counts) < 8 || float64(total-top) < 0.01*float64(total) {
		return fmt.Errorf("screenshot looks blank: %d colours, %d of %d pixels differ from the background", len(counts), total-top, total)
	}
	return nil
}

// realKiosk is the real kiosk binary running under Xvfb against central and
// simulated devices.
type realKiosk struct {
	central *centraltest.Harness
	reader  *cardsim.Simulator
	cmd     *exec.Cmd
	display string
	logs    func() string
}

type realKioskOptions struct {
	tags   string   // build tags, e.g. "soak"
	config string   // more TOML for the top of the kiosk's config
	env    []string // more environment for the kiosk
}

// startRealKiosk builds the kiosk exactly as make build does (with o.tags)
// and starts it; it returns once the kiosk says it started.
func startRealKiosk(t *testing.T, o realKioskOptions) *realKiosk {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the real binary (minutes on a cold cache); skipped with -short")
	}
	testtool.RequireFiles(t, "/usr/include/X11/Xcursor/Xcursor.h", "/usr/include/GL/gl.h", "/usr/include/X11/extensions/Xrandr.h")
	xvfb := testtool.Require(t, "Xvfb")
	testtool.Require(t, "gcc")

	bin := filepath.Join(t.TempDir(), "kiosk")
	build := exec.Command("go", "build", "-tags", o.tags, "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build (cgo): %v\n%s", err, out)
	}

	// A display of our own.
	rk := &realKiosk{display: fmt.Sprintf(":%d", 100+os.Getpid()%400)}
	xv := exec.Command(xvfb, rk.display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
	if err := xv.Start(); err != nil {
		t.Fatalf("Xvfb: %v", err)
	}
	t.Cleanup(func() { xv.Process.Kill(); xv.Wait() })

	// Central and the simulated devices.
	h := centraltest.Start(t)
	rk.central = h
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	readerPTY, printerPTY, scannerPTY := openPTY(t), openPTY(t), openPTY(t)
	rk.reader = cardsim.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	go rk.reader.Serve(ctx, readerPTY.Master)
	go printersim.New(t.TempDir()).Serve(ctx, printerPTY.Master)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	os.WriteFile(tokenFile, []byte(h.EnrollToken(t)), 0o600)
	config := filepath.Join(dir, "kiosk.toml")
	os.WriteFile(config, []byte(fmt.Sprintf(`%s
kiosk_id = "smoke-kiosk"
site = "Røgtest, Hovedbiblioteket"
data_dir = %q
central_url = %q
enroll_token_file = %q
fullscreen = false
[devices]
card_reader = %q
printer = %q
scanner = %q
`, o.config, filepath.Join(dir, "data"), h.URL, tokenFile, readerPTY.TTYPath, printerPTY.TTYPath, scannerPTY.TTYPath)), 0o600)

	kiosk := exec.Command(bin, "--config", config)
	kiosk.Env = append(append(os.Environ(), "DISPLAY="+rk.display, "LANG=da_DK.UTF-8", "LIBGL_ALWAYS_SOFTWARE=1"), o.env...)
	stderr, _ := kiosk.StderrPipe()
	if err := kiosk.Start(); err != nil {
		t.Fatalf("start kiosk: %v", err)
	}
	rk.cmd = kiosk
	t.Cleanup(func() { kiosk.Process.Kill(); kiosk.Wait() })
	logs := &testtool.Buffer{}
	rk.logs = logs.String
	started := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			logs.Write([]byte(sc.Text() + "\n"))
			if !once && strings.Contains(sc.Text(), "kiosk started") {
				once = true
				close(started)
			}
		}
	}()
	select {
	case <-started:
	case <-time.After(2 * time.Minute):
		t.Fatalf("the kiosk did not start; its log:\n%s", logs.String())
	}
	return rk
}

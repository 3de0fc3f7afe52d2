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

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/devices/cardsim"
	"github.com/borgerkiosk/borgerkiosk/devices/printersim"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
	"github.com/borgerkiosk/borgerkiosk/ui"
	"github.com/borgerkiosk/borgerkiosk/ui/fake"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
)

// TestSmokeRealWindow builds the real kiosk binary (cgo, GLFW), starts it
// under Xvfb against central and the device simulators, and checks that the
// welcome screen is drawn (a screenshot that is not blank) and that the
// window keeps its size through a journey in large text and English.
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
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("no drawn screen after 60 s: %v\nkiosk log:\n%s", lastErr, logs())
	}

	// A journey in large text and English. Before the fix the window grew
	// past 1280 px here and never shrank back.
	card := filepath.Join(t.TempDir(), "ingrid.json")
	c := rk.central.Issuer.Citizen("150550-1234", "Ingrid Sørensen")
	cf, err := cardsim.NewCardFile(c.Cert.Encode(), c.Key, "1234")
	if err != nil {
		t.Fatal(err)
	}
	if err := cf.Save(card); err != nil {
		t.Fatal(err)
	}
	journeyKeepsWindowSize(t, display, "Røgtest, Hovedbiblioteket", func() {
		if err := rk.reader.Insert(card); err != nil {
			t.Fatal(err)
		}
	}, logs)
}

// journeyKeepsWindowSize taps the real window through a journey with
// xdotool and checks after every step that the window is still 1280×1024.
// Where to tap comes from the same screens drawn by Fyne's test driver at
// the same size (same theme, fonts and layout); that the taps landed is
// shown by the kiosk logging the sign-in the PIN taps make.
func journeyKeepsWindowSize(t *testing.T, display, site string, insert func(), logs func() string) {
	xdotool := testtool.Require(t, "xdotool")
	want := fyne.NewSize(1280, 1024)
	x := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(xdotool, args...)
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("xdotool %v: %v", args, err)
		}
		return strings.TrimSpace(string(out))
	}
	win := strings.Fields(x("search", "--name", "Borgerkiosk"))
	if len(win) == 0 {
		t.Fatal("xdotool finds no Borgerkiosk window")
	}
	id := win[0]
	checkSize := func(step string) {
		t.Helper()
		var w, hgt int
		for _, line := range strings.Split(x("getwindowgeometry", "--shell", id), "\n") {
			fmt.Sscanf(line, "WIDTH=%d", &w)
			fmt.Sscanf(line, "HEIGHT=%d", &hgt)
		}
		if float32(w) != want.Width || float32(hgt) != want.Height {
			t.Errorf("after %s the window is %d×%d; want it to stay %v×%v", step, w, hgt, want.Width, want.Height)
		}
	}

	// The model: the same screens in Fyne's test driver.
	app := test.NewTempApp(t)
	mw := test.NewTempWindow(t, nil)
	mw.Resize(want)
	fk := fake.New(time.Now)
	ingrid := fk.NewCard("Ingrid Sørensen", "150550-1234", "", "1234")
	cfg := ui.DefaultConfig()
	cfg.KioskName = site
	u, err := ui.New(app, mw, ui.Deps{Kiosk: fk, Config: cfg, Go: func(f func()) { f() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	tap := func(step string, o fyne.CanvasObject) {
		t.Helper()
		p := app.Driver().AbsolutePositionForObject(o).Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
		x("mousemove", "--window", id, fmt.Sprint(int(p.X)), fmt.Sprint(int(p.Y)), "click", "1")
		test.Tap(o.(fyne.Tappable))
		time.Sleep(700 * time.Millisecond) // the real window redraws; keys ignore a repeat within 250 ms
		checkSize(step)
	}
	checkSize("start")
	tap("display panel", u.Button("display"))
	tap("large text", u.Button("toggle.large"))
	tap("display done", u.Button("display.done"))
	tap("English", u.Button("lang.en"))
	insert()
	fk.Insert(ingrid)
	time.Sleep(2 * time.Second) // the card is read
	checkSize("the card went in")
	for _, k := range []string{"1", "2", "3", "4", keyboard.KeyOK} {
		tap("PIN key "+k, u.PinPad().Key(k))
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs(), "signed in") {
		if time.Now().After(deadline) {
			t.Fatalf("the kiosk logged no sign-in after the PIN taps (taps off target?); its log:\n%s", logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if u.Screen() != "home" {
		t.Fatalf("model screen = %q; want home", u.Screen())
	}
	time.Sleep(time.Second)
	checkSize("sign-in")
	tap("consents", u.Button("home.consents"))
	time.Sleep(time.Second)
	tap("back", u.Button("consents.back"))
	tap("log out", u.Button("logout"))
	t.Logf("the window stayed %v×%v from welcome through large text, English, PIN, consents and logout", want.Width, want.Height)
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
	wrap   []string // a command to run the kiosk under (e.g. heaptrack)
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
	if len(o.wrap) > 0 {
		kiosk = exec.Command(o.wrap[0], append(o.wrap[1:], bin, "--config", config)...)
	}
	kiosk.Env = append(append(os.Environ(), "DISPLAY="+rk.display, "LANG=da_DK.UTF-8", "LIBGL_ALWAYS_SOFTWARE=1", "FYNE_SCALE=1"), o.env...)
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

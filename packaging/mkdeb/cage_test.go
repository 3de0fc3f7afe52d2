package main

import (
	"bufio"
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// nobody is who the processes run as when the test runs as root: cage
// refuses to run as root, and the kiosk must open the simulators' ptys.
const nobody = 65534

// proc is a started process whose output a test can wait on.
type proc struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	out bytes.Buffer
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *proc) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// start runs a program as the unprivileged user (when root) with env added,
// and stops it at the end of the test.
func start(t *testing.T, env []string, name string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(name, args...)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if os.Getuid() == 0 {
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			p.cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(name), p)
		}
	})
	return p
}

// waitFor polls until cond holds; deadline bounds a broken start, it is no
// timing requirement (the first Mesa frame takes seconds on a loaded machine).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never saw %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestKioskUnderCage runs the packaged kiosk binary as it runs on a kiosk:
// under the real cage (Debian's 0.1.4) on wlroots' headless backend, with
// the device simulators and a real central, and takes a Wayland screenshot
// with grim: the welcome screen is there and the window fills the output.
// Its notify socket and watchdog are set as systemd sets them for the
// unit: READY=1 and the pings reach systemd from cage's child.
func TestKioskUnderCage(t *testing.T) {
	dist(t) // the appliance suite only
	bin := os.Getenv("BK_BIN")
	if bin == "" {
		t.Fatal("BK_DIST is set but BK_BIN is not: `make appliance` sets both")
	}
	cage, grim := require(t, "cage"), require(t, "grim")
	require(t, "Xwayland") // the kiosk is a GLFW (X11) program

	dir := t.TempDir()
	for _, d := range []string{"central", "kiosk", "dev", "receipts", "xdg"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if os.Getuid() == 0 {
		filepath.Walk(dir, func(p string, _ os.FileInfo, _ error) error { return os.Chown(p, nobody, nobody) })
		os.Chmod(filepath.Dir(dir), 0o755)
	}
	path := func(p string) string { return filepath.Join(dir, p) }

	central := start(t, nil, filepath.Join(bin, "central"), "--data", path("central"), "--addr", "127.0.0.1:0", "--demo")
	listening := regexp.MustCompile(`central listening on (http://\S+)`)
	waitFor(t, "central listening", func() bool { return listening.MatchString(central.String()) })
	url := listening.FindStringSubmatch(central.String())[1]

	kioskctl := filepath.Join(bin, "kioskctl")
	token := start(t, nil, kioskctl, "enroll-token", "--central", url, "--operator-token-file", path("central/operator.token"))
	if err := token.cmd.Wait(); err != nil {
		t.Fatalf("kioskctl enroll-token: %v\n%s", err, token)
	}
	writeAs(t, path("kiosk.token"), token.String())
	for _, sim := range []struct{ name, link string }{{"card-reader", "card"}, {"printer", "printer"}, {"scanner", "scanner"}} {
		args := []string{"sim", sim.name, "--link", path("dev/" + sim.link)}
		if sim.name == "printer" {
			args = append(args, "--out", path("receipts"))
		}
		p := start(t, nil, kioskctl, args...)
		waitFor(t, sim.name+" simulator", func() bool { return strings.Contains(p.String(), "simulator on") })
	}
	writeAs(t, path("kiosk.toml"), fmt.Sprintf(`kiosk_id = "cage-1"
site = "Cage"
data_dir = %q
central_url = %q
enroll_token_file = %q
fullscreen = true

[devices]
card_reader = %q
printer = %q
scanner = %q
`, path("kiosk"), url, path("kiosk.token"), path("dev/card"), path("dev/printer"), path("dev/scanner")))

	// systemd's side of Type=notify and WatchdogSec=, as the unit has them:
	// cage is the unit's main process (WATCHDOG_PID), the kiosk its child.
	notify := notifySocket(t, path("notify"))
	wl := []string{"XDG_RUNTIME_DIR=" + path("xdg"), "WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1", "WLR_RENDERER=pixman",
		"LANG=da_DK.UTF-8", "WAYLAND_DISPLAY=", "DISPLAY=", "NOTIFY_SOCKET=" + path("notify"), "WATCHDOG_USEC=2000000"}
	kiosk := start(t, wl, "/bin/sh", "-c", `WATCHDOG_PID=$$ exec "$@"`, "sh",
		cage, "-d", "--", filepath.Join(bin, "kiosk"), "--config", path("kiosk.toml"))
	waitFor(t, "the kiosk started under cage", func() bool { return strings.Contains(kiosk.String(), "kiosk started") })

	// Screenshots until the window has drawn (the first Xwayland frame
	// comes a while after "kiosk started"): corners and middle alike in the
	// background colour, and text on it.
	shot := path("xdg/shot.png")
	var img image.Image
	var why string
	waitFor(t, "the welcome screen filling the output", func() bool {
		g := start(t, []string{"XDG_RUNTIME_DIR=" + path("xdg"), "WAYLAND_DISPLAY=wayland-0"}, grim, shot)
		if err := g.cmd.Wait(); err != nil {
			why = "grim: " + err.Error() + " " + g.String()
			return false
		}
		f, err := os.Open(shot)
		if err != nil {
			why = err.Error()
			return false
		}
		defer f.Close()
		img, err = png.Decode(bufio.NewReader(f))
		if err != nil {
			why = err.Error()
			return false
		}
		why = fills(img)
		return why == ""
	})
	if why != "" {
		t.Fatal(why)
	}
	b := img.Bounds()
	t.Logf("cage output %dx%d; the kiosk fills it", b.Dx(), b.Dy())
	if b.Dx() < 640 || b.Dy() < 480 {
		t.Errorf("the screenshot is %dx%d; want a whole output", b.Dx(), b.Dy())
	}
	if !strings.Contains(kiosk.String(), "enrol") {
		t.Errorf("the kiosk did not enrol with central:\n%s", kiosk)
	}
	// Through cage: READY=1 once the window is up, then watchdog pings.
	for _, want := range []string{"READY=1", "WATCHDOG=1", "WATCHDOG=1"} {
		if got := notify(); got != want {
			t.Fatalf("systemd got %q from the kiosk under cage; want %s", got, want)
		}
	}
	if f, err := os.Create(filepath.Join(os.TempDir(), "borgerkiosk-cage.png")); err == nil {
		png.Encode(f, img) // for a person to look at
		f.Close()
	}
}

// fills says what is wrong with a screenshot of the welcome screen, or "":
// the kiosk's light background reaches all four corners (cage shows black
// where no window is), and there is dark text in the top-left quarter,
// where the welcome heading is.
func fills(img image.Image) string {
	b := img.Bounds()
	bg := img.At(b.Min.X+2, b.Max.Y-3)
	if lum(bg) < 200 {
		return fmt.Sprintf("the bottom-left corner is %v, not the kiosk's light background: the window does not fill the output", bg)
	}
	for _, p := range []image.Point{{b.Max.X - 3, b.Max.Y - 3}, {b.Min.X + 2, b.Min.Y + 2}, {b.Max.X - 3, b.Min.Y + 2}} {
		if c := img.At(p.X, p.Y); lum(c) < 200 {
			return fmt.Sprintf("the corner at %v is %v, not the background %v: the window does not fill the output", p, c, bg)
		}
	}
	dark := 0
	for y := b.Min.Y; y < b.Min.Y+b.Dy()/2; y++ {
		for x := b.Min.X; x < b.Min.X+b.Dx()/2; x++ {
			if lum(img.At(x, y)) < 80 {
				dark++
			}
		}
	}
	if dark < 500 {
		return fmt.Sprintf("only %d dark pixels in the top-left quarter: no welcome text drawn", dark)
	}
	return ""
}

func lum(c color.Color) uint32 {
	r, g, b, _ := c.RGBA()
	return (r*299 + g*587 + b*114) / 1000 >> 8
}

// writeAs writes a file the unprivileged user can read.
func writeAs(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Getuid() == 0 {
		os.Chown(path, nobody, nobody)
	}
}

// fills refuses a screenshot where the window leaves cage's black showing,
// or where nothing is drawn.
func TestFillsCanFail(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	light := color.RGBA{0xf8, 0xf7, 0xf3, 0xff}
	for y := range 100 {
		for x := range 200 {
			img.Set(x, y, light)
		}
	}
	if why := fills(img); !strings.Contains(why, "no welcome text") {
		t.Errorf("fills(blank) = %q; want no welcome text", why)
	}
	for y := range 40 {
		for x := range 90 {
			img.Set(x+5, y+5, color.Black)
		}
	}
	if why := fills(img); why != "" {
		t.Errorf("fills(text on background) = %q; want \"\"", why)
	}
	for y := range 100 {
		img.Set(199, y, color.Black) // a window one pixel narrow of the output
		img.Set(198, y, color.Black)
		img.Set(197, y, color.Black)
	}
	if why := fills(img); !strings.Contains(why, "does not fill the output") {
		t.Errorf("fills(black right edge) = %q; want does not fill the output", why)
	}
}

// notifySocket listens where NOTIFY_SOCKET will point, as systemd does, in
// reach of the unprivileged user; next returns the next message.
func notifySocket(t *testing.T, path string) (next func() string) {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	return func() string {
		t.Helper()
		conn.SetReadDeadline(time.Now().Add(2 * time.Minute)) // a broken start, not a timing requirement
		buf := make([]byte, 256)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no further notify message: %v", err)
		}
		return string(buf[:n])
	}
}

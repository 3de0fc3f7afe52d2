package main

import (
	"image/png"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
	"github.com/borgerkiosk/borgerkiosk/ui"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	"github.com/borgerkiosk/borgerkiosk/ui/uitest"
)

// manualClock is the UI's clock: each key tap moves it past the pads'
// double-strike window, so no tap is dropped and no test sleeps for it.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance() {
	c.mu.Lock()
	c.t = c.t.Add(time.Second)
	c.mu.Unlock()
}

// TestScreenCodeAcceptedOnThePage drives the real screens (Fyne's test
// driver) on the real session service, devices and central: Ingrid signs in
// on the PIN pad and makes a power of attorney for Mads; the QR code shown on
// the screen is captured, read with zbarimg, and accepted on central's page.
func TestScreenCodeAcceptedOnThePage(t *testing.T) {
	zbarimg := testtool.Require(t, "zbarimg")
	r := startRig(t)
	app := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 1024))
	clock := &manualClock{t: time.Now()}
	u, err := ui.New(app, w, ui.Deps{Kiosk: r.k.svc, Config: ui.DefaultConfig(), Now: clock.Now, Go: func(f func()) { f() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	screen := func() string {
		var s string
		fyne.DoAndWait(func() { s = u.Screen() })
		return s
	}
	wantScreen := func(id string) {
		t.Helper()
		r.eventually("screen "+id, func() bool { return screen() == id })
	}
	tap := func(id string) {
		t.Helper()
		var b fyne.Tappable
		fyne.DoAndWait(func() {
			if btn := u.Button(id); btn != nil {
				b = btn
			}
		})
		if b == nil {
			t.Fatalf("screen %q has no button %q", screen(), id)
		}
		clock.advance()
		fyne.DoAndWait(func() { test.Tap(b) })
	}
	key := func(pad func() *keyboard.PinPad, k string) {
		clock.advance()
		fyne.DoAndWait(func() { test.Tap(pad().Key(k)) })
	}

	r.insert(r.card("ingrid", r.central.Issuer.Citizen("150550-1234", "Ingrid Sørensen"), "1234"))
	wantScreen("pin")
	for _, d := range "1234" {
		key(u.PinPad, string(d))
	}
	key(u.PinPad, keyboard.KeyOK)
	wantScreen("home")
	tap("home.delegations")
	tap("delegations.create")
	wantScreen("create_name")
	for _, k := range []string{"M", "A", "D", "S"} {
		fyne.DoAndWait(func() { test.Tap(find[*keyboard.Keyboard](t, w).Key(k)) })
	}
	tap("create_name.next")
	wantScreen("create_cpr")
	for _, d := range "2304922345" {
		clock.advance()
		fyne.DoAndWait(func() { test.Tap(find[*keyboard.CPRPad](t, w).Key(string(d))) })
	}
	clock.advance()
	fyne.DoAndWait(func() { test.Tap(find[*keyboard.CPRPad](t, w).Key(keyboard.KeyOK)) })
	wantScreen("create_scopes")
	tap("scope.tax")
	tap("create_scopes.next")
	wantScreen("create_period")
	tap("create_period.next")
	wantScreen("create_review")
	tap("review.confirm")
	wantScreen("handover_qr")

	var shot string
	fyne.DoAndWait(func() {
		shot = filepath.Join(t.TempDir(), "screen.png")
		f, _ := os.Create(shot)
		png.Encode(f, w.Canvas().Capture())
		f.Close()
	})
	testtool.KeepArtifact(t, shot, "kiosk-handover-screen.png")
	out, err := exec.Command(zbarimg, "--nodbus", "--raw", "-q", shot).Output()
	if err != nil {
		t.Fatalf("zbarimg on the screen: %v", err)
	}
	codeURL := strings.TrimSpace(string(out))
	if !strings.HasPrefix(codeURL, strings.ToUpper(r.central.URL)+handover.URLPathCompact) {
		t.Fatalf("QR on the screen = %q; want a handover URL of central", codeURL)
	}

	// Mads opens it on his phone and accepts.
	jar, _ := cookiejar.New(nil)
	web := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	get(t, web, codeURL)
	cu, _ := url.Parse(codeURL)
	signin := get(t, web, r.central.URL+"/handover/signin?next="+url.QueryEscape(cu.EscapedPath()))
	state := regexp.MustCompile(`name="state" value="([^"]+)"`).FindStringSubmatch(signin)
	if state == nil {
		t.Fatalf("no dev sign-in form:\n%s", signin)
	}
	page := post(t, web, r.central.URL+"/handover/dev", url.Values{"state": {state[1]}, "cpr": {"230492-2345"}, "name": {"Mads Nielsen"}})
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no answer form after signing in:\n%s", page)
	}
	post(t, web, codeURL, url.Values{"csrf": {csrf[1]}, "answer": {"accept"}})
	r.eventually("central has the delegation active", func() bool {
		var active bool
		for _, d := range r.delegationsOf("150550-1234") {
			active = active || d.State == bk.DelegationActive
		}
		return active
	})
}

// find is the first T on the window's screen (the name keyboard, the CPR
// pad); the test fails when the screen has none.
func find[T fyne.CanvasObject](t *testing.T, w fyne.Window) T {
	t.Helper()
	o, ok := uitest.Find[T](w.Content())
	if !ok {
		t.Fatalf("no %T on the screen", o)
	}
	return o
}

package ui_test

import (
	"flag"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui"
	"github.com/borgerkiosk/borgerkiosk/ui/fake"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	"github.com/borgerkiosk/borgerkiosk/ui/speech"
	"github.com/borgerkiosk/borgerkiosk/ui/uitest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestMain(m *testing.M) {
	time.Local = time.UTC // dates on screen and in goldens do not depend on the machine
	os.Exit(m.Run())
}

// People in the tests. CPR numbers are made up but valid dates.
const (
	karenCPR = "010180-1234" // citizen, born 1980
	peterCPR = "020275-2345" // the delegate, born 1975
	sofieCPR = "030385-3456" // staff
	childCPR = "010115-4111" // born 2015: too young to act for anyone
	pin      = "1234"
)

var start = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// clock is a fake clock: timers fire only when the test advances it.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*clockTimer
}

type clockTimer struct {
	c       *clock
	at      time.Time
	f       func()
	stopped bool
}

func (t *clockTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) AfterFunc(d time.Duration, f func()) ui.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &clockTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves the clock forward by d, firing due timers in time order.
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *clockTimer
		for _, t := range c.timers {
			if !t.stopped && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.stopped = true
		c.now = next.at
		c.mu.Unlock()
		next.f()
	}
}

type harness struct {
	t       *testing.T
	queue   []func() // work waiting to run, when holdWork is set
	holding bool
	clock   *clock
	k       *fake.Kiosk
	u       *ui.KioskUI
	w       fyne.Window
	sp      *recorder
	karen   *fake.Card
	peter   *fake.Card
	sofie   *fake.Card
	lang    i18n.Lang // the language a test visit chose
	taps    int       // every tap by tap, tapKey and tapCPRKey, pad keys included
	pinTaps int       // the PIN pad's share of taps (digits and OK)
}

// chooseLang taps the language the visit chose (Danish is the default).
func (h *harness) chooseLang() {
	if h.lang == i18n.English {
		h.tap("lang.en")
	}
}

func testConfig() ui.Config {
	c := ui.DefaultConfig()
	c.KioskName = "Hovedbiblioteket"
	c.IdleWarning = 60 * time.Second
	c.IdleCountdown = 30 * time.Second
	return c
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return newHarnessWith(t, nil)
}

// newHarnessWith is newHarness with the UI given sp instead of h.sp (which
// then hears nothing); nil means h.sp.
func newHarnessWith(t *testing.T, sp speech.Speaker) *harness {
	t.Helper()
	app := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(900, 1400))
	c := &clock{now: start}
	k := fake.New(c.Now)
	h := &harness{t: t, clock: c, k: k, w: w, sp: &recorder{}}
	h.karen = k.NewCard("Karen Hansen", karenCPR, "", pin)
	h.peter = k.NewCard("Peter Jensen", peterCPR, "", "4321")
	h.sofie = k.NewCard("Sofie Holm", sofieCPR, "S-17", "9999")
	goFn := func(f func()) {
		if h.holding {
			h.queue = append(h.queue, f)
			return
		}
		f()
	}
	if sp == nil {
		sp = h.sp
	}
	u, err := ui.New(app, w, ui.Deps{Kiosk: k, Speaker: sp, Config: testConfig(), Now: c.Now,
		AfterFunc: c.AfterFunc, Go: goFn})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(u.Close)
	h.u = u
	return h
}

// holdWork makes device and network work wait until runWork, so a test can
// tap while an action is still being saved.
func (h *harness) holdWork() { h.holding = true }

// runWork runs the work that waited, and stops holding.
func (h *harness) runWork() {
	h.holding = false
	for len(h.queue) > 0 {
		f := h.queue[0]
		h.queue = h.queue[1:]
		f()
	}
}

// displayControls are on the display panel ("Visning"), not on the screens.
var displayControls = map[string]bool{"toggle.contrast": true, "toggle.large": true, "toggle.read": true,
	"volume.up": true, "volume.down": true}

// tap taps the button with id, as a person would: a display control
// after opening the display panel (if it is not open), a screen's button
// after closing the panel (if it is open); those taps count too.
func (h *harness) tap(id string) {
	h.t.Helper()
	b := h.u.Button(id)
	switch open := h.u.Screen() == "display"; {
	case b == nil && !open && displayControls[id] && h.u.Button("display") != nil:
		h.tap("display")
		b = h.u.Button(id)
	case b == nil && open && !displayControls[id]:
		h.tap("display.done")
		b = h.u.Button(id)
	}
	if b == nil {
		h.t.Fatalf("screen %q has no button %q; it has %v", h.u.Screen(), id, h.u.ButtonIDs())
	}
	if b.Disabled() {
		h.t.Fatalf("button %q on screen %q is disabled", id, h.u.Screen())
	}
	h.taps++
	test.Tap(b)
}

func (h *harness) typePIN(p string) {
	h.t.Helper()
	if h.u.PinPad() == nil || h.u.Screen() != "pin" {
		h.t.Fatalf("screen = %q; want pin", h.u.Screen())
	}
	for _, d := range p {
		h.tapKey(string(d))
	}
	h.tapKey(keyboard.KeyOK)
}

// keyGap is the time between two key taps in the tests: more than
// keyboard.DoubleTapWindow, so no tap is taken for a double strike.
const keyGap = 300 * time.Millisecond

func (h *harness) tapKey(id string) {
	h.t.Helper()
	h.clock.Advance(keyGap)
	h.taps++
	h.pinTaps++
	test.Tap(h.u.PinPad().Key(id))
}

func (h *harness) tapCPRKey(id string) {
	h.t.Helper()
	h.clock.Advance(keyGap)
	h.taps++
	test.Tap(h.u.CPRPad().Key(id))
}

var purpose = bk.Text{DA: "Beregne din boligstøtte", EN: "Work out your housing benefit"}

func (h *harness) typeCPR(digits string) {
	h.t.Helper()
	for h.u.CPRPad().Value() != "" {
		h.tapCPRKey(keyboard.KeyDelete)
	}
	for _, d := range digits {
		if d != '-' {
			h.tapCPRKey(string(d))
		}
	}
	h.tapCPRKey(keyboard.KeyOK)
}

// typeName types name on the name screen's keyboard (the keyboard gives
// each part its capital) and taps Next.
func (h *harness) typeName(name string) {
	h.t.Helper()
	h.wantScreen("create_name")
	kb := h.u.NameKeyboard()
	for _, r := range strings.ToUpper(name) {
		id := string(r)
		if r == ' ' {
			id = keyboard.KeySpace
		}
		k := kb.Key(id)
		if k == nil {
			h.t.Fatalf("the name keyboard has no key %q", id)
		}
		h.taps++
		test.Tap(k)
	}
	h.tap("create_name.next")
}

// typeEmail types addr (small letters, digits, @ . - _) on the e-mail
// keyboard of contact_email, switching to the digits and back as a person
// would, and stays on the screen.
func (h *harness) typeEmail(addr string) {
	h.t.Helper()
	h.wantScreen("contact_email")
	kb := h.u.NameKeyboard()
	digitKey := map[rune]string{'1': "Q", '2': "W", '3': "E", '4': "R", '5': "T", '6': "Y", '7': "U", '8': "I", '9': "O", '0': "P"}
	digits := false
	for _, r := range addr {
		id, isDigit := digitKey[r]
		if !isDigit {
			id = strings.ToUpper(string(r))
		}
		if isDigit != digits {
			h.taps++
			test.Tap(kb.Key(keyboard.KeyDigits))
			digits = isDigit
		}
		k := kb.Key(id)
		if k == nil {
			h.t.Fatalf("the e-mail keyboard has no key %q", id)
		}
		h.taps++
		test.Tap(k)
	}
}

// deleteLetters taps the name keyboard's Delete n times.
func (h *harness) deleteLetters(n int) {
	h.t.Helper()
	for range n {
		h.taps++
		test.Tap(h.u.NameKeyboard().Key(keyboard.KeyDelete))
	}
}

// signIn inserts c and types p.
func (h *harness) signIn(c *fake.Card, p string) {
	h.t.Helper()
	h.k.Insert(c)
	h.wantScreen("pin")
	h.typePIN(p)
}

func (h *harness) wantScreen(id string) {
	h.t.Helper()
	if got := h.u.Screen(); got != id {
		h.t.Fatalf("screen = %q; want %q\n%s", got, id, h.text())
	}
}

// text is everything readable in the window, popups included.
func (h *harness) text() string {
	var parts []string
	parts = append(parts, uitest.AllText(h.w.Canvas().Content())...)
	for _, o := range h.w.Canvas().Overlays().List() {
		parts = append(parts, uitest.AllText(o)...)
	}
	return strings.Join(parts, "\n")
}

// flat joins wrapped lines, so a sentence is found whatever its wrapping.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

func (h *harness) wantText(s string) {
	h.t.Helper()
	if !strings.Contains(flat(h.text()), flat(s)) {
		h.t.Fatalf("screen %q does not show %q; it shows:\n%s", h.u.Screen(), s, h.text())
	}
}

func (h *harness) wantNoText(s string) {
	h.t.Helper()
	if strings.Contains(flat(h.text()), flat(s)) {
		h.t.Fatalf("screen %q shows %q; want it gone:\n%s", h.u.Screen(), s, h.text())
	}
}

func (h *harness) label(id string) string {
	h.t.Helper()
	l := h.u.Label(id)
	if l == nil {
		h.t.Fatalf("screen %q has no label %q", h.u.Screen(), id)
	}
	return l.Text
}

// T translates in the UI's current language, for expectations.
func (h *harness) T(key string, data map[string]any) string { return h.u.Translator().T(key, data) }

// findButton finds a button by its text in the window or a popup.
func findButton(h *harness, text string) *widget.Button {
	h.t.Helper()
	objs := append([]fyne.CanvasObject{h.w.Canvas().Content()}, h.w.Canvas().Overlays().List()...)
	var found *widget.Button
	for _, o := range objs {
		uitest.Walk(o, func(c fyne.CanvasObject, _ fyne.Position) bool {
			if b, ok := c.(*widget.Button); ok && b.Text == text {
				found = b
			}
			return found == nil
		})
	}
	if found == nil {
		h.t.Fatalf("no button %q on screen %q:\n%s", text, h.u.Screen(), h.text())
	}
	return found
}

package ui_test

import (
	"fmt"
	"image/color"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/fake"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	"github.com/borgerkiosk/borgerkiosk/ui/speech"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
	"github.com/borgerkiosk/borgerkiosk/ui/uitest"
)

func visitTo(t *testing.T, screen string) visit {
	t.Helper()
	for _, v := range visits {
		if v.screen == screen {
			return v
		}
	}
	t.Fatalf("no visit to %q", screen)
	return visit{}
}

// assertTapTargets checks every tap target a finger can reach now (those
// of the top pop-up when one is open) is at least theme.MinTouchTarget
// square and at least theme.MinTargetGap from every other (the shortest
// distance between their rectangles), so an unsteady finger that misses
// one does not hit its neighbour.
func assertTapTargets(t *testing.T, h *harness) {
	t.Helper()
	found, full := reachable(h)
	for i, a := range found {
		if sz := full[i]; sz.Width < theme.MinTouchTarget || sz.Height < theme.MinTouchTarget {
			t.Errorf("tap target %s: size = %.0f×%.0f; want ≥ %d×%d", a, sz.Width, sz.Height, theme.MinTouchTarget, theme.MinTouchTarget)
		}
		for _, b := range found[i+1:] {
			if d := gapBetween(a, b); d < theme.MinTargetGap {
				t.Errorf("tap targets %s and %s are %.1f px apart; want ≥ %d", a, b, d, theme.MinTargetGap)
			}
		}
	}
	if len(found) < 1 {
		t.Errorf("no tap target found")
	}
}

// reachable is what a tap can reach: the top pop-up's targets when one is
// open (it is modal), else the window's; of a target in a scrolled list,
// only the part inside the list's viewport (the rest is under the action
// bar or off the window, and a tap there goes elsewhere). full is each
// target's whole size, as built.
func reachable(h *harness) (visible []uitest.Tappable, full []fyne.Size) {
	root := h.w.Canvas().Content()
	if top := h.w.Canvas().Overlays().Top(); top != nil {
		root = top
	}
	uitest.Tappables(root) // lays a fresh root out
	var walk func(o fyne.CanvasObject, pos fyne.Position, clip tapRect, top bool)
	walk = func(o fyne.CanvasObject, pos fyne.Position, clip tapRect, top bool) {
		if o == nil || !o.Visible() {
			return
		}
		if !top {
			pos = pos.Add(o.Position())
		}
		r := tapRect{pos, o.Size()}
		if strings.HasSuffix(fmt.Sprintf("%T", o), "Scroll") { // container.Scroll and ours, which embeds it
			clip = clip.and(r)
		}
		if _, ok := o.(fyne.Tappable); ok {
			tp := uitest.Tappable{Object: o, Position: pos, Size: o.Size(), Text: strings.Join(uitest.AllText(o), " ")}
			if v := clip.and(r); isTarget(tp) && v.Size.Width > 0 && v.Size.Height > 0 {
				tp.Position, tp.Size = v.Pos, v.Size
				visible, full = append(visible, tp), append(full, r.Size)
			}
		}
		var children []fyne.CanvasObject
		switch v := o.(type) {
		case *fyne.Container:
			children = v.Objects
		case fyne.Widget:
			if rd := test.WidgetRenderer(v); rd != nil {
				children = rd.Objects()
			}
		}
		for _, c := range children {
			walk(c, pos, clip, false)
		}
	}
	walk(root, root.Position(), tapRect{fyne.NewPos(-1e6, -1e6), fyne.NewSize(2e6, 2e6)}, true)
	return visible, full
}

// tapRect is a rectangle in window coordinates.
type tapRect struct {
	Pos  fyne.Position
	Size fyne.Size
}

// and is the intersection of r and o (empty when they do not meet).
func (r tapRect) and(o tapRect) tapRect {
	x0, y0 := max(r.Pos.X, o.Pos.X), max(r.Pos.Y, o.Pos.Y)
	x1, y1 := min(r.Pos.X+r.Size.Width, o.Pos.X+o.Size.Width), min(r.Pos.Y+r.Size.Height, o.Pos.Y+o.Size.Height)
	return tapRect{fyne.NewPos(x0, y0), fyne.NewSize(max(0, x1-x0), max(0, y1-y0))}
}

// gapBetween is the shortest distance between two targets' rectangles
// (0 when they touch or overlap).
func gapBetween(a, b uitest.Tappable) float32 {
	dx := max(0, b.Position.X-(a.Position.X+a.Size.Width), a.Position.X-(b.Position.X+b.Size.Width))
	dy := max(0, b.Position.Y-(a.Position.Y+a.Size.Height), a.Position.Y-(b.Position.Y+b.Size.Height))
	return float32(math.Hypot(float64(dx), float64(dy)))
}

// TestTogglesOnEveryMainScreen switches contrast, text size and language
// on each main screen in every combination: the screen stays, the theme and
// language change, and every tap target stays at least 44×44.
func TestTogglesOnEveryMainScreen(t *testing.T) {
	for _, name := range []string{"pin", "home", "consents", "delegations", "staff_home", "result"} {
		for combo := 1; combo < 8; combo++ {
			want := theme.Settings{HighContrast: combo&1 != 0, LargeText: combo&2 != 0}
			english := combo&4 != 0
			t.Run(fmt.Sprintf("%s/contrast=%t/large=%t/en=%t", name, want.HighContrast, want.LargeText, english), func(t *testing.T) {
				h := goTo(t, visitTo(t, name), i18n.Danish, theme.Settings{})
				typed := 0
				if name == "pin" {
					h.tapKey("7")
					h.tapKey("3")
					typed = 2
				}
				h.setMode(want)
				if english {
					h.tap("lang.en")
				}
				h.wantScreen(name)
				if got := h.u.Settings(); got != want {
					t.Errorf("settings = %+v; want %+v", got, want)
				}
				th, ok := fyne.CurrentApp().Settings().Theme().(*theme.Theme)
				if !ok || th.Settings() != want {
					t.Errorf("the app's theme is %T %+v; want the kiosk theme with %+v", fyne.CurrentApp().Settings().Theme(), th, want)
				}
				wantLang := i18n.Danish
				if english {
					wantLang = i18n.English
				}
				if h.u.Lang() != wantLang {
					t.Errorf("language = %s; want %s", h.u.Lang(), wantLang)
				}
				if name == "pin" && h.u.PinPad().Len() != typed {
					t.Errorf("PIN digits after the switches = %d; want the %d typed before", h.u.PinPad().Len(), typed)
				}
				assertTapTargets(t, h)
			})
		}
	}
}

// TestTogglesResetAtLogout: display, language, read-aloud and volume set
// during a session are back to the defaults for the next person.
func TestTogglesResetAtLogout(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	h.tap("toggle.contrast")
	h.tap("toggle.large")
	h.tap("lang.en")
	h.tap("toggle.read")
	h.tap("volume.up")
	h.tap("volume.up")
	if h.u.Volume() != speech.DefaultVolume+20 || h.sp.Volume() != speech.DefaultVolume+20 {
		t.Fatalf("volume = %d (speaker %d); want %d", h.u.Volume(), h.sp.Volume(), speech.DefaultVolume+20)
	}
	h.tap("logout")
	h.wantScreen("take_card") // the card is still in; its removal ends the reminder
	h.k.Remove()
	h.wantScreen("welcome")
	if h.u.Settings() != (theme.Settings{}) || h.u.Lang() != i18n.Danish || h.u.ReadAloud() {
		t.Errorf("after logout: settings %+v, lang %s, read-aloud %t; want defaults", h.u.Settings(), h.u.Lang(), h.u.ReadAloud())
	}
	if h.u.Volume() != speech.DefaultVolume || h.sp.Volume() != speech.DefaultVolume {
		t.Errorf("volume after logout = %d (speaker %d); want %d", h.u.Volume(), h.sp.Volume(), speech.DefaultVolume)
	}
}

func TestVolumeControl(t *testing.T) {
	h := newHarness(t)
	h.tap("display")
	if got := h.label("volume"); got != h.T("chrome.volume", map[string]any{"Level": 50}) {
		t.Errorf("volume label = %q", got)
	}
	h.tap("volume.up") // said even with read-aloud off: the person is setting the sound
	last := h.sp.Utterances()[len(h.sp.Utterances())-1]
	if want := h.T("chrome.volume", map[string]any{"Level": 60}) + "."; last.Text != want || last.Volume != 60 {
		t.Errorf("after + said %q at %d; want %q at 60", last.Text, last.Volume, want)
	}
	for range 10 {
		if b := h.u.Button("volume.up"); !b.Disabled() {
			h.tap("volume.up")
		}
	}
	if h.u.Volume() != 100 || !h.u.Button("volume.up").Disabled() {
		t.Errorf("volume = %d, + disabled %t; want 100 and + disabled", h.u.Volume(), h.u.Button("volume.up").Disabled())
	}
	for range 20 {
		if b := h.u.Button("volume.down"); !b.Disabled() {
			h.tap("volume.down")
		}
	}
	if h.u.Volume() != 10 || !h.u.Button("volume.down").Disabled() {
		t.Errorf("volume = %d, − disabled %t; want 10 (never silent) and − disabled", h.u.Volume(), h.u.Button("volume.down").Disabled())
	}
	if h.sp.Volume() != 10 {
		t.Errorf("speaker volume = %d; want 10", h.sp.Volume())
	}
	assertTapTargets(t, h)
}

// said returns everything the recorder said after the first n utterances.
func said(h *harness, n int) []utterance { return h.sp.Utterances()[n:] }

func saidText(us []utterance) string {
	var parts []string
	for _, u := range us {
		parts = append(parts, u.Text)
	}
	return strings.Join(parts, "\n")
}

func TestReceiptReadAloud(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.give." + id)
	h.tap("toggle.read")
	n := len(h.sp.Utterances())
	h.tap("confirm_give.yes")
	h.wantScreen("result")
	receipt := h.u.SpokenReceipt()
	if !strings.Contains(receipt, "Samtykke givet") || !strings.Contains(receipt, "Karen Hansen født 1. januar 1980") {
		t.Fatalf("receipt text = %q; want the action and the person (by birth date)", receipt)
	}
	us := said(h, n)
	// The screen, then "the receipt says" and the receipt (in its own voice).
	if len(us) < 3 || us[len(us)-3].Text != h.u.Spoken() || us[len(us)-2].Text != h.T("receipt.speak_intro", nil) || us[len(us)-1].Text != receipt {
		t.Fatalf("read aloud %q; want the screen, then the receipt %q", saidText(us), receipt)
	}
	// On request, the receipt alone; read-aloud off does not stop a request.
	h.tap("toggle.read")
	n = len(h.sp.Utterances())
	h.tap("result.read_receipt")
	us = said(h, n)
	if len(us) != 2 || us[0].Text != h.T("receipt.speak_intro", nil) || us[1].Text != receipt {
		t.Errorf("the receipt button said %q; want the receipt", saidText(us))
	}
	if strings.Contains(saidText(h.sp.Utterances()), pin) || strings.Contains(saidText(h.sp.Utterances()), karenCPR) {
		t.Errorf("something read aloud holds the PIN or a full CPR number")
	}
	assertTapTargets(t, h)
}

func TestReceiptReadAloudWithoutPaperAndInEnglish(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "sundhed", purpose, []string{"health"}, 30)
	h.k.Printer().SetPaper(false)
	h.tap("lang.en")
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.decline." + id)
	h.tap("confirm_decline.yes")
	h.wantScreen("result")
	if r := h.u.SpokenReceipt(); !strings.Contains(r, "Request for consent declined") {
		t.Errorf("receipt text = %q; want the English receipt, although nothing printed", r)
	}
	if h.u.Button("result.read_receipt") == nil {
		t.Errorf("no read-the-receipt button when the printer is out of paper")
	}
}

func TestHandoverSlipReadAloud(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	createDelegation(t, h)
	h.tap("toggle.read")
	n := len(h.sp.Utterances())
	h.tap("review.confirm")
	h.wantScreen("handover_qr")
	r := h.u.SpokenReceipt()
	for _, want := range []string{"Fuldmagt givet", "Kode til fuldmagt", "født 2. februar 1975", "5. marts klokken 10"} {
		if !strings.Contains(r, want) {
			t.Errorf("receipt text = %q; want it to hold %q (the action's receipt and the slip)", r, want)
		}
	}
	if strings.Contains(r, fake.HandoverPrefix) {
		t.Errorf("receipt text = %q reads the code out", r)
	}
	us := said(h, n)
	if len(us) < 2 || !strings.HasSuffix(us[len(us)-1].Text, r) {
		t.Errorf("read aloud %q; want the slip after the screen", saidText(us))
	}
	n = len(h.sp.Utterances())
	h.tap("handover.read_receipt")
	if us := said(h, n); len(us) != 2 || us[0].Text != h.T("receipt.speak_intro", nil) || us[1].Text != r {
		t.Errorf("the slip button said %q", saidText(us))
	}
}

func TestSpeaksChangesInPlace(t *testing.T) {
	h := newHarness(t)
	h.tap("toggle.read")
	h.k.Insert(h.karen)
	h.wantScreen("pin")

	n := len(h.sp.Utterances())
	h.typePIN("12")
	if got := saidText(said(h, n)); !strings.Contains(got, h.T("signin.pin_short", nil)) {
		t.Errorf("after a short PIN read aloud %q; want %q", got, h.T("signin.pin_short", nil))
	}
	h.tapKey("5")
	h.tapKey("8")
	n = len(h.sp.Utterances())
	h.tap("pin.count")
	if got := saidText(said(h, n)); !strings.Contains(got, keyboard.LabelsFor(h.u.Translator()).DigitsEntered(2)) || strings.ContainsAny(got, "58") {
		t.Errorf("the digit count button said %q; want the count and no digit", got)
	}
	test.Tap(h.u.PinPad().Key(keyboard.KeyDelete))
	h.tapKey(keyboard.KeyDelete)
	n = len(h.sp.Utterances())
	h.typePIN("0000")
	if got, want := saidText(said(h, n)), h.u.Translator().TN("pin.wrong", 2, map[string]any{"Tries": 2}); !strings.Contains(got, want) {
		t.Errorf("after a wrong PIN read aloud %q; want %q", got, want)
	}
	h.typePIN(pin)
	h.wantScreen("home")

	// Toggle states, on the display panel.
	h.tap("display")
	for _, tc := range []struct{ id, key string }{{"toggle.contrast", "settings.high_contrast"}, {"toggle.large", "settings.large_text"}} {
		for _, on := range []bool{true, false} {
			n = len(h.sp.Utterances())
			h.tap(tc.id)
			k := "chrome.off"
			if on {
				k = "chrome.on"
			}
			want := h.T(k, map[string]any{"Name": h.T(tc.key, nil)})
			if got := saidText(said(h, n)); got != want {
				t.Errorf("after %s read aloud %q; want %q", tc.id, got, want)
			}
		}
	}

	h.tap("display.done")

	// Banners that appear.
	n = len(h.sp.Utterances())
	h.k.SetStale(true)
	if got := saidText(said(h, n)); !strings.Contains(got, h.T("action.stale_trust", nil)) {
		t.Errorf("after the trust bundle went stale read aloud %q", got)
	}
	n = len(h.sp.Utterances())
	h.k.SetOnline(false)
	if got, want := saidText(said(h, n)), h.u.Translator().TN("offline.banner", 0, nil); !strings.Contains(got, want) {
		t.Errorf("after going offline read aloud %q; want %q", got, want)
	}
	h.k.SetOnline(true)
	h.k.SetStale(false)

	// CPR checks on the create screen.
	h.tap("home.delegations")
	h.tap("delegations.create")
	n = len(h.sp.Utterances())
	h.tap("create_name.next")
	if got := saidText(said(h, n)); !strings.Contains(got, h.T("create.name_empty", nil)) {
		t.Errorf("Next with no name: read aloud %q; want %q", got, h.T("create.name_empty", nil))
	}
	h.typeName("Peter")
	for _, tc := range []struct{ cpr, key string }{{"320180-1234", "cpr.invalid"}, {"010136-9000", "cpr.future"}, {karenCPR, "create.self"}, {childCPR, "create.too_young"}} {
		n = len(h.sp.Utterances())
		h.typeCPR(tc.cpr)
		h.wantScreen("create_cpr")
		if got := saidText(said(h, n)); !strings.Contains(got, h.T(tc.key, nil)) || strings.Contains(got, tc.cpr) {
			t.Errorf("CPR %s: read aloud %q; want %q and not the number", tc.cpr, got, h.T(tc.key, nil))
		}
	}
	h.typeCPR(peterCPR)
	h.wantScreen("create_scopes")
	n = len(h.sp.Utterances())
	h.tap("scope.tax")
	h.tap("scope.tax")
	if got, want := saidText(said(h, n)), h.T("scope.chosen", map[string]any{"Name": "Skat"})+"\n"+h.T("scope.not_chosen", map[string]any{"Name": "Skat"}); got != want {
		t.Errorf("choosing an area read aloud %q; want %q", got, want)
	}

	// Read-aloud off: nothing more is said about changes, except that it is off.
	h.tap("toggle.read")
	n = len(h.sp.Utterances())
	h.tap("scope.tax")
	h.tap("toggle.contrast")
	if us := said(h, n); len(us) != 0 {
		t.Errorf("with read-aloud off said %q", saidText(us))
	}
}

func TestListsAreReadItemByItem(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.k.AddConsentRequest(karenCPR, "sundhed", purpose, []string{"health"}, 30)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.give." + id)
	h.tap("confirm_give.yes")
	h.tap("result.back")
	s := h.u.Spoken()
	for _, want := range []string{
		"Københavns Kommune: " + h.T("consent.state.given", nil),
		"Sundhedsstyrelsen: " + h.T("consent.state.requested", nil),
		purpose.DA,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("consents read aloud %q; want it to hold %q", s, want)
		}
	}
	h.tap("consents.back")
	createDelegation(t, h)
	h.tap("review.confirm")
	h.tap("handover.done")
	h.wantScreen("delegations")
	s = h.u.Spoken()
	// By the name typed for the person, not the number.
	if want := "Peter: " + h.T("delegation.state.pending", map[string]any{"Name": "Peter"}); !strings.Contains(s, want) || !strings.Contains(s, "Skat") {
		t.Errorf("delegations read aloud %q; want it to hold %q and the areas", s, want)
	}
}

func TestDeclinesAreConfirmed(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.decline." + id)
	h.wantScreen("confirm_decline")
	h.wantText(h.T("consent.confirm_decline", map[string]any{"Authority": "Københavns Kommune"}))
	h.tap("confirm_decline.no")
	h.wantScreen("consents")
	if c := h.k.Consent(id); c.State != bk.ConsentRequested {
		t.Fatalf("after Cancel the consent is %s; want requested", c.State)
	}
	h.tap("consent.decline." + id)
	h.tap("confirm_decline.yes")
	h.wantScreen("result")
	if c := h.k.Consent(id); c.State != bk.ConsentDeclined {
		t.Fatalf("consent = %s; want declined", c.State)
	}

	// A handover: Karen gives, Peter declines at the kiosk.
	h.tap("result.home")
	createDelegation(t, h)
	h.tap("review.confirm")
	code := handoverCode(h)
	h.k.Remove()
	h.signIn(h.peter, "4321")
	h.k.Scan(code)
	h.wantScreen("handover_decision")
	h.tap("handover.decline")
	h.wantScreen("confirm_decline_handover")
	h.wantText(h.T("handover.confirm_decline", map[string]any{"Name": "Karen Hansen"}))
	h.tap("confirm_decline_handover.no")
	h.wantScreen("handover_decision")
	if d := h.k.Delegations()[0]; d.State != bk.DelegationPending {
		t.Fatalf("after Cancel the delegation is %s; want pending", d.State)
	}
	h.tap("handover.decline")
	h.tap("confirm_decline_handover.yes")
	h.wantScreen("result")
	if d := h.k.Delegations()[0]; d.State != bk.DelegationDeclined {
		t.Errorf("delegation = %s; want declined", d.State)
	}
}

// TestSubmitIgnoresRepeat: a second tap on a submit button while the first
// is still being saved does nothing.
func TestSubmitIgnoresRepeat(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.give." + id)
	yes := h.u.Button("confirm_give.yes")
	h.holdWork()
	test.Tap(yes)
	h.wantScreen("saving")
	test.Tap(yes)
	test.Tap(yes)
	h.runWork()
	h.wantScreen("result")
	if n := len(h.k.Printer().Receipts()); n != 1 {
		t.Errorf("receipts after three taps on Give = %d; want 1", n)
	}

	h.tap("result.home")
	createDelegation(t, h)
	confirm := h.u.Button("review.confirm")
	h.holdWork()
	test.Tap(confirm)
	test.Tap(confirm)
	h.runWork()
	h.wantScreen("handover_qr")
	if n := len(h.k.Delegations()); n != 1 {
		t.Errorf("delegations after two taps on Confirm = %d; want 1", n)
	}
}

// TestPadsIgnoreDoubleStrike: two taps of the same key within 250 ms on
// the PIN screen type one digit.
func TestPadsIgnoreDoubleStrike(t *testing.T) {
	h := newHarness(t)
	h.k.Insert(h.karen)
	h.tapKey("4")
	test.Tap(h.u.PinPad().Key("4")) // no time passed: a double strike
	h.clock.Advance(keyboard.DoubleTapWindow - 1)
	test.Tap(h.u.PinPad().Key("4"))
	if n := h.u.PinPad().Len(); n != 1 {
		t.Errorf("digits after a double strike = %d; want 1", n)
	}
	h.clock.Advance(1)
	test.Tap(h.u.PinPad().Key("4"))
	if n := h.u.PinPad().Len(); n != 2 {
		t.Errorf("digits after a tap 250 ms later = %d; want 2", n)
	}
}

func TestReadAloudHintWhenCardGoesIn(t *testing.T) {
	h := newHarness(t)
	h.k.Insert(h.karen)
	us := h.sp.Utterances()
	if len(us) != 2 || us[0].Lang != i18n.Danish || us[1].Lang != i18n.English {
		t.Fatalf("said %v; want the hint in Danish, then in English", us)
	}
	if us[0].Text != "Tryk på den store knap helt oppe i venstre hjørne for at få siden læst op." || !strings.Contains(us[1].Text, "top left") {
		t.Errorf("hint = %q / %q", us[0].Text, us[1].Text)
	}
	// The button is where the hint says: the first in the top bar, at the left.
	var pos fyne.Position
	var found bool
	read := h.u.Button("read")
	uitest.Walk(h.w.Canvas().Content(), func(o fyne.CanvasObject, p fyne.Position) bool {
		if o == read {
			pos, found = p, true
		}
		return !found
	})
	if !found || pos.X > 20 || pos.Y > 20 || read.Size().Height < theme.MinTouchTarget {
		t.Errorf("read-aloud button at %v, %v; want it at the top left, at least %d tall", pos, read.Size(), theme.MinTouchTarget)
	}
	// Tapped, it reads the PIN screen; with read-aloud switched on for
	// every page, the next card gets no hint.
	h.tap("read")
	if last := h.sp.Utterances()[len(h.sp.Utterances())-1]; !strings.Contains(last.Text, h.T("pin.enter", nil)) {
		t.Errorf("after tapping read aloud said %q; want the PIN screen", last.Text)
	}
	h.k.Remove() // logout: read-aloud off again
	h.tap("toggle.read")
	n := len(h.sp.Utterances())
	h.k.Insert(h.karen)
	if got := saidText(said(h, n)); strings.Contains(got, "venstre hjørne for at få siden læst op") {
		t.Errorf("with read-aloud on the hint was said: %q", got)
	}
}

// TestReceiptKeepsItsVoice: a receipt printed in Danish is read with the
// Danish voice even after the person switches the screen to English.
func TestReceiptKeepsItsVoice(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "sundhed", purpose, []string{"health"}, 30)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.decline." + id)
	h.tap("confirm_decline.yes")
	h.wantScreen("result")
	receipt := h.u.SpokenReceipt()
	h.tap("lang.en")
	n := len(h.sp.Utterances())
	h.tap("result.read_receipt")
	us := said(h, n)
	if len(us) < 2 {
		t.Fatalf("read aloud %q; want an intro and the receipt", saidText(us))
	}
	intro, body := us[len(us)-2], us[len(us)-1]
	if intro.Lang != i18n.English || body.Lang != i18n.Danish || body.Text != receipt {
		t.Errorf("intro in %s, receipt in %s (%q); want the intro in English and the Danish receipt in Danish", intro.Lang, body.Lang, body.Text)
	}
}

// TestDestructiveButtonsLookDestructive: "Træk samtykke tilbage" is drawn
// red with a stop icon in every mode, so it looks like no other button,
// with a sentence on what stops; the colours it is really drawn in reach
// the text contrast of the mode, and its fill stands out 3:1 on the card.
func TestDestructiveButtonsLookDestructive(t *testing.T) {
	for _, s := range []theme.Settings{{}, {HighContrast: true}, {LargeText: true}, {HighContrast: true, LargeText: true}} {
		t.Run(modeName(s), func(t *testing.T) {
			h := goTo(t, visitTo(t, "consents"), i18n.Danish, s)
			h.wantText(h.T("consent.withdraw_means", map[string]any{"Authority": "Københavns Kommune"}))
			b, give := buttonWithPrefix(h, "consent.withdraw."), buttonWithPrefix(h, "consent.give.")
			if b == nil || give == nil {
				t.Fatalf("consents screen has buttons %v; want a withdraw and a give", h.u.ButtonIDs())
			}
			if b.Importance != widget.DangerImportance {
				t.Fatalf("withdraw button importance = %v; want danger", b.Importance)
			}
			if b.Icon == nil {
				t.Errorf("withdraw button has no icon; colour alone does not say it ends something")
			}
			th := fyne.CurrentApp().Settings().Theme()
			col := func(n fyne.ThemeColorName) color.Color { return th.Color(n, fynetheme.VariantLight) }
			objs := test.WidgetRenderer(b).Objects()
			fill := objs[0].(*canvas.Rectangle).FillColor
			text := col(objs[2].(*widget.RichText).Segments[0].(*widget.TextSegment).Style.ColorName)
			if got := theme.Contrast(text, fill); got < theme.MinContrast(s) {
				t.Errorf("withdraw button text contrast = %.2f; want ≥ %.1f", got, theme.MinContrast(s))
			}
			if got := theme.Contrast(fill, col(fynetheme.ColorNameInputBackground)); got < theme.MinControlContrast {
				t.Errorf("withdraw button fill on its card = %.2f; want ≥ %d", got, theme.MinControlContrast)
			}
			if give.Importance == b.Importance {
				t.Errorf("give and withdraw look alike (importance %v)", b.Importance)
			}
		})
	}
}

// buttonWithPrefix is the first button whose id starts with prefix, or nil.
func buttonWithPrefix(h *harness, prefix string) *widget.Button {
	for _, id := range h.u.ButtonIDs() {
		if strings.HasPrefix(id, prefix) {
			return h.u.Button(id)
		}
	}
	return nil
}

// TestNoticeContrast: the text of every kind of notice box reads on its
// tinted fill (4.5:1, 7:1 in high contrast) and its edge and icon stand
// out 3:1 from the fill and the page, in every mode.
func TestNoticeContrast(t *testing.T) {
	for _, s := range []theme.Settings{{}, {HighContrast: true}, {LargeText: true}, {HighContrast: true, LargeText: true}} {
		text, edges := theme.NoticePairs(s)
		if len(text) != len(theme.NoticeKinds) || len(edges) != 2*len(theme.NoticeKinds) {
			t.Fatalf("%s: %d text and %d edge pairs; want one and two per kind", modeName(s), len(text), len(edges))
		}
		check := func(pairs []theme.Pair, want float64) {
			for _, p := range pairs {
				if got := theme.Contrast(p.Foreground, p.Background); got < want {
					t.Errorf("%s: %s: contrast %.2f; want ≥ %.1f", modeName(s), p.Name, got, want)
				} else {
					t.Logf("%s: %s: %.2f", modeName(s), p.Name, got)
				}
			}
		}
		check(text, theme.MinContrast(s))
		check(edges, theme.MinControlContrast)
	}
}

// noticeIcon returns the icon drawn beside label in its notice box, or nil
// when label is not in one.
func noticeIcon(h *harness, label *widget.Label) *canvas.Image {
	var icon *canvas.Image
	uitest.Walk(h.w.Canvas().Content(), func(o fyne.CanvasObject, _ fyne.Position) bool {
		c, ok := o.(*fyne.Container)
		if !ok || icon != nil {
			return icon == nil
		}
		var img *canvas.Image
		var has bool
		uitest.Walk(c, func(o fyne.CanvasObject, _ fyne.Position) bool {
			switch v := o.(type) {
			case *canvas.Image:
				img = v
			case *widget.Label:
				has = has || v == label
			}
			return true
		})
		if has && img != nil && len(c.Objects) == 2 {
			if r, ok := c.Objects[0].(*canvas.Rectangle); ok && r.StrokeWidth > 0 {
				icon = img
			}
		}
		return icon == nil
	})
	return icon
}

// TestNoticesAreBoxes: a notice after a tap, a banner, the printer
// warning on the result screen and a check's message in the bar are each
// in a framed box with an icon, in the foreground colour (not coloured
// text); the bar's message box keeps its room and shows no icon while empty.
func TestNoticesAreBoxes(t *testing.T) {
	boxed := func(h *harness, id string) { t.Helper(); boxedNotice(t, h, id) }
	h := goTo(t, visitTo(t, "home"), i18n.Danish, theme.Settings{})
	h.tap("help")
	boxed(h, "notice")
	h.k.SetOnline(false)
	boxed(h, "banner.offline")

	h = goTo(t, visitTo(t, "result"), i18n.Danish, theme.Settings{})
	boxed(h, "result.receipt")

	h = goTo(t, visitTo(t, "create_cpr"), i18n.Danish, theme.Settings{})
	msg := h.u.Label("create_cpr.message")
	if icon := noticeIcon(h, msg); icon != nil && icon.Translucency < 1 {
		t.Errorf("empty CPR message: the icon shows")
	}
	room := msg.Size().Width
	cancel := h.u.Button("create_cpr.back")
	at := cancel.Position()
	h.typeCPR("3213456789")
	h.wantScreen("create_cpr")
	boxed(h, "create_cpr.message")
	if msg.Size().Width != room || cancel.Position() != at {
		t.Errorf("the CPR message is %v wide with a message, %v without, Cancel at %v, %v before; want both kept", msg.Size().Width, room, cancel.Position(), at)
	}
}

// boxedNotice fails t unless the label id is in a notice box with its icon
// showing, in the foreground colour.
func boxedNotice(t *testing.T, h *harness, id string) {
	t.Helper()
	l := h.u.Label(id)
	if l == nil {
		t.Fatalf("%s: no label %q", h.u.Screen(), id)
	}
	if icon := noticeIcon(h, l); icon == nil || icon.Translucency > 0 {
		t.Errorf("%s: %q (%q) is not in a notice box with an icon", h.u.Screen(), id, l.Text)
	}
	if l.Importance != widget.MediumImportance {
		t.Errorf("%s: %q has importance %v; want the foreground colour in a box", h.u.Screen(), id, l.Importance)
	}
}

// TestAssistedOffersNoHelp: while a staff member is helping, no screen
// offers to call staff (home, a result whose receipt did not print), and
// the banner names the helper as the session records them.
func TestAssistedOffersNoHelp(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.k.Printer().SetPaper(false)
	h.signIn(h.sofie, "9999")
	h.tap("staff.assist")
	h.k.Remove()
	h.signIn(h.karen, pin)
	h.wantScreen("home")
	if got, want := h.label("banner.assisted"), h.T("staff.assisted_by", map[string]any{"Name": "Sofie Holm"}); got != want {
		t.Errorf("banner = %q; want %q", got, want)
	}
	if b := h.u.Button("help"); b != nil {
		t.Errorf("home offers %q while staff help", b.Text)
	}
	h.tap("home.consents")
	h.tap("consent.give." + id)
	h.tap("confirm_give.yes")
	h.wantScreen("result")
	for _, id := range []string{"help", "result.help"} {
		if b := h.u.Button(id); b != nil {
			t.Errorf("the result offers %q while staff help", b.Text)
		}
	}
	// Unassisted, both offer it, once.
	h = newHarness(t)
	id = h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.k.Printer().SetPaper(false)
	h.signIn(h.karen, pin)
	if h.u.Button("help") == nil {
		t.Errorf("home offers no help to a citizen on her own")
	}
	h.tap("home.consents")
	h.tap("consent.give." + id)
	h.tap("confirm_give.yes")
	h.wantScreen("result")
	if h.u.Button("help") == nil || h.u.Button("result.help") != nil {
		t.Errorf("the result offers help in the bar %v, beside the receipt %v; want the bar only", h.u.Button("help") != nil, h.u.Button("result.help") != nil)
	}
}

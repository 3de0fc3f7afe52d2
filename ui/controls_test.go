package ui_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
	"github.com/borgerkiosk/borgerkiosk/ui/uitest"
)

// sizes are the panels the kiosk is sold with.
var sizes = []fyne.Size{{Width: 1280, Height: 1024}, {Width: 1920, Height: 1080}, {Width: 1024, Height: 768}, {Width: 1080, Height: 1920}}

// targets returns the tap targets of the window (popups included), in
// drawing order, scroll bars left out (they are drag handles).
func targets(h *harness) []uitest.Tappable {
	var out []uitest.Tappable
	for _, root := range append([]fyne.CanvasObject{h.w.Canvas().Content()}, h.w.Canvas().Overlays().List()...) {
		for _, tp := range uitest.Tappables(root) {
			if !isTarget(tp) {
				continue
			}
			tp.Position = tp.Position.Add(root.Position())
			out = append(out, tp)
		}
	}
	return out
}

// fit resizes the window to size, or to the content's least size where
// that is larger, as the test window does by itself whenever a screen is
// built: so a comparison of two screens is not upset by that growth.
// (Whether every screen fits every panel is the bounds test's question.)
func fit(h *harness, size fyne.Size) {
	h.w.Resize(size)
	h.w.SetContent(h.w.Content())
}

// isTarget leaves out what is tappable but no target: a scroll bar (a
// drag handle) and a pop-up's backdrop.
func isTarget(tp uitest.Tappable) bool {
	switch fmt.Sprintf("%T", tp.Object) {
	case "*widget.scrollBarArea", "*widget.PopUp":
		return false
	}
	return true
}

// where finds obj in the window and returns its position in the window.
func where(h *harness, obj fyne.CanvasObject) (fyne.Position, bool) {
	var pos fyne.Position
	found := false
	uitest.Walk(h.w.Canvas().Content(), func(o fyne.CanvasObject, p fyne.Position) bool {
		if o == obj {
			pos, found = p, true
		}
		return !found
	})
	return pos, found
}

// assertSameTargets fails when a tap target moved, grew, shrank, came or
// went between two looks at a screen: what a finger on its way expects to
// hit must still be there.
func assertSameTargets(t *testing.T, what string, before, after []uitest.Tappable) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("%s: %d tap targets before, %d after", what, len(before), len(after))
		return
	}
	for i := range before {
		b, a := before[i], after[i]
		if b.Position != a.Position || b.Size != a.Size {
			t.Errorf("%s: tap target %s moved: %v %v before, %v %v after", what, a, b.Position, b.Size, a.Position, a.Size)
		}
	}
}

// TestPINPadStaysPut: a wrong PIN, then a PIN too short, show their
// message where space was kept for it; no key moves, in any mode, language
// or panel size.
func TestPINPadStaysPut(t *testing.T) {
	for _, s := range []theme.Settings{{}, {LargeText: true}, {HighContrast: true, LargeText: true}} {
		for _, lang := range []i18n.Lang{i18n.Danish, i18n.English} {
			for _, size := range sizes {
				t.Run(fmt.Sprintf("%s/%s/%vx%v", suffix(s), lang, size.Width, size.Height), func(t *testing.T) {
					h := goTo(t, visitTo(t, "pin"), lang, s)
					fit(h, size)
					before := targets(h)
					if h.label("pin.message") != "" {
						t.Fatalf("message before any PIN = %q", h.label("pin.message"))
					}
					h.typePIN("9999")
					h.wantScreen("pin")
					if h.label("pin.message") == "" {
						t.Fatalf("no message after a wrong PIN")
					}
					assertSameTargets(t, "after a wrong PIN", before, targets(h))
					h.typePIN("12")
					if got, want := h.label("pin.message"), h.T("signin.pin_short", nil); got != want {
						t.Fatalf("message after a short PIN = %q; want %q", got, want)
					}
					assertSameTargets(t, "after a short PIN", before, targets(h))
				})
			}
		}
	}
}

// TestPINPadLooks: keys of at least 90 px, 12 px apart; a box with a slot
// for each digit (four at first) and a dot of at least 24 px in each one
// typed; the box and the keys centred on each other and on the window;
// "how many digits?" outside the keys.
func TestPINPadLooks(t *testing.T) {
	for _, s := range []theme.Settings{{}, {LargeText: true}} {
		t.Run(suffix(s), func(t *testing.T) {
			h := goTo(t, visitTo(t, "pin"), i18n.Danish, s)
			h.w.Resize(fyne.NewSize(1280, 1024))
			pad := h.u.PinPad()
			h.tapKey("1")
			h.tapKey("2")
			var slots []fyne.Size
			var dots []fyne.Size
			var left, right float32 = math.MaxFloat32, 0
			uitest.Walk(pad, func(o fyne.CanvasObject, p fyne.Position) bool {
				switch v := o.(type) {
				case *fyne.Container, *keyboard.Key:
					return false // the button beside the box, and the keys
				case *canvas.Rectangle:
					slots = append(slots, v.Size())
					left, right = min(left, p.X), max(right, p.X+v.Size().Width)
				case *canvas.Circle:
					dots = append(dots, v.Size())
				}
				return true
			})
			if len(slots) != 4 || len(dots) != 2 {
				t.Fatalf("PIN box: %d slots, %d dots after 2 digits; want 4 slots, 2 dots", len(slots), len(dots))
			}
			for _, d := range dots {
				if d.Width < 24 {
					t.Errorf("dot %v; want ≥ 24 px", d)
				}
			}
			for _, id := range strings.Split("0 1 2 3 4 5 6 7 8 9 delete ok", " ") {
				if sz := pad.Key(id).Size(); sz.Width < theme.MinPadKey || sz.Height < theme.MinPadKey {
					t.Errorf("key %s: %v; want ≥ %d×%d", id, sz, theme.MinPadKey, theme.MinPadKey)
				}
			}
			k1, k2 := pad.Key("1"), pad.Key("2")
			if gap := k2.Position().X - k1.Position().X - k1.Size().Width; gap < theme.MinTargetGap {
				t.Errorf("gap between keys 1 and 2 = %v; want ≥ %d", gap, theme.MinTargetGap)
			}
			five, _ := where(h, pad.Key("5"))
			mid := five.X + pad.Key("5").Size().Width/2
			padPos, _ := where(h, pad)
			if box := padPos.X + (left+right)/2; math.Abs(float64(box-mid)) > 1 {
				t.Errorf("PIN box centred at x=%v, keys at x=%v; want them on one line", box, mid)
			}
			if w := h.w.Canvas().Size().Width; math.Abs(float64(mid-w/2)) > 30 {
				t.Errorf("keys centred at x=%v in a %v wide window; want the middle", mid, w)
			}
			count, _ := where(h, h.u.Button("pin.count"))
			one, _ := where(h, pad.Key("1"))
			if count.Y+h.u.Button("pin.count").Size().Height > one.Y || count.X < padPos.X+right {
				t.Errorf("\"how many digits?\" at %v; want it above the keys, by the PIN box", count)
			}
		})
	}
}

// TestIdleWarningFillsTheScreen: the warning covers the window, its title
// is on one line, the seconds left are in figures at least three times the
// body text and count down, and its one button is half the window wide
// and 1.5 primary buttons tall.
func TestIdleWarningFillsTheScreen(t *testing.T) {
	for _, s := range []theme.Settings{{}, {LargeText: true}, {HighContrast: true, LargeText: true}} {
		for _, lang := range []i18n.Lang{i18n.Danish, i18n.English} {
			for _, size := range sizes {
				t.Run(fmt.Sprintf("%s/%s/%vx%v", suffix(s), lang, size.Width, size.Height), func(t *testing.T) {
					h := goTo(t, visitTo(t, "home"), lang, s)
					fit(h, size)
					h.clock.Advance(testConfig().IdleWarning)
					top := h.w.Canvas().Overlays().Top()
					if top == nil {
						t.Fatalf("no warning after %s", testConfig().IdleWarning)
					}
					win := h.w.Canvas().Size()
					var content fyne.Size
					uitest.Walk(top, func(o fyne.CanvasObject, _ fyne.Position) bool {
						if c, ok := o.(*fyne.Container); ok && content.IsZero() {
							content = c.Size()
						}
						return content.IsZero()
					})
					if content.Width < 0.95*win.Width || content.Height < 0.95*win.Height {
						t.Errorf("warning is %v in a %v window; want it to fill the window", content, win)
					}
					th := fyne.CurrentApp().Settings().Theme()
					body := th.Size("text")
					number := func() *canvas.Text {
						var n *canvas.Text
						uitest.Walk(top, func(o fyne.CanvasObject, _ fyne.Position) bool {
							if tx, ok := o.(*canvas.Text); ok && tx.TextSize >= 3*body {
								n = tx
							}
							return true
						})
						return n
					}
					if n := number(); n == nil || n.Text != "30" {
						t.Fatalf("no countdown of 30 in figures ≥ %v px: %v", 3*body, n)
					}
					h.clock.Advance(time.Second)
					if n := number(); n == nil || n.Text != "29" {
						t.Errorf("a second later the countdown shows %v; want 29", n)
					}
					title := h.T("idle.title", nil)
					line := fyne.MeasureText(title, th.Size("headingText"), fyne.TextStyle{Bold: true})
					uitest.Walk(top, func(o fyne.CanvasObject, _ fyne.Position) bool {
						if tx, ok := o.(*canvas.Text); ok && tx.Text != title && strings.HasPrefix(title, tx.Text) {
							t.Errorf("the title is broken after %q; want it on one line (%v wide)", tx.Text, line.Width)
						}
						return true
					})
					var targets []uitest.Tappable
					for _, tp := range uitest.Tappables(top) {
						if isTarget(tp) {
							targets = append(targets, tp)
						}
					}
					if len(targets) != 1 {
						t.Fatalf("warning has %d tap targets; want one", len(targets))
					}
					b := targets[0]
					if b.Size.Width < win.Width/2-1 || b.Size.Height < 1.5*th.Size(theme.SizeNamePrimaryButtonHeight) {
						t.Errorf("%q is %v in a %v window; want half as wide and 1.5 primary buttons tall", b.Text, b.Size, win)
					}
					test.Tap(h.u.Button("idle.still_here"))
					if h.w.Canvas().Overlays().Top() != nil {
						t.Errorf("the warning stays after \"I am still here\"")
					}
				})
			}
		}
	}
}

// reminders counts the times "Husk at tage dit kort" (in lang) was said,
// and checks each was said at volume.
func reminders(t *testing.T, h *harness, lang i18n.Lang, volume int) int {
	t.Helper()
	c, err := i18n.DefaultCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := i18n.NewTranslator(c, lang)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range h.sp.Utterances() {
		if u.Text == tr.T("card.remove", nil) && u.Lang == lang {
			n++
			if u.Volume != volume {
				t.Errorf("reminder said at volume %d; want the person's %d", u.Volume, volume)
			}
		}
	}
	return n
}

// TestForgottenCard: after every kind of logout with the card still in the
// reader (the Log out button, the idle timeout, a card that cannot be used
// and is left in), the kiosk shows "Tag dit kort" over the whole window in
// the person's language and says "Husk at tage dit kort" again and again at
// their volume, read-aloud on or off, until the card leaves; then the
// welcome screen, and the next person's card works.
func TestForgottenCard(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lang   i18n.Lang
		leave  func(h *harness)
		notice string
	}{
		{"logout button", i18n.Danish, func(h *harness) { h.signIn(h.karen, pin); h.tap("logout") }, ""},
		{"logout button, English", i18n.English, func(h *harness) { h.signIn(h.karen, pin); h.tap("logout") }, ""},
		{"idle timeout", i18n.Danish, func(h *harness) {
			h.signIn(h.karen, pin)
			h.clock.Advance(testConfig().IdleWarning + testConfig().IdleCountdown)
		}, "idle.logged_out"},
		{"card that cannot be used", i18n.Danish, func(h *harness) {
			h.k.Insert(h.k.NewExpiredCard("Ib Ibsen", "050560-2222", pin))
			h.wantScreen("card_error")
			h.clock.Advance(testConfig().IdleWarning + testConfig().IdleCountdown)
		}, ""},
		{"walked away at the PIN", i18n.Danish, func(h *harness) {
			h.k.Insert(h.karen)
			h.clock.Advance(testConfig().IdleWarning + testConfig().IdleCountdown)
		}, "idle.logged_out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.tap("volume.up")
			h.tap("volume.up") // 70: the reminder keeps what the person chose
			if tc.lang == i18n.English {
				h.tap("lang.en")
			}
			tc.leave(h)
			h.wantScreen("take_card")
			if h.u.HoldsPersonData() {
				t.Errorf("the reminder screen holds person data")
			}
			if h.u.Lang() != tc.lang {
				t.Errorf("reminder in %s; want the person's %s", h.u.Lang(), tc.lang)
			}
			h.wantText(h.T("takeCard.title", nil))
			h.wantNoText(h.T("card.insert", nil))
			h.wantNoText("Karen")
			if tc.notice != "" {
				h.wantText(h.T(tc.notice, nil))
			}
			// Over the whole window: no header, no footer, nothing to tap.
			if n := len(targets(h)); n != 0 {
				t.Errorf("the reminder has %d tap targets; want none", n)
			}
			if n := reminders(t, h, tc.lang, 70); n != 1 {
				t.Fatalf("reminder said %d times at once; want 1", n)
			}
			for i := 2; i <= 4; i++ {
				h.clock.Advance(ui.RemindEvery)
				if n := reminders(t, h, tc.lang, 70); n != i {
					t.Fatalf("after %d × %s the reminder was said %d times; want %d", i-1, ui.RemindEvery, n, i)
				}
			}
			h.clock.Advance(10 * testConfig().IdleWarning) // no timer ends it but the card
			h.wantScreen("take_card")
			said := reminders(t, h, tc.lang, 70)
			h.k.Remove()
			h.wantScreen("welcome")
			if h.u.Lang() != i18n.Danish || h.u.Settings() != (theme.Settings{}) || h.u.Volume() != 50 {
				t.Errorf("welcome after the card: lang %s, settings %+v, volume %d; want the defaults", h.u.Lang(), h.u.Settings(), h.u.Volume())
			}
			h.clock.Advance(5 * ui.RemindEvery)
			if n := reminders(t, h, tc.lang, 70); n != said {
				t.Errorf("reminder said %d more times after the card was taken", n-said)
			}
			h.signIn(h.peter, "4321")
			h.wantScreen("home")
		})
	}
}

// onScreen leaves out the body's Up and Down buttons: they sit on the
// edges of the scrolling body, and a notice in the bar shortens the body
// from below, so Down follows its edge (the one target that moves, and
// only on a panel where the body overflows).
func onScreen(h *harness, all []uitest.Tappable) []uitest.Tappable {
	var out []uitest.Tappable
	for _, tp := range all {
		if _, ok := tp.Object.(*widget.Button); ok && (tp.Text == h.T("button.page_up", nil) || tp.Text == h.T("button.page_down", nil)) {
			continue
		}
		out = append(out, tp)
	}
	return out
}

// TestNoticesMoveNothing: a notice that follows a tap (the overview was
// printed; staff: the queue was sent) appears in the fixed bar at the foot
// of the screen, so no tap target on the screen moves under a finger.
func TestNoticesMoveNothing(t *testing.T) {
	for _, s := range []theme.Settings{{}, {LargeText: true}} {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%vx%v", suffix(s), size.Width, size.Height), func(t *testing.T) {
				h := goTo(t, visitTo(t, "home"), i18n.Danish, s)
				fit(h, size)
				before := targets(h)
				h.tap("home.overview")
				h.runWork()
				h.wantScreen("home")
				h.wantText(h.T("home.overview_printed", nil))
				assertSameTargets(t, "after the overview notice", onScreen(h, before), onScreen(h, targets(h)))
			})
		}
	}
}

// TestCPRPadStaysPut: a CPR number that is not valid, or whose birth date
// lies in the future (the longest message), is said in the bar above
// Cancel, wholly in view; no key of the CPR pad moves.
func TestCPRPadStaysPut(t *testing.T) {
	for _, s := range []theme.Settings{{}, {LargeText: true}} {
		for _, lang := range []i18n.Lang{i18n.Danish, i18n.English} {
			for _, size := range sizes {
				t.Run(fmt.Sprintf("%s/%s/%vx%v", suffix(s), lang, size.Width, size.Height), func(t *testing.T) {
					h := goTo(t, visitTo(t, "create_cpr"), lang, s)
					fit(h, size)
					before := onScreen(h, targets(h))
					h.typeCPR("321399-0000")
					h.wantScreen("create_cpr")
					if got, want := h.label("create_cpr.message"), h.T("cpr.invalid", nil); got != want {
						t.Fatalf("message = %q; want %q", got, want)
					}
					assertSameTargets(t, "after a CPR number that is not valid", before, onScreen(h, targets(h)))
					h.typeCPR("010136-4000") // 1 January 2036
					if got, want := h.label("create_cpr.message"), h.T("cpr.future", nil); got != want {
						t.Fatalf("message = %q; want %q", got, want)
					}
					assertSameTargets(t, "after a birth date in the future", before, onScreen(h, targets(h)))
					// The whole message is in the window and gets the height it needs.
					m := h.u.Label("create_cpr.message")
					p, _ := where(h, m)
					win := h.w.Canvas().Size()
					if m.Size().Height < m.MinSize().Height || p.Y < 0 || p.Y+m.Size().Height > win.Height || p.X+m.Size().Width > win.Width {
						t.Errorf("message at %v, %v (needs %v) in a %v window: not wholly in view", p, m.Size(), m.MinSize(), win)
					}
				})
			}
		}
	}
}

// TestBannersMoveNothing: the kiosk going offline or its keys and rules
// going stale while someone is on a screen, and coming back, shows (or
// clears) the banner without moving any tap target: a banner that
// appears goes in the fixed bar above the actions, one that goes leaves
// its room empty until the next screen (where the header has them all)
// or the next banner to come. (Two new banners at once can still make a
// full body scroll: the CPR pad at 1024×768.)
func TestBannersMoveNothing(t *testing.T) {
	for _, screen := range []string{"pin", "home", "consents", "create_cpr"} {
		for _, s := range []theme.Settings{{}, {LargeText: true}} {
			t.Run(screen+suffix(s), func(t *testing.T) {
				h := goTo(t, visitTo(t, screen), i18n.Danish, s)
				for _, size := range []fyne.Size{{Width: 1280, Height: 1024}, {Width: 1024, Height: 768}, {Width: 1080, Height: 1920}} {
					fit(h, size)
					before := onScreen(h, targets(h))
					offline := h.u.Translator().TN("offline.banner", 0, nil)
					for _, step := range []struct {
						what          string
						change        func()
						shown, hidden []string
					}{
						{"going offline", func() { h.k.SetOnline(false) }, []string{offline}, nil},
						{"back online", func() { h.k.SetOnline(true) }, nil, []string{offline}},
						{"the keys going stale", func() { h.k.SetStale(true) }, []string{h.T("action.stale_trust", nil)}, nil},
						{"fresh keys", func() { h.k.SetStale(false) }, nil, []string{h.T("action.stale_trust", nil)}},
					} {
						step.change()
						// As the real window does when a minimum size changed
						// (Fyne's EnsureMinSize); the test canvas does not.
						h.w.Content().Refresh()
						h.wantScreen(screen)
						for _, text := range step.shown {
							h.wantText(text)
						}
						for _, text := range step.hidden {
							h.wantNoText(text)
						}
						assertSameTargets(t, fmt.Sprintf("%vx%v, after %s", size.Width, size.Height, step.what), before, onScreen(h, targets(h)))
					}
				}
			})
		}
	}
}

// TestKeyboardMessagesMoveNothing: a name or an e-mail address that will
// not do is said in the line kept for it in the bar; no key of the
// keyboard moves (the keys grow with the room the body has, so a bar that
// grew would shrink them under a finger).
func TestKeyboardMessagesMoveNothing(t *testing.T) {
	for _, c := range []struct {
		screen, next string
		wrong        func(h *harness)
	}{
		{"create_name", "create_name.next", func(h *harness) {}},
		{"contact_email", "contact_email.next", func(h *harness) { h.typeEmail("@") }},
	} {
		for _, s := range []theme.Settings{{}, {LargeText: true}} {
			t.Run(c.screen+suffix(s), func(t *testing.T) {
				// One visit: the targets at every panel without the
				// message, then with it (a layout depends on the size and
				// what is shown, not on the sizes before).
				h := goTo(t, visitTo(t, c.screen), i18n.English, s)
				before := map[fyne.Size][]uitest.Tappable{}
				for _, size := range sizes {
					fit(h, size)
					before[size] = onScreen(h, targets(h))
				}
				c.wrong(h)
				h.tap(c.next)
				h.wantScreen(c.screen)
				if h.label(c.screen+".message") == "" {
					t.Fatalf("no message after %s", c.next)
				}
				for _, size := range sizes {
					fit(h, size)
					assertSameTargets(t, fmt.Sprintf("%vx%v, after the message", size.Width, size.Height), before[size], onScreen(h, targets(h)))
				}
			})
		}
	}
}

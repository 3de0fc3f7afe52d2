package ui_test

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// texts lists the visible canvas texts of the window with their places.
func texts(h *harness) []placed {
	var out []placed
	for _, p := range layoutOf(h.w.Canvas()) {
		if t, ok := p.o.(*canvas.Text); ok && t.Text != "" {
			out = append(out, p)
		}
	}
	return out
}

// textNamed is the visible canvas text that reads s.
func textNamed(t *testing.T, h *harness, s string) placed {
	t.Helper()
	for _, p := range texts(h) {
		if p.o.(*canvas.Text).Text == s {
			return p
		}
	}
	t.Fatalf("screen %q: no text %q", h.u.Screen(), s)
	return placed{}
}

// inView fails when p is not wholly inside the body's visible part (or
// the window, outside any scroll): seen without scrolling.
func inView(t *testing.T, h *harness, what string, p placed) {
	t.Helper()
	view := rect{0, 0, h.w.Canvas().Size().Width, h.w.Canvas().Size().Height}
	if p.view != nil {
		view = *p.view
	}
	if !p.r.within(view, true) {
		t.Errorf("screen %q: %s at %v, outside the view %v", h.u.Screen(), what, p.r, view)
	}
}

// pictureWidth is the room between the picture's two names: the kiosk
// drawn between them.
func pictureWidth(t *testing.T, h *harness, reader, scanner string) float32 {
	t.Helper()
	r, s := textNamed(t, h, reader), textNamed(t, h, scanner)
	inView(t, h, "the picture's "+reader, r)
	inView(t, h, "the picture's "+scanner, s)
	if r.r.x > s.r.x {
		return r.r.x - (s.r.x + s.r.w)
	}
	return s.r.x - (r.r.x + r.r.w)
}

// TestWelcomeSaysInsertCardLargestWithPictureInView: "Insert your card"
// is the largest text on the welcome screen, and the picture of the kiosk
// is seen whole without scrolling, the kiosk drawn at least 190 px wide
// (it was 137: too small to make out the devices).
func TestWelcomeSaysInsertCardLargestWithPictureInView(t *testing.T) {
	for _, c := range []struct {
		lang i18n.Lang
		mode theme.Settings
		size fyne.Size
	}{
		{i18n.Danish, theme.Settings{}, fyne.NewSize(1280, 1024)},
		{i18n.English, theme.Settings{LargeText: true}, fyne.NewSize(1024, 768)},
		{i18n.Danish, theme.Settings{LargeText: true}, fyne.NewSize(1080, 1920)},
	} {
		t.Run(string(c.lang)+suffix(c.mode), func(t *testing.T) {
			h := goTo(t, visitTo(t, "welcome"), c.lang, c.mode)
			fit(h, c.size)
			insert := textNamed(t, h, h.T("card.insert", nil))
			inView(t, h, "\"insert your card\"", insert)
			size := insert.o.(*canvas.Text).TextSize
			for _, p := range texts(h) {
				if p.o != insert.o && p.o.(*canvas.Text).TextSize >= size {
					t.Errorf("%q is %v px; want smaller than %q (%v px)", p.o.(*canvas.Text).Text,
						p.o.(*canvas.Text).TextSize, h.T("card.insert", nil), size)
				}
			}
			if w := pictureWidth(t, h, h.T("welcome.reader_name", nil), h.T("welcome.scanner_name", nil)); w < 190 {
				t.Errorf("the kiosk is drawn %v px wide between its names; want ≥ 190", w)
			}
			if pic, heading := textNamed(t, h, h.T("welcome.reader_name", nil)), insert; pic.r.y < heading.r.y+heading.r.h {
				t.Errorf("picture at %v above \"insert your card\" at %v; want it under", pic.r, heading.r)
			}
		})
	}
}

// TestScanAndAssistWaitShowWhereTheDevicesAre: the scan screen (the
// scanner) and the wait for the citizen's card (the card reader) draw the
// kiosk with its devices in view, and say where the device is in words.
func TestScanAndAssistWaitShowWhereTheDevicesAre(t *testing.T) {
	for _, c := range []struct{ screen, label, key string }{
		{"scan", "scan.scanner", "welcome.scanner_at"},
		{"assist_wait", "assist_wait.reader", "welcome.reader_at"},
	} {
		for _, mode := range []theme.Settings{{}, {LargeText: true}} {
			t.Run(c.screen+suffix(mode), func(t *testing.T) {
				h := goTo(t, visitTo(t, c.screen), i18n.Danish, mode)
				fit(h, fyne.NewSize(1280, 1024))
				if w := pictureWidth(t, h, h.T("welcome.reader_name", nil), h.T("welcome.scanner_name", nil)); w < 190 {
					t.Errorf("the kiosk is drawn %v px wide; want ≥ 190", w)
				}
				place := testConfig().ScannerPlace
				if c.screen == "assist_wait" {
					place = testConfig().CardReaderPlace
				}
				want := h.T(c.key, map[string]any{"Place": h.T("place."+string(place), nil)})
				if got := h.label(c.label); got != want {
					t.Errorf("%s = %q; want %q", c.label, got, want)
				}
			})
		}
	}
}

// TestHandoverErrorRetryIsTheMainButton: after a code that did not scan,
// "try again" is the one highlighted button, last in the bar (under the
// right hand), and takes the person back to scanning.
func TestHandoverErrorRetryIsTheMainButton(t *testing.T) {
	h := goTo(t, visitTo(t, "handover_error"), i18n.Danish, theme.Settings{})
	fit(h, fyne.NewSize(1280, 1024))
	retry := h.u.Button("handover_error.retry")
	if retry == nil || retry.Text != "Prøv igen" || retry.Importance != widget.HighImportance {
		t.Fatalf("retry button %+v; want \"Prøv igen\", high importance", retry)
	}
	rx, _ := where(h, retry)
	for _, id := range []string{"handover_error.back", "handover_error.help"} {
		b := h.u.Button(id)
		if b.Importance == widget.HighImportance {
			t.Errorf("%s is highlighted too; want one main button", id)
		}
		if bx, _ := where(h, b); bx.X >= rx.X {
			t.Errorf("%s at x=%v, right of retry at x=%v; want retry last", id, bx.X, rx.X)
		}
	}
	h.tap("handover_error.retry")
	h.wantScreen("scan")
	h.tap("scan.back")
	h.wantScreen("welcome")
}

// TestResultTickIsLarge: the tick on the result panel is at least twice
// the heading text's size in every mode (it was 28 px, a speck on black).
func TestResultTickIsLarge(t *testing.T) {
	for _, mode := range []theme.Settings{{}, {HighContrast: true}, {LargeText: true}} {
		t.Run(suffix(mode), func(t *testing.T) {
			h := goTo(t, visitTo(t, "result"), i18n.Danish, mode)
			fit(h, fyne.NewSize(1280, 1024))
			var icon *widget.Icon
			for _, p := range layoutOf(h.w.Canvas()) {
				if i, ok := p.o.(*widget.Icon); ok && icon == nil {
					icon = i
				}
			}
			if icon == nil {
				t.Fatal("no tick on the result screen")
			}
			want := float32(60)
			if mode.LargeText {
				want = 90
			}
			if s := icon.Size(); s.Width < want || s.Height < want {
				t.Errorf("tick %v; want ≥ %v×%v", s, want, want)
			}
		})
	}
}

// TestPINPadFillsPortrait: on a portrait panel in large text the keys grow
// into the room under the PIN box (they were 92 px tall with half the
// screen empty below), and the header offers to cancel, not to log out,
// while nobody is signed in.
func TestPINPadFillsPortrait(t *testing.T) {
	h := goTo(t, visitTo(t, "pin"), i18n.Danish, theme.Settings{LargeText: true})
	fit(h, fyne.NewSize(1080, 1920))
	pad := h.u.PinPad()
	for _, id := range []string{"1", "5", "ok"} {
		if s := pad.Key(id).Size(); s.Width < 180 || s.Height < 180 {
			t.Errorf("key %s %v; want ≥ 180×180 on a 1080×1920 panel", id, s)
		}
	}
	ok, _ := where(h, pad.Key("ok"))
	if bottom := ok.Y + pad.Key("ok").Size().Height; bottom < 1920/2 {
		t.Errorf("keys end at y=%v; want them to reach below the middle of the panel", bottom)
	}
	if got := h.u.Button("logout").Text; got != h.T("button.cancel", nil) {
		t.Errorf("header button on the PIN screen says %q; want %q", got, h.T("button.cancel", nil))
	}
	h.tap("logout")
	h.wantScreen("take_card")
}

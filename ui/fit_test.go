package ui_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
	"github.com/borgerkiosk/borgerkiosk/ui/uitest"
)

// panels are the screens the kiosk must fit: the 19-inch 5:4 panel it is
// built for, full HD, an old 4:3 panel and full HD turned on its side.
var panels = []fyne.Size{{Width: 1280, Height: 1024}, {Width: 1920, Height: 1080}, {Width: 1024, Height: 768}, {Width: 1080, Height: 1920}}

// displayModes are the three ways a person can have the screen.
var displayModes = []theme.Settings{{}, {LargeText: true}, {HighContrast: true}}

// barVerbs end the ids of a screen's own way back and main action
// ("review.confirm", "scan.back"): they must be in the fixed action bar.
// Ids of a list item's buttons have three parts ("consent.give.<id>").
var barVerbs = map[string]bool{"back": true, "cancel": true, "done": true, "next": true, "confirm": true,
	"yes": true, "no": true, "accept": true, "later": true, "create": true, "assist": true,
	"home": true, "retry": true, "decline": true, "sync": true, "print": true}

// notCitizen are the screens shown before a citizen is signed in, or to
// staff; on every other screen "Bed om hjælp" must be in view without
// scrolling (in the action bar).
var notCitizen = map[string]bool{"welcome": true, "pin": true, "card_error": true, "handover_preview": true,
	"handover_error": true, "staff_home": true, "confirm_dismiss": true, "assist_ready": true, "assist_wait": true}

// mustSee lists, per screen, what has to be in view without scrolling
// besides the action bar: the choices of the home menu.
var mustSee = map[string][]string{
	"home": {"home.consents", "home.delegations", "home.handover"},
}

// mustSeeLines are the lines kept, empty, for what a check will say (a
// wrong PIN): it must be seen where it appears, without scrolling.
var mustSeeLines = map[string][]string{
	"pin":        {"pin.message"},
	"create_cpr": {"create_cpr.message"},
}

// mustRead lists, per screen, the words that say what to do now (or what
// happened), which must be in view without scrolling too: a person who
// never finds "Ned" must not be left with a picture and no instruction.
var mustRead = map[string]func(h *harness) []string{
	"welcome":          func(h *harness) []string { return []string{h.T("card.insert", nil)} },
	"scan":             func(h *harness) []string { return []string{h.T("scan.hint", nil), h.label("scan.scanner")} },
	"assist_wait":      func(h *harness) []string { return []string{h.T("card.insert", nil), h.label("assist_wait.reader")} },
	"handover_preview": func(h *harness) []string { return []string{h.T("handover.insert_card", nil)} },
	"card_error":       func(h *harness) []string { return []string{h.label("card_error.message")} },
	"action_error":     func(h *harness) []string { return []string{h.label("action_error.message")} },
	"handover_qr":      func(h *harness) []string { return []string{h.label("handover.typed_code")} },
}

// TestEveryScreenFits walks every screen at every panel size, in every
// display mode and both languages, and checks what a person would see:
// the window keeps its size, nothing lies outside it, nothing is squeezed
// below its own minimum (a clipped button text, a cut label), and the way
// back and the main action are on screen without scrolling.
//
// Each screen is reached once; the language and mode are then switched on
// it with the header's own buttons (which rebuild the screen), at the
// smallest panel, where a content too large would make Fyne grow the window.
func TestEveryScreenFits(t *testing.T) {
	for _, v := range visits {
		t.Run(v.screen, func(t *testing.T) {
			h := goTo(t, v, i18n.Danish, theme.Settings{})
			small := panels[2]
			for _, lang := range []i18n.Lang{i18n.Danish, i18n.English} {
				for _, mode := range displayModes {
					h.w.Resize(small)
					h.setLang(lang)
					h.setMode(mode)
					h.wantScreen(v.screen)
					if got := h.w.Canvas().Size(); got != small {
						t.Errorf("%s %s %+v: the window grew from %v to %v when the screen was rebuilt", v.screen, lang, mode, small, got)
					}
					for _, size := range panels {
						h.w.Resize(size)
						name := fmt.Sprintf("%s at %.0f×%.0f, %s, %s", v.screen, size.Width, size.Height, lang, modeName(mode))
						checkFits(t, h, name, size, mode)
						if lang == i18n.English && mode.LargeText {
							// TestTapTargetsInEveryTheme walks the Danish screens
							// at two panels; the longer English words at all four.
							t.Run(fmt.Sprintf("targets %.0fx%.0f", size.Width, size.Height), func(t *testing.T) { assertTapTargets(t, h) })
						}
					}
				}
			}
		})
	}
}

func modeName(s theme.Settings) string {
	switch {
	case s.LargeText && s.HighContrast:
		return "large text and high contrast"
	case s.LargeText:
		return "large text"
	case s.HighContrast:
		return "high contrast"
	}
	return "normal"
}

// setLang switches to l with the header's language button.
func (h *harness) setLang(l i18n.Lang) {
	h.t.Helper()
	if h.u.Lang() != l {
		h.tap("lang." + string(l))
	}
}

// setMode switches large text and high contrast to s with the display
// panel's toggles, and closes the panel again unless it was open.
func (h *harness) setMode(s theme.Settings) {
	h.t.Helper()
	if h.u.Settings() == s {
		return
	}
	was := h.u.Screen()
	if h.u.Settings().LargeText != s.LargeText {
		h.tap("toggle.large")
	}
	if h.u.Settings().HighContrast != s.HighContrast {
		h.tap("toggle.contrast")
	}
	if was != "display" {
		h.tap("display.done")
	}
}

// rect is an object's place on the canvas.
type rect struct{ x, y, w, h float32 }

func (r rect) String() string { return fmt.Sprintf("(%.0f,%.0f %.0f×%.0f)", r.x, r.y, r.w, r.h) }

// within reports whether r lies inside o, horizontally and (when vert) vertically,
// allowing for rounding.
func (r rect) within(o rect, vert bool) bool {
	const eps = 0.5
	if r.x < o.x-eps || r.x+r.w > o.x+o.w+eps {
		return false
	}
	return !vert || (r.y >= o.y-eps && r.y+r.h <= o.y+o.h+eps)
}

// scroller is what the body's scroll container does (Fyne's and ours).
type scroller interface {
	fyne.CanvasObject
	ScrollToTop()
}

var _ scroller = (*container.Scroll)(nil)

// placed is one visible object with its rectangle on the canvas, and the
// viewport of the scroll it is in (nil outside any scroll).
type placed struct {
	o    fyne.CanvasObject
	r    rect
	view *rect
}

// layoutOf lists every visible object on the canvas with its place.
func layoutOf(c fyne.Canvas) []placed {
	var out []placed
	var visit func(root fyne.CanvasObject, origin fyne.Position, view *rect)
	visit = func(root fyne.CanvasObject, origin fyne.Position, view *rect) {
		uitest.Walk(root, func(o fyne.CanvasObject, pos fyne.Position) bool {
			p := origin.Add(pos)
			r := rect{p.X, p.Y, o.Size().Width, o.Size().Height}
			if o == root && view != nil {
				return true // the scroll itself, listed already
			}
			out = append(out, placed{o, r, view})
			if s, ok := o.(scroller); ok && o != root {
				visit(s, p, &r)
				return false
			}
			return true
		})
	}
	visit(c.Content(), c.Content().Position(), nil)
	for _, o := range c.Overlays().List() {
		visit(o, o.Position(), nil)
	}
	return out
}

func checkFits(t *testing.T, h *harness, name string, size fyne.Size, mode theme.Settings) {
	t.Helper()
	c := h.w.Canvas()
	if got := c.Size(); got != size {
		t.Errorf("%s: the window is %v; want it to keep %v", name, got, size)
		return
	}
	win := rect{0, 0, size.Width, size.Height}
	// What is checked as "in view" is what a person sees when the screen appears.
	h.u.BodyScroll().ScrollToTop()
	objs := layoutOf(c)
	where := map[fyne.CanvasObject]placed{}
	var out []rect // reported as outside: what lies inside them is not reported again
	for _, p := range objs {
		where[p.o] = p
		if !p.r.within(win, false) || p.view != nil && !p.r.within(*p.view, false) || p.view == nil && !p.r.within(win, true) {
			if !slices.ContainsFunc(out, func(o rect) bool { return p.r.within(o, true) }) {
				t.Errorf("%s: %s at %v is outside the window or sticks out of the scrolling body", name, describe(p.o), p.r)
			}
			out = append(out, p.r)
		}
		if squeezed(p.o) {
			t.Errorf("%s: %s is %.0f×%.0f, smaller than it needs (%.0f×%.0f): its text is cut", name, describe(p.o),
				p.o.Size().Width, p.o.Size().Height, p.o.MinSize().Width, p.o.MinSize().Height)
		}
		if l, ok := p.o.(*widget.Label); ok && l.Truncation != fyne.TextTruncateOff {
			t.Errorf("%s: label %q truncates; labels must wrap", name, l.Text)
		}
	}
	inView := func(o fyne.CanvasObject) bool {
		p, ok := where[o]
		if !ok {
			return false
		}
		if p.view != nil {
			return p.r.within(*p.view, true)
		}
		return p.r.within(win, true)
	}
	screen := h.u.Screen()
	for _, id := range h.u.ButtonIDs() {
		parts := strings.Split(id, ".")
		if len(parts) != 2 || !barVerbs[parts[1]] {
			continue
		}
		b := h.u.Button(id)
		if !b.Visible() {
			continue
		}
		if p, ok := where[b]; !ok || p.view != nil || !inView(b) {
			t.Errorf("%s: %s (%q) is not in the fixed action bar in view: %v", name, id, b.Text, p.r)
		}
	}
	if !notCitizen[screen] {
		if b := h.u.Button("help"); b == nil || !b.Visible() {
			t.Errorf("%s: a citizen's screen without \"Bed om hjælp\" in the action bar", name)
		} else if p, ok := where[b]; !ok || p.view != nil || !inView(b) {
			t.Errorf("%s: \"Bed om hjælp\" is not in the fixed action bar in view: %v", name, p.r)
		}
	}
	for _, id := range mustSee[screen] {
		if b := h.u.Button(id); b == nil || !inView(b) {
			t.Errorf("%s: %s must be in view without scrolling", name, id)
		}
	}
	if read, ok := mustRead[screen]; ok {
		for _, text := range read(h) {
			if p, ok := textIn(objs, text); !ok || !inView(p.o) {
				t.Errorf("%s: %q must be in view without scrolling (at %v)", name, text, p.r)
			}
		}
	}
	for _, id := range mustSeeLines[screen] {
		if l := h.u.Label(id); l == nil || !inView(l) {
			t.Errorf("%s: the line kept for %s must be in view without scrolling", name, id)
		}
	}
	if screen == "handover_qr" {
		if p, ok := qrCode(objs); !ok || !inView(p.o) {
			t.Errorf("%s: the QR code must be in view without scrolling (at %v)", name, p.r)
		}
	}
	if screen == "pin" {
		if k := h.u.PinPad().Key(keyboard.KeyOK); !inView(k) {
			t.Errorf("%s: the PIN pad's OK key must be in view without scrolling", name)
		}
	}
	if screen == "create_name" || screen == "contact_email" {
		for _, k := range h.u.NameKeyboard().Keys() {
			if !inView(k) {
				t.Errorf("%s: the name keyboard's key %q must be in view without scrolling", name, k.Label())
				break
			}
		}
	}
	if screen == "create_cpr" {
		if k := h.u.CPRPad().Key(keyboard.KeyOK); !inView(k) {
			t.Errorf("%s: the CPR pad's OK key must be in view without scrolling", name)
		}
	}
}

// textIn finds the label, rich text or canvas text that reads text.
func textIn(objs []placed, text string) (placed, bool) {
	for _, p := range objs {
		switch o := p.o.(type) {
		case *widget.Label:
			if o.Text == text {
				return p, true
			}
		case *widget.RichText:
			if o.String() == text {
				return p, true
			}
		case *canvas.Text:
			if o.Text == text {
				return p, true
			}
		}
	}
	return placed{}, false
}

// qrCode finds the handover's QR code.
func qrCode(objs []placed) (placed, bool) {
	for _, p := range objs {
		if img, ok := p.o.(*canvas.Image); ok && img.Resource != nil && img.Resource.Name() == "handover-qr.png" {
			return p, true
		}
	}
	return placed{}, false
}

// squeezed reports whether o got less room than its own minimum, which
// for a button or text means its text is clipped. The scroll containers
// are exempt: they are meant to be smaller than what they hold.
func squeezed(o fyne.CanvasObject) bool {
	if _, ok := o.(scroller); ok {
		return false
	}
	const eps = 0.5
	s, m := o.Size(), o.MinSize()
	return s.Width+eps < m.Width || s.Height+eps < m.Height
}

func describe(o fyne.CanvasObject) string {
	if text := uitest.AllText(o); len(text) > 0 {
		return fmt.Sprintf("%T %q", o, strings.Join(text, " "))
	}
	return fmt.Sprintf("%T", o)
}

package ui_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// keyFace is the tile and the label drawn by k's renderer.
func keyFace(t *testing.T, k *keyboard.Key) (*canvas.Rectangle, *canvas.Text) {
	t.Helper()
	var bg *canvas.Rectangle
	var tx *canvas.Text
	for _, o := range rendererObjects(k) {
		switch o := o.(type) {
		case *canvas.Rectangle:
			bg = o
		case *canvas.Text:
			tx = o
		}
	}
	if bg == nil || tx == nil {
		t.Fatalf("key %q draws no tile or no label", k.Label())
	}
	return bg, tx
}

// The CPR pad and the name keyboard outlive a change of text size or
// contrast (what is typed stays): their keys and the CPR box must follow
// the new theme, as the PIN pad's do, not keep the one they were first
// drawn in.
func TestTypingScreensFollowTheMode(t *testing.T) {
	for _, mode := range []theme.Settings{{LargeText: true}, {HighContrast: true}, {LargeText: true, HighContrast: true}} {
		h := newHarness(t)
		h.signIn(h.karen, pin)
		h.tap("home.delegations")
		h.tap("delegations.create")
		check := func(screen string, keys ...*keyboard.Key) {
			t.Helper()
			th := theme.New(mode)
			c := func(n fyne.ThemeColorName) any { return th.Color(n, fynetheme.VariantLight) }
			for _, k := range keys {
				bg, tx := keyFace(t, k)
				if bg.FillColor != c(fynetheme.ColorNameButton) && bg.FillColor != c(fynetheme.ColorNamePrimary) {
					t.Errorf("%+v %s: key %q tile %v; want the theme's button colour", mode, screen, k.Label(), bg.FillColor)
				}
				if tx.TextSize < th.Size(fynetheme.SizeNameSubHeadingText) {
					t.Errorf("%+v %s: key %q label size %v; want at least %v", mode, screen, k.Label(), tx.TextSize, th.Size(fynetheme.SizeNameSubHeadingText))
				}
			}
		}
		h.setMode(mode)
		kb := h.u.NameKeyboard()
		check("create_name", kb.Key("A"), kb.Key("Ø"))
		h.setMode(theme.Settings{})
		h.typeName("Peter")
		h.setMode(mode)
		pad := h.u.CPRPad()
		check("create_cpr", pad.Key("1"), pad.Key("0"))
		slots, texts := pad.Slots()
		th := theme.New(mode)
		for i, r := range slots {
			if r.Hidden || r.Size().Width < 10 || r.StrokeColor != th.Color(fynetheme.ColorNameInputBorder, fynetheme.VariantLight) && i > 0 {
				t.Errorf("%+v: CPR slot %d hidden=%v size=%v frame=%v; want a framed box in the theme", mode, i, r.Hidden, r.Size(), r.StrokeColor)
			}
			if texts[i].TextSize < th.Size(fynetheme.SizeNameHeadingText) {
				t.Errorf("%+v: CPR digit %d size %v; want heading size", mode, i, texts[i].TextSize)
			}
		}
	}
}

// rendererObjects is what o's renderer draws (the renderer the window
// uses, not a fresh one).
func rendererObjects(w fyne.Widget) []fyne.CanvasObject {
	return test.WidgetRenderer(w).Objects()
}

// The typing steps end as every other screen does: the actions span the
// bar (after "Hjælp", Back or Cancel at the left, Next at the right, no
// room beside them), Next the primary button.
func TestTypingStepsActionsSpanTheBar(t *testing.T) {
	for _, size := range []fyne.Size{fyne.NewSize(1024, 768), fyne.NewSize(1280, 1024)} {
		for _, mode := range []theme.Settings{{}, {LargeText: true}} {
			h := newHarness(t)
			h.w.Resize(size)
			h.setMode(mode)
			h.signIn(h.karen, pin)
			h.tap("home.delegations")
			h.tap("delegations.create")
			w := h.w.Canvas().Size().Width
			check := func(back, next string) {
				t.Helper()
				// "Hjælp" starts the bar; the step's own buttons fill the rest.
				b, n, help := h.u.Button(back), h.u.Button(next), h.u.Button("help")
				if help == nil || fyne.CurrentApp().Driver().AbsolutePositionForObject(help).X > w*0.05 {
					t.Fatalf("%v %+v %s: no help at the left of the bar", size, mode, h.u.Screen())
				}
				hx := fyne.CurrentApp().Driver().AbsolutePositionForObject(help).X + help.Size().Width
				if next == "" { // a lone Back spans the rest of the bar
					bx := fyne.CurrentApp().Driver().AbsolutePositionForObject(b).X
					if b == nil || bx <= hx || bx+b.Size().Width < w*0.95 || b.Size().Width < w*0.4 {
						t.Errorf("%v %+v %s: %s %v wide in %v; want it across the bar beside help", size, mode, h.u.Screen(), back, b.Size().Width, w)
					}
					return
				}
				if b == nil || n == nil {
					t.Fatalf("%v %+v %s: no %s or %s", size, mode, h.u.Screen(), back, next)
				}
				bx := fyne.CurrentApp().Driver().AbsolutePositionForObject(b).X
				nx := fyne.CurrentApp().Driver().AbsolutePositionForObject(n).X
				right := nx + n.Size().Width
				if bx <= hx || right < w*0.95 || nx <= bx+b.Size().Width || b.Size().Width < w*0.25 || n.Size().Width < w*0.25 {
					t.Errorf("%v %+v %s: %s at %v (w %v), %s at %v (w %v) in %v; want them across the bar, %s left",
						size, mode, h.u.Screen(), back, bx, b.Size().Width, next, nx, n.Size().Width, w, back)
				}
				if n.Importance != widget.HighImportance {
					t.Errorf("%v %+v %s: %s is not the primary button", size, mode, h.u.Screen(), next)
				}
			}
			check("create_name.cancel", "create_name.next")
			h.typeName("Peter")
			check("create_cpr.back", "")
		}
	}
}

// TestScopesSayWhyNextWaits: nothing is said before anything was done
// (the line keeps no room then, so the first area is wholly in view on
// 1024×768 in large text); Next with no area chosen stays and says why;
// choosing one clears the line. The whole tile is the target: a tap on
// the line on what the area covers chooses it.
func TestScopesSayWhyNextWaits(t *testing.T) {
	h := newHarness(t)
	h.w.Resize(panels[2])
	h.setMode(theme.Settings{LargeText: true, HighContrast: true})
	h.signIn(h.karen, pin)
	h.tap("home.delegations")
	h.tap("delegations.create")
	h.typeName("Peter")
	h.typeCPR(peterCPR)
	h.wantScreen("create_scopes")
	need := "Vælg mindst ét område for at gå videre."
	if got := h.label("create_scopes.message"); got != "" {
		t.Errorf("before anything was done the message is %q; want none", got)
	}
	msg, shownMsg := placeOf(h, h.u.Label("create_scopes.message"))
	if shownMsg {
		t.Errorf("the empty message line takes %v of the screen; want no room", msg.r)
	}
	if next := h.u.Button("create_scopes.next"); next.Disabled() {
		t.Errorf("Next is disabled; want it to answer a tap")
	}
	h.tap("create_scopes.next")
	h.wantScreen("create_scopes")
	if got := h.label("create_scopes.message"); got != need {
		t.Errorf("Next with no area: the message is %q; want %q", got, need)
	}
	// A tap on the description, not on the name, chooses the area.
	first := h.k.Catalogue().Scopes[0]
	var p placed
	for _, o := range layoutOf(h.w.Canvas()) {
		if tx, ok := o.o.(*canvas.Text); ok && tx.Text != "" && strings.HasPrefix(first.Description.In("da"), tx.Text) {
			p = o
		}
	}
	if p.o == nil || p.view == nil || !p.r.within(*p.view, true) {
		t.Fatalf("the first area's description is not in view (%v)", p.r)
	}
	test.TapCanvas(h.w.Canvas(), fyne.NewPos(p.r.x+p.r.w/2, p.r.y+p.r.h/2))
	if !h.u.DraftScope(first.ID) {
		t.Errorf("a tap on %q did not choose the area", p.o.(*canvas.Text).Text)
	}
	if got := h.label("create_scopes.message"); got != "" {
		t.Errorf("with an area chosen the message is %q; want none", got)
	}
	h.tap("create_scopes.next")
	h.wantScreen("create_period")
}

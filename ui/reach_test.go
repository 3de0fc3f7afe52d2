package ui_test

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// placeOf is where o is drawn on the canvas; ok is false when it is not drawn.
func placeOf(h *harness, o fyne.CanvasObject) (placed, bool) {
	for _, p := range layoutOf(h.w.Canvas()) {
		if p.o == o {
			return p, true
		}
	}
	return placed{}, false
}

// TestPageButtonsTogetherAtTheSide: where a body scrolls, Up and Down are
// one above the other in a column at its right, as on every screen: not
// a row across the window (the staff home on 1024×768 in large text) and
// not at the two ends of a tall portrait column.
func TestPageButtonsTogetherAtTheSide(t *testing.T) {
	large := theme.Settings{LargeText: true, HighContrast: true}
	for _, tc := range []struct {
		screen string
		size   fyne.Size
	}{
		{"staff_home", panels[2]},
		{"consents", panels[3]},
	} {
		// Switched to large text on the screen, as a person does.
		h := goTo(t, visitTo(t, tc.screen), i18n.Danish, theme.Settings{})
		h.w.Resize(tc.size)
		h.setMode(large)
		up, okU := placeOf(h, h.u.Button("page.up"))
		down, okD := placeOf(h, h.u.Button("page.down"))
		if !okU || !okD {
			t.Errorf("%s at %v: Up shown %v, Down shown %v; want both (the body scrolls)", tc.screen, tc.size, okU, okD)
			continue
		}
		if up.r.x != down.r.x || up.r.x < tc.size.Width/2 {
			t.Errorf("%s at %v: Up at %v, Down at %v; want one column at the right", tc.screen, tc.size, up.r, down.r)
		}
		if space := down.r.y - (up.r.y + up.r.h); space < 0 || space > 40 {
			t.Errorf("%s at %v: %.0f px from Up to Down; want them together (at most 40)", tc.screen, tc.size, space)
		}
	}
}

// TestCPRSlotsApart: the ten CPR slots stand apart as far as two keys
// (at least 12 px), so each digit reads as one and the number can be read
// back at a glance; boxes that touched read as a bar.
func TestCPRSlotsApart(t *testing.T) {
	h := goTo(t, visitTo(t, "create_cpr"), i18n.Danish, theme.Settings{})
	for _, mode := range []theme.Settings{{}, {LargeText: true, HighContrast: true}} {
		h.setMode(mode)
		h.w.Resize(panels[2])
		slots, _ := h.u.CPRPad().Slots()
		for i := 1; i < len(slots); i++ {
			if space := slots[i].Position().X - slots[i-1].Position().X - slots[i-1].Size().Width; space < 12 {
				t.Errorf("%s: %.0f px between CPR slots %d and %d; want at least 12", modeName(mode), space, i, i+1)
			}
		}
	}
}

// TestLogoutApartFromLanguage: where log out shares a row of the header
// with the language button, half a touch target's width at least lies
// between them (four times the usual gap), in every mode, language and panel: side by side, a finger meant
// for "English" ended the session.
func TestLogoutApartFromLanguage(t *testing.T) {
	h := goTo(t, visitTo(t, "home"), i18n.Danish, theme.Settings{})
	for _, lang := range []i18n.Lang{i18n.Danish, i18n.English} {
		for _, mode := range displayModes {
			h.w.Resize(panels[2])
			h.setLang(lang)
			h.setMode(mode)
			other := "lang.en"
			if lang == i18n.English {
				other = "lang.da"
			}
			// A whole target, or half of one where a whole would make the
			// header two rows (large English on 1024×768).
			target := theme.New(mode).Size(theme.SizeNameTouchTarget) / 2
			for _, size := range panels {
				h.w.Resize(size)
				out, okO := placeOf(h, h.u.Button("logout"))
				lb, okL := placeOf(h, h.u.Button(other))
				if !okO || !okL {
					t.Fatalf("%s %s at %v: log out shown %v, language shown %v", lang, modeName(mode), size, okO, okL)
				}
				if out.r.y != lb.r.y {
					continue // rows of their own
				}
				if space := out.r.x - (lb.r.x + lb.r.w); space < target {
					t.Errorf("%s %s at %v: %.0f px from %q to %q; want at least half a touch target (%.0f)", lang, modeName(mode), size, space,
						h.u.Button(other).Text, h.u.Button("logout").Text, target)
				}
			}
		}
	}
}

// TestLogoutAsksWhenInputWouldBeLost: log out mid-way through making a
// power of attorney asks first; "Fortsæt" returns to the step with what
// was typed, and log out on the question then ends the session. With
// nothing typed (or outside a wizard) log out is one tap, as before.
func TestLogoutAsksWhenInputWouldBeLost(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	h.tap("home.delegations")
	h.tap("delegations.create")
	h.tap("logout") // nothing typed yet
	h.wantScreen("take_card")

	h = newHarness(t)
	h.signIn(h.karen, pin)
	h.tap("home.delegations")
	h.tap("delegations.create")
	kb := h.u.NameKeyboard()
	test.Tap(kb.Key("P"))
	test.Tap(kb.Key("E"))
	h.tap("logout")
	h.wantScreen("confirm_logout")
	h.tap("confirm_logout.no")
	h.wantScreen("create_name")
	for _, k := range []string{"T", "E", "R"} {
		test.Tap(h.u.NameKeyboard().Key(k))
	}
	h.tap("create_name.next")
	h.wantScreen("create_cpr")
	if got := h.u.DraftName(); got != "Peter" {
		t.Errorf("after Fortsæt the name typed is %q; want Peter (nothing lost)", got)
	}
	h.tap("logout")
	h.wantScreen("confirm_logout")
	h.tap("confirm_logout.yes")
	h.wantScreen("take_card")
}

// TestDelegationStatusFirst: each card of the delegations list starts
// with where it stands, above the person's name; one waiting to be taken
// and one in force differ in the colour of that line and in its icon.
func TestDelegationStatusFirst(t *testing.T) {
	h := goTo(t, visitTo(t, "delegations"), i18n.Danish, theme.Settings{})
	h.k.GiveDelegation(karenCPR, "Karen Hansen", sofieCPR, "Sofie Holm", []string{"tax"}, 200)
	h.tap("delegations.back")
	h.tap("home.delegations")
	h.w.Resize(panels[0])
	var pending, active *widget.Label
	for _, d := range h.k.Delegations() {
		l := h.u.Label("delegation.status." + d.ID)
		if l == nil {
			t.Fatalf("no status line for the delegation to %s", d.DelegateShown())
		}
		status, _ := placeOf(h, l)
		var name placed
		for _, p := range layoutOf(h.w.Canvas()) {
			if tx, ok := p.o.(*canvas.Text); ok && tx.Text == d.DelegateShown() {
				name = p
			}
		}
		if name.o == nil || status.r.y >= name.r.y {
			t.Errorf("%s: status %q at %v, name at %v; want the status first", d.DelegateShown(), l.Text, status.r, name.r)
		}
		switch d.State {
		case bk.DelegationPending:
			pending = l
		case bk.DelegationActive:
			active = l
		}
	}
	if pending == nil || active == nil {
		t.Fatalf("want one pending and one active delegation, have %+v", h.k.Delegations())
	}
	fp, ip := statusLook(h, pending)
	fa, ia := statusLook(h, active)
	if fp == fa || ip == "" || ip == ia {
		t.Errorf("the pending and the active status look alike: fill %v and %v, icon %q and %q", fp, fa, ip, ia)
	}
}

// statusLook is the fill of the framed box around l and the name of the
// icon in it.
func statusLook(h *harness, l *widget.Label) (fill string, icon string) {
	at, _ := placeOf(h, l)
	var box placed
	objs := layoutOf(h.w.Canvas())
	for _, p := range objs {
		if r, ok := p.o.(*canvas.Rectangle); ok && r.StrokeWidth > 0 && at.r.within(p.r, true) &&
			(box.o == nil || p.r.w*p.r.h < box.r.w*box.r.h) {
			box = p
		}
	}
	if box.o == nil {
		return "", ""
	}
	for _, p := range objs {
		if img, ok := p.o.(*canvas.Image); ok && img.Resource != nil && p.r.within(box.r, true) {
			icon = img.Resource.Name()
		}
	}
	return fmt.Sprint(box.o.(*canvas.Rectangle).FillColor), icon
}

// TestActionsFollowContentInPortrait: on a portrait panel a short screen's
// action bar comes right under its content, not 1,000 px below it at the
// foot of the panel.
func TestActionsFollowContentInPortrait(t *testing.T) {
	large := theme.Settings{LargeText: true, HighContrast: true}
	for _, tc := range []struct{ screen, action string }{
		{"confirm_decline", "confirm_decline.yes"},
		{"create_name", "create_name.next"},
		{"result", "result.home"},
	} {
		h := goTo(t, visitTo(t, tc.screen), i18n.Danish, theme.Settings{})
		h.w.Resize(panels[3])
		h.setMode(large)
		bar := h.w.Canvas().Content().(*fyne.Container).Objects[2] // header, body, bar
		if _, ok := placeOf(h, h.u.Button(tc.action)); !ok {
			t.Fatalf("%s: %s not shown", tc.screen, tc.action)
		}
		var end float32 // the foot of the lowest text in the body
		for _, p := range layoutOf(h.w.Canvas()) {
			if _, isText := p.o.(*canvas.Text); isText && p.view != nil && p.r.within(*p.view, true) {
				end = max(end, p.r.y+p.r.h)
			}
		}
		if space := bar.Position().Y - end; space > 60 {
			t.Errorf("%s at %v: %.0f px from the end of the content (%.0f) to the bar of %s; want the bar under it (at most 60)",
				tc.screen, panels[3], space, end, tc.action)
		}
	}
}

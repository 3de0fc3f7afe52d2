package ui_test

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// longScreen is the consents screen in large English on the 4:3 panel: a
// body several screens tall.
func longScreen(t *testing.T) *harness {
	t.Helper()
	for _, v := range visits {
		if v.screen == "consents" {
			h := goTo(t, v, i18n.English, theme.Settings{LargeText: true})
			h.w.Resize(panels[2])
			return h
		}
	}
	t.Fatal("no consents visit")
	return nil
}

// TestBodyScrollsByDrag drags the body as a finger does under cage (a
// pointer drag): Fyne's own scroll container ignores that on desktop.
func TestBodyScrollsByDrag(t *testing.T) {
	h := longScreen(t)
	s := h.u.BodyScroll()
	if s == nil || s.Offset.Y != 0 {
		t.Fatalf("body scroll = %v; want one at the top", s)
	}
	c := h.w.Canvas()
	var inBody fyne.Position
	for _, p := range layoutOf(c) {
		if _, ok := p.o.(scroller); ok {
			inBody = fyne.NewPos(p.r.x+p.r.w/2, p.r.y+p.r.h/2)
		}
	}
	test.Drag(c, inBody, 0, -150) // finger moves up: the list follows it
	if got := s.Offset.Y; got != 150 {
		t.Errorf("after a 150 px drag up, offset = %v; want 150", got)
	}
	test.Drag(c, inBody, 0, 50)
	if got := s.Offset.Y; got != 100 {
		t.Errorf("after 50 px back down, offset = %v; want 100", got)
	}
	test.Drag(c, inBody, 0, 1000) // past the top: it stops there
	if got := s.Offset.Y; got != 0 {
		t.Errorf("after dragging past the top, offset = %v; want 0", got)
	}
	// A drag that starts on a button inside the list scrolls too.
	give := findButton(h, h.T("consent.give", nil))
	var onButton fyne.Position
	var view rect
	for _, p := range layoutOf(c) {
		if p.o == give {
			onButton, view = fyne.NewPos(p.r.x+10, p.r.y+10), *p.view
		}
	}
	start := onButton.Y - 10 - view.y // scroll the button to the top of the view
	s.ScrollToOffset(fyne.NewPos(0, start))
	test.Drag(c, fyne.NewPos(onButton.X, view.y+10), 0, -80)
	if got := s.Offset.Y; got != start+80 {
		t.Errorf("after a drag that started on %q, offset = %v; want %v", give.Text, got, start+80)
	}
}

// TestPageButtons reads a long list a page at a time with taps alone.
func TestPageButtons(t *testing.T) {
	h := longScreen(t)
	s := h.u.BodyScroll()
	up, down := h.u.Button("page.up"), h.u.Button("page.down")
	if !shown(h, up) || !shown(h, down) || !up.Disabled() || down.Disabled() {
		t.Fatalf("at the top: up shown %v disabled %v, down shown %v disabled %v; want both shown, only up disabled",
			shown(h, up), up.Disabled(), shown(h, down), down.Disabled())
	}
	var pages int
	for last := float32(-1); !down.Disabled(); pages++ {
		if pages > 20 {
			t.Fatal("Down never reached the end")
		}
		last = s.Offset.Y
		h.tap("page.down")
		if step := s.Offset.Y - last; step <= 0 || step > s.Size().Height {
			t.Fatalf("page %d moved %v px; want more than 0 and at most the view's %v", pages, step, s.Size().Height)
		}
	}
	if end := s.Content.Size().Height - s.Size().Height; s.Offset.Y != end || up.Disabled() {
		t.Errorf("at the end: offset %v, up disabled %v; want %v and up enabled", s.Offset.Y, up.Disabled(), end)
	}
	for i := 0; i < pages; i++ {
		h.tap("page.up")
	}
	if s.Offset.Y != 0 || !up.Disabled() {
		t.Errorf("after %d pages up: offset %v, up disabled %v; want back at the top", pages, s.Offset.Y, up.Disabled())
	}
	if pages < 2 {
		t.Errorf("the list took %d pages; want a list long enough to test paging", pages)
	}

	// A screen that fits has no page buttons.
	h.w.Resize(panels[1])
	h.setLang(i18n.Danish)
	h.setMode(theme.Settings{})
	h.u.Button("consents.back").OnTapped()
	h.wantScreen("home")
	if b := h.u.Button("page.down"); shown(h, b) {
		t.Errorf("home at 1920×1080 shows a Down button; want none when everything fits")
	}
}

// shown reports whether o is drawn: it and everything around it visible.
func shown(h *harness, o fyne.CanvasObject) bool {
	for _, p := range layoutOf(h.w.Canvas()) {
		if p.o == o {
			return true
		}
	}
	return false
}

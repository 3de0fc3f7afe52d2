package ui_test

import (
	"testing"

	"fyne.io/fyne/v2"

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

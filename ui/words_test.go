package ui_test

import (
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// The code screen says whom to give the slip to, by name, and calls the
// paper a slip, not a receipt (review 24); read-aloud says the same.
func TestHandoverCodeNamesTheDelegate(t *testing.T) {
	h := goTo(t, visitTo(t, "handover_qr"), i18n.Danish, theme.Settings{})
	for _, s := range []string{"Giv denne kode til Peter", "Giv sedlen til Peter.", "Kan Peter ikke scanne?", "Peter kan scanne koden"} {
		h.wantText(s)
		if !strings.Contains(h.u.Spoken(), s) {
			t.Errorf("read-aloud does not say %q: %q", s, h.u.Spoken())
		}
	}
	h.wantNoText("personen")
	if b := h.u.Button("handover.read_receipt"); b != nil && !strings.Contains(b.Text, "sedlen") {
		t.Errorf("the read button says %q; want it to name the slip", b.Text)
	}
}

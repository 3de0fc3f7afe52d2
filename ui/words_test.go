package ui_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

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

// The usage log pages by "Ældre"/"Nyere" (Næste is the next step of a
// wizard), prints with a secondary button (it is a screen for reading),
// and says who got the answer (review 17).
func TestUsagePagesByAgeAndSaysWhoGotTheAnswer(t *testing.T) {
	h := goTo(t, visitTo(t, "usage"), i18n.Danish, theme.Settings{})
	if got := h.u.Button("usage.next").Text; got != "Ældre" {
		t.Errorf("the next page's button says %q; want Ældre", got)
	}
	if got := h.u.Button("usage.previous").Text; got != "Nyere" {
		t.Errorf("the previous page's button says %q; want Nyere", got)
	}
	if p := h.u.Button("usage.print"); p.Importance == widget.HighImportance {
		t.Errorf("Udskriv is drawn as the main action of a reading screen")
	}
	h.wantText("om de må bruge disse oplysninger om dig: Indkomst. De fik nej.")
	h.wantNoText("Svar:")
}

// Staff see a refused action as what the citizen wanted ("Ville give
// samtykke", not "Samtykke givet" over "Afvist"), and who by name and
// masked CPR, not by card serial (review 16).
func TestStaffSeeWhoWantedWhat(t *testing.T) {
	for _, screen := range []string{"staff_home", "confirm_dismiss"} {
		h := goTo(t, visitTo(t, screen), i18n.Danish, theme.Settings{})
		h.wantText("Karen Hansen (010180-xxxx)")
		h.wantNoText("CARD-")
		h.wantNoText("Samtykke givet")
		if screen == "staff_home" {
			h.wantText("Ville give samtykke")
		} else {
			h.wantText("Borgeren ville: give samtykke")
		}
	}
}

// The contact screen tells its two ways to stop e-mails apart (turning
// reminders off keeps the address, removing deletes it), and read-aloud
// names the toggle too (review 11).
func TestContactTellsTurnOffFromRemove(t *testing.T) {
	h := goTo(t, visitTo(t, "contact"), i18n.Danish, theme.Settings{})
	off, remove := "Slår du påmindelser fra, gemmer vi din e-mail", "Fjerner du din e-mail, sletter vi den."
	h.wantText(off)
	h.wantText(remove)
	for _, s := range []string{off, remove, "Tryk Slå påmindelser fra"} {
		if !strings.Contains(h.u.Spoken(), s) {
			t.Errorf("read-aloud does not say %q: %q", s, h.u.Spoken())
		}
	}
}

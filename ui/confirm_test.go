package ui_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// TestEndingsAreConfirmedWithWhatStops: the screen before something ends
// (a power of attorney revoked or renounced, the e-mail removed, an offer
// declined for good) says what is ended and what a yes means, and names
// the way back by what it keeps. Revoke, renounce and remove draw their yes
// destructive, as the red button that led there; a decline is not urged
// either way. Each keeps LIX ≤ 30 (these screens are not among the visits).
func TestEndingsAreConfirmedWithWhatStops(t *testing.T) {
	cases := []struct {
		screen, from string // the screen, and the visit whose screen has the button
		tap          string // the button's id or id prefix
		importance   widget.Importance
		facts        []string // on the screen, beside the question
	}{
		{"confirm_revoke", "delegations", "delegation.revoke.", widget.DangerImportance, []string{"Til: Peter", "Områder: Skat"}},
		{"confirm_renounce", "reminders", "delegation.renounce.", widget.DangerImportance, []string{"Fra: Peter Jensen", "Områder: Skat, Bolig"}},
		{"confirm_remove_email", "contact", "contact.remove", widget.DangerImportance, []string{"karen@mail.dk"}},
		{"confirm_decline_handover", "handover_decision", "handover.decline", widget.MediumImportance, nil},
	}
	for _, c := range cases {
		t.Run(c.screen, func(t *testing.T) {
			h := goTo(t, visitTo(t, c.from), i18n.Danish, theme.Settings{})
			if c.from == "reminders" {
				h.tap("reminders.back")
				h.tap("home.delegations")
			}
			id := ""
			for _, have := range h.u.ButtonIDs() {
				if strings.HasPrefix(have, c.tap) {
					id = have
				}
			}
			if id == "" {
				t.Fatalf("screen %q has no button %s…; it has %v", h.u.Screen(), c.tap, h.u.ButtonIDs())
			}
			h.tap(id)
			h.wantScreen(c.screen)
			for _, f := range c.facts {
				h.wantText(f)
			}
			if means := h.u.Label(c.screen + ".means"); means == nil || means.Text == "" {
				t.Errorf("no sentence on what a yes means")
			}
			yes, no := h.u.Button(c.screen+".yes"), h.u.Button(c.screen+".no")
			if yes.Importance != c.importance {
				t.Errorf("yes %q importance = %v; want %v", yes.Text, yes.Importance, c.importance)
			}
			if c.importance == widget.DangerImportance && yes.Icon == nil {
				t.Errorf("yes %q has no icon; colour alone does not say it ends something", yes.Text)
			}
			if no.Text == h.T("button.cancel", nil) {
				t.Errorf("the way back is %q; want it named by what it keeps or where it goes", no.Text)
			}
			score, words, _, long := lixScore(screenTexts(h.w))
			t.Logf("| %s | %.0f | %d | %d |", c.screen, score, words, long)
			if score > maxLIX {
				t.Errorf("LIX = %.1f; want ≤ %d:\n%s", score, maxLIX, strings.Join(screenTexts(h.w), "\n"))
			}
		})
	}
}

// TestHandoverDecisionSaysWhatAYesMeans: before accepting a power of
// attorney the delegate is told what a yes lets them do, for whom, and
// that it can be given up again.
func TestHandoverDecisionSaysWhatAYesMeans(t *testing.T) {
	h := goTo(t, visitTo(t, "handover_decision"), i18n.Danish, theme.Settings{})
	want := h.T("handover.accept_means", map[string]any{"Name": "Karen Hansen"})
	if got := h.label("handover.accept_means"); got != want {
		t.Errorf("handover decision says %q; want %q", got, want)
	}
	if !strings.Contains(h.u.Spoken(), want) {
		t.Errorf("read aloud %q; want it to say %q", h.u.Spoken(), want)
	}
}

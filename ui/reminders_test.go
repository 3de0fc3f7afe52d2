package ui_test

import (
	"fmt"
	"strings"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// Karen gave Peter a power of attorney on tax that ends in 12 days: the
// home screen says so first, and two taps later it is renewed for the
// usual year with the same person and area, without Peter having to
// accept again; the receipt is printed.
func TestRenewFromHome(t *testing.T) {
	h := newHarness(t)
	id := h.k.GiveDelegation(karenCPR, "Karen Hansen", peterCPR, "Peter Jensen", []string{"tax"}, 12)
	h.signIn(h.karen, pin)
	h.wantScreen("home")
	h.wantText("Peter Jensen kan handle for dig om Skat. Fuldmagten udløber om 12 dage. Sidste dag er 14. marts 2026.")
	h.tap("home.reminders")
	h.wantScreen("reminders")
	h.tap("reminder.renew.0")
	h.wantScreen("renew_review")
	if got := h.label("renew.scopes"); got != h.T("create.review_scopes", map[string]any{"Scopes": "Skat"}) {
		t.Errorf("renew.scopes = %q; want the same area", got)
	}
	h.wantText(h.T("renew.review_note", map[string]any{"Name": "Peter Jensen"}))
	before := len(h.k.Printer().Receipts())
	h.tap("renew.confirm")
	h.wantScreen("result")
	d := h.k.Delegation(id)
	if d.State != bk.DelegationActive || d.ValidTo.Before(h.clock.Now().AddDate(0, 0, 360)) || d.Delegate != bk.MustParseCPR(peterCPR) {
		t.Errorf("after renewing: %s until %v to %v; want active for a year, to Peter", d.State, d.ValidTo, d.Delegate)
	}
	if r := h.k.Printer().Receipts(); len(r) != before+1 || !strings.Contains(r[len(r)-1], "Fuldmagt fornyet") {
		t.Errorf("receipts %d → %d; want the renewal's receipt printed", before, len(r))
	}
	// Nothing ends soon any more: the tile has gone.
	h.tap("result.back")
	h.tap("delegations.back")
	h.wantScreen("home")
	if h.u.Button("home.reminders") != nil {
		t.Errorf("home still shows what ends soon after the renewal")
	}
}

// A renewal that adds an area is one Peter must accept again: the review
// says so, and the code to give him is shown next, as for a new one.
func TestRenewWiderAsksAgain(t *testing.T) {
	h := newHarness(t)
	id := h.k.GiveDelegation(karenCPR, "Karen Hansen", peterCPR, "Peter Jensen", []string{"tax"}, 5)
	h.signIn(h.karen, pin)
	h.tap("home.reminders")
	h.tap("reminder.renew.0")
	h.tap("renew.edit_scopes")
	h.wantScreen("create_scopes")
	h.tap("scope.housing")
	h.tap("create_scopes.next")
	h.wantScreen("renew_review")
	h.wantText(h.T("renew.review_note_wider", map[string]any{"Name": "Peter Jensen"}))
	h.tap("renew.confirm")
	h.wantScreen("handover_qr")
	h.wantText(h.T("result.renew_delegation", nil))
	if d := h.k.Delegation(id); d.State != bk.DelegationPending || len(d.Scopes) != 2 {
		t.Errorf("after renewing with an area more: %s %v; want pending_acceptance with two areas", d.State, d.Scopes)
	}
}

// Offline the renewal is saved at the kiosk like any action and sent
// later; the result says so.
func TestRenewOffline(t *testing.T) {
	h := newHarness(t)
	h.k.GiveDelegation(karenCPR, "Karen Hansen", peterCPR, "Peter Jensen", []string{"tax"}, 12)
	h.signIn(h.karen, pin)
	h.tap("home.reminders")
	h.k.SetOnline(false)
	h.tap("reminder.renew.0")
	h.tap("renew.confirm")
	h.wantScreen("result")
	q := h.k.Queued()
	if len(q) != 1 || q[0].Kind != bk.RenewDelegation {
		t.Fatalf("queued %v; want the renewal", q)
	}
}

// The list is soonest first and names each thing in a sentence; Udskriv
// prints a paper reminder of that one.
func TestRemindersSoonestFirstAndPrinted(t *testing.T) {
	h := bothReminders(t, 3, 20)
	if got := h.label("reminder.0"); !strings.Contains(got, "Peter Jensen kan handle for dig") || !strings.Contains(got, "3 dage") {
		t.Errorf("first reminder %q; want the one ending in 3 days", got)
	}
	if got := h.label("reminder.1"); !strings.Contains(got, "handle for Peter Jensen") {
		t.Errorf("second reminder %q; want the one Karen holds", got)
	}
	if h.u.Button("reminder.renew.1") != nil {
		t.Errorf("a power of attorney Karen holds offers Forny; only the principal can renew")
	}
	h.tap("reminder.print.1")
	r := h.k.Printer().Receipts()
	if len(r) == 0 || !strings.Contains(r[len(r)-1], "Husk") || !strings.Contains(r[len(r)-1], "Peter Jensen") {
		t.Errorf("printed %v; want a paper reminder naming Peter Jensen", r)
	}
	h.wantText(h.T("reminders.printed", nil))
}

// The home screen with what ends soon as its first tile still fits every
// panel in every mode and language, that tile in view with the three the
// menu must show (TestEveryScreenFits reaches home with nothing ending).
func TestHomeWithEndingFits(t *testing.T) {
	menu := mustSee["home"]
	mustSee["home"] = append([]string{"home.reminders"}, menu...)
	defer func() { mustSee["home"] = menu }()
	v := visit{"home", func(t *testing.T, h *harness) {
		h.k.GiveDelegation(karenCPR, "Karen Hansen", peterCPR, "Peter Jensen", []string{"tax", "housing"}, 12)
		h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
		h.signIn(h.karen, pin)
	}}
	h := goTo(t, v, i18n.Danish, theme.Settings{})
	for _, lang := range []i18n.Lang{i18n.Danish, i18n.English} {
		for _, mode := range displayModes {
			h.w.Resize(panels[2])
			h.setLang(lang)
			h.setMode(mode)
			for _, size := range panels {
				h.w.Resize(size)
				name := fmt.Sprintf("home with an ending at %.0f×%.0f, %s, %s", size.Width, size.Height, lang, modeName(mode))
				checkFits(t, h, name, size, mode)
			}
		}
	}
}

// Karen gives an e-mail address for reminders on the e-mail keyboard; it
// is shown on her contact page, reminders can be turned off, and the
// address removed again: each a signed set_contact, in her language.
func TestContactGivenTurnedOffAndRemoved(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	h.tap("home.contact")
	h.wantScreen("contact")
	h.tap("contact.add")
	h.typeEmail("karen")
	h.tap("contact_email.next")
	h.wantScreen("contact_email")
	if got := h.label("contact_email.message"); got != h.T("contact.bad_email", nil) {
		t.Errorf("a half address says %q; want %q", got, h.T("contact.bad_email", nil))
	}
	h.typeEmail("-h_2@mail.dk")
	h.tap("contact_email.next")
	h.wantScreen("result")
	h.tap("result.back")
	h.wantScreen("contact")
	h.wantText("karen-h_2@mail.dk")
	h.wantText(h.T("contact.reminders_on", nil))
	h.tap("contact.toggle")
	h.tap("result.back")
	h.wantText(h.T("contact.reminders_off", nil))
	h.tap("contact.remove")
	h.wantScreen("confirm_remove_email")
	h.tap("confirm_remove_email.yes")
	h.wantScreen("result")
	h.tap("result.back")
	h.wantText(h.T("contact.none", nil))
	var kinds []bk.ActionKind
	for _, r := range h.k.Printer().Receipts() {
		if strings.Contains(r, "E-mail gemt") {
			kinds = append(kinds, bk.SetContact)
		}
	}
	if len(kinds) != 3 {
		t.Errorf("printed %d set_contact receipts; want 3 (give, turn off, remove)", len(kinds))
	}
}

// What Karen gave and what she got are told apart by who acts, not by
// "til"/"fra", and each kind stands under a heading of its own (review 15).
func TestRemindersSayWhoActsUnderHeadings(t *testing.T) {
	h := bothReminders(t, 12, 25)
	h.wantScreen("reminders")
	text := flat(h.text())
	given, held := "Peter Jensen kan handle for dig om Skat.", "Du kan handle for Peter Jensen om Skat."
	headGiven, headHeld := h.T("reminders.group.given", nil), h.T("reminders.group.held", nil)
	for _, s := range []string{given, held, headGiven, headHeld} {
		if !strings.Contains(text, s) {
			t.Fatalf("the reminders screen lacks %q:\n%s", s, h.text())
		}
	}
	if !(strings.Index(text, headGiven) < strings.Index(text, given) && strings.Index(text, given) < strings.Index(text, headHeld) &&
		strings.Index(text, headHeld) < strings.Index(text, held)) {
		t.Errorf("want %q, %q, %q, %q in that order:\n%s", headGiven, given, headHeld, held, h.text())
	}
	if sp := h.u.Spoken(); !strings.Contains(sp, headHeld) {
		t.Errorf("read-aloud does not say the heading %q: %q", headHeld, sp)
	}
}

// bothReminders shows Karen's reminders of a power of attorney on tax she
// gave Peter, ending in given days, and one he gave her, in held days.
func bothReminders(t *testing.T, given, held int) *harness {
	h := newHarness(t)
	h.k.GiveDelegation(karenCPR, "Karen Hansen", peterCPR, "Peter Jensen", []string{"tax"}, given)
	h.k.GiveDelegation(peterCPR, "Peter Jensen", karenCPR, "Karen Hansen", []string{"tax"}, held)
	h.signIn(h.karen, pin)
	h.tap("home.reminders")
	return h
}

package ui_test

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// TestConfirmGiveSaysWhatAYesMeans: the question is not alone on its
// screen. It names the authority, the data, the purpose, how long and
// until when, and what a yes means, on screen and aloud; the answers say
// what they do.
func TestConfirmGiveSaysWhatAYesMeans(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.give." + id)
	h.wantScreen("confirm_give")
	until := "2. marts 2027" // a year from the test's start, as the screen writes a date
	for _, want := range []string{"Vil du give Københavns Kommune samtykke?", "Indkomst", purpose.DA, "1 år", until,
		"Siger du ja, må Københavns Kommune bruge dine data", "trække det tilbage"} {
		h.wantText(want)
	}
	spoken := h.u.Spoken()
	for _, want := range []string{"Københavns Kommune", "Indkomst", purpose.DA, "1 år", "2. marts 2027", "Svar senere"} {
		if !strings.Contains(spoken, want) {
			t.Errorf("confirm_give read aloud %q; want it to say %q", spoken, want)
		}
	}
	if got := h.u.Button("confirm_give.no").Text; got != h.T("consent.no_answer", nil) {
		t.Errorf("no button = %q; want %q", got, h.T("consent.no_answer", nil))
	}
	h.tap("lang.en")
	h.wantScreen("confirm_give")
	h.wantText("Do you want to give City of Copenhagen your consent?")
	h.wantText("If you say yes, City of Copenhagen may use")
}

// TestDeclineSaysUntilWhenAMindCanChange: a no says what it means and until
// when a yes is still possible (the request is open a year), and the kiosk
// then offers that yes.
func TestDeclineSaysUntilWhenAMindCanChange(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	// The request was made 100 days ago, so its deadline (2. marts 2027) is
	// neither today plus the consent period nor today plus a year.
	jump(h, 100*24*time.Hour)
	h.k.SetStale(false) // central has been in touch meanwhile
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.decline." + id)
	h.wantScreen("confirm_decline")
	h.wantText("Vil du sige nej til, at Københavns Kommune må bruge oplysninger om dig?")
	h.wantText("Siger du nej, må Københavns Kommune ikke bruge oplysninger om dig.")
	h.wantText("kan du sige ja her indtil 2. marts 2027") // the request stays open a year from when it was made
	h.wantNoText("10. juni 2027")                         // the consent's end had it been given today
	// A no is not urged: it is named by what it does and drawn like the other answer.
	yes, no := h.u.Button("confirm_decline.yes"), h.u.Button("confirm_decline.no")
	if yes.Text != "Sig nej" || no.Text != "Svar senere" {
		t.Errorf("decline answers = %q / %q; want \"Sig nej\" / \"Svar senere\"", yes.Text, no.Text)
	}
	if yes.Importance == widget.HighImportance || yes.Importance != no.Importance {
		t.Errorf("decline's yes has importance %v, its no %v; want them alike and not the main action", yes.Importance, no.Importance)
	}
	h.tap("confirm_decline.yes")
	h.tap("result.back")
	if h.u.Button("consent.give."+id) != nil {
		t.Errorf("a yes is offered at once after the no; a give at about the same time as a decline loses")
	}
	jump(h, 10*time.Minute)
	h.tap("consents.back")
	h.tap("home.consents")
	h.tap("consent.give." + id)
	h.wantScreen("confirm_give")
	h.tap("confirm_give.yes")
	if c := h.k.Consent(id); c.State != bk.ConsentGiven {
		t.Errorf("after a change of mind the consent is %s; want given", c.State)
	}
}

// TestConfirmWithdrawSaysWhatStops: the withdrawal says what stops and
// that a new yes needs a new request; its yes is destructive and its no
// keeps the consent.
func TestConfirmWithdrawSaysWhatStops(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.give." + id)
	h.tap("confirm_give.yes")
	h.tap("result.back")
	h.tap("consent.withdraw." + id)
	h.wantScreen("confirm_withdraw")
	for _, want := range []string{"Indkomst", purpose.DA, "Gælder til: 2. marts 2027",
		"Så må de ikke bruge dine data mere.", "Vil du sige ja igen senere, skal de først spørge dig igen."} {
		h.wantText(want)
	}
	if b := h.u.Button("confirm_withdraw.yes"); b.Importance != widget.DangerImportance {
		t.Errorf("withdraw's yes has importance %v; want danger", b.Importance)
	}
	if got := h.u.Button("confirm_withdraw.no").Text; got != h.T("consent.keep", nil) {
		t.Errorf("no button = %q; want %q", got, h.T("consent.keep", nil))
	}
}

// jump moves the clock on without firing its timers, as if the person had
// kept tapping meanwhile (Advance would let the idle timer log them out).
func jump(h *harness, d time.Duration) {
	h.clock.mu.Lock()
	defer h.clock.mu.Unlock()
	h.clock.now = h.clock.now.Add(d)
}

// TestResultNamesWhatChanged: the result says who may now use what, or no
// longer, and its ways on say where they go, the way back to the list
// being the main one.
func TestResultNamesWhatChanged(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.give." + id)
	h.tap("confirm_give.yes")
	h.wantScreen("result")
	h.wantText("Københavns Kommune må nu bruge dine oplysninger om: Indkomst. Formål: Beregne din boligstøtte.")
	back, home := h.u.Button("result.back"), h.u.Button("result.home")
	if back.Text != "Tilbage til samtykker" || home.Text != "Gå til forsiden" {
		t.Errorf("result buttons = %q and %q; want Tilbage til samtykker and Gå til forsiden", back.Text, home.Text)
	}
	if back.Importance != widget.HighImportance || home.Importance == widget.HighImportance {
		t.Errorf("importance back %v, home %v; want one primary: back", back.Importance, home.Importance)
	}
	if s := h.u.Spoken(); !strings.Contains(s, "Tryk Tilbage til samtykker, eller tryk Gå til forsiden.") {
		t.Errorf("result read aloud %q; want it to name both ways on", s)
	}
	h.tap("result.back")
	h.tap("consent.withdraw." + id)
	h.tap("confirm_withdraw.yes")
	h.wantText("Københavns Kommune må ikke længere bruge dine oplysninger om: Indkomst. Formål: Beregne din boligstøtte.")

	id2 := h.k.AddConsentRequest(karenCPR, "sundhed", purpose, []string{"health"}, 30)
	h.tap("result.back")
	h.tap("consent.decline." + id2)
	h.tap("confirm_decline.yes")
	h.wantText("Du har sagt nej. Sundhedsstyrelsen må ikke bruge dine oplysninger om: Helbredsoplysninger.")
}

// TestHomeSaysWhatWaits: home counts what waits for the person, makes
// that choice the main one, and says so aloud; once answered the count is
// gone. A delegation offered to the person makes taking it the main one.
func TestHomeSaysWhatWaits(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.wantScreen("home")
	h.wantText("1 venter på dit svar")
	h.wantText(h.T("home.consents_explain", nil))
	if s := h.u.Spoken(); !strings.Contains(s, "Mine samtykker. 1 venter på dit svar.") {
		t.Errorf("home read aloud %q; want the count after its choice", s)
	}
	mains := func() (ids []string) {
		for _, id := range []string{"home.consents", "home.delegations", "home.handover", "home.overview"} {
			if h.u.Button(id).Importance == widget.HighImportance {
				ids = append(ids, id)
			}
		}
		return ids
	}
	if got := mains(); len(got) != 1 || got[0] != "home.consents" {
		t.Errorf("main choices = %v; want only home.consents", got)
	}
	h.tap("home.consents")
	h.tap("consent.give." + id)
	h.tap("confirm_give.yes")
	h.tap("result.home")
	h.wantNoText("venter på dit svar")

	createDelegation(t, h)
	h.tap("review.confirm")
	h.tap("handover.done")
	h.tap("delegations.back")
	h.wantText("1 venter på, at personen tager imod")
	h.k.Remove()
	h.signIn(h.peter, "4321")
	h.wantText("1 fuldmagt venter på dig")
	if got := mains(); len(got) != 1 || got[0] != "home.handover" {
		t.Errorf("with a delegation offered the main choices = %v; want only home.handover", got)
	}
}

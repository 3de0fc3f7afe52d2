package ui_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/fake"
	"github.com/borgerkiosk/borgerkiosk/ui/speech"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

func TestConsentGiveAndWithdraw(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.wantScreen("consents")
	h.wantText("Københavns Kommune")
	h.wantText(purpose.DA)
	h.wantText("Indkomst")

	h.tap("consent.give." + id)
	h.wantScreen("confirm_give")
	h.tap("confirm_give.yes")
	h.wantScreen("result")
	h.wantText("Københavns Kommune må nu bruge dine oplysninger om: Indkomst. Formål: Beregne din boligstøtte. Det gælder til 2. marts 2027.")
	if got := h.label("result.receipt"); got != h.T("action.receipt_printed", nil) {
		t.Errorf("receipt line = %q; want printed", got)
	}
	if c := h.k.Consent(id); c.State != bk.ConsentGiven {
		t.Fatalf("consent state = %s; want given", c.State)
	}

	h.tap("result.back")
	h.wantScreen("consents")
	h.tap("consent.withdraw." + id)
	h.wantScreen("confirm_withdraw")
	h.tap("confirm_withdraw.no")
	h.wantScreen("consents")
	if c := h.k.Consent(id); c.State != bk.ConsentGiven {
		t.Fatalf("after Cancel the consent state = %s; want given", c.State)
	}
	h.tap("consent.withdraw." + id)
	h.tap("confirm_withdraw.yes")
	h.wantScreen("result")
	if c := h.k.Consent(id); c.State != bk.ConsentWithdrawn {
		t.Fatalf("consent state = %s; want withdrawn", c.State)
	}
	h.tap("result.back")
	h.wantText(h.T("consent.state.withdrawn", nil))
	if n := len(h.k.Printer().Receipts()); n != 2 {
		t.Errorf("receipts printed = %d; want 2", n)
	}
}

func TestPrinterOutOfPaperKeepsTheAction(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "sundhed", purpose, []string{"health"}, 30)
	h.k.Printer().SetPaper(false)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.tap("consent.decline." + id)
	h.tap("confirm_decline.yes")
	h.wantScreen("result")
	if got := h.label("result.receipt"); got != h.T("error.printer", nil) {
		t.Errorf("receipt line = %q; want %q", got, h.T("error.printer", nil))
	}
	if c := h.k.Consent(id); c.State != bk.ConsentDeclined {
		t.Errorf("consent state = %s; want declined (saved although nothing printed)", c.State)
	}
	h.tap("help")
	if len(h.k.StaffCalls()) != 1 {
		t.Errorf("staff calls = %v; want one", h.k.StaffCalls())
	}
	h.wantText(h.T("staff.help_called", nil))
}

func TestOfflineActionsArePendingAndSentLater(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents") // fetched while online: kept for this session only
	h.k.SetOnline(false)
	h.wantText(h.u.Translator().TN("offline.banner", 0, nil))

	h.tap("consent.give." + id)
	h.tap("confirm_give.yes")
	h.wantScreen("result")
	// The banner says the answer waits; the result does not say it again.
	if n := strings.Count(flat(h.text()), "sendes senere"); n != 1 {
		t.Errorf("the result says %d times that the answer is sent later; want once (the banner):\n%s", n, h.text())
	}
	if n := strings.Count(flat(h.text()), "gemt"); n > 2 {
		t.Errorf("the result says \"gemt\" %d times; want at most twice:\n%s", n, h.text())
	}
	h.wantText("Når dit svar er sendt, må Københavns Kommune bruge") // not "må nu": central does not know yet
	h.wantText(h.u.Translator().TN("offline.banner", 1, nil))
	r := h.k.Printer().Receipts()
	if len(r) != 1 || !strings.Contains(r[0], "Afventer — sendes når forbindelsen er tilbage") {
		t.Errorf("receipt = %q; want it to say pending", r)
	}
	if c := h.k.Consent(id); c.State != bk.ConsentRequested {
		t.Errorf("central saw the consent as %s before the connection returned", c.State)
	}
	h.tap("result.back")
	h.wantScreen("consents")
	h.wantText(h.T("state.cached", map[string]any{"Time": "2. marts 2026 kl. 11.00"})) // 10:00 UTC is 11:00 in Copenhagen
	boxedNotice(t, h, "state.cached")                                                  // not small coloured text

	h.k.SetOnline(true)
	h.wantNoText(h.u.Translator().TN("offline.banner", 0, nil))
	if c := h.k.Consent(id); c.State != bk.ConsentGiven {
		t.Errorf("after reconnecting the consent is %s; want given", c.State)
	}
}

func TestOfflineWithoutStateSaysWhatCanBeDone(t *testing.T) {
	h := newHarness(t)
	h.k.SetOnline(false)
	h.signIn(h.karen, pin)
	h.wantText(h.T("home.offline", nil))
	h.tap("home.delegations")
	h.wantScreen("delegations")
	if got := h.label("delegations.message"); got != h.T("state.unavailable", nil) {
		t.Errorf("message = %q; want %q", got, h.T("state.unavailable", nil))
	}
	// Giving a power of attorney needs no state and works offline.
	h.tap("delegations.create")
	h.wantScreen("create_name")
}

func TestStaleTrustRefusesWideningOnly(t *testing.T) {
	h := newHarness(t)
	give := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.k.SetStale(true)
	h.wantText(h.T("action.stale_trust", nil)) // the banner
	h.tap("consent.give." + give)
	h.tap("confirm_give.yes")
	h.wantScreen("action_error")
	// The banner gives the reason; the message says what it means here
	// rather than repeating it.
	// It names what cannot be done, and what to do instead.
	if got := h.label("action_error.message"); got != h.T("result.stale_trust.give_consent", nil) ||
		!strings.Contains(got, "Du kan ikke give samtykke lige nu.") || !strings.Contains(got, "Prøv senere") {
		t.Errorf("refusal = %q; want what cannot be done and the way on", got)
	}
	if len(h.k.Queued()) != 0 || h.k.Consent(give).State != bk.ConsentRequested {
		t.Errorf("a refused action was stored")
	}
	h.tap("action_error.back")
	h.tap("consent.decline." + give) // restrictive: still allowed
	h.tap("confirm_decline.yes")
	h.wantScreen("result")
	if c := h.k.Consent(give); c.State != bk.ConsentDeclined {
		t.Errorf("consent state = %s; want declined", c.State)
	}
}

// createDelegation runs the create journey for Karen up to the QR screen.
func createDelegation(t *testing.T, h *harness) {
	t.Helper()
	h.tap("home.delegations")
	h.tap("delegations.create")
	// The name first, checked with a message in the bar on Next.
	h.wantScreen("create_name")
	h.tap("create_name.next")
	for _, tc := range []struct{ typed, key string }{{"", "create.name_empty"}, {"B", "create.name_short"}, {"Bo-", "create.name_join"}} {
		h.deleteLetters(3)
		h.typeName(tc.typed)
		h.wantScreen("create_name")
		if got, want := h.label("create_name.message"), h.T(tc.key, map[string]any{"Min": bk.MinNameRunes}); got != want {
			t.Errorf("message for the name %q = %q; want %q", tc.typed, got, want)
		}
	}
	h.deleteLetters(3)
	h.typeName("Peter")
	h.wantScreen("create_cpr")
	h.wantText("CPR-nummer for Peter")
	h.typeCPR("3102801234") // 31 February
	if got := h.label("create_cpr.message"); got != h.T("cpr.invalid", nil) {
		t.Errorf("message for a bad date = %q; want %q", got, h.T("cpr.invalid", nil))
	}
	// The clock says 2 March 2026: a number born tomorrow or in 2036 has not
	// been issued; one born today is a real (if very young) person.
	for _, tc := range []struct{ cpr, key string }{
		{"030326-4000", "cpr.future"}, {"010136-9000", "cpr.future"}, {"020326-4000", "create.too_young"},
	} {
		h.typeCPR(tc.cpr)
		if got := h.label("create_cpr.message"); got != h.T(tc.key, nil) {
			t.Errorf("message for %s = %q; want %q", tc.cpr, got, h.T(tc.key, nil))
		}
	}
	h.typeCPR(karenCPR)
	if got := h.label("create_cpr.message"); got != h.T("create.self", nil) {
		t.Errorf("message for own CPR = %q; want %q", got, h.T("create.self", nil))
	}
	h.typeCPR(childCPR)
	if got := h.label("create_cpr.message"); got != h.T("create.too_young", nil) {
		t.Errorf("message for a child = %q; want %q", got, h.T("create.too_young", nil))
	}
	h.typeCPR(peterCPR)
	h.wantScreen("create_scopes")
	h.tap("create_scopes.next") // with no area chosen, Next waits and says why
	h.wantScreen("create_scopes")
	h.wantText("Se svar på prøver på sundhed.dk og få tid hos lægen.")
	h.tap("scope.health")
	h.tap("scope.tax")
	h.tap("create_scopes.next")
	h.wantScreen("create_period")
	if got, want := h.label("create_period.current"), "Gyldig fra 2. marts 2026 til 2. marts 2027"; !strings.Contains(got, "2. marts 2026") || !strings.Contains(got, "2. marts 2027") {
		t.Errorf("default period = %q; want like %q", got, want)
	}
	if h.u.Button("period.1825") == nil || h.u.Button("period.3650") != nil {
		t.Errorf("period choices = %v; want up to the 1825-day maximum", h.u.ButtonIDs())
	}
	// Lengths in the words people use, never "1825 dage".
	for id, want := range map[string]string{"period.30": "1 måned", "period.180": "6 måneder", "period.365": "1 år", "period.1825": "5 år"} {
		if got := h.u.Button(id).Text; got != want {
			t.Errorf("button %s says %q; want %q", id, got, want)
		}
	}
	h.wantText("Højst 5 år.")
	h.wantNoText("dage")
	h.tap("period.730")
	h.tap("create_period.next")
	h.wantScreen("create_review")
	// Everything the card signs, the CPR number in full: those are the
	// digits to check.
	h.wantText("Til: Peter")
	h.wantText("CPR-nummer: " + peterCPR)
	h.wantText("Skat, Sundhed")
}

func TestCreateDelegationShowsAndPrintsHandoverCode(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	createDelegation(t, h)
	h.tap("review.confirm")
	h.wantScreen("handover_qr")
	h.wantText(h.T("handover.slip_printed", map[string]any{"Name": "Peter"}))
	ds := h.k.Delegations()
	if len(ds) != 1 {
		t.Fatalf("delegations at central = %d; want 1", len(ds))
	}
	d := ds[0]
	if d.State != bk.DelegationPending || d.Delegate != bk.MustParseCPR(peterCPR) || len(d.Scopes) != 2 ||
		d.ValidTo.Sub(d.ValidFrom) != 730*24*time.Hour || d.CreatedVia != bk.ViaSelf {
		t.Errorf("delegation = %+v; want pending to Peter, 2 areas, 730 days, self", d)
	}
	r := h.k.Printer().Receipts()
	if len(r) != 2 || !strings.Contains(r[1], fake.HandoverPrefix) {
		t.Errorf("receipts = %q; want the action receipt and a slip with the code", r)
	}
	if !strings.Contains(h.label("handover.expires"), "5. marts 2026") {
		t.Errorf("expiry line = %q; want the code's expiry date", h.label("handover.expires"))
	}
}

func TestAcceptHandoverScannedAtWelcome(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	createDelegation(t, h)
	h.tap("review.confirm")
	code := handoverCode(h)
	h.k.Remove()
	h.wantScreen("welcome")

	// Peter scans the slip at the kiosk, then signs in with his own card.
	h.k.Scan("NOT A CODE")
	h.wantScreen("handover_error")
	if got := h.label("handover_error.message"); got != h.T("scan.bad_code", nil) {
		t.Errorf("message = %q; want %q", got, h.T("scan.bad_code", nil))
	}
	h.tap("lang.en") // the message follows a change of language
	if got := h.label("handover_error.message"); got != h.T("scan.bad_code", nil) || !strings.Contains(got, "Hold the code still") {
		t.Errorf("in English the message = %q; want %q", got, h.T("scan.bad_code", nil))
	}
	h.tap("lang.da")
	h.tap("handover_error.back")
	h.k.Scan(code)
	h.wantScreen("handover_preview")
	// Signed out, only the code speaks: a masked name, no CPR number, said
	// once (in the areas' heading, not in a "Fra Karen H." line too).
	h.wantText(h.T("handover.scopes", map[string]any{"Name": "Karen H."}))
	h.wantNoText(h.T("handover.from_name", map[string]any{"Name": "Karen H."}))
	h.wantNoText("Hansen")
	h.wantNoText("010180")
	h.wantText("Skat")
	h.signIn(h.peter, "4321")
	h.wantScreen("handover_decision")
	// Signed in, the delegate decides on central's record (issue 10, item 2).
	h.wantText(h.T("handover.from", map[string]any{"Name": "Karen Hansen", "CPR": "010180-xxxx"}))
	h.tap("handover.accept")
	h.wantScreen("result")
	h.wantText(h.T("result.accept_delegation", nil))
	if d := h.k.Delegations()[0]; d.State != bk.DelegationActive || d.DelegateName != "Peter Jensen" {
		t.Errorf("delegation = %s by %q; want active, Peter Jensen", d.State, d.DelegateName)
	}
	h.tap("result.back")
	h.wantScreen("delegations")
	h.wantText(h.T("delegations.i_act_for", nil))
	h.wantText("Karen Hansen")
	h.wantText("CPR-nummer: 010180-xxxx")

	// Used once: scanning it again is refused.
	h.tap("delegations.back")
	h.tap("home.handover")
	h.wantScreen("scan")
	h.k.Scan(code)
	h.wantScreen("handover_error")
}

func TestAcceptHandoverFromHomeByWrongPerson(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	createDelegation(t, h)
	h.tap("review.confirm")
	code := handoverCode(h)
	h.k.Remove()

	other := h.k.NewCard("Ida Iversen", "070785-4444", "", pin)
	h.signIn(other, pin)
	h.tap("home.handover")
	h.k.Scan(code)
	h.wantScreen("handover_decision")
	h.tap("handover.accept")
	h.wantScreen("action_error")
	if got := h.label("action_error.message"); got != h.T("err.not_permitted", nil) {
		t.Errorf("refusal = %q; want %q", got, h.T("err.not_permitted", nil))
	}
	if d := h.k.Delegations()[0]; d.State != bk.DelegationPending {
		t.Errorf("delegation = %s; want still pending", d.State)
	}
}

func TestRevokeDelegationWithConfirmation(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	createDelegation(t, h)
	h.tap("review.confirm")
	h.tap("handover.done")
	h.wantScreen("delegations")
	id := h.k.Delegations()[0].ID
	h.tap("delegation.revoke." + id)
	h.wantScreen("confirm_revoke")
	h.tap("confirm_revoke.yes")
	h.wantScreen("result")
	if d := h.k.Delegation(id); d.State != bk.DelegationRevoked {
		t.Errorf("state = %s; want revoked", d.State)
	}
}

func TestStaffAssistsCitizen(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.sofie, "9999")
	h.wantScreen("staff_home")
	h.tap("staff.assist")
	h.wantScreen("assist_ready")
	h.k.Remove()
	h.wantScreen("assist_wait")
	banner := h.T("staff.assisted_by", map[string]any{"Name": "Sofie Holm"})
	h.wantText(banner)

	h.signIn(h.karen, pin)
	h.wantScreen("home")
	h.wantText(banner)
	createDelegation(t, h)
	h.wantText(banner)
	h.tap("review.confirm")
	h.wantText(banner)
	d := h.k.Delegations()[0]
	if d.CreatedVia != bk.ViaAssisted || d.AssistedBy != "S-17 Sofie Holm" {
		t.Errorf("delegation via %s by %q; want assisted by S-17 Sofie Holm", d.CreatedVia, d.AssistedBy)
	}
	if r := h.k.Printer().Receipts()[0]; !strings.Contains(r, "Hjulpet af: Sofie Holm") {
		t.Errorf("receipt = %q; want it to name who assisted", r)
	}
	// The grant ends with the citizen's session.
	h.k.Remove()
	h.wantScreen("welcome")
	h.wantNoText(banner)
}

func TestRejectedActionShowsOnStaffAttentionList(t *testing.T) {
	h := newHarness(t)
	queueRevokedAction(h)

	h.signIn(h.sofie, "9999")
	h.wantScreen("staff_home")
	if got := h.label("staff.queue"); got != "1" {
		t.Errorf("queue = %q; want 1", got)
	}
	if got := h.label("staff.connection"); got != h.T("staff.offline", nil) {
		t.Errorf("connection = %q; want offline", got)
	}
	h.wantText(h.T("staff.attention_none", nil))
	h.tap("staff.sync")
	h.wantText(h.T("staff.sync_failed", nil))
	h.k.SetOnline(true)
	h.tap("staff.sync")
	h.wantScreen("staff_home")
	h.wantText(h.T("staff.kind.give_consent", nil))
	h.wantText("card_revoked") // the code, for a call to support
	h.wantText(h.T("staff.reason.card_revoked", nil))
	h.wantNoText(h.T("card.revoked", nil)) // the citizen's sentence ("Bed personalet om hjælp") is not for staff
	if got := h.label("staff.queue"); got != "0" {
		t.Errorf("queue after sync = %q; want 0", got)
	}
}

// queueRevokedAction has Karen give a consent offline with a card that is
// reported lost before the kiosk is online again: central will reject it.
func queueRevokedAction(h *harness) {
	h.t.Helper()
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	h.k.SetOnline(false)
	h.tap("consent.give." + id)
	h.tap("confirm_give.yes")
	h.wantScreen("result")
	h.k.Remove()
	h.k.RevokeAtCentral(h.karen) // the card was reported lost meanwhile
}

// leaveRejectedAction is queueRevokedAction and the kiosk back online:
// central rejects the action, which goes on the staff's attention list. It
// returns the action's id.
func leaveRejectedAction(t *testing.T, h *harness) string {
	t.Helper()
	queueRevokedAction(h)
	h.chooseLang() // logout reset the language
	h.k.SetOnline(true)
	items, err := h.k.Attention(context.Background())
	if err != nil || len(items) != 1 {
		t.Fatalf("attention list = %+v, %v; want the rejected action", items, err)
	}
	return items[0].ActionID
}

// TestStaffDismissesAttentionItem: staff take an action they have dealt
// with off the list, after a question that a stray tap cannot answer; the
// kiosk records which staff member did.
func TestStaffDismissesAttentionItem(t *testing.T) {
	h := newHarness(t)
	id := leaveRejectedAction(t, h)
	h.signIn(h.sofie, "9999")
	h.wantScreen("staff_home")
	h.wantText(h.T("staff.reason.card_revoked", nil))

	h.tap("attention.dismiss." + id)
	h.wantScreen("confirm_dismiss")
	h.wantText(h.T("staff.dismiss_means", nil))
	// The question says which action and why in words, not as a code.
	h.wantText(h.T("staff.outcome.rejected", nil) + ". " + h.T("staff.reason.card_revoked", nil))
	h.wantNoText("card_revoked")
	h.tap("confirm_dismiss.no")
	h.wantScreen("staff_home")
	if got := h.label("attention." + id); !strings.Contains(got, "card_revoked") {
		t.Errorf("after keeping it, the item says %q; want it still listed", got)
	}
	if d := h.k.Dismissals(); len(d) != 0 {
		t.Fatalf("dismissals after Keep = %+v; want none", d)
	}

	h.tap("attention.dismiss." + id)
	h.tap("confirm_dismiss.yes")
	h.wantScreen("staff_home")
	h.wantText(h.T("staff.dismissed", nil))
	h.wantText(h.T("staff.attention_none", nil))
	if h.u.Button("attention.dismiss."+id) != nil {
		t.Error("the dismissed action still has its button")
	}
	if d := h.k.Dismissals(); len(d) != 1 || d[0] != (fake.Dismissal{ActionID: id, By: "S-17"}) {
		t.Errorf("dismissals = %+v; want %s by S-17", d, id)
	}
}

func TestStaffHomeShowsDevices(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.sofie, "9999")
	h.k.Printer().SetPaper(false)
	h.k.SetStale(true)
	if got := h.label("staff.printer"); got != h.T("staff.device_paper_out", nil) {
		t.Errorf("printer = %q; want out of paper", got)
	}
	if got := h.label("staff.trust"); got != h.T("staff.trust_stale", nil) {
		t.Errorf("trust = %q; want stale", got)
	}
	if got := h.label("staff.speech"); got != h.T("staff.speech_ok", nil) {
		t.Errorf("speech = %q; want available", got)
	}
}

// TestStaffHomeSaysWhySpeechIsNotHeard: with espeak-ng installed but no
// sound card the staff screen must not say "works".
func TestStaffHomeSaysWhySpeechIsNotHeard(t *testing.T) {
	for _, tt := range []struct{ reason, want string }{
		{speech.ReasonNoDevice, "Ingen lydenhed"},
		{speech.ReasonNoVoice, "staff.speech_no_voice"},
		{speech.ReasonNoEngine, "staff.speech_missing"},
	} {
		h := newHarnessWith(t, &speech.Silent{Reason: tt.reason})
		h.signIn(h.sofie, "9999")
		want := tt.want
		if strings.Contains(want, ".") {
			want = h.T(want, nil)
		}
		if got := h.label("staff.speech"); got != want {
			t.Errorf("%s: speech = %q; want %q", tt.reason, got, want)
		}
		if h.u.Button("read").Disabled() != true {
			t.Errorf("%s: the read-aloud button is enabled with nothing to hear", tt.reason)
		}
	}
}

// The staff screen says how wrong the kiosk clock is while central refuses
// it for that, and says nothing of the clock when it is right.
func TestStaffHomeShowsClockSkew(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.sofie, "9999")
	if h.u.Label("staff.clock") != nil {
		t.Errorf("staff screen shows a clock line while the clock is right")
	}
	for _, tc := range []struct {
		skew time.Duration
		key  string
		n    int
	}{
		{12*time.Minute + 10*time.Second, "staff.clock_ahead", 12},
		{-time.Hour, "staff.clock_behind", 60},
		{-61 * time.Second, "staff.clock_behind", 1},
	} {
		h.k.SetClockSkew(tc.skew)
		if got, want := h.label("staff.clock"), h.u.Translator().TN(tc.key, tc.n, nil); got != want {
			t.Errorf("clock line for %v = %q; want %q", tc.skew, got, want)
		}
	}
	h.k.SetClockSkew(0)
	if h.u.Label("staff.clock") != nil {
		t.Errorf("staff screen still shows a clock line after the clock was set right")
	}
}

func TestIdleWarningExtendAndLogout(t *testing.T) {
	h := newHarness(t)
	h.tap("lang.en")
	h.tap("toggle.large")
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	cfg := testConfig()

	h.clock.Advance(cfg.IdleWarning - time.Second)
	h.wantNoText(h.T("idle.title", nil))
	h.clock.Advance(time.Second)
	h.wantText(h.T("idle.title", nil))
	for i := 0; i < 12; i++ { // "I am still here" works again and again
		h.clock.Advance(cfg.IdleCountdown - 5*time.Second)
		h.wantText(h.u.Translator().TN("idle.warning", 5, map[string]any{"Seconds": 5}))
		test.Tap(findButton(h, h.T("button.still_here", nil)))
		h.wantScreen("consents")
		h.wantNoText(h.T("idle.title", nil))
		h.clock.Advance(cfg.IdleWarning)
		h.wantText(h.T("idle.title", nil))
	}
	h.clock.Advance(cfg.IdleCountdown)
	// The card is still in: the reminder first, in her language and text
	// size, with why she was logged out; then, card out, the welcome screen.
	h.wantScreen("take_card")
	if h.u.HoldsPersonData() {
		t.Errorf("idle logout left person data")
	}
	h.wantText(h.T("idle.logged_out", nil))
	h.wantNoText("Karen")
	h.k.Remove()
	h.wantScreen("welcome")
	if h.u.HoldsPersonData() || h.u.Lang() != "da" || h.u.Settings().LargeText {
		t.Errorf("idle logout left data: person=%v lang=%s settings=%+v", h.u.HoldsPersonData(), h.u.Lang(), h.u.Settings())
	}
	// No idle timer runs on the welcome screen.
	h.clock.Advance(10 * cfg.IdleWarning)
	h.wantNoText(h.T("idle.title", nil))
}

// TestWelcomeForgetsChoicesOfSomeoneWhoLeft: language, contrast and
// read-aloud chosen on the welcome screen by someone who then walks away
// are dropped after the idle time, quietly, with no warning to answer.
func TestWelcomeForgetsChoicesOfSomeoneWhoLeft(t *testing.T) {
	h := newHarness(t)
	cfg := testConfig()
	h.tap("lang.en")
	h.tap("toggle.contrast")
	h.clock.Advance(cfg.IdleWarning) // each touch starts the wait again
	h.tap("toggle.large")
	h.clock.Advance(cfg.IdleWarning + cfg.IdleCountdown - time.Second)
	if !h.u.Settings().LargeText || h.u.Lang() != "en" {
		t.Fatalf("choices dropped while the person was still there: lang=%s settings=%+v", h.u.Lang(), h.u.Settings())
	}
	h.clock.Advance(time.Second)
	h.wantScreen("welcome")
	if h.u.Settings() != (theme.Settings{}) || h.u.Lang() != "da" {
		t.Errorf("after the idle time: lang=%s settings=%+v; want the defaults", h.u.Lang(), h.u.Settings())
	}
	h.wantNoText(h.T("idle.title", nil))
}

func TestIdleWarningCountdownIsAtLeast20Seconds(t *testing.T) {
	c := testConfig()
	c.IdleCountdown = 19 * time.Second
	if err := c.Validate(); err == nil {
		t.Errorf("Validate(IdleCountdown=19s) = nil; want an error")
	}
}

// TestLogoutStopsSpeech: a screen read on request (read-aloud off) names the
// person; it must stop the moment the session ends, not play on for the
// next person.
func TestLogoutStopsSpeech(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	h.tap("read")
	before := h.sp.Stops()
	h.k.Remove()
	h.wantScreen("welcome")
	if h.sp.Stops() == before {
		t.Errorf("speech was not stopped when the card was removed")
	}
}

// TestRequestedSpeechStopsWithItsScreen: a screen read on request with
// read-aloud off stops when the person moves to another screen.
func TestRequestedSpeechStopsWithItsScreen(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	h.tap("read")
	before := h.sp.Stops()
	h.tap("home.consents")
	h.wantScreen("consents")
	if h.sp.Stops() == before {
		t.Errorf("speech asked for on the home screen did not stop when the consents screen came")
	}
	// Toggling a setting rebuilds the same screen: nothing to stop then.
	h.tap("read")
	before = h.sp.Stops()
	h.tap("toggle.contrast")
	if h.sp.Stops() != before {
		t.Errorf("a toggle on the same screen stopped what was being read")
	}
}

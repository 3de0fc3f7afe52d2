package ui_test

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// toReview drives Karen from home to the review of a delegation to Peter
// in tax, for the default period.
func toReview(h *harness) {
	h.t.Helper()
	h.signIn(h.karen, pin)
	h.tap("home.delegations")
	h.tap("delegations.create")
	h.typeName("Peter")
	h.typeCPR(peterCPR)
	h.tap("scope.tax")
	h.tap("create_scopes.next")
	h.tap("create_period.next")
	h.wantScreen("create_review")
}

// The review shows everything the card will sign, the CPR number in full
// as typed (the digits to check), and reads it aloud as the birth date
// only; nothing on it is masked.
func TestReviewShowsWhatIsSigned(t *testing.T) {
	h := newHarness(t)
	toReview(h)
	for id, want := range map[string]string{
		"review.name":   h.T("create.review_name", map[string]any{"Name": "Peter"}),
		"review.cpr":    h.T("create.review_cpr", map[string]any{"CPR": peterCPR}),
		"review.scopes": h.T("create.review_scopes", map[string]any{"Scopes": "Skat"}),
	} {
		if got := h.label(id); got != want {
			t.Errorf("%s = %q; want %q", id, got, want)
		}
	}
	if got := h.label("review.period"); !strings.Contains(got, "2. marts 2026") || !strings.Contains(got, "2. marts 2027") {
		t.Errorf("review.period = %q; want the period's dates", got)
	}
	h.wantNoText("xxxx")
	if s := h.u.Spoken(); strings.Contains(s, "2345") || !strings.Contains(s, "født 2. februar 1975") {
		t.Errorf("read aloud %q; want the CPR number masked (speech says it as the birth date), never in full", s)
	}
}

// Every "Ret" opens its step with the answer given, and that step's way on
// comes back to the review, with the change, not to the next step.
func TestReviewRetReturnsToReview(t *testing.T) {
	h := newHarness(t)
	toReview(h)

	h.tap("review.edit_name")
	h.wantScreen("create_name")
	h.deleteLetters(len("Peter"))
	h.typeName("Poul")
	h.wantScreen("create_review")
	if got, want := h.label("review.name"), h.T("create.review_name", map[string]any{"Name": "Poul"}); got != want {
		t.Errorf("after Ret on the name, review.name = %q; want %q", got, want)
	}

	h.tap("review.edit_cpr")
	h.wantScreen("create_cpr")
	if got := h.u.CPRPad().Value(); got != peterCPR {
		t.Errorf("the CPR pad shows %q; want the number typed, %q", got, peterCPR)
	}
	h.typeCPR(sofieCPR)
	h.wantScreen("create_review")
	h.wantText(sofieCPR)

	h.tap("review.edit_scopes")
	h.wantScreen("create_scopes")
	if h.u.Button("create_scopes.back") != nil {
		t.Errorf("correcting the areas offers Back; a tap changes them at once, so only Next")
	}
	h.tap("scope.health")
	h.tap("create_scopes.next")
	h.wantScreen("create_review")
	if got, want := h.label("review.scopes"), h.T("create.review_scopes", map[string]any{"Scopes": "Skat, Sundhed"}); got != want {
		t.Errorf("after Ret on the areas, review.scopes = %q; want %q", got, want)
	}

	h.tap("review.edit_period")
	h.wantScreen("create_period")
	h.tap("period.730")
	h.tap("create_period.next")
	h.wantScreen("create_review")
	if got := h.label("review.period"); !strings.Contains(got, "1. marts 2028") {
		t.Errorf("after Ret on the period, review.period = %q; want 730 days, to 1. marts 2028", got)
	}

	// Back from a step opened with Ret goes to the review, dropping what
	// was typed there.
	h.tap("review.edit_name")
	h.tap("create_name.back")
	h.wantScreen("create_review")

	h.tap("review.confirm")
	h.wantScreen("handover_qr")
	ds := h.k.Delegations()
	if len(ds) != 1 || ds[0].DelegateNameTyped != "Poul" || ds[0].Delegate != bk.MustParseCPR(sofieCPR) || len(ds[0].Scopes) != 2 {
		t.Fatalf("delegations = %+v; want one to Poul (Sofie's number), two areas", ds)
	}
}

// A power of attorney waiting to be accepted is titled by the name typed
// for the person, and once they accept, by the name on their card.
func TestPendingDelegationTitledByName(t *testing.T) {
	h := newHarness(t)
	code := slipCode(h)
	h.signIn(h.karen, pin)
	h.tap("home.delegations")
	h.wantScreen("delegations")
	lines := strings.Split(h.text(), "\n")
	if !slices.Contains(lines, "Peter") || slices.Contains(lines, "020275-xxxx") {
		t.Errorf("the pending delegation is not titled \"Peter\":\n%s", h.text())
	}
	if s := h.u.Spoken(); !strings.Contains(s, "Peter") {
		t.Errorf("read aloud %q; want the person's name", s)
	}
	h.k.Remove()
	h.k.Scan(code)
	h.signIn(h.peter, "4321")
	h.tap("handover.accept")
	h.k.Remove()
	h.signIn(h.karen, pin)
	h.tap("home.delegations")
	h.wantText("Peter Jensen")
}

// Revoke and renounce are red with an icon, unlike "Vis koden igen" beside
// them, and a sentence on the card says what they stop.
func TestRevokeAndRenounceLookDestructive(t *testing.T) {
	h := newHarness(t)
	code := slipCode(h)
	id := h.k.Delegations()[0].ID
	h.signIn(h.karen, pin)
	h.tap("home.delegations")
	revoke, show := h.u.Button("delegation.revoke."+id), h.u.Button("delegation.code."+id)
	if revoke.Importance != widget.DangerImportance || revoke.Icon == nil {
		t.Errorf("revoke: importance %v, icon %v; want danger with an icon", revoke.Importance, revoke.Icon)
	}
	if show.Importance == widget.DangerImportance || show.Icon != nil {
		t.Errorf("show the code again looks like revoke: importance %v, icon %v", show.Importance, show.Icon)
	}
	h.wantText(h.T("delegation.revoke_means_pending", map[string]any{"Name": "Peter"}))
	h.k.Remove()

	h.k.Scan(code)
	h.signIn(h.peter, "4321")
	h.tap("handover.accept")
	h.tap("result.back")
	h.wantScreen("delegations")
	if b := h.u.Button("delegation.renounce." + id); b.Importance != widget.DangerImportance || b.Icon == nil {
		t.Errorf("renounce: importance %v, icon %v; want danger with an icon", b.Importance, b.Icon)
	}
	h.wantText(h.T("delegation.renounce_means", map[string]any{"Name": "Karen Hansen"}))
}

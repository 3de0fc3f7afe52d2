package ui_test

import (
	"testing"
)

// TestCompactCodeWithoutTerms: a scanned compact code names neither the
// areas nor the period, so the preview says the card brings them, and an
// offline kiosk says it cannot show them, instead of empty areas and dates.
func TestCompactCodeWithoutTerms(t *testing.T) {
	h := newHarness(t)
	h.signIn(h.karen, pin)
	createDelegation(t, h)
	h.tap("review.confirm")
	code := handoverCode(h)
	h.k.Remove()
	h.wantScreen("welcome")
	h.k.SetCompactCodes(true)
	h.k.Scan(code)
	h.wantScreen("handover_preview")
	h.wantText(h.T("handover.from_name", map[string]any{"Name": "Karen H."}))
	h.wantText(h.T("handover.terms_after_card", nil))
	h.wantNoText("0001")
	h.k.SetOnline(false)
	h.signIn(h.peter, "4321")
	h.wantScreen("handover_decision")
	h.wantText(h.T("handover.terms_offline", nil))
	h.wantNoText("0001")
}

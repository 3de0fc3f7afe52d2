package ui_test

import (
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// TestTapsPerJourney drives each main journey with the fewest taps a person
// needs and pins the count, so a change that adds a tap fails here and must
// update this table and "Taps per journey" in docs/accessibility.md. Every
// tap counts: buttons, PIN digits and OK, CPR digits and OK. Putting a card
// in and holding a slip under the scanner are not taps.
func TestTapsPerJourney(t *testing.T) {
	for _, tc := range []struct {
		name       string
		fromHome   bool // Karen is signed in before the count starts
		taps, pins int  // all taps; of them on the PIN pad
		run        func(t *testing.T, h *harness)
	}{
		{"sign-in to a confirmed give-consent", false, 8, 5, func(t *testing.T, h *harness) {
			id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
			h.signIn(h.karen, pin)
			h.tap("home.consents")
			h.tap("consent.give." + id)
			h.tap("confirm_give.yes")
			h.wantScreen("result")
			if c := h.k.Consent(id); c.State != bk.ConsentGiven {
				t.Errorf("consent state = %s; want given", c.State)
			}
		}},
		{"create a delegation, from home to the handover slip", true, 23, 0, func(t *testing.T, h *harness) {
			createFewest(h)
			h.wantScreen("handover_qr")
			if ds := h.k.Delegations(); len(ds) != 1 || ds[0].State != bk.DelegationPending {
				t.Errorf("delegations = %+v; want one pending", ds)
			}
		}},
		{"accept by slip, scanned at the welcome screen", false, 6, 5, func(t *testing.T, h *harness) {
			h.k.Scan(slipCode(h))
			h.wantScreen("handover_preview")
			h.signIn(h.peter, "4321")
			h.tap("handover.accept")
			h.wantScreen("result")
			if d := h.k.Delegations()[0]; d.State != bk.DelegationActive {
				t.Errorf("delegation = %s; want active", d.State)
			}
		}},
		{"sign-in to a renewed power of attorney, from what ends soon", false, 8, 5, func(t *testing.T, h *harness) {
			id := h.k.GiveDelegation(karenCPR, "Karen Hansen", peterCPR, "Peter Jensen", []string{"tax"}, 12)
			h.signIn(h.karen, pin)
			h.tap("home.reminders")
			h.tap("reminder.renew.0")
			h.tap("renew.confirm")
			h.wantScreen("result")
			if d := h.k.Delegation(id); d.State != bk.DelegationActive || d.ValidTo.Before(h.clock.Now().AddDate(0, 0, 30)) {
				t.Errorf("delegation = %s until %v; want active, renewed", d.State, d.ValidTo)
			}
		}},
		{"who used my information, from home to the second page and print", true, 3, 0, func(t *testing.T, h *harness) {
			h.tap("home.usage")
			h.tap("usage.next")
			h.tap("usage.print")
			h.wantScreen("usage")
			if n := len(h.k.Printer().Receipts()); n != 1 {
				t.Errorf("printed %d; want the statement", n)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			seedUsage(h)
			if tc.fromHome {
				h.signIn(h.karen, pin)
				h.wantScreen("home")
				h.taps, h.pinTaps = 0, 0
			}
			tc.run(t, h)
			if h.taps != tc.taps || h.pinTaps != tc.pins {
				t.Errorf("taps = %d (PIN pad %d); want %d (PIN pad %d): update the table here and in docs/accessibility.md",
					h.taps, h.pinTaps, tc.taps, tc.pins)
			}
		})
	}
}

// createFewest creates a delegation from home to Peter in one area with the
// default period: the fewest taps the journey allows, with a five-letter name.
func createFewest(h *harness) {
	h.t.Helper()
	h.tap("home.delegations")
	h.tap("delegations.create")
	h.typeName("Peter")
	h.typeCPR(peterCPR)
	h.wantScreen("create_scopes")
	h.tap("scope.tax")
	h.tap("create_scopes.next")
	h.wantScreen("create_period")
	h.tap("create_period.next") // the default period
	h.wantScreen("create_review")
	h.tap("review.confirm")
}

// slipCode has Karen create a delegation and take her card out, and returns
// the handover code printed on the slip, with the kiosk back at welcome.
func slipCode(h *harness) string {
	h.t.Helper()
	h.signIn(h.karen, pin)
	createFewest(h)
	code := handoverCode(h)
	h.k.Remove()
	h.wantScreen("welcome")
	h.taps, h.pinTaps = 0, 0 // Peter's journey starts here
	return code
}

package ui_test

import (
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/timefmt"
)

// TestOneZoneOnEveryScreen: on a machine whose own zone is UTC, a citizen's
// screen and the staff screen show one instant in Danish time, winter and
// summer, exactly as timefmt (and so the receipts) print it (issue 10,
// item 3). In summer 22:30 UTC is already the next day in Copenhagen.
func TestOneZoneOnEveryScreen(t *testing.T) {
	local := time.Local
	time.Local = time.UTC // the kiosk machine's zone must not matter
	t.Cleanup(func() { time.Local = local })
	z := timefmt.Default()
	for _, tc := range []struct {
		name string
		at   time.Time
		when string
	}{
		{"winter", time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC), "26. november 2026 kl. 14.05"},
		{"summer", time.Date(2026, 7, 1, 22, 30, 0, 0, time.UTC), "2. juli 2026 kl. 00.30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := z.DateTime(tc.at, "da"); got != tc.when {
				t.Fatalf("timefmt: %s; want %s", got, tc.when)
			}
			h := newHarness(t)
			h.clock.Advance(tc.at.Sub(h.clock.Now()))
			h.k.SetStale(false) // a bundle as fresh as the new time
			id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
			h.signIn(h.karen, pin)
			h.tap("home.consents")
			h.k.SetOnline(false) // the action stays pending: the staff screen shows when it was made
			h.tap("consent.give." + id)
			h.tap("confirm_give.yes")
			h.wantScreen("result")
			h.tap("result.back")
			h.wantScreen("consents")
			h.wantText(tc.when) // "this is how it looked on …": when the state was fetched
			h.k.Remove()
			h.signIn(h.sofie, "9999")
			h.wantScreen("staff_home")
			h.wantText(tc.when)
		})
	}
}

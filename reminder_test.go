package borgerkiosk_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// TestReminders lists what ends within 30 days, or waits, soonest first:
// each case is one object in the state, with the reminders it makes.
func TestReminders(t *testing.T) {
	days := func(n int) time.Time { return now.Add(time.Duration(n) * 24 * time.Hour) }
	ends := func(n int) func(*bk.Delegation) {
		return func(d *bk.Delegation) { d.ValidTo = days(n); d.Scopes = []bk.ScopeGrant{{ScopeID: "tax"}} }
	}
	health := func(n int) func(*bk.Delegation) {
		return func(d *bk.Delegation) {
			d.Scopes = []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health", Until: days(n)}}
		}
	}
	given := func(d *bk.Delegation) *bk.CitizenState { return &bk.CitizenState{GivenByMe: []*bk.Delegation{d}} }
	held := func(d *bk.Delegation) *bk.CitizenState { return &bk.CitizenState{GivenToMe: []*bk.Delegation{d}} }
	consents := func(c *bk.Consent) *bk.CitizenState { return &bk.CitizenState{Consents: []*bk.Consent{c}} }
	tests := []struct {
		name string
		st   *bk.CitizenState
		want string // kind:scopes:days from now, one per reminder
	}{
		{"given, ends in 12 days", given(delegation(bk.DelegationActive, ends(12))), "given_ending:tax:12"},
		{"given, ends in 31 days", given(delegation(bk.DelegationActive, ends(31))), ""},
		{"given, pending, ends in 5 days", given(delegation(bk.DelegationPending, ends(5))), "given_ending:tax:5"},
		{"given, ended 3 days ago", given(delegation(bk.DelegationActive, ends(-3))), "given_ending:tax:-3"},
		{"given, ended 31 days ago", given(delegation(bk.DelegationActive, ends(-31))), ""},
		{"given, revoked, would end in 5 days", given(delegation(bk.DelegationRevoked, ends(5))), ""},
		{"given, an area ends in 20 days", given(delegation(bk.DelegationActive, health(20))), "given_ending:health:20"},
		{"given, an area ended", given(delegation(bk.DelegationActive, health(-2))), ""},
		{"held, ends in 7 days", held(delegation(bk.DelegationActive, ends(7))), "held_ending:tax:7"},
		{"held, ended", held(delegation(bk.DelegationActive, ends(-1))), ""},
		{"held, an area ends in 3 days", held(delegation(bk.DelegationActive, health(3))), "held_ending:health:3"},
		{"offered, waits", held(delegation(bk.DelegationPending)), "offered:tax,health:365"},
		{"consent ends in 30 days less a minute", consents(consent(bk.ConsentGiven, func(c *bk.Consent) { c.ValidUntil = days(30).Add(-time.Minute) })), "consent_ending::29"},
		{"consent ends in 40 days", consents(consent(bk.ConsentGiven, func(c *bk.Consent) { c.ValidUntil = days(40) })), ""},
		{"request waits", consents(consent(bk.ConsentRequested)), "consent_waiting::335"},
		{"request closed", consents(consent(bk.ConsentRequested, func(c *bk.Consent) { c.RequestedAt = days(-366) })), ""},
		{"soonest first", &bk.CitizenState{
			GivenByMe: []*bk.Delegation{delegation(bk.DelegationActive, ends(20))},
			GivenToMe: []*bk.Delegation{delegation(bk.DelegationActive, ends(2))},
		}, "held_ending:tax:2 given_ending:tax:20"},
		{"nothing known", nil, ""},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range testRules().Reminders(tt.st, now, 30*24*time.Hour) {
			got = append(got, fmt.Sprintf("%s:%s:%d", r.Kind, strings.Join(r.Scopes, ","), int(r.Ends.Sub(now).Hours()/24)))
			if r.ID == "" || r.Renewable() != (r.Kind == bk.RemindGiven) {
				t.Errorf("%s: reminder %+v has no id or says renewable wrongly", tt.name, r)
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s: Reminders = %q; want %q", tt.name, strings.Join(got, " "), tt.want)
		}
	}
}

// TestReminderWindowCoversEveryReminder: the kiosk's default window lists
// at sign-in whatever central's default reminders tell of.
func TestReminderWindowCoversEveryReminder(t *testing.T) {
	for _, d := range append(append([]int{}, bk.DefaultDelegationReminderDays...), bk.DefaultConsentReminderDays...) {
		if d > bk.DefaultReminderWindowDays {
			t.Errorf("central reminds %d days ahead; the kiosk lists only %d", d, bk.DefaultReminderWindowDays)
		}
	}
}

package borgerkiosk

import (
	"cmp"
	"slices"
	"time"
)

// ReminderKind says what a reminder is about.
type ReminderKind string

const (
	// RemindGiven: a delegation the person gave ends (or some of its
	// areas do), or ended by time not long ago; they may renew it.
	RemindGiven ReminderKind = "given_ending"
	// RemindHeld: a delegation the person holds ends, or some of its areas.
	RemindHeld ReminderKind = "held_ending"
	// RemindConsent: a consent the person gave ends.
	RemindConsent ReminderKind = "consent_ending"
	// RemindRequest: a consent request waits for the person's answer.
	RemindRequest ReminderKind = "consent_waiting"
	// RemindOffered: a delegation offered to the person waits for their answer.
	RemindOffered ReminderKind = "offered"
)

// The one place the reminder times are decided: central's defaults for
// when it reminds (its [notices] settings), and the kiosk's default window
// for what it lists at sign-in (its reminder_days). The window must cover
// the longest reminder, or an e-mail would send a person to a kiosk whose
// first screen does not show what the e-mail is about; an operator who
// changes one changes the other (docs/operations.md).
var (
	DefaultDelegationReminderDays = []int{30, 7}
	DefaultConsentReminderDays    = []int{30}
)

// DefaultReminderWindowDays is the kiosk's default window: the longest of
// central's default reminders.
var DefaultReminderWindowDays = slices.Max(append(slices.Clone(DefaultDelegationReminderDays), DefaultConsentReminderDays...))

// Reminder is one thing that ends or waits, for the first screen after
// sign-in and its paper reminder. It holds no more than the person already
// sees at the kiosk.
type Reminder struct {
	Kind ReminderKind
	ID   string // the consent's or delegation's id
	// Ends is when it ends; for a request, when it can no longer be
	// answered. Before now: it has ended (a delegation given, RemindGiven).
	Ends       time.Time
	Other      string   // delegations: the other person's name as shown
	Scopes     []string // delegations: the area ids that end (or are offered)
	Authority  string   // consents and requests: the authority's id
	Categories []string // consents and requests: the data category ids
}

// Renewable reports whether the person can renew what r is about: only a
// delegation they gave.
func (r Reminder) Renewable() bool { return r.Kind == RemindGiven }

// Reminders lists what in st ends within the window from now, or waits for
// the person, soonest first: delegations given (as a whole, or areas that
// end before it; also one that ended by time within the window, which
// RenewGrace still lets the principal renew), delegations held, consents
// given, consent requests still open and delegations offered to them.
// Requests and offers are listed whatever their end, since they wait for an
// answer.
func (r *Rules) Reminders(st *CitizenState, now time.Time, within time.Duration) []Reminder {
	if st == nil {
		return nil
	}
	var out []Reminder
	soon := func(t time.Time) bool { return !t.IsZero() && t.Before(now.Add(within)) }
	ending := func(kind ReminderKind, d *Delegation, other string) {
		whole := Reminder{Kind: kind, ID: d.ID, Ends: d.ValidTo, Other: other, Scopes: scopeIDs(d.Scopes)}
		state := d.StateAt(now)
		// One given that ran out lately can still be renewed.
		expired := d.State == DelegationActive || d.State == DelegationPending
		if kind == RemindGiven && state == DelegationExpired && expired && now.Sub(d.ValidTo) <= min(within, r.RenewGrace) {
			out = append(out, whole)
			return
		}
		// The delegate's own pending ones are offers (listed apart).
		if state != DelegationActive && (kind != RemindGiven || state != DelegationPending) {
			return
		}
		if soon(d.ValidTo) {
			out = append(out, whole)
			return
		}
		// Areas that end before the delegation, soonest first, one
		// reminder per end (two areas ending the same day are one).
		byEnd := map[time.Time][]string{}
		for _, s := range d.Scopes {
			if !s.Until.IsZero() && s.Until.After(now) && soon(s.Until) {
				byEnd[s.Until] = append(byEnd[s.Until], s.ScopeID)
			}
		}
		for end, ids := range byEnd {
			out = append(out, Reminder{Kind: kind, ID: d.ID, Ends: end, Other: other, Scopes: ids})
		}
	}
	for _, d := range st.GivenByMe {
		ending(RemindGiven, d, d.DelegateShown())
	}
	for _, d := range st.GivenToMe {
		if d.StateAt(now) == DelegationPending {
			out = append(out, Reminder{Kind: RemindOffered, ID: d.ID, Ends: d.ValidTo, Other: d.PrincipalName, Scopes: scopeIDs(d.Scopes)})
			continue
		}
		ending(RemindHeld, d, d.PrincipalName)
	}
	for _, c := range st.Consents {
		switch c.StateAt(now) {
		case ConsentGiven:
			if soon(c.ValidUntil) {
				out = append(out, Reminder{Kind: RemindConsent, ID: c.ID, Ends: c.ValidUntil, Authority: c.AuthorityID, Categories: c.DataCategories})
			}
		case ConsentRequested:
			if closes := c.RequestedAt.Add(r.RequestOpen); closes.After(now) {
				out = append(out, Reminder{Kind: RemindRequest, ID: c.ID, Ends: closes, Authority: c.AuthorityID, Categories: c.DataCategories})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Reminder) int {
		if c := a.Ends.Compare(b.Ends); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

func scopeIDs(gs []ScopeGrant) []string {
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ScopeID
	}
	return ids
}

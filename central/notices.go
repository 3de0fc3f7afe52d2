package central

// Notices: what a person must hear about, derived from the changes the
// rules make (in the push transaction that makes them: a transactional
// outbox) and from the passing of time (timers the same transaction sets,
// fired by Notifier.Scan). Notifier.Dispatch then sends each notice once
// through the first Channel that reaches the person.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// NoticeState is where a notice is in its delivery.
type NoticeState string

const (
	NoticePending     NoticeState = "pending"     // to send, at NextAt
	NoticeSent        NoticeState = "sent"        // a channel accepted it
	NoticeDead        NoticeState = "dead"        // refused for good or out of attempts: the dead-letter list
	NoticeUnreachable NoticeState = "unreachable" // no channel reaches the person (no address, or reminders off)
	NoticeMoot        NoticeState = "moot"        // the object was gone or changed before it went out
)

// Notice is one event for one person, and its delivery record. It holds no
// CPR number and no address: the person is found through Subject and To
// when it is sent.
type Notice struct {
	// ID is derived from what the notice is about (noticeID), so the same
	// event found twice — by two central processes, or after a restart —
	// is one notice.
	ID      string        `json:"id"`
	Kind    bk.NoticeKind `json:"kind"`
	To      bk.NoticeRole `json:"to"`
	Subject string        `json:"subject"`         // the delegation or consent id
	Scope   string        `json:"scope,omitempty"` // for a scope notice
	// EndsAt and Days: for an end coming near, when it ends and how many
	// days before it the notice is.
	EndsAt    time.Time `json:"ends_at,omitzero"`
	Days      int       `json:"days,omitempty"`
	Cause     string    `json:"cause,omitempty"` // the action that caused it
	CreatedAt time.Time `json:"created_at"`

	State     NoticeState `json:"state"`
	Attempts  int         `json:"attempts"`
	NextAt    time.Time   `json:"next_at,omitzero"` // pending: when to try (next)
	LastError string      `json:"last_error,omitempty"`
	Channel   string      `json:"channel,omitempty"` // who took it
	DoneAt    time.Time   `json:"done_at,omitzero"`  // when it left pending
}

// Timer is an end coming near: at DueAt, Notifier.Scan checks that the
// object still ends at EndsAt and, if so, adds the notices of Kind. Its ID
// is derived from (kind, subject, scope, end, days), so a renewal with a
// new end date sets new timers and the old ones fire into nothing.
type Timer struct {
	ID      string        `json:"id"`
	DueAt   time.Time     `json:"due_at"`
	Kind    bk.NoticeKind `json:"kind"`
	Subject string        `json:"subject"`
	Scope   string        `json:"scope,omitempty"`
	EndsAt  time.Time     `json:"ends_at"`
	Days    int           `json:"days,omitempty"` // 0: the end itself
}

// CheckNotice reports what is wrong with a notice for the store (EInvalid).
func CheckNotice(n *Notice) error {
	if n == nil || n.ID == "" || n.Kind == "" || n.To == "" || n.Subject == "" || n.State == "" {
		return bk.Errorf(bk.EInvalid, "a notice needs an id, a kind, a person, a subject and a state")
	}
	return nil
}

// CheckTimer reports what is wrong with a timer for the store (EInvalid).
func CheckTimer(t *Timer) error {
	if t == nil || t.ID == "" || t.Kind == "" || t.Subject == "" || t.DueAt.IsZero() {
		return bk.Errorf(bk.EInvalid, "a timer needs an id, a kind, a subject and a time")
	}
	return nil
}

// hashID names a notice or timer by what it is about.
func hashID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(strconv.Itoa(len(p))))
		h.Write([]byte{':'})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func endKey(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func newTimer(kind bk.NoticeKind, subject, scope string, ends time.Time, days int) Timer {
	return Timer{
		ID:    hashID("timer", string(kind), subject, scope, endKey(ends), strconv.Itoa(days)),
		DueAt: ends.Add(-time.Duration(days) * 24 * time.Hour).UTC(), Kind: kind,
		Subject: subject, Scope: scope, EndsAt: ends.UTC(), Days: days,
	}
}

// changeNotice is a notice caused by an action (one per action and person).
func changeNotice(kind bk.NoticeKind, to bk.NoticeRole, subject, cause string, now time.Time) *Notice {
	return &Notice{
		ID: hashID("change", string(kind), string(to), subject, cause), Kind: kind, To: to, Subject: subject,
		Cause: cause, CreatedAt: now, State: NoticePending, NextAt: now,
	}
}

// timeNotice is a notice a timer fires, for one person.
func timeNotice(tm *Timer, to bk.NoticeRole, now time.Time) *Notice {
	return &Notice{
		ID:   hashID("time", string(tm.Kind), string(to), tm.Subject, tm.Scope, endKey(tm.EndsAt), strconv.Itoa(tm.Days)),
		Kind: tm.Kind, To: to, Subject: tm.Subject, Scope: tm.Scope, EndsAt: tm.EndsAt, Days: tm.Days,
		CreatedAt: now, State: NoticePending, NextAt: now,
	}
}

// Reminders are how many days before an end people are reminded.
type Reminders struct {
	Delegation []int // a delegation or one of its areas: 30 and 7
	Consent    []int // a consent: 30
}

func (r Reminders) orDefault() Reminders {
	if len(r.Delegation) == 0 {
		r.Delegation = slices.Clone(bk.DefaultDelegationReminderDays)
	}
	if len(r.Consent) == 0 {
		r.Consent = slices.Clone(bk.DefaultConsentReminderDays)
	}
	return r
}

// derived is what one change makes: notices now, timers for later.
type derived struct {
	notices []*Notice
	timers  []Timer
}

// deriveNotices returns the notices and timers of the change an action a
// made, from before to after (as the rules returned it), at now.
func deriveNotices(rem Reminders, before, after bk.Target, a *bk.Action, now time.Time) derived {
	var out derived
	if d := after.Delegation; d != nil {
		from := bk.DelegationState("")
		if before.Delegation != nil {
			from = before.Delegation.StateAt(now)
		}
		note := func(kind bk.NoticeKind, to bk.NoticeRole) {
			out.notices = append(out.notices, changeNotice(kind, to, d.ID, a.ID, now))
		}
		switch to := d.State; {
		case to == bk.DelegationPending && (from != bk.DelegationPending || a.Kind == bk.RenewDelegation):
			// New, or renewed with a new area: the delegate is asked (again).
			note(bk.NoticeOffered, bk.ToDelegate)
		case to == bk.DelegationActive && a.Kind == bk.RenewDelegation:
			note(bk.NoticeRenewed, bk.ToDelegate)
		case to == bk.DelegationActive && from == bk.DelegationPending:
			note(bk.NoticeAccepted, bk.ToPrincipal)
		case to == bk.DelegationDeclined:
			note(bk.NoticeDeclined, bk.ToPrincipal)
		case to == bk.DelegationRevoked:
			note(bk.NoticeRevoked, bk.ToDelegate)
		case to == bk.DelegationRenounced:
			note(bk.NoticeRenounced, bk.ToPrincipal)
		}
		switch d.State {
		case bk.DelegationActive:
			out.timers = append(out.timers, delegationTimers(rem, d)...)
		case bk.DelegationPending:
			out.timers = append(out.timers, lapseTimer(d))
		}
	}
	if c := after.Consent; c != nil && c.State == bk.ConsentGiven {
		out.timers = append(out.timers, consentTimers(rem, c)...)
	}
	return out
}

// consentTimers are the timers of a given consent: its end and reminders.
func consentTimers(rem Reminders, c *bk.Consent) []Timer {
	var ts []Timer
	for _, days := range rem.Consent {
		ts = append(ts, newTimer(bk.NoticeConsentEnding, c.ID, "", c.ValidUntil, days))
	}
	return append(ts, newTimer(bk.NoticeConsentEnded, c.ID, "", c.ValidUntil, 0))
}

// delegationTimers are the timers of an active delegation: its end and its
// areas' ends, each with its reminders.
func delegationTimers(rem Reminders, d *bk.Delegation) []Timer {
	var ts []Timer
	for _, days := range rem.Delegation {
		ts = append(ts, newTimer(bk.NoticeEnding, d.ID, "", d.ValidTo, days))
	}
	ts = append(ts, newTimer(bk.NoticeEnded, d.ID, "", d.ValidTo, 0))
	for _, s := range d.Scopes {
		if s.Until.IsZero() || !s.Until.Before(d.ValidTo) {
			continue
		}
		for _, days := range rem.Delegation {
			ts = append(ts, newTimer(bk.NoticeScopeEnding, d.ID, s.ScopeID, s.Until, days))
		}
		ts = append(ts, newTimer(bk.NoticeScopeEnded, d.ID, s.ScopeID, s.Until, 0))
	}
	return ts
}

// lapseTimer is an offer's end: if it is still unanswered then, both
// people hear that it lapsed.
func lapseTimer(d *bk.Delegation) Timer { return newTimer(bk.NoticeLapsed, d.ID, "", d.ValidTo, 0) }

// storeDerived writes what a change derived, in its transaction.
func storeDerived(tx Tx, d derived) error {
	for _, n := range d.notices {
		if _, err := tx.AddNotice(n); err != nil {
			return err
		}
	}
	for i := range d.timers {
		if err := tx.AddTimer(&d.timers[i]); err != nil {
			return err
		}
	}
	return nil
}

// fire decides, at now, what a due timer becomes: the notices to add (none
// when the object has changed so that it no longer ends then, or a nearer
// reminder has replaced this one).
func fire(tx Tx, rem Reminders, tm *Timer, now time.Time) ([]*Notice, error) {
	var roles []bk.NoticeRole
	var days []int
	switch tm.Kind {
	case bk.NoticeConsentEnding, bk.NoticeConsentEnded:
		c, err := tx.Consent(tm.Subject)
		if bk.ErrorCode(err) == bk.ENotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if c.State != bk.ConsentGiven || !c.ValidUntil.Equal(tm.EndsAt) {
			return nil, nil
		}
		roles, days = []bk.NoticeRole{bk.ToCitizen}, rem.Consent
	default:
		d, err := tx.Delegation(tm.Subject)
		if bk.ErrorCode(err) == bk.ENotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		ends := d.ValidTo
		if tm.Scope != "" {
			ends = time.Time{}
			for _, s := range d.Scopes {
				if s.ScopeID == tm.Scope {
					ends = s.Until
				}
			}
		}
		// Stored state, not StateAt: at its end an active delegation is
		// "expired" by the clock, which is what the end notice tells; a
		// lapse is of an offer still pending.
		want := bk.DelegationActive
		if tm.Kind == bk.NoticeLapsed {
			want = bk.DelegationPending
		}
		if d.State != want || !ends.Equal(tm.EndsAt) {
			return nil, nil
		}
		roles, days = []bk.NoticeRole{bk.ToPrincipal, bk.ToDelegate}, rem.Delegation
	}
	if tm.Days > 0 {
		if !now.Before(tm.EndsAt) {
			return nil, nil // ended meanwhile: the end notice says it
		}
		for _, d := range days {
			// A nearer reminder is due too (central was down): send that one.
			if d < tm.Days && !now.Before(tm.EndsAt.Add(-time.Duration(d)*24*time.Hour)) {
				return nil, nil
			}
		}
	}
	var out []*Notice
	for _, r := range roles {
		out = append(out, timeNotice(tm, r, now))
	}
	return out, nil
}

// ensureTimers sets the future timers of the citizen's active delegations
// and given consents, which a change made before central kept timers (or
// an object written outside the rules, as the demo seed's) lacks. Setting
// a timer again is a no-op and a fired one makes a notice with the id it
// had, so this never repeats a message. Run at sign-in; a failure only
// costs reminders, so it is logged.
func (s *Server) ensureTimers(ctx context.Context, st *bk.CitizenState) {
	now := s.now().UTC()
	rem := s.cfg.Notices.Reminders
	var ts []Timer
	for _, list := range [][]*bk.Delegation{st.GivenByMe, st.GivenToMe} {
		for _, d := range list {
			switch d.StateAt(now) {
			case bk.DelegationActive:
				ts = append(ts, delegationTimers(rem, d)...)
			case bk.DelegationPending:
				ts = append(ts, lapseTimer(d))
			}
		}
	}
	for _, c := range st.Consents {
		if c.StateAt(now) == bk.ConsentGiven {
			ts = append(ts, consentTimers(rem, c)...)
		}
	}
	future := ts[:0]
	for _, tm := range ts {
		if tm.DueAt.After(now) {
			future = append(future, tm)
		}
	}
	if len(future) == 0 {
		return
	}
	if err := s.store.Update(ctx, func(tx Tx) error { return storeDerived(tx, derived{timers: future}) }); err != nil {
		s.log.Warn("setting reminder timers at sign-in", "err", err)
	}
}

// reopenUnreachable puts back to send the notices a person could not be
// reached with that are still worth acting on, now that they gave an
// address (or turned reminders on): an offer still pending (to them as
// delegate), a consent request still waiting, and the nearest reminder
// already due of an end still ahead. News of what is over (accepted,
// revoked, ended …) is old by then and stays unreachable. The notices are
// found by the ids they were made with, not by a scan.
func reopenUnreachable(tx Tx, rem Reminders, cpr bk.CPR, c *bk.Contact, now time.Time) error {
	if !c.HasEmail() {
		return nil
	}
	var ids []string
	// reminder adds the id of the nearest reminder already due of an end.
	reminder := func(kind bk.NoticeKind, to bk.NoticeRole, subject, scope string, ends time.Time, days []int) {
		if !c.EmailReminders || !now.Before(ends) {
			return
		}
		nearest := 0
		for _, d := range days {
			if !now.Before(ends.Add(-time.Duration(d)*24*time.Hour)) && (nearest == 0 || d < nearest) {
				nearest = d
			}
		}
		if nearest > 0 {
			tm := newTimer(kind, subject, scope, ends, nearest)
			ids = append(ids, timeNotice(&tm, to, now).ID)
		}
	}
	given, err := tx.DelegationsByPrincipal(cpr)
	if err != nil {
		return err
	}
	held, err := tx.DelegationsByDelegate(cpr)
	if err != nil {
		return err
	}
	for _, side := range []struct {
		to   bk.NoticeRole
		list []*bk.Delegation
	}{{bk.ToPrincipal, given}, {bk.ToDelegate, held}} {
		for _, d := range side.list {
			switch d.StateAt(now) {
			case bk.DelegationPending:
				if side.to == bk.ToDelegate {
					// The create or renewal that made it pending is its last change.
					ids = append(ids, changeNotice(bk.NoticeOffered, bk.ToDelegate, d.ID, d.ChangedBy, now).ID)
				}
			case bk.DelegationActive:
				reminder(bk.NoticeEnding, side.to, d.ID, "", d.ValidTo, rem.Delegation)
				for _, s := range d.Scopes {
					if !s.Until.IsZero() && s.Until.Before(d.ValidTo) {
						reminder(bk.NoticeScopeEnding, side.to, d.ID, s.ScopeID, s.Until, rem.Delegation)
					}
				}
			}
		}
	}
	consents, err := tx.ConsentsByCPR(cpr)
	if err != nil {
		return err
	}
	for _, k := range consents {
		switch k.StateAt(now) {
		case bk.ConsentRequested:
			ids = append(ids, changeNotice(bk.NoticeConsentWaiting, bk.ToCitizen, k.ID, "", now).ID)
		case bk.ConsentGiven:
			reminder(bk.NoticeConsentEnding, bk.ToCitizen, k.ID, "", k.ValidUntil, rem.Consent)
		}
	}
	for _, id := range ids {
		x, err := tx.Notice(id)
		if bk.ErrorCode(err) == bk.ENotFound {
			continue
		}
		if err != nil {
			return err
		}
		if x.State != NoticeUnreachable {
			continue
		}
		x.State, x.Attempts, x.NextAt, x.DoneAt, x.LastError = NoticePending, 0, now, time.Time{}, ""
		if err := tx.PutNotice(x); err != nil {
			return err
		}
	}
	return nil
}

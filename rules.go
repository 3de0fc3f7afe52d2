package borgerkiosk

import (
	"time"
)

// Rules apply actions to consents and delegations. The same rules run on the
// kiosk (to show the likely outcome) and at central (authoritative).
//
// Conflicts: a restrictive action (withdraw, decline, revoke, renounce) beats
// a concurrent widening one (give, create, accept). Two actions by the same
// person whose occurred_at differ by no more than ClockSkew are concurrent;
// further apart, the later one wins. An accept after a revoke or a decline
// is rejected: both are final. Every change Apply makes is an edge of
// ConsentEdges or DelegationEdges (the package comment shows them).
type Rules struct {
	Catalogue       *Catalogue
	MaxDelegation   time.Duration // longest validity of a delegation
	ClockSkew       time.Duration // how far kiosk clocks may disagree
	MinPrincipalAge int           // 15: to give consent or delegate
	MinDelegateAge  int           // 18: to act for someone
	RequestOpen     time.Duration // how long after it is made a consent request can be given
	RenewGrace      time.Duration // how long after it ended a delegation can still be renewed
}

// DefaultRules returns the rules with the limits of DESIGN.md.
func DefaultRules(cat *Catalogue) *Rules {
	return &Rules{
		Catalogue:       cat,
		MaxDelegation:   5 * 365 * 24 * time.Hour,
		ClockSkew:       5 * time.Minute,
		MinPrincipalAge: 15,
		MinDelegateAge:  18,
		// A citizen may come to a kiosk once a year; a request older than
		// that is one the authority has stopped waiting for, so a give (also
		// one that changes a decline) cannot revive it: it must ask again.
		RequestOpen: 365 * 24 * time.Hour,
		// A reminder may go unread while a person is in hospital or away;
		// for three months after the end the principal can still renew
		// with a tap instead of making the delegate accept a new one.
		RenewGrace: 90 * 24 * time.Hour,
	}
}

// Target is the object an action changes; nil when it is not known.
type Target struct {
	Consent    *Consent
	Delegation *Delegation
	// Contact is the signer's own contact details, for a SetContact action
	// (nil when they have none yet).
	Contact *Contact
}

// Apply decides what action a, signed by actor (and countersigned by staff,
// if not nil), does to t at time now. It returns the verdict and, when the
// verdict is Applied, the changed object; t itself is never modified.
// Duplicate action ids are the caller's to detect (they need a log of ids).
func (r *Rules) Apply(t Target, a *Action, actor, staff *Certificate, now time.Time) (Verdict, Target) {
	p, err := a.DecodePayload()
	if err != nil {
		return Refuse(a.ID, err), Target{}
	}
	return r.ApplyDecoded(t, a, p, actor, staff, now)
}

// ApplyDecoded is Apply for a caller that has decoded a's payload already
// (with Action.Decode or Action.DecodePayload, which must have succeeded).
func (r *Rules) ApplyDecoded(t Target, a *Action, p Payload, actor, staff *Certificate, now time.Time) (Verdict, Target) {
	if a.OccurredAt.After(now.Add(r.ClockSkew)) {
		return Refuse(a.ID, Errorf(EClockSkew, "The action is dated in the future; the kiosk clock is wrong.")), Target{}
	}
	if a.Kind.OnContact() {
		// No state machine: contact details are a setting, not a grant.
		v, c := r.applyContact(t.Contact, a, p)
		return v, Target{Contact: c}
	}
	if a.Kind.OnConsent() {
		if t.Consent == nil {
			return Refuse(a.ID, Errorf(EUnknownSubject, "The consent request is not known.")), Target{}
		}
		v, c := r.applyConsent(t.Consent, a, actor, staff, now)
		if c != nil && !IsEdge(ConsentEdges, string(t.Consent.StateAt(now)), string(c.StateAt(now)), a.Kind, ByCitizen) {
			return offMachine(a), Target{}
		}
		return v, Target{Consent: c}
	}
	v, d := r.applyDelegation(t.Delegation, a, p, actor, staff, now)
	if d != nil {
		from, by := "", ByDelegate
		if t.Delegation != nil {
			from = string(t.Delegation.StateAt(now))
		}
		if actor.CPR == d.Principal {
			by = ByPrincipal
		}
		if !IsEdge(DelegationEdges, from, string(d.StateAt(now)), a.Kind, by) {
			return offMachine(a), Target{}
		}
	}
	return v, Target{Delegation: d}
}

// offMachine refuses a change the rules computed that is not an edge of the
// written state machine: a fault of ours, never applied.
func offMachine(a *Action) Verdict {
	return Refuse(a.ID, Errorf(EInternal, "This change is not allowed by the rules."))
}

func applied(a *Action) Verdict { return Verdict{ActionID: a.ID, Outcome: Applied} }

func superseded(a *Action, code, msg string) Verdict {
	return Verdict{ActionID: a.ID, Outcome: Superseded, Reason: code, Message: msg}
}

// later reports whether t is clearly after ref: beyond the clock-skew bound.
func (r *Rules) later(t, ref time.Time) bool { return t.After(ref.Add(r.ClockSkew)) }

// earlier reports whether t is clearly before ref.
func (r *Rules) earlier(t, ref time.Time) bool { return t.Before(ref.Add(-r.ClockSkew)) }

func assistedBy(staff *Certificate) string {
	if staff == nil {
		return ""
	}
	return staff.StaffID + " " + staff.Name
}

func (r *Rules) applyConsent(c *Consent, a *Action, actor, staff *Certificate, now time.Time) (Verdict, *Consent) {
	if actor.CPR != c.CPR {
		return Refuse(a.ID, Errorf(ENotPermitted, "This consent request is for someone else.")), nil
	}
	t := a.OccurredAt
	next := *c
	next.ChangedAt, next.ChangedBy, next.AssistedBy = t, a.ID, assistedBy(staff)
	state := c.StateAt(now)

	switch a.Kind {
	case GiveConsent:
		if actor.CPR.AgeOn(t) < r.MinPrincipalAge {
			return Refuse(a.ID, Errorf(EAgeRule, "You must be at least %d to give consent.", r.MinPrincipalAge)), nil
		}
		switch state {
		case ConsentRequested:
		case ConsentDeclined:
			// People change their minds while the request is open
			// (checked below); a give concurrent with the decline loses.
			if !r.later(t, c.ChangedAt) {
				return superseded(a, EConflict, "A decline made at about the same time takes precedence."), nil
			}
		case ConsentGiven:
			return superseded(a, EConflict, "The consent was already given."), nil
		case ConsentExpired:
			return Refuse(a.ID, Errorf(EExpired, "The consent has expired; the authority must ask again.")), nil
		default: // withdrawn, revoked
			if !r.later(t, c.ChangedAt) {
				return superseded(a, EConflict, "The consent was withdrawn at about the same time; the withdrawal takes precedence."), nil
			}
			return Refuse(a.ID, Errorf(EInvalidState, "The consent has ended; the authority must ask again.")), nil
		}
		if !t.Before(c.RequestedAt.Add(r.RequestOpen)) {
			return Refuse(a.ID, Errorf(EExpired, "The consent request has expired; the authority must ask again.")), nil
		}
		next.State, next.GivenAt = ConsentGiven, t
		next.ValidUntil = t.AddDate(0, 0, c.ValidDays)
		if !now.Before(next.ValidUntil) {
			return Refuse(a.ID, Errorf(EExpired, "The consent period has already ended.")), nil
		}
		return applied(a), &next

	case DeclineConsent:
		switch state {
		case ConsentRequested:
			next.State = ConsentDeclined
		case ConsentGiven:
			// A decline cannot undo a give that clearly came later; otherwise
			// the restrictive wish wins and the consent is withdrawn.
			if r.earlier(t, c.ChangedAt) {
				return superseded(a, EConflict, "The consent was given later, so that choice stands."), nil
			}
			next.State = ConsentWithdrawn
		default:
			return superseded(a, EConflict, "The consent is not in force; nothing to decline."), nil
		}
		return applied(a), &next

	default: // WithdrawConsent
		switch state {
		case ConsentGiven:
			next.State = ConsentWithdrawn
			return applied(a), &next
		case ConsentRequested:
			return Refuse(a.ID, Errorf(EInvalidState, "There is no given consent to withdraw.")), nil
		default:
			return superseded(a, EConflict, "The consent is not in force; nothing to withdraw."), nil
		}
	}
}

func (r *Rules) applyDelegation(d *Delegation, a *Action, p Payload, actor, staff *Certificate, now time.Time) (Verdict, *Delegation) {
	t := a.OccurredAt
	if a.Kind == CreateDelegation {
		if d != nil {
			return Refuse(a.ID, Errorf(EConflict, "A delegation with this id already exists.")), nil
		}
		return r.create(a, p, actor, staff, now)
	}
	if d == nil {
		return Refuse(a.ID, Errorf(EUnknownSubject, "The delegation is not known.")), nil
	}
	if a.Kind == RenewDelegation {
		return r.renew(d, a, p, actor, now)
	}
	byPrincipal := actor.CPR == d.Principal
	byDelegate := actor.CPR == d.Delegate
	next := *d
	next.ChangedAt, next.ChangedBy = t, a.ID
	state := d.StateAt(now)

	switch a.Kind {
	case RevokeDelegation:
		if !byPrincipal {
			return Refuse(a.ID, Errorf(ENotPermitted, "Only the person who gave the power of attorney can revoke it.")), nil
		}
		switch state {
		case DelegationPending, DelegationActive:
			next.State = DelegationRevoked
			return applied(a), &next
		case DelegationRevoked:
			return superseded(a, EAlreadyRevoked, "The power of attorney was already revoked."), nil
		default:
			return superseded(a, EInvalidState, "The power of attorney is no longer in force."), nil
		}

	case AcceptDelegation:
		if !byDelegate {
			return Refuse(a.ID, Errorf(ENotPermitted, "This power of attorney is for someone else.")), nil
		}
		if actor.CPR.AgeOn(t) < r.MinDelegateAge {
			return Refuse(a.ID, Errorf(EAgeRule, "You must be at least %d to act for someone.", r.MinDelegateAge)), nil
		}
		switch state {
		case DelegationPending:
		case DelegationActive:
			return superseded(a, EConflict, "The power of attorney was already accepted."), nil
		case DelegationRevoked:
			return Refuse(a.ID, Errorf(EAlreadyRevoked, "The power of attorney was revoked before it was accepted.")), nil
		case DelegationExpired:
			return Refuse(a.ID, Errorf(EExpired, "The power of attorney has expired.")), nil
		case DelegationDeclined:
			// Final, like renounced: the principal was told it was declined
			// and may have arranged something else.
			if !r.later(t, d.ChangedAt) {
				return superseded(a, EConflict, "A decline made at about the same time takes precedence."), nil
			}
			return Refuse(a.ID, Errorf(EAlreadyDeclined, "The power of attorney was declined; the principal must create a new one.")), nil
		default: // renounced
			if !r.later(t, d.ChangedAt) {
				return superseded(a, EConflict, "A renunciation made at about the same time takes precedence."), nil
			}
			return Refuse(a.ID, Errorf(EInvalidState, "The power of attorney was renounced; the principal must create a new one.")), nil
		}
		next.State = DelegationActive
		next.DelegateName = actor.Name
		return applied(a), &next

	case DeclineDelegation, RenounceDelegation:
		if !byDelegate {
			return Refuse(a.ID, Errorf(ENotPermitted, "This power of attorney is for someone else.")), nil
		}
		switch state {
		case DelegationPending:
			next.State = DelegationDeclined
		case DelegationActive:
			// A decline made clearly before the accept arrived after it:
			// declined is final, so the accept should never have held. The
			// outcome is the one the other order gives.
			if a.Kind == DeclineDelegation && r.earlier(t, d.ChangedAt) {
				next.State = DelegationDeclined
				return applied(a), &next
			}
			next.State = DelegationRenounced
		default:
			return superseded(a, EInvalidState, "The power of attorney is no longer in force."), nil
		}
		return applied(a), &next
	}
	return Refuse(a.ID, Errorf(EInvalid, "unknown action kind %q", a.Kind)), nil
}

func (r *Rules) create(a *Action, p Payload, actor, staff *Certificate, now time.Time) (Verdict, *Delegation) {
	t := a.OccurredAt
	if actor.CPR.AgeOn(t) < r.MinPrincipalAge {
		return Refuse(a.ID, Errorf(EAgeRule, "You must be at least %d to give a power of attorney.", r.MinPrincipalAge)), nil
	}
	if err := p.Delegate.CheckBorn(now); err != nil {
		return Refuse(a.ID, err), nil
	}
	if *p.Delegate == actor.CPR {
		return Refuse(a.ID, Errorf(EInvalid, "You cannot give a power of attorney to yourself.")), nil
	}
	if p.Delegate.AgeOn(t) < r.MinDelegateAge {
		return Refuse(a.ID, Errorf(EAgeRule, "The person you give power of attorney to must be at least %d.", r.MinDelegateAge)), nil
	}
	if err := r.checkValidity(p, t, now); err != nil {
		return Refuse(a.ID, err), nil
	}
	// Optional, so an action queued by a kiosk from before names were
	// typed still applies; checked as typed, since the signature covers it.
	if p.DelegateName != "" {
		if err := CheckName(p.DelegateName).Err(); err != nil {
			return Refuse(a.ID, err), nil
		}
	}
	via := ViaSelf
	if staff != nil {
		via = ViaAssisted
	}
	// The name comes from the card, never from the payload, so a principal
	// cannot show the delegate a name other than their own.
	name := actor.Name
	scopes := make([]ScopeGrant, len(p.Scopes))
	for i, s := range p.Scopes {
		scopes[i] = ScopeGrant{ScopeID: s.ScopeID, Until: s.Until.UTC()}
	}
	return applied(a), &Delegation{
		ID:            p.DelegationID,
		Principal:     actor.CPR,
		PrincipalName: name,
		Delegate:      *p.Delegate,
		Scopes:        scopes,
		ValidFrom:     p.ValidFrom.UTC(),
		ValidTo:       p.ValidTo.UTC(),
		CreatedVia:    via,
		AssistedBy:    assistedBy(staff),
		CreatedAt:     t,
		State:         DelegationPending,
		ChangedAt:     t,
		ChangedBy:     a.ID,

		DelegateNameTyped: p.DelegateName,
	}
}

// renew gives d a new period and areas (RenewDelegation). Only the
// principal may, while it is pending or active, or within RenewGrace after
// it ended by time; revoked, declined and renounced are final. The delegate
// accepts again (it becomes pending, a new handover code) only when the
// areas widen: an area it did not have, or it was never accepted. Else it
// stays or becomes active with the new end; the delegate keeps what they
// agreed to, for longer.
func (r *Rules) renew(d *Delegation, a *Action, p Payload, actor *Certificate, now time.Time) (Verdict, *Delegation) {
	t := a.OccurredAt
	if actor.CPR != d.Principal {
		return Refuse(a.ID, Errorf(ENotPermitted, "Only the person who gave the power of attorney can renew it.")), nil
	}
	if actor.CPR.AgeOn(t) < r.MinPrincipalAge {
		return Refuse(a.ID, Errorf(EAgeRule, "You must be at least %d to give a power of attorney.", r.MinPrincipalAge)), nil
	}
	switch d.StateAt(now) {
	case DelegationPending, DelegationActive:
	case DelegationExpired:
		if t.After(d.ValidTo.Add(r.RenewGrace)) {
			return Refuse(a.ID, Errorf(EExpired, "The power of attorney ended more than %d days ago. Make a new one instead.", int(r.RenewGrace.Hours()/24))), nil
		}
	default:
		// Final. A renewal made about when the other person ended it loses,
		// as every widening action does to a restrictive one.
		if !r.later(t, d.ChangedAt) {
			return superseded(a, EConflict, "The power of attorney was ended at about the same time; that stands."), nil
		}
		if d.State == DelegationRevoked {
			return Refuse(a.ID, Errorf(EAlreadyRevoked, "The power of attorney was revoked. Make a new one instead.")), nil
		}
		return Refuse(a.ID, Errorf(EInvalidState, "The other person said no to the power of attorney or gave it up. Make a new one instead.")), nil
	}
	if err := r.checkValidity(p, t, now); err != nil {
		return Refuse(a.ID, err), nil
	}
	next := *d
	next.ChangedAt, next.ChangedBy = t, a.ID
	next.Scopes = make([]ScopeGrant, len(p.Scopes))
	for i, s := range p.Scopes {
		next.Scopes[i] = ScopeGrant{ScopeID: s.ScopeID, Until: s.Until.UTC()}
	}
	next.ValidFrom, next.ValidTo = p.ValidFrom.UTC(), p.ValidTo.UTC()
	next.State = DelegationActive
	if d.State != DelegationActive || Widens(d.Scopes, p.Scopes) {
		next.State = DelegationPending
	}
	return applied(a), &next
}

// Widens reports whether areas to holds one that from does not: a renewal
// to them needs the delegate to accept again. A longer period, or an area
// whose own end moves, is not wider: the delegate agreed to act in it.
func Widens(from, to []ScopeGrant) bool {
	had := map[string]bool{}
	for _, s := range from {
		had[s.ScopeID] = true
	}
	for _, s := range to {
		if !had[s.ScopeID] {
			return true
		}
	}
	return false
}

// CheckDelegationTerms checks scopes and validity of a delegation being made;
// the kiosk calls it before asking for a signature.
func (r *Rules) CheckDelegationTerms(p Payload, now time.Time) error {
	return r.checkValidity(p, now, now)
}

func (r *Rules) checkValidity(p Payload, t, now time.Time) error {
	if len(p.Scopes) == 0 {
		return Errorf(EUnknownScope, "Choose at least one area the power of attorney covers.")
	}
	seen := map[string]bool{}
	for _, s := range p.Scopes {
		if _, ok := r.Catalogue.Scope(s.ScopeID); !ok {
			return Errorf(EUnknownScope, "Unknown area %q.", s.ScopeID)
		}
		if seen[s.ScopeID] {
			return Errorf(EUnknownScope, "The area %q is chosen twice.", s.ScopeID)
		}
		seen[s.ScopeID] = true
		if !s.Until.IsZero() && (!s.Until.After(p.ValidFrom) || s.Until.After(p.ValidTo)) {
			return Errorf(EBadValidity, "An area must end within the period of the power of attorney.")
		}
	}
	if !p.ValidTo.After(p.ValidFrom) {
		return Errorf(EBadValidity, "The end date must be after the start date.")
	}
	if r.earlier(p.ValidFrom, t.Truncate(24*time.Hour)) {
		return Errorf(EBadValidity, "The start date cannot be in the past.")
	}
	if p.ValidTo.Sub(p.ValidFrom) > r.MaxDelegation {
		return Errorf(EBadValidity, "A power of attorney can last at most %d days.", int(r.MaxDelegation.Hours()/24))
	}
	if !now.Before(p.ValidTo) {
		return Errorf(EExpired, "The power of attorney has already ended.")
	}
	return nil
}

package fake

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// Session is a signed-in card holder at the fake kiosk.
type Session struct {
	k      *Kiosk
	mu     sync.Mutex
	card   *Card
	cert   *bk.Certificate
	assist *bk.StaffGrant
	lang   string
	closed bool
}

func (s *Session) check() error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return bk.Errorf(bk.ENotAuthed, "The session has ended.")
	}
	s.k.mu.Lock()
	defer s.k.mu.Unlock()
	if s.k.slot != s.card || !s.card.authed {
		return bk.Errorf(bk.ENoCard, "The card has been taken out.")
	}
	return nil
}

// Person implements bk.Session.
func (s *Session) Person() bk.CardInfo {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return bk.CardInfo{} // wiped, as the real session is
	}
	return bk.CardInfo{Serial: s.cert.Serial, Name: s.cert.Name, CPR: s.cert.CPR, Role: s.cert.Role, StaffID: s.cert.StaffID}
}

// AssistedBy implements bk.Session.
func (s *Session) AssistedBy() *bk.Staff {
	if s.assist == nil {
		return nil
	}
	st := s.assist.Staff
	return &st
}

// SetLang implements bk.Session: anything but "en" is Danish, as in the
// real service.
func (s *Session) SetLang(lang string) {
	if lang != "en" {
		lang = "da"
	}
	s.mu.Lock()
	s.lang = lang
	s.mu.Unlock()
}

// language is the language of the receipts, "da" or "en".
func (s *Session) language() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lang
}

// State implements bk.Session.
func (s *Session) State(ctx context.Context) (*bk.CitizenState, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	k := s.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.online {
		return nil, bk.Errorf(bk.EUnavailable, "The central service cannot be reached.")
	}
	me := s.cert.CPR
	st := &bk.CitizenState{FetchedAt: k.now()}
	if c, ok := k.contacts[me]; ok {
		cp := *c
		st.Contact = &cp
	}
	for _, c := range byID(k.consents) {
		if c.CPR == me {
			cp := *c
			st.Consents = append(st.Consents, &cp)
		}
	}
	for _, d := range byID(k.delegations) {
		cp := *d
		if d.Principal == me {
			st.GivenByMe = append(st.GivenByMe, &cp)
		}
		if d.Delegate == me {
			st.GivenToMe = append(st.GivenToMe, &cp)
		}
	}
	return st, nil
}

// byID returns m's values in the order of their keys, the ids: the order
// central lists them in.
func byID[T any](m map[string]*T) []*T {
	out := make([]*T, 0, len(m))
	for _, id := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[id])
	}
	return out
}

// Do implements bk.Session.
func (s *Session) Do(ctx context.Context, kind bk.ActionKind, p bk.Payload) (bk.Result, error) {
	if err := s.check(); err != nil {
		return bk.Result{}, err
	}
	if s.cert.Role != bk.RoleCitizen {
		return bk.Result{}, bk.Errorf(bk.EWrongRole, "A staff card cannot make choices for a citizen.")
	}
	k := s.k
	k.mu.Lock()
	now := k.now()
	if err := k.bundle.AllowAction(kind, now); err != nil {
		k.mu.Unlock()
		return bk.Result{}, err
	}
	if kind == bk.AcceptDelegation || kind == bk.DeclineDelegation {
		if p.HandoverToken != "" {
			h, d, err := k.handoverLocked(p.HandoverToken)
			if err != nil {
				k.mu.Unlock()
				return bk.Result{}, err
			}
			if d.ID != p.DelegationID || h.delegate != s.cert.CPR {
				k.mu.Unlock()
				return bk.Result{}, bk.Errorf(bk.ENotPermitted, "This power of attorney is for someone else.")
			}
		}
	}
	a, err := bk.NewAction(kind, p, k.ID, now)
	if err != nil {
		k.mu.Unlock()
		return bk.Result{}, err
	}
	a.ActorSerial, a.ActorCert = s.cert.Serial, s.card.encoded
	var staff *bk.Certificate
	if s.assist != nil {
		a.Assist = s.assist.Grant
		staff, _ = bk.DecodeCertificate(s.assist.Grant.StaffCert)
	}
	a.ActorSignature = ed25519.Sign(s.card.key, a.Digest())
	if err := a.Validate(); err != nil {
		k.mu.Unlock()
		return bk.Result{}, err
	}
	// Preview with the shared rules on what the kiosk knows: central's state
	// when online; offline only a create (which needs no state).
	var preview bk.Verdict
	if k.online || kind == bk.CreateDelegation {
		preview, _ = k.rules.Apply(k.targetLocked(a), a, s.cert, staff, now)
		if preview.Outcome == bk.Rejected {
			k.mu.Unlock()
			return bk.Result{}, bk.Errorf(preview.Reason, "%s", preview.Message)
		}
	}
	k.outbox = append(k.outbox, a) // "on disk" before anything else
	if p.HandoverToken != "" {
		k.handovers[p.HandoverToken].used = true
	}
	if k.online {
		k.pushLocked()
	}
	pending := len(k.outbox) > 0
	k.mu.Unlock()
	res := bk.Result{ActionID: a.ID, Verdict: preview, Pending: pending}
	lines := s.receipt(a, pending, now)
	res.Receipt = k.printer.print(lines, lines[:len(lines)-1]) // the action id is not read aloud
	res.Receipt.Lang = s.language()
	k.emitStatus()
	return res, nil
}

var receiptWords = map[string]map[string]string{
	"da": {"title": "Kvittering", "who": "Person", "assisted": "Hjulpet af", "pending": "Afventer — sendes når forbindelsen er tilbage", "sent": "Sendt", "id": "Handling",
		"slip": "Kode til fuldmagt", "to": "Til", "until": "Koden virker til",
		"give_consent": "Samtykke givet", "decline_consent": "Anmodning om samtykke afvist", "withdraw_consent": "Samtykke trukket tilbage",
		"create_delegation": "Fuldmagt givet", "revoke_delegation": "Fuldmagt stoppet", "accept_delegation": "Fuldmagt modtaget",
		"decline_delegation": "Fuldmagt afvist", "renounce_delegation": "Fuldmagt til dig stoppet", "renew_delegation": "Fuldmagt fornyet", "set_contact": "E-mail gemt"},
	"en": {"title": "Receipt", "who": "Person", "assisted": "Assisted by", "pending": "Pending — sent when the connection returns", "sent": "Sent", "id": "Action",
		"slip": "Code for a power of attorney", "to": "To", "until": "The code works until",
		"give_consent": "Consent given", "decline_consent": "Request for consent declined", "withdraw_consent": "Consent withdrawn",
		"create_delegation": "Power of attorney given", "revoke_delegation": "Power of attorney revoked", "accept_delegation": "Power of attorney accepted",
		"decline_delegation": "Power of attorney declined", "renounce_delegation": "Power of attorney given up", "renew_delegation": "Power of attorney renewed", "set_contact": "E-mail saved"},
}

func (s *Session) words() map[string]string { return receiptWords[s.language()] }

func (s *Session) receipt(a *bk.Action, pending bool, now time.Time) []string {
	w := s.words()
	lines := []string{w["title"], now.Format("02.01.2006 15:04"), w[string(a.Kind)], w["who"] + ": " + s.cert.Name + " " + s.cert.CPR.Masked()}
	if s.assist != nil {
		lines = append(lines, w["assisted"]+": "+s.assist.Staff.Name+" ("+s.assist.Staff.ID+")")
	}
	if pending {
		lines = append(lines, w["pending"])
	} else {
		lines = append(lines, w["sent"])
	}
	return append(lines, w["id"]+": "+a.ID)
}

// HandoverCode implements bk.Session.
func (s *Session) HandoverCode(ctx context.Context, delegationID string) (bk.Handover, error) {
	if err := s.check(); err != nil {
		return bk.Handover{}, err
	}
	k := s.k
	k.mu.Lock()
	d := k.delegationLocked(delegationID)
	if d == nil {
		k.mu.Unlock()
		return bk.Handover{}, bk.Errorf(bk.ENotFound, "The power of attorney is not known.")
	}
	if d.Principal != s.cert.CPR {
		k.mu.Unlock()
		return bk.Handover{}, bk.Errorf(bk.ENotPermitted, "Only the person who gave the power of attorney can hand it over.")
	}
	k.tokenSeq++
	code := fmt.Sprintf("%s%08d", HandoverPrefix, k.tokenSeq)
	exp := k.now().Add(72 * time.Hour).Truncate(time.Minute)
	k.handovers[code] = &handover{delegationID: d.ID, delegate: d.Delegate, expires: exp}
	k.mu.Unlock()
	w := s.words()
	until := exp.Format("02.01.2006 15:04")
	r := k.printer.print([]string{w["title"], code, s.cert.Name, d.Delegate.Masked(), until},
		[]string{w["slip"], w["who"] + ": " + s.cert.Name, w["to"] + ": " + d.Delegate.Masked(), w["until"] + " " + until})
	r.Lang = s.language()
	return bk.Handover{Code: code, Expires: exp, Typed: "K7M4-XQ9-P2R", TypedAddress: "borgerkiosk.dk/kode", Receipt: r}, nil
}

// PrintOverview implements bk.Session.
func (s *Session) PrintOverview(ctx context.Context) error {
	if err := s.check(); err != nil {
		return err
	}
	lines := []string{s.words()["title"], s.cert.Name + " " + s.cert.CPR.Masked()}
	if st, err := s.State(ctx); err == nil {
		for _, c := range st.Consents {
			lines = append(lines, c.AuthorityID+": "+string(c.StateAt(s.k.now())))
		}
		for _, d := range st.GivenByMe {
			lines = append(lines, "-> "+d.Delegate.Masked()+": "+string(d.StateAt(s.k.now())))
		}
		for _, d := range st.GivenToMe {
			lines = append(lines, "<- "+d.Principal.Masked()+": "+string(d.StateAt(s.k.now())))
		}
	}
	if r := s.k.printer.print(lines, lines); !r.Printed {
		return r.Err
	}
	return nil
}

// GrantAssist implements bk.Session.
func (s *Session) GrantAssist(ctx context.Context, d time.Duration) (*bk.StaffGrant, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.cert.Role != bk.RoleStaff {
		return nil, bk.Errorf(bk.EWrongRole, "Only a staff card can sign a grant.")
	}
	if d <= 0 || d > bk.MaxAssist {
		d = bk.MaxAssist // as the real service does
	}
	g := bk.NewAssist(s.card.encoded, s.k.ID, s.k.now(), d)
	g.Signature = ed25519.Sign(s.card.key, g.Digest())
	return &bk.StaffGrant{Grant: g, Staff: bk.Staff{ID: s.cert.StaffID, Name: s.cert.Name}}, nil
}

// DismissAttention implements bk.Session.
func (s *Session) DismissAttention(ctx context.Context, actionID string) error {
	if err := s.check(); err != nil {
		return err
	}
	if s.cert.Role != bk.RoleStaff {
		return bk.Errorf(bk.EWrongRole, "Only staff can take an action off the attention list.")
	}
	k := s.k
	k.mu.Lock()
	i := slices.IndexFunc(k.attention, func(a bk.AttentionItem) bool { return a.ActionID == actionID })
	if i >= 0 {
		k.attention = slices.Delete(k.attention, i, i+1)
		k.dismissals = append(k.dismissals, Dismissal{ActionID: actionID, By: s.cert.StaffID})
	}
	k.mu.Unlock()
	if i < 0 {
		return bk.Errorf(bk.ENotFound, "That action is not on the attention list.")
	}
	k.emitStatus()
	return nil
}

// Close implements bk.Session.
func (s *Session) Close() {
	s.mu.Lock()
	s.closed = true
	s.assist = nil
	s.mu.Unlock()
	s.k.mu.Lock()
	s.card.authed = false
	s.k.mu.Unlock()
}

// PrintReminder implements bk.Session.
func (s *Session) PrintReminder(ctx context.Context, r bk.Reminder) (bk.Receipt, error) {
	if err := s.check(); err != nil {
		return bk.Receipt{}, err
	}
	if r.ID == "" || r.Ends.IsZero() || r.Other == "" && r.Authority == "" {
		return bk.Receipt{}, bk.Errorf(bk.EInvalid, "The reminder names no one or nothing.")
	}
	lang := s.language()
	who := r.Other
	if a, ok := s.k.Catalogue().Authority(r.Authority); ok && who == "" {
		who = a.Name.In(lang)
	}
	title := map[string]string{"da": "Husk", "en": "Reminder"}[lang]
	lines := []string{title, who, strings.Join(r.Scopes, ", ") + strings.Join(r.Categories, ", "), r.Ends.Format("02.01.2006"), s.cert.Name + " " + s.cert.CPR.Masked()}
	rec := s.k.printer.print(lines, lines)
	rec.Lang = lang
	return rec, nil
}

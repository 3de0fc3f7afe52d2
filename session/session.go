package session

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

// Session implements bk.Session for one signed-in person. Everything it
// holds about the person lives in memory only and is dropped by Close.
type Session struct {
	svc *Service

	mu      sync.Mutex
	closed  bool
	cert    *bk.Certificate
	lang    string
	assist  *bk.StaffGrant
	auth    *bk.CitizenAuth           // an unused proof of presence for central, if any
	state   *bk.CitizenState          // last state fetched from central
	fresh   bool                      // state is as central sent it: no action saved since
	created map[string]*bk.Delegation // delegations made in this session (maybe not at central yet)
	// confirmed holds the delegations central is known to have: confirmed
	// on creation in this session, or fetched from central.
	confirmed map[string]bool
	// firstCodes holds, by delegation id, the first handover code of each
	// delegation created in this session: its create action told central
	// the token, so that code alone has a typed form central can resolve.
	firstCodes map[string]firstCode
}

// firstCode is a handover code announced in a create action.
type firstCode struct {
	token           []byte
	issued, expires time.Time
}

var _ bk.Session = (*Session)(nil)

// Person implements bk.Session.
func (s *Session) Person() bk.CardInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cert == nil {
		return bk.CardInfo{}
	}
	return cardInfo(s.cert)
}

// AssistedBy implements bk.Session.
func (s *Session) AssistedBy() *bk.Staff {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.assist == nil {
		return nil
	}
	st := s.assist.Staff
	return &st
}

// SetLang implements bk.Session.
func (s *Session) SetLang(lang string) {
	if lang != "en" {
		lang = "da"
	}
	s.mu.Lock()
	s.lang = lang
	s.mu.Unlock()
}

// Close implements bk.Session: it wipes the person's data from memory.
func (s *Session) Close() {
	s.mu.Lock()
	s.closed = true
	s.cert, s.auth, s.state, s.created, s.assist, s.confirmed = nil, nil, nil, nil, nil, nil
	s.mu.Unlock()
	s.svc.mu.Lock()
	if s.svc.current == s {
		s.svc.current = nil
	}
	s.svc.scanned = nil
	s.svc.mu.Unlock()
}

// snapshot returns what the session needs for one operation, or errClosed.
func (s *Session) snapshot() (*bk.Certificate, *bk.StaffGrant, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, "", errClosed
	}
	return s.cert, s.assist, s.lang, nil
}

// State implements bk.Session.
func (s *Session) State(ctx context.Context) (*bk.CitizenState, error) {
	var st *bk.CitizenState
	err := s.live(ctx, func(ctx context.Context, auth bk.CitizenAuth) (err error) {
		st, err = s.svc.deps.Central.CitizenState(ctx, auth)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	s.state, s.fresh = st, true
	return st, nil
}

func unavailable(err error) error {
	if bk.ErrorCode(err) == bk.EInternal {
		return bk.Errorf(bk.EUnavailable, "The central service cannot be reached right now.")
	}
	return err
}

// target finds the object an action is about in what the session knows.
func (s *Session) target(kind bk.ActionKind, p bk.Payload) (bk.Target, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if kind == bk.CreateDelegation {
		return bk.Target{}, true
	}
	if kind.OnContact() {
		// The person's own: none yet is known too, once the state is.
		if s.state == nil {
			return bk.Target{}, false
		}
		if c := s.state.Contact; c != nil {
			cp := *c
			return bk.Target{Contact: &cp}, true
		}
		return bk.Target{}, true
	}
	if kind.OnConsent() {
		if s.state == nil {
			return bk.Target{}, false
		}
		for _, c := range s.state.Consents {
			if c.ID == p.ConsentID {
				cp := *c
				return bk.Target{Consent: &cp}, true
			}
		}
		return bk.Target{}, false
	}
	if d, ok := s.created[p.DelegationID]; ok {
		cp := *d
		return bk.Target{Delegation: &cp}, true
	}
	if s.state == nil {
		return bk.Target{}, false
	}
	for _, list := range [][]*bk.Delegation{s.state.GivenByMe, s.state.GivenToMe} {
		for _, d := range list {
			if d.ID == p.DelegationID {
				cp := *d
				return bk.Target{Delegation: &cp}, true
			}
		}
	}
	return bk.Target{}, false
}

// remember puts the previewed result into the session's view, so the lists
// show the change (as pending) until central's answer is fetched.
func (s *Session) remember(t bk.Target) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return // the card left while the action was stored: nothing to show
	}
	s.fresh = false
	if t.Delegation != nil {
		if s.created == nil {
			s.created = map[string]*bk.Delegation{}
		}
		if _, mine := s.created[t.Delegation.ID]; mine || t.Delegation.State == bk.DelegationPending && t.Delegation.Principal == s.cert.CPR {
			s.created[t.Delegation.ID] = t.Delegation
		}
	}
	if s.state == nil {
		return
	}
	if t.Contact != nil {
		s.state.Contact = t.Contact
	}
	if c := t.Consent; c != nil {
		for i, old := range s.state.Consents {
			if old.ID == c.ID {
				s.state.Consents[i] = c
			}
		}
	}
	if d := t.Delegation; d != nil {
		for _, list := range [][]*bk.Delegation{s.state.GivenByMe, s.state.GivenToMe} {
			for i, old := range list {
				if old.ID == d.ID {
					list[i] = d
				}
			}
		}
	}
}

func (s *Session) rules() *bk.Rules {
	r := bk.DefaultRules(s.svc.Catalogue())
	if s.svc.cfg.MaxDelegation > 0 {
		r.MaxDelegation = s.svc.cfg.MaxDelegation
	}
	return r
}

// Do implements bk.Session.
func (s *Session) Do(ctx context.Context, kind bk.ActionKind, p bk.Payload) (bk.Result, error) {
	cert, assist, lang, err := s.snapshot()
	if err != nil {
		return bk.Result{}, err
	}
	now := s.svc.cfg.Now()
	if cert.Role != bk.RoleCitizen {
		return bk.Result{}, bk.Errorf(bk.EWrongRole, "A staff card cannot make choices for a citizen. The citizen signs in with their own card.")
	}
	b, err := s.svc.bundle()
	if err != nil {
		return bk.Result{}, err
	}
	if err := b.AllowAction(kind, now); err != nil {
		return bk.Result{}, err
	}
	rules := s.rules()
	switch kind {
	case bk.CreateDelegation:
		if p.DelegationID == "" {
			p.DelegationID = bk.NewID(now)
		}
		p.PrincipalName = cert.Name
		if p.Delegate == nil {
			return bk.Result{}, bk.Errorf(bk.EInvalid, "Type the CPR number of the person you give power of attorney to.")
		}
		if err := rules.CheckDelegationTerms(p, now); err != nil {
			return bk.Result{}, err
		}
		if err := s.drawFirstCode(&p, now); err != nil {
			return bk.Result{}, err
		}
	case bk.RenewDelegation:
		if err := rules.CheckDelegationTerms(p, now); err != nil {
			return bk.Result{}, err
		}
		// A renewal the delegate must accept again carries a first code,
		// as a create does (unknown here: it may, so it carries one).
		if t, known := s.target(kind, p); !known || t.Delegation == nil || t.Delegation.State != bk.DelegationActive || bk.Widens(t.Delegation.Scopes, p.Scopes) {
			if err := s.drawFirstCode(&p, now); err != nil {
				return bk.Result{}, err
			}
		}
	case bk.AcceptDelegation, bk.DeclineDelegation:
		if err := s.checkHandover(cert, &p); err != nil {
			return bk.Result{}, err
		}
	}

	a, err := bk.NewAction(kind, p, s.svc.cfg.KioskID, now)
	if err != nil {
		return bk.Result{}, err
	}
	if assist != nil {
		a.Assist = assist.Grant
	}
	a.ActorSerial, a.ActorCert = cert.Serial, cert.Encode()

	// Preview with the shared rules on what the kiosk knows; a refusal here
	// stores nothing, because central would refuse it too.
	var staff *bk.Certificate
	if a.Assist != nil {
		staff, _ = bk.DecodeCertificate(a.Assist.StaffCert)
	}
	res := bk.Result{ActionID: a.ID, Pending: true}
	t, known := s.target(kind, p)
	if !known && kind != bk.CreateDelegation && s.svc.deps.Central != nil && s.svc.Status().Online {
		// Nothing fetched yet (an accept straight after signing in): ask
		// central for its record now, so the preview and the receipt rest
		// on what central holds rather than on what a code claims.
		if _, err := s.State(ctx); err == nil {
			t, known = s.target(kind, p)
		}
	}
	if !known && (kind == bk.AcceptDelegation || kind == bk.DeclineDelegation) {
		// Offline: the scanned code's signed claims are all the kiosk knows.
		// They fill the receipt only; central alone decides the outcome.
		t = s.svc.fromCode(p.DelegationID, cert.CPR)
	}
	var next bk.Target
	if known {
		res.Verdict, next = rules.Apply(t, a, cert, staff, now)
		switch res.Verdict.Outcome {
		case bk.Rejected:
			return bk.Result{}, bk.Errorf(res.Verdict.Reason, "%s", res.Verdict.Message)
		case bk.Superseded:
			return bk.Result{}, bk.Errorf(bk.EConflict, "%s", res.Verdict.Message)
		}
	}

	sig, err := s.svc.deps.Reader.Sign(ctx, a.Digest())
	if err != nil {
		return bk.Result{}, err
	}
	if !ed25519.Verify(cert.CardKey, a.Digest(), sig) {
		return bk.Result{}, bk.Errorf(bk.EBadSignature, "The card's signature could not be checked. Nothing was saved; please ask staff.")
	}
	a.ActorSignature = sig
	seq, err := s.svc.deps.Outbox.Enqueue(ctx, a)
	if err != nil {
		s.svc.log.Error("enqueue failed", "action", a.ID, "kind", kind, "err", err)
		return bk.Result{}, err
	}
	s.svc.log.Info("action saved", "action", a.ID, "kind", kind, "serial", cert.Serial, "assisted", assist != nil)
	// Online, central usually answers within a moment: wait briefly so the
	// person and the receipt can be told the real outcome, not "pending".
	if c := s.svc.deps.Confirm; c != nil && s.svc.Status().Online {
		cctx, cancel := context.WithTimeout(ctx, s.svc.cfg.ConfirmTimeout)
		if v, ok := c.AwaitVerdict(cctx, seq); ok {
			res.Pending, res.Verdict = false, v
		}
		cancel()
	}
	// Show the change in the session's lists, unless central refused it.
	if (next.Consent != nil || next.Delegation != nil || next.Contact != nil) && (res.Pending || res.Verdict.Outcome == bk.Applied) {
		s.remember(next)
	}
	if (kind == bk.CreateDelegation || kind == bk.RenewDelegation) && !res.Pending && res.Verdict.Outcome == bk.Applied {
		s.mu.Lock()
		if s.confirmed == nil {
			s.confirmed = map[string]bool{}
		}
		s.confirmed[p.DelegationID] = true
		s.mu.Unlock()
	}
	res.Receipt = s.printAction(ctx, a, p, next, t, lang, now, res)
	s.svc.StatusChanged()
	return res, nil
}

// drawFirstCode draws the first handover code of a delegation being made
// (or renewed so that it waits for the delegate again) into p now, so the
// signed action carries its token and central can resolve its typed form
// even when the kiosk is offline while the slip prints. It is kept even if
// the action fails later: a code of a delegation that does not exist is
// never printed.
func (s *Session) drawFirstCode(p *bk.Payload, now time.Time) error {
	fc, err := s.svc.newFirstCode(p.ValidTo, now)
	if err != nil {
		return err
	}
	p.HandoverToken, p.HandoverExpires = hex.EncodeToString(fc.token), fc.expires
	s.mu.Lock()
	if s.firstCodes == nil {
		s.firstCodes = map[string]firstCode{}
	}
	s.firstCodes[p.DelegationID] = fc
	s.mu.Unlock()
	return nil
}

// checkHandover makes sure an accept or decline answers a code scanned at
// this kiosk for this very person, and names the code's token.
func (s *Session) checkHandover(cert *bk.Certificate, p *bk.Payload) error {
	s.svc.mu.Lock()
	c := s.svc.scanned[p.DelegationID]
	s.svc.mu.Unlock()
	if c == nil {
		return bk.Errorf(bk.EInvalid, "Scan the handover code first.")
	}
	if !handover.BindsTo(c, cert.CPR.Digits()) {
		return bk.Errorf(bk.ENotPermitted, "This handover code was made for someone else. The person it was made for must use their own card.")
	}
	p.HandoverToken = hex.EncodeToString(c.TokenID)
	return nil
}

// fromCode is what a verified handover code says of its delegation: the
// principal's masked name, the scopes and the validity, signed by the kiosk
// that made the code.
func (s *Service) fromCode(id string, delegate bk.CPR) bk.Target {
	s.mu.Lock()
	c := s.scanned[id]
	s.mu.Unlock()
	if c == nil {
		return bk.Target{}
	}
	d := &bk.Delegation{ID: id, PrincipalName: c.PrincipalName, Delegate: delegate,
		ValidFrom: c.ValidFrom, ValidTo: c.ValidTo, State: bk.DelegationPending}
	for _, id := range c.Scopes {
		d.Scopes = append(d.Scopes, bk.ScopeGrant{ScopeID: id})
	}
	return bk.Target{Delegation: d}
}

// HandoverCode implements bk.Session.
func (s *Session) HandoverCode(ctx context.Context, delegationID string) (bk.Handover, error) {
	cert, _, lang, err := s.snapshot()
	if err != nil {
		return bk.Handover{}, err
	}
	now := s.svc.cfg.Now()
	b, err := s.svc.bundle()
	if err != nil {
		return bk.Handover{}, err
	}
	if err := b.AllowAction(bk.CreateDelegation, now); err != nil {
		return bk.Handover{}, err
	}
	t, ok := s.target(bk.RevokeDelegation, bk.Payload{DelegationID: delegationID})
	d := t.Delegation
	if !ok || d == nil {
		return bk.Handover{}, bk.Errorf(bk.ENotFound, "The power of attorney was not found.")
	}
	if d.Principal != cert.CPR {
		return bk.Handover{}, bk.Errorf(bk.ENotPermitted, "Only the person who gave the power of attorney can print its code.")
	}
	if st := d.StateAt(now); st != bk.DelegationPending {
		return bk.Handover{}, bk.Errorf(bk.EInvalidState, "This power of attorney is not waiting to be accepted.")
	}
	// The delegation's first code again if it was made in this session (a
	// reprint prints the same code); otherwise a new code, which central
	// learns of only when it is answered, so it has no typed form.
	s.mu.Lock()
	fc, first := s.firstCodes[d.ID]
	s.mu.Unlock()
	if !first {
		fc = firstCode{issued: now, expires: s.svc.codeExpiry(d.ValidTo, now)}
	}
	expires := fc.expires
	claims := handover.Claims{
		DelegationID: d.ID, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, TokenID: fc.token,
		IssuedAt: fc.issued, ExpiresAt: expires, PrincipalName: handover.MaskName(cert.Name),
	}
	for _, g := range d.Scopes {
		claims.Scopes = append(claims.Scopes, g.ScopeID)
	}
	// BK2: QR version 10, which phones read from further off than BK1's
	// 13 (docs/benchmarks.md); it lives whole days, so a code for a
	// delegation ending within a day is BK1.
	var code string
	if expires.Sub(fc.issued) >= 24*time.Hour {
		code, err = handover.IssueCompact(claims, d.Delegate.Digits(), s.svc.cfg.KioskID, s.svc.cfg.KioskKey)
	} else {
		code, err = handover.Issue(claims, d.Delegate.Digits(), s.svc.cfg.KioskID, s.svc.cfg.KioskKey)
	}
	if err != nil {
		return bk.Handover{}, err
	}
	url, err := handover.URL(s.svc.cfg.HandoverBaseURL, code)
	if err != nil {
		return bk.Handover{}, err
	}
	s.svc.log.Info("handover code issued", "delegation", d.ID, "expires", expires, "typed", first)
	h := bk.Handover{Code: url, Expires: expires}
	if typed, ok := handover.TypedCode(fc.token); ok {
		h.Typed, h.TypedAddress = handover.GroupTyped(typed), handover.TypedAddress(s.svc.cfg.HandoverBaseURL)
	}
	h.Receipt = s.printSlip(ctx, d, h, lang, now)
	return h, nil
}

// PrintOverview implements bk.Session.
func (s *Session) PrintOverview(ctx context.Context) error {
	_, _, lang, err := s.snapshot()
	if err != nil {
		return err
	}
	return s.printOverview(ctx, lang, s.svc.cfg.Now())
}

// GrantAssist implements bk.Session.
func (s *Session) GrantAssist(ctx context.Context, d time.Duration) (*bk.StaffGrant, error) {
	cert, _, _, err := s.snapshot()
	if err != nil {
		return nil, err
	}
	if cert.Role != bk.RoleStaff {
		return nil, bk.Errorf(bk.EWrongRole, "Only a staff card can start helping a citizen.")
	}
	if d <= 0 || d > bk.MaxAssist {
		d = bk.MaxAssist
	}
	g := bk.NewAssist(cert.Encode(), s.svc.cfg.KioskID, s.svc.cfg.Now(), d)
	sig, err := s.svc.deps.Reader.Sign(ctx, g.Digest())
	if err != nil {
		return nil, err
	}
	if !ed25519.Verify(cert.CardKey, g.Digest(), sig) {
		return nil, bk.Errorf(bk.EBadSignature, "The staff card's signature could not be checked.")
	}
	g.Signature = sig
	s.svc.log.Info("staff assist granted", "staff", cert.StaffID, "until", g.NotAfter)
	return &bk.StaffGrant{Grant: g, Staff: bk.Staff{ID: cert.StaffID, Name: cert.Name}}, nil
}

// DismissAttention implements bk.Session.
func (s *Session) DismissAttention(ctx context.Context, actionID string) error {
	cert, _, _, err := s.snapshot()
	if err != nil {
		return err
	}
	if cert.Role != bk.RoleStaff {
		return bk.Errorf(bk.EWrongRole, "Only staff can take an action off the attention list.")
	}
	if err := s.svc.deps.Sync.Dismiss(ctx, actionID, cert.StaffID); err != nil {
		return err
	}
	s.svc.log.Info("attention dismissed", "action", actionID, "staff", cert.StaffID)
	s.svc.StatusChanged() // the count in Status is one less
	return nil
}

// codeExpiry is when a handover code made at now expires: after the
// configured validity, and no later than the delegation's end, in whole
// days from now when that is a day or more (a BK2 code's lifetime is in
// days).
func (s *Service) codeExpiry(validTo, now time.Time) time.Time {
	expires := now.Add(s.cfg.HandoverValidity)
	if expires.After(validTo) {
		expires = validTo
	}
	if life := expires.Sub(now); life >= 24*time.Hour {
		expires = now.Add(life.Truncate(24 * time.Hour))
	}
	return expires
}

// newFirstCode draws the first handover code of a delegation created at
// now: a token with a typed form (handover.NewTypedToken).
func (s *Service) newFirstCode(validTo, now time.Time) (firstCode, error) {
	tok, err := handover.NewTypedToken()
	if err != nil {
		return firstCode{}, err
	}
	return firstCode{token: tok, issued: now, expires: s.codeExpiry(validTo, now)}, nil
}

package fake

import (
	"context"
	"crypto/ed25519"
	"strings"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// Subscribe implements bk.Kiosk.
func (k *Kiosk) Subscribe(e bk.Events) func() {
	k.mu.Lock()
	defer k.mu.Unlock()
	id := k.nextSub
	k.nextSub++
	k.subs[id] = e
	return func() {
		k.mu.Lock()
		defer k.mu.Unlock()
		delete(k.subs, id)
	}
}

// CardPresent implements bk.Kiosk.
func (k *Kiosk) CardPresent() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.slot != nil
}

func (k *Kiosk) verifyLocked(c *Card) (*bk.Certificate, error) {
	if k.reader != bk.DeviceOK {
		return nil, bk.Errorf(bk.EUnavailable, "The card reader does not answer.")
	}
	cert, err := bk.DecodeCertificate(c.encoded)
	if err != nil {
		return nil, err
	}
	if err := k.bundle.Trust().VerifyCertificate(cert, k.now()); err != nil {
		return nil, err
	}
	return cert, nil
}

// ReadCard implements bk.Kiosk.
func (k *Kiosk) ReadCard(ctx context.Context) (bk.CardInfo, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.slot == nil {
		return bk.CardInfo{}, bk.Errorf(bk.ENoCard, "No card in the reader.")
	}
	cert, err := k.verifyLocked(k.slot)
	if err != nil {
		return bk.CardInfo{}, err
	}
	return bk.CardInfo{Serial: cert.Serial, Name: cert.Name, CPR: cert.CPR, Role: cert.Role, StaffID: cert.StaffID}, nil
}

// SignIn implements bk.Kiosk.
func (k *Kiosk) SignIn(ctx context.Context, pin string, assist *bk.StaffGrant) (bk.Session, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.slot
	if c == nil {
		return nil, bk.Errorf(bk.ENoCard, "No card in the reader.")
	}
	cert, err := k.verifyLocked(c)
	if err != nil {
		return nil, err
	}
	if c.tries == 0 {
		return nil, bk.Errorf(bk.ECardLocked, "The card is locked.")
	}
	if pin != c.pin {
		c.tries--
		if c.tries == 0 {
			return nil, bk.Errorf(bk.ECardLocked, "The card is locked.")
		}
		return nil, &bk.PINError{TriesLeft: c.tries}
	}
	c.tries = maxTries
	c.authed = true
	s := &Session{k: k, card: c, cert: cert, lang: "da"}
	if assist != nil {
		if cert.Role != bk.RoleCitizen {
			return nil, bk.Errorf(bk.EWrongRole, "Only a citizen can be assisted.")
		}
		if err := k.checkAssistLocked(assist); err != nil {
			return nil, err
		}
		cp := *assist
		s.assist = &cp
	}
	k.current = s
	return s, nil
}

func (k *Kiosk) checkAssistLocked(a *bk.StaffGrant) error {
	g := a.Grant
	if g == nil {
		return bk.Errorf(bk.EForbidden, "The staff grant is missing.")
	}
	staff, err := bk.DecodeCertificate(g.StaffCert)
	if err != nil {
		return bk.Errorf(bk.EForbidden, "The staff grant cannot be read.")
	}
	now := k.now()
	if err := k.bundle.Trust().VerifyCertificate(staff, now); err != nil {
		return err
	}
	if staff.Role != bk.RoleStaff || !ed25519.Verify(staff.CardKey, g.Digest(), g.Signature) {
		return bk.Errorf(bk.EForbidden, "The staff grant is not valid.")
	}
	if g.Kiosk != k.ID || now.Before(g.NotBefore) || now.After(g.NotAfter) {
		return bk.Errorf(bk.EForbidden, "The staff grant has expired or is for another kiosk.")
	}
	return nil
}

// Status implements bk.Kiosk.
func (k *Kiosk) Status() bk.Status {
	k.mu.Lock()
	defer k.mu.Unlock()
	st := bk.Status{
		Online:     k.online,
		Pending:    len(k.outbox),
		LastSync:   k.lastSync,
		Attention:  len(k.attention),
		Printer:    bk.DeviceOK,
		Reader:     k.reader,
		Scanner:    k.scanner,
		TrustStale: k.bundle.Stale(k.now()),
		ClockSkew:  k.clockSkew,
	}
	if len(k.outbox) > 0 {
		st.OldestPending = k.outbox[0].OccurredAt
	}
	k.printer.mu.Lock()
	if !k.printer.paper {
		st.Printer = bk.DevicePaperOut
	}
	k.printer.mu.Unlock()
	return st
}

// Attention implements bk.Kiosk.
func (k *Kiosk) Attention(ctx context.Context) ([]bk.AttentionItem, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]bk.AttentionItem, len(k.attention))
	for i, a := range k.attention {
		out[len(out)-1-i] = a
	}
	return out, nil
}

// Dismissal is who took an action off the attention list.
type Dismissal struct{ ActionID, By string }

// Dismissals returns the dismissals recorded, oldest first.
func (k *Kiosk) Dismissals() []Dismissal {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]Dismissal(nil), k.dismissals...)
}

// SyncNow implements bk.Kiosk.
func (k *Kiosk) SyncNow(ctx context.Context) error {
	k.mu.Lock()
	if !k.online {
		k.mu.Unlock()
		return bk.Errorf(bk.EUnavailable, "The central service cannot be reached.")
	}
	k.pushLocked()
	k.mu.Unlock()
	k.emitStatus()
	return nil
}

// Catalogue implements bk.Kiosk.
func (k *Kiosk) Catalogue() *bk.Catalogue {
	k.mu.Lock()
	defer k.mu.Unlock()
	return &k.bundle.Catalogue
}

// VerifyHandover implements bk.Kiosk.
func (k *Kiosk) VerifyHandover(ctx context.Context, code string) (bk.HandoverInfo, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	h, d, err := k.handoverLocked(code)
	if err != nil {
		return bk.HandoverInfo{}, err
	}
	if k.compact {
		return bk.HandoverInfo{Code: code, DelegationID: d.ID, PrincipalName: partName(d.PrincipalName), CodeExpires: h.expires}, nil
	}
	// Like a real code, it names the principal by a masked name only.
	return bk.HandoverInfo{
		Code: code, DelegationID: d.ID, PrincipalName: partName(d.PrincipalName),
		Scopes: d.Scopes, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, CodeExpires: h.expires,
	}, nil
}

// SetCompactCodes makes VerifyHandover answer as the real kiosk does for
// a compact (BK2) code: the masked name and the code's expiry only.
func (k *Kiosk) SetCompactCodes(on bool) {
	k.mu.Lock()
	k.compact = on
	k.mu.Unlock()
}

// errCodeUsed refuses a code used once already, or whose delegation was
// accepted or declined with another.
var errCodeUsed = bk.Errorf(bk.EInvalid, "This handover code has already been used.")

func (k *Kiosk) handoverLocked(code string) (*handover, *bk.Delegation, error) {
	h, ok := k.handovers[code]
	if !ok {
		return nil, nil, bk.Errorf(bk.EInvalid, "This is not a handover code.")
	}
	if h.used {
		return nil, nil, errCodeUsed
	}
	now := k.now()
	if !now.Before(h.expires) {
		return nil, nil, bk.Errorf(bk.EExpired, "The handover code has expired.")
	}
	d := k.delegationLocked(h.delegationID)
	if d == nil {
		return nil, nil, bk.Errorf(bk.EUnknownSubject, "The power of attorney is not known.")
	}
	switch d.StateAt(now) {
	case bk.DelegationRevoked:
		return nil, nil, bk.Errorf(bk.EAlreadyRevoked, "The power of attorney was revoked.")
	case bk.DelegationExpired:
		return nil, nil, bk.Errorf(bk.EExpired, "The power of attorney has expired.")
	case bk.DelegationPending:
	default:
		return nil, nil, errCodeUsed
	}
	return h, d, nil
}

// delegationLocked finds a delegation at central or, made offline, in the
// outbox (the handover code is signed by the kiosk and works offline).
func (k *Kiosk) delegationLocked(id string) *bk.Delegation {
	if d, ok := k.delegations[id]; ok {
		cp := *d
		return &cp
	}
	for _, a := range k.outbox {
		if a.Kind != bk.CreateDelegation {
			continue
		}
		p, err := a.DecodePayload()
		if err != nil || p.DelegationID != id {
			continue
		}
		actor, _ := bk.DecodeCertificate(a.ActorCert)
		if actor == nil {
			continue
		}
		return &bk.Delegation{ID: id, Principal: actor.CPR, PrincipalName: p.PrincipalName, Delegate: *p.Delegate, DelegateNameTyped: p.DelegateName,
			Scopes: p.Scopes, ValidFrom: p.ValidFrom, ValidTo: p.ValidTo, State: bk.DelegationPending, CreatedAt: a.OccurredAt}
	}
	return nil
}

// partName shows a first name and the initial of the last: "Karen H.".
func partName(name string) string {
	f := strings.Fields(name)
	switch len(f) {
	case 0:
		return ""
	case 1:
		return f[0]
	}
	last := []rune(f[len(f)-1])
	return f[0] + " " + string(last[0]) + "."
}

// CallStaff implements bk.Kiosk.
func (k *Kiosk) CallStaff(ctx context.Context, reason string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls = append(k.calls, reason)
	return nil
}

package borgerkiosk

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"time"
)

// ActionKind names what an action does.
type ActionKind string

const (
	GiveConsent        ActionKind = "give_consent"
	DeclineConsent     ActionKind = "decline_consent"
	WithdrawConsent    ActionKind = "withdraw_consent"
	CreateDelegation   ActionKind = "create_delegation"
	RevokeDelegation   ActionKind = "revoke_delegation"
	AcceptDelegation   ActionKind = "accept_delegation"
	DeclineDelegation  ActionKind = "decline_delegation"
	RenounceDelegation ActionKind = "renounce_delegation"
	// SetContact sets (or, with an empty e-mail, removes) the signer's own
	// contact details: it is about the signer, not a consent or delegation.
	SetContact ActionKind = "set_contact"
	// RenewDelegation gives a delegation the principal gave a new period
	// (and possibly other areas); Rules.renew says when it may.
	RenewDelegation ActionKind = "renew_delegation"
)

// ActionKinds lists every kind, in a stable order.
var ActionKinds = []ActionKind{
	GiveConsent, DeclineConsent, WithdrawConsent,
	CreateDelegation, RevokeDelegation, AcceptDelegation, DeclineDelegation, RenounceDelegation,
	SetContact, RenewDelegation,
}

// Valid reports whether k is a known kind.
func (k ActionKind) Valid() bool {
	for _, x := range ActionKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Widening reports whether the action grants something (give, create,
// accept, renew: a longer grant is a grant). With a stale trust bundle only
// restrictive actions are accepted.
func (k ActionKind) Widening() bool {
	return k == GiveConsent || k == CreateDelegation || k == AcceptDelegation || k == RenewDelegation
}

// OnConsent reports whether the action changes a consent.
func (k ActionKind) OnConsent() bool {
	return k == GiveConsent || k == DeclineConsent || k == WithdrawConsent
}

// OnContact reports whether the action changes the signer's own contact
// details (it has no subject id: its subject is whoever signed it).
func (k ActionKind) OnContact() bool { return k == SetContact }

// OnDelegation reports whether the action changes a delegation.
func (k ActionKind) OnDelegation() bool { return k.Valid() && !k.OnConsent() && !k.OnContact() }

// Payload holds the arguments of an action; which fields are set depends on
// the kind (see Action.DecodePayload).
type Payload struct {
	ConsentID     string       `json:"consent_id,omitempty"`
	DelegationID  string       `json:"delegation_id,omitempty"`
	PrincipalName string       `json:"principal_name,omitempty"` // create: shown to the delegate
	Delegate      *CPR         `json:"delegate,omitempty"`       // create
	DelegateName  string       `json:"delegate_name,omitempty"`  // create: as the principal typed it (CheckName)
	Scopes        []ScopeGrant `json:"scopes,omitempty"`         // create, renew
	ValidFrom     time.Time    `json:"valid_from,omitzero"`      // create, renew
	ValidTo       time.Time    `json:"valid_to,omitzero"`        // create, renew
	// HandoverToken names a handover code in hex: for accept and decline
	// the code that was scanned; for create (and a renew that widens the
	// areas, so the delegate accepts again) the first code's, whose typed
	// form (handover.TypedCode) central can then resolve.
	HandoverToken   string    `json:"handover_token,omitempty"`
	HandoverExpires time.Time `json:"handover_expires,omitzero"` // create, renew: when that first code stops working
	// Contact is set_contact's whole argument; an empty Email removes the
	// address.
	Contact *Contact `json:"contact,omitempty"`
}

// Assist is a staff member's signed statement that they are helping at one
// kiosk for a while. A kiosk has one card slot, so the staff card signs the
// grant once, before the citizen inserts their own card; the citizen's
// signature on every action then covers the grant, so each action carries
// both people's signatures.
type Assist struct {
	StaffCert []byte    `json:"staff_cert"` // encoded Certificate
	Kiosk     string    `json:"kiosk"`
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after"`
	Nonce     []byte    `json:"nonce"`
	Signature []byte    `json:"signature"` // the staff card's, over Digest
}

// MaxAssist bounds how long one staff grant lasts.
const MaxAssist = 2 * time.Hour

// NewAssist makes an unsigned grant for staffCert at kiosk from now.
func NewAssist(staffCert []byte, kiosk string, now time.Time, d time.Duration) *Assist {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	now = now.UTC().Truncate(time.Second)
	return &Assist{StaffCert: staffCert, Kiosk: kiosk, NotBefore: now, NotAfter: now.Add(d), Nonce: nonce}
}

// Digest is what the staff card signs.
func (g *Assist) Digest() []byte {
	w := newCanonical(assistTag)
	w.bytes(g.StaffCert)
	w.str(g.Kiosk)
	w.timeNano(g.NotBefore) // VerifyAction compares to the nanosecond
	w.timeNano(g.NotAfter)
	w.bytes(g.Nonce)
	h := sha256.Sum256(w.b)
	return h[:]
}

// Action is the unit of change. The person's card signs Digest, which covers
// the staff grant when staff help. Payload is kept as the exact bytes that
// were signed.
type Action struct {
	ID             string          `json:"action_id"`
	Kind           ActionKind      `json:"kind"`
	OccurredAt     time.Time       `json:"occurred_at"`
	Kiosk          string          `json:"kiosk"`
	Payload        json.RawMessage `json:"payload"`
	ActorSerial    string          `json:"actor_serial"`
	ActorCert      []byte          `json:"actor_cert"`
	ActorSignature []byte          `json:"actor_signature"`
	Assist         *Assist         `json:"assisted_by,omitempty"` // set before the actor signs
}

const (
	actionTag = "borgerkiosk-action-v1"
	assistTag = "borgerkiosk-assist-v1"
	authTag   = "borgerkiosk-auth-v1"
)

// NewAction makes an unsigned action. The caller signs it with SignAction.
func NewAction(kind ActionKind, p Payload, kiosk string, now time.Time) (*Action, error) {
	if !kind.Valid() {
		return nil, Errorf(EInvalid, "unknown action kind %q", kind)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, Errorf(EInvalid, "payload: %v", err)
	}
	return &Action{
		ID:         NewID(now),
		Kind:       kind,
		OccurredAt: now.UTC().Truncate(time.Millisecond),
		Kiosk:      kiosk,
		Payload:    b,
	}, nil
}

// SignedBytes returns the canonical bytes that the actor's signature covers.
func (a *Action) SignedBytes() []byte {
	w := newCanonical(actionTag)
	w.str(a.ID)
	w.str(string(a.Kind))
	w.timeNano(a.OccurredAt)
	w.str(a.Kiosk)
	w.bytes(a.Payload)
	w.str(a.ActorSerial)
	if a.Assist != nil {
		w.bytes(a.Assist.Digest())
		w.bytes(a.Assist.Signature)
	} else {
		w.bytes(nil)
		w.bytes(nil)
	}
	return w.b
}

// Digest is what the card signs: SHA-256 of the canonical bytes.
func (a *Action) Digest() []byte {
	h := sha256.Sum256(a.SignedBytes())
	return h[:]
}

// AuthChallenge turns a server or kiosk nonce into what a card signs to prove
// its holder is present. The tag keeps a nonce from ever being an action digest.
func AuthChallenge(nonce []byte) []byte {
	w := newCanonical(authTag)
	w.bytes(nonce)
	h := sha256.Sum256(w.b)
	return h[:]
}

// ContentHash identifies the action's full content for fork detection.
func (a *Action) ContentHash() []byte {
	w := &canonicalWriter{b: a.SignedBytes()}
	w.bytes(a.ActorCert)
	w.bytes(a.ActorSignature)
	h := sha256.Sum256(w.b)
	return h[:]
}

// DecodePayload parses the payload strictly and checks that the fields the
// kind needs are present.
func (a *Action) DecodePayload() (Payload, error) {
	var p Payload
	if err := UnmarshalStrict(a.Payload, &p); err != nil {
		return p, Errorf(EInvalid, "action payload: %s", ErrorMessage(err))
	}
	if (p.Contact != nil) != a.Kind.OnContact() {
		if p.Contact == nil {
			return p, Errorf(EInvalid, "action payload: contact is required")
		}
		return p, Errorf(EInvalid, "action payload: contact belongs only in a %s action", SetContact)
	}
	if a.Kind.OnContact() {
		if p.ConsentID != "" || p.DelegationID != "" {
			return p, Errorf(EInvalid, "action payload: a %s action is about its signer and names no consent or delegation", SetContact)
		}
		return p, p.Contact.Check()
	}
	if a.Kind.OnConsent() {
		if !ValidID(p.ConsentID) {
			return p, Errorf(EInvalid, "action payload: consent_id must be a UUID")
		}
		return p, nil
	}
	if !ValidID(p.DelegationID) {
		return p, Errorf(EInvalid, "action payload: delegation_id must be a UUID")
	}
	if a.Kind == CreateDelegation {
		if p.Delegate == nil || p.Delegate.IsZero() {
			return p, Errorf(EInvalid, "action payload: delegate is required")
		}
	}
	if a.Kind == CreateDelegation || a.Kind == RenewDelegation {
		if p.ValidFrom.IsZero() || p.ValidTo.IsZero() {
			return p, Errorf(EInvalid, "action payload: valid_from and valid_to are required")
		}
	}
	return p, nil
}

// Subject returns the id of the consent or delegation the action changes;
// "" for a contact action, whose subject is its signer.
func (a *Action) Subject() (string, error) {
	p, err := a.DecodePayload()
	if err != nil {
		return "", err
	}
	return p.Subject(a.Kind), nil
}

// Subject returns the id of the consent or delegation that an action of
// kind with this payload changes; "" for a contact action.
func (p *Payload) Subject(kind ActionKind) string {
	switch {
	case kind.OnConsent():
		return p.ConsentID
	case kind.OnContact():
		return ""
	}
	return p.DelegationID
}

// Validate checks the shape of an action as received from a kiosk.
func (a *Action) Validate() error {
	_, err := a.Decode()
	return err
}

// Decode checks the shape of an action as Validate does and returns its
// decoded payload, for a caller that goes on to use it: central's push path
// decodes each payload once (decoding was most of its CPU per action after
// the signatures).
func (a *Action) Decode() (Payload, error) {
	if !ValidID(a.ID) {
		return Payload{}, Errorf(EInvalid, "action_id must be a UUID")
	}
	if !a.Kind.Valid() {
		return Payload{}, Errorf(EInvalid, "unknown action kind %q", a.Kind)
	}
	if a.OccurredAt.IsZero() {
		return Payload{}, Errorf(EInvalid, "occurred_at is required")
	}
	if a.Kiosk == "" || a.ActorSerial == "" {
		return Payload{}, Errorf(EInvalid, "kiosk and actor_serial are required")
	}
	if len(a.ActorCert) == 0 || len(a.ActorSignature) != ed25519.SignatureSize {
		return Payload{}, Errorf(EInvalid, "actor_cert and a 64-byte actor_signature are required")
	}
	if g := a.Assist; g != nil {
		if len(g.StaffCert) == 0 || len(g.Signature) != ed25519.SignatureSize || g.Kiosk == "" {
			return Payload{}, Errorf(EInvalid, "assisted_by needs staff_cert, kiosk and a 64-byte signature")
		}
		if !g.NotAfter.After(g.NotBefore) || g.NotAfter.Sub(g.NotBefore) > MaxAssist {
			return Payload{}, Errorf(EInvalid, "assisted_by must last between 0 and %s", MaxAssist)
		}
	}
	return a.DecodePayload()
}

// VerifyAction checks the signatures on a (the actor's and, if staff helped,
// the staff grant's) and the certificates behind them.
// The certificates must have been valid when the action occurred and must
// not be revoked now. It returns the actor's and (if any) the staff
// member's certificate; refusals are *Error with codes such as EBadSignature,
// ECardRevoked, ECardExpired, EUnknownIssuer and EWrongRole.
func (t *Trust) VerifyAction(a *Action) (actor, staff *Certificate, err error) {
	actor, staff, err, _ = t.CheckAction(a).Decide(t.revokedInMap)
	return actor, staff, err
}

// CheckAction makes every check of VerifyAction but the revocation ones,
// which Decide makes.
func (t *Trust) CheckAction(a *Action) *Checked {
	k := &Checked{}
	actor, err := DecodeCertificate(a.ActorCert)
	if err != nil {
		k.refuse(Errorf(EBadSignature, "The actor's certificate cannot be read."))
		return k
	}
	if actor.Serial != a.ActorSerial {
		k.refuse(Errorf(EBadSignature, "The actor's certificate does not match the card serial."))
		return k
	}
	if !t.checkCert(k, actor, a.OccurredAt) {
		return k
	}
	if actor.Role != RoleCitizen {
		k.refuse(Errorf(EWrongRole, "Only a citizen card can sign a citizen's action."))
		return k
	}
	if !ed25519.Verify(actor.CardKey, a.Digest(), a.ActorSignature) {
		k.refuse(Errorf(EBadSignature, "The card holder's signature on the action is not valid."))
		return k
	}
	if a.Assist == nil {
		k.Actor = actor
		return k
	}
	staff, err := DecodeCertificate(a.Assist.StaffCert)
	if err != nil {
		k.refuse(Errorf(EBadSignature, "The staff certificate cannot be read."))
		return k
	}
	if !t.checkCert(k, staff, a.OccurredAt) {
		return k
	}
	if staff.Role != RoleStaff {
		k.refuse(Errorf(EWrongRole, "Only a staff card can countersign as assisting."))
		return k
	}
	g := a.Assist
	if !ed25519.Verify(staff.CardKey, g.Digest(), g.Signature) {
		k.refuse(Errorf(EBadSignature, "The staff signature on the action is not valid."))
		return k
	}
	if g.Kiosk != a.Kiosk || a.OccurredAt.Before(g.NotBefore) || a.OccurredAt.After(g.NotAfter) {
		k.refuse(Errorf(EForbidden, "The staff member was not assisting at this kiosk at that time."))
		return k
	}
	k.Actor, k.Staff = actor, staff
	return k
}

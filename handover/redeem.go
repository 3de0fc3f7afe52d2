package handover

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// Error codes of a redemption beyond the domain's.
const (
	ECodeUsed       = "handover_used"       // the token was redeemed before
	ECodeSuperseded = "handover_superseded" // a newer code of the delegation was answered on the web
	ECodeMismatch   = "handover_mismatch"   // the code's claims disagree with central's record
)

// States of a delegation that close its codes, as Standing reports them
// (beside the domain's EAlreadyRevoked and EExpired).
const (
	EStateAccepted  = "delegation_accepted"
	EStateDeclined  = "delegation_declined"
	EStateRenounced = "delegation_renounced"
)

// CodeRecord is what central remembers about a delegation's handover codes:
// which tokens were used, and the issue time of the newest code answered on
// the web (the redemption rules are at CheckUnused).
type CodeRecord struct {
	Used         map[string]bool `json:"used"` // hex token ids
	LatestIssued time.Time       `json:"latest_issued"`
}

// CheckUnused is the single-use rule, for every place a code is answered:
// it refuses token (lower-case hex) with an *bk.Error of code ECodeUsed if
// an answer carrying it was applied before.
//
// The redemption rules, all of which central enforces:
//
// Verify says only that a kiosk whose key it was given made the code and
// that the code is in date. Central decides whether it may be answered, in
// the store transaction that records the answer, with its CodeRecord of
// the delegation:
//
//   - Single use: a code's token id is recorded as used once an accept or
//     decline that carries it is applied, on the web (Decide) or at a kiosk
//     (the action's handover_token). A used token is refused everywhere
//     with ECodeUsed (CheckUnused). An answer that the domain rules refuse
//     uses up nothing.
//   - Newest code wins: a code answered on the web records its IssuedAt
//     (LatestIssued, the newest seen), whether or not the domain rules
//     apply the answer; a code issued before that is refused on the web
//     with ECodeSuperseded. Only the issue time is compared, to the
//     second: kiosks do not tell central about the codes they print, so
//     printing a new slip disarms an older one only once the new one has
//     been answered on the web, and an accept pushed by a kiosk (which
//     names the token, not its issue time) is held to single use only.
//   - Central's record, not the code: any kiosk key can sign any claims, so
//     the web answers only a code whose claims agree with the delegation as
//     central has it (CheckClaims, else ECodeMismatch), and acts on the
//     record.
//   - State: a delegation that is not pending acceptance (accepted,
//     declined, renounced, revoked, expired) takes no answer: the domain
//     rules refuse it, and the page says so on first view (Standing). The
//     page verifies codes with the keys of enrolled kiosks, so a code from
//     a kiosk central does not know is refused (EUnknownKey).
//   - The delegate: Decide compares the signed-in person's CPR number with
//     the delegation's delegate (ENotPermitted); the binding in the code
//     only lets a kiosk or the page say early, and offline, "this code is
//     not for you" (BindsTo).
//   - Expiry: central re-checks ExpiresAt against its own clock before it
//     decides a web answer.
func (rec CodeRecord) CheckUnused(token string) error {
	if rec.Used[token] {
		return bk.Errorf(ECodeUsed, "This handover code has already been used.")
	}
	return nil
}

// Use marks token (lower-case hex) used, for an answer that was applied.
func (rec *CodeRecord) Use(token string) {
	if rec.Used == nil {
		rec.Used = map[string]bool{}
	}
	rec.Used[token] = true
}

// refuse refuses code c if its token was used (ECodeUsed) or a newer code
// of the delegation has been answered on the web (ECodeSuperseded).
func (rec CodeRecord) refuse(c *Claims) error {
	if err := rec.CheckUnused(hex.EncodeToString(c.TokenID)); err != nil {
		return err
	}
	if c.IssuedAt.Before(rec.LatestIssued) {
		return bk.Errorf(ECodeSuperseded, "A newer handover code was made for this power of attorney.")
	}
	return nil
}

// Redemption is a signed-in delegate's answer to a handover code.
type Redemption struct {
	Claims       *Claims
	Delegate     bk.CPR
	DelegateName string
	Accept       bool
	Method       string // how the delegate signed in: "oidc" or "dev"
	At           time.Time
}

// CheckClaims reports whether the claims of a verified code agree with
// central's record d of the delegation: the principal's name as the code
// shows it (MaskName of the record's), the same set of scopes, and the same
// validity to the second. Any enrolled kiosk key can sign any claims, so a
// page shows and acts on central's record only, and only for a code that
// agrees with it. Otherwise it returns an *bk.Error with code
// ECodeMismatch, whose message names the first field that disagrees, for
// the log (the person sees the ECodeMismatch text).
//
// A compact (BK2) code claims only the delegation id and the name, so
// only those are compared. The delegate binding is not compared: it costs an argon2id evaluation,
// and who may answer is decided from the record (Decide's delegate check).
func CheckClaims(c *Claims, d *bk.Delegation) error {
	mismatch := func(field string) error {
		return bk.Errorf(ECodeMismatch, "The handover code's %s disagrees with central's record of the delegation.", field)
	}
	switch {
	case c == nil || d == nil || c.DelegationID != d.ID:
		return mismatch("delegation id")
	case c.PrincipalName != MaskName(d.PrincipalName):
		return mismatch("principal name")
	case c.Compact:
		return nil // a BK2 code claims no scopes or validity
	case c.ValidFrom.Unix() != d.ValidFrom.Unix() || c.ValidTo.Unix() != d.ValidTo.Unix():
		return mismatch("validity")
	}
	got := slices.Sorted(slices.Values(c.Scopes))
	want := make([]string, 0, len(d.Scopes))
	for _, g := range d.Scopes {
		want = append(want, g.ScopeID)
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return mismatch("scopes")
	}
	return nil
}

// Standing says why code c of delegation d, with code record rec, can no
// longer be answered at time now, as a refusal code the page shows on first
// view instead of the sign-in and the form; "" when it can be answered. It
// goes by the delegation's state in central's record (accepted, declined,
// expired, revoked, renounced), then the code's own (used, superseded).
// Decide remains the authority: Standing only spares the person a form
// that would be refused.
func Standing(c *Claims, d *bk.Delegation, rec CodeRecord, now time.Time) string {
	switch d.StateAt(now) {
	case bk.DelegationPending:
		return bk.ErrorCode(rec.refuse(c))
	case bk.DelegationActive:
		return EStateAccepted
	case bk.DelegationDeclined:
		return EStateDeclined
	case bk.DelegationRenounced:
		return EStateRenounced
	case bk.DelegationRevoked:
		return bk.EAlreadyRevoked
	case bk.DelegationExpired:
		return bk.EExpired
	}
	return bk.EInvalidState
}

// Decide applies a redemption to delegation d (nil if unknown) under the
// domain rules. It refuses, with an *bk.Error, a code whose claims disagree
// with d (ECodeMismatch, see CheckClaims), a used token (ECodeUsed), a
// code older than the newest seen (ECodeSuperseded), a delegate who is not
// the delegation's (ENotPermitted) and an unknown delegation
// (EUnknownSubject). Otherwise it returns the rules' verdict, the changed
// delegation when applied, and the updated code record; the caller stores
// all of it in one transaction.
func Decide(d *bk.Delegation, rec CodeRecord, r Redemption, rules *bk.Rules) (bk.Verdict, *bk.Delegation, CodeRecord, error) {
	if d == nil {
		return bk.Verdict{}, nil, rec, bk.Errorf(bk.EUnknownSubject, "The power of attorney is not known yet.")
	}
	if err := CheckClaims(r.Claims, d); err != nil {
		return bk.Verdict{}, nil, rec, err
	}
	if err := rec.refuse(r.Claims); err != nil {
		return bk.Verdict{}, nil, rec, err
	}
	if r.Delegate != d.Delegate {
		return bk.Verdict{}, nil, rec, bk.Errorf(bk.ENotPermitted, "This power of attorney is for someone else.")
	}
	a := r.Action(bk.NewID(r.At))
	actor := &bk.Certificate{CPR: r.Delegate, Name: r.DelegateName, Role: bk.RoleCitizen}
	v, t := rules.Apply(bk.Target{Delegation: d}, a, actor, nil, r.At)
	next := CodeRecord{Used: make(map[string]bool, len(rec.Used)+1), LatestIssued: rec.LatestIssued}
	for k := range rec.Used {
		next.Used[k] = true
	}
	if v.Outcome == bk.Applied {
		next.Use(hex.EncodeToString(r.Claims.TokenID))
	}
	if r.Claims.IssuedAt.After(next.LatestIssued) {
		next.LatestIssued = r.Claims.IssuedAt
	}
	return v, t.Delegation, next, nil
}

// Action is the accept or decline that redemption r amounts to, with action
// id id. It carries no card signature (the delegate signed in on the web,
// see Method); central keeps it in its action log with the verdict, and
// Decide's verdict names the id it used.
func (r Redemption) Action(id string) *bk.Action {
	kind := bk.DeclineDelegation
	if r.Accept {
		kind = bk.AcceptDelegation
	}
	var delegationID, token string
	if r.Claims != nil {
		delegationID, token = r.Claims.DelegationID, hex.EncodeToString(r.Claims.TokenID)
	}
	payload, _ := json.Marshal(bk.Payload{DelegationID: delegationID, HandoverToken: token})
	return &bk.Action{ID: id, Kind: kind, OccurredAt: r.At.UTC(), Kiosk: "web", Payload: payload, ActorSerial: "web-" + r.Method}
}

// Renouncement is a signed-in delegate giving up a delegation on the
// relative's overview page (no code involved).
type Renouncement struct {
	DelegationID string
	Delegate     bk.CPR
	DelegateName string
	Method       string // how the delegate signed in: "oidc" or "dev"
	At           time.Time
}

// DecideRenounce applies renouncement r to delegation d (nil if unknown)
// under the domain rules, as the kiosk's renounce is applied: the same
// rules.Apply, with the signed-in delegate as the actor. It refuses, with
// an *bk.Error, an unknown delegation (ENotFound) and one given to someone
// else (ENotPermitted) before the rules see it, so such a request leaves
// no trace. Otherwise it returns the rules' verdict, the changed
// delegation when applied and the action to keep in the action log; the
// caller stores them in one transaction.
func DecideRenounce(d *bk.Delegation, r Renouncement, rules *bk.Rules) (bk.Verdict, *bk.Delegation, *bk.Action, error) {
	if d == nil {
		return bk.Verdict{}, nil, nil, bk.Errorf(bk.ENotFound, "The power of attorney does not exist.")
	}
	if r.Delegate.IsZero() || r.Delegate != d.Delegate {
		return bk.Verdict{}, nil, nil, bk.Errorf(bk.ENotPermitted, "This power of attorney is for someone else.")
	}
	a := r.Action(bk.NewID(r.At))
	actor := &bk.Certificate{CPR: r.Delegate, Name: r.DelegateName, Role: bk.RoleCitizen}
	v, t := rules.Apply(bk.Target{Delegation: d}, a, actor, nil, r.At)
	return v, t.Delegation, a, nil
}

// Action is the renounce that r amounts to, with action id id, unsigned
// like a Redemption's (see Method).
func (r Renouncement) Action(id string) *bk.Action {
	payload, _ := json.Marshal(bk.Payload{DelegationID: r.DelegationID})
	return &bk.Action{ID: id, Kind: bk.RenounceDelegation, OccurredAt: r.At.UTC(), Kiosk: "web", Payload: payload, ActorSerial: "web-" + r.Method}
}

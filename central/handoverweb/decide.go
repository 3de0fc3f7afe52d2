package handoverweb

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

// CodeRecord is what central remembers about a delegation's handover codes:
// which tokens were used, and the issue time of the newest code seen, so an
// older printout stops working once a newer one has been used or shown.
type CodeRecord struct {
	Used         map[string]bool `json:"used"` // hex token ids
	LatestIssued time.Time       `json:"latest_issued"`
}

// CheckClaims reports whether the claims of a verified code agree with
// central's record d of the delegation: the principal's name as the code
// shows it (handover.MaskName of the record's), the same set of scopes, and
// the same validity to the second. Any enrolled kiosk key can sign any
// claims, so a page shows and acts on central's record only, and only for a
// code that agrees with it. Otherwise it returns an *bk.Error with code
// ECodeMismatch, whose message names the first field that disagrees, for
// the log (the person sees the ECodeMismatch text).
//
// The delegate binding is not compared: it costs an argon2id evaluation,
// and who may answer is decided from the record (Decide's delegate check).
func CheckClaims(c *handover.Claims, d *bk.Delegation) error {
	mismatch := func(field string) error {
		return bk.Errorf(ECodeMismatch, "The handover code's %s disagrees with central's record of the delegation.", field)
	}
	switch {
	case c == nil || d == nil || c.DelegationID != d.ID:
		return mismatch("delegation id")
	case c.PrincipalName != handover.MaskName(d.PrincipalName):
		return mismatch("principal name")
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

// refuse refuses code c if its token was used (ECodeUsed) or a newer code
// of the delegation has been seen (ECodeSuperseded).
func (rec CodeRecord) refuse(c *handover.Claims) error {
	if rec.Used[hex.EncodeToString(c.TokenID)] {
		return bk.Errorf(ECodeUsed, "This handover code has already been used.")
	}
	if c.IssuedAt.Before(rec.LatestIssued) {
		return bk.Errorf(ECodeSuperseded, "A newer handover code was made for this power of attorney.")
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
func Standing(c *handover.Claims, d *bk.Delegation, rec CodeRecord, now time.Time) string {
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
	token := hex.EncodeToString(r.Claims.TokenID)
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
	next := CodeRecord{Used: map[string]bool{}, LatestIssued: rec.LatestIssued}
	for k := range rec.Used {
		next.Used[k] = true
	}
	if r.Claims.IssuedAt.After(next.LatestIssued) {
		next.LatestIssued = r.Claims.IssuedAt
	}
	if v.Outcome == bk.Applied {
		next.Used[token] = true
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

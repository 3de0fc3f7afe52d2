package handoverweb

import (
	"encoding/hex"
	"encoding/json"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// CodeRecord is what central remembers about a delegation's handover codes:
// which tokens were used, and the issue time of the newest code seen, so an
// older printout stops working once a newer one has been used or shown.
type CodeRecord struct {
	Used         map[string]bool `json:"used"` // hex token ids
	LatestIssued time.Time       `json:"latest_issued"`
}

// Decide applies a redemption to delegation d (nil if unknown) under the
// domain rules. It refuses, with an *bk.Error, a used token (ECodeUsed), a
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
	if rec.Used[token] {
		return bk.Verdict{}, nil, rec, bk.Errorf(ECodeUsed, "This handover code has already been used.")
	}
	if r.Claims.IssuedAt.Before(rec.LatestIssued) {
		return bk.Verdict{}, nil, rec, bk.Errorf(ECodeSuperseded, "A newer handover code was made for this power of attorney.")
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

package central_test

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// A declined delegation is final: an accept made long after the decline (an
// old slip) is refused like one after a revocation, and it stays declined.
func TestPushAcceptAfterDecline(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	now := time.Now()
	_, bo, id, create := karenToBo(h, now, now.Add(-3*time.Hour), "tax")
	decline := fixture.Action(bk.DeclineDelegation, bk.Payload{DelegationID: id}, bo, nil, now.Add(-2*time.Hour))
	accept := fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id}, bo, nil, now.Add(-time.Hour))
	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, create), item(2, decline), item(3, accept)}})
	wantOutcomes(t, "create, decline, accept an hour later", r, 3, "applied", "applied", "rejected:"+bk.EAlreadyDeclined)
	if r.Verdicts[2].Message == "" {
		t.Errorf("the refusal has no message for the person")
	}
	if d := h.Delegation(t, id); d.State != bk.DelegationDeclined {
		t.Errorf("delegation = %s; want declined", d.State)
	}
}

// A renewal through the push path: the same areas keep it active with the
// new end; an area more makes it wait for the delegate, whose accept with
// the renewal's first code (typed form indexed, as for a create) makes it
// active again; the delegate cannot renew, and a revoked one cannot be.
func TestPushRenewDelegation(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	now := time.Now()
	karen, bo, id, create := karenToBo(h, now, now.Add(-3*time.Hour), "tax")
	accept := fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id}, bo, nil, now.Add(-2*time.Hour))
	longer := now.AddDate(2, 0, 0).UTC().Truncate(time.Second)
	same := fixture.Action(bk.RenewDelegation, bk.Payload{DelegationID: id, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
		ValidFrom: now, ValidTo: longer}, karen, nil, now.Add(-time.Hour))
	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, create), item(2, accept), item(3, same)}})
	wantOutcomes(t, "create, accept, renew", r, 3, "applied", "applied", "applied")
	if d := h.Delegation(t, id); d.State != bk.DelegationActive || !d.ValidTo.Equal(longer) || d.DelegateName != "Bo Berg" {
		t.Errorf("renewed with the same areas = %s until %v (%q); want active until %v, Bo Berg", d.State, d.ValidTo, d.DelegateName, longer)
	}

	tok, err := handover.NewTypedToken()
	if err != nil {
		t.Fatal(err)
	}
	typed, _ := handover.TypedCode(tok)
	wider := fixture.Action(bk.RenewDelegation, bk.Payload{DelegationID: id, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "pension"}},
		ValidFrom: now, ValidTo: longer, HandoverToken: hex.EncodeToString(tok), HandoverExpires: now.AddDate(0, 0, 14)}, karen, nil, now.Add(-50*time.Minute))
	byBo := fixture.Action(bk.RenewDelegation, bk.Payload{DelegationID: id, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
		ValidFrom: now, ValidTo: longer}, bo, nil, now.Add(-45*time.Minute))
	r = k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(4, wider), item(5, byBo)}})
	wantOutcomes(t, "renew wider, renew by the delegate", r, 5, "applied", "rejected:"+bk.ENotPermitted)
	if d := h.Delegation(t, id); d.State != bk.DelegationPending || len(d.Scopes) != 2 {
		t.Errorf("renewed with an area more = %s %v; want pending_acceptance with two areas", d.State, d.Scopes)
	}
	if _, err := h.Server.TypedClaims(context.Background(), typed); err != nil {
		t.Errorf("TypedClaims(the renewal's first code) = %v; want it indexed", err)
	}
	again := fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id, HandoverToken: hex.EncodeToString(tok)}, bo, nil, now.Add(-40*time.Minute))
	revoke := fixture.Action(bk.RevokeDelegation, bk.Payload{DelegationID: id}, karen, nil, now.Add(-30*time.Minute))
	late := fixture.Action(bk.RenewDelegation, bk.Payload{DelegationID: id, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
		ValidFrom: now, ValidTo: longer}, karen, nil, now.Add(-10*time.Minute))
	r = k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(6, again), item(7, revoke), item(8, late)}})
	wantOutcomes(t, "accept again, revoke, renew", r, 8, "applied", "applied", "rejected:"+bk.EAlreadyRevoked)
	if m := r.Verdicts[2].Message; !strings.Contains(m, "Make a new one") {
		t.Errorf("renewing a revoked one says %q; want the way on", m)
	}
}

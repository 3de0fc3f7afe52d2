package central_test

import (
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
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

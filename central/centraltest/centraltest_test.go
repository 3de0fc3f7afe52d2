package centraltest_test

import (
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// TestHarness walks the path another package's test takes: enrol, push a
// signed action, read back what central decided.
func TestHarness(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	card := h.Issuer.Citizen("010190-1234", "Karen Larsen")
	c := h.RequestConsent(t, "sundhed", "010190-1234", "health")

	a := fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: c.ID}, card, nil, time.Now())
	resp := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "inc-1", Actions: []bk.PushItem{{Seq: 1, Hash: a.ContentHash(), Action: a}}})
	if resp.LastSeq != 1 || len(resp.Verdicts) != 1 || resp.Verdicts[0].Outcome != bk.Applied {
		t.Fatalf("push = %+v; want last_seq 1 and one applied verdict", resp)
	}
	if got := h.Applied(t, k.ID, "inc-1"); len(got) != 1 || got[0].ID != a.ID {
		t.Errorf("Applied = %v; want [%s]", got, a.ID)
	}
	if got := h.Consent(t, c.ID); got == nil || got.State != bk.ConsentGiven {
		t.Errorf("Consent(%s) = %+v; want state given", c.ID, got)
	}
	if h.Delegation(t, bk.NewID(time.Now())) != nil {
		t.Error("Delegation(unknown) is not nil")
	}
	if n := h.PushCursor(t, k.ID, "inc-1"); n != 1 {
		t.Errorf("PushCursor = %d; want 1", n)
	}
	b := h.TrustBundle(t, k)
	if _, ok := b.KioskKey(k.ID); !ok || len(b.Issuers) != 1 {
		t.Errorf("trust bundle lists kiosks %v and %d issuers; want kiosk-1 and 1 issuer", b.Kiosks, len(b.Issuers))
	}
}

package central_test

import (
	"encoding/json"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// TestRevokedAfterCached checks that a card whose certificate central has
// already verified (and cached) is refused as soon as it is revoked, in a
// push and at sign-in: the cache holds signatures, not verdicts.
func TestRevokedAfterCached(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	c := func() string { return h.RequestConsent(t, "sundhed", cprKaren).ID }
	signIn := func() (int, []byte) {
		status, body := k.Request(t, "POST", "/v1/citizen/nonce", nil)
		if status != 200 {
			t.Fatalf("nonce = %d %s", status, body)
		}
		var n central.NonceResponse
		if err := json.Unmarshal(body, &n); err != nil {
			t.Fatal(err)
		}
		sig, _ := karen.Sign(t.Context(), bk.AuthChallenge(n.Nonce))
		return k.Request(t, "POST", "/v1/citizen/state", mustJSON(t, bk.CitizenAuth{Nonce: n.Nonce, Cert: karen.Cert.Encode(), Signature: sig}))
	}

	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, give(t, h, karen, c()))}})
	wantOutcomes(t, "first push", r, 1, "applied")
	if status, body := signIn(); status != 200 {
		t.Fatalf("sign-in before revoking = %d %s", status, body)
	}

	h.Revoke(t, karen.Cert.Serial)
	r = k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(2, give(t, h, karen, c()))}})
	wantOutcomes(t, "push after revoking", r, 2, "rejected:"+bk.ECardRevoked)
	status, body := signIn()
	wantError(t, "sign-in after revoking", status, body, 403, bk.ECardRevoked)
}

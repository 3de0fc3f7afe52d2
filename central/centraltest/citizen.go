package centraltest

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// CitizenState signs card in at the kiosk (a fresh nonce, the card's
// answer) and returns what central shows them; it fails the test unless
// central answers 200.
func (k *Kiosk) CitizenState(t testing.TB, card *fixture.Card) *bk.CitizenState {
	t.Helper()
	status, body := k.Request(t, "POST", "/v1/citizen/nonce", nil)
	var n bk.NonceResponse
	if status != http.StatusOK || json.Unmarshal(body, &n) != nil {
		t.Fatalf("centraltest: nonce: %d %s", status, body)
	}
	sig, err := card.Sign(context.Background(), bk.AuthChallenge(n.Nonce))
	if err != nil {
		t.Fatal(err)
	}
	req, err := json.Marshal(bk.CitizenAuth{Nonce: n.Nonce, Cert: card.Cert.Encode(), Signature: sig})
	if err != nil {
		t.Fatal(err)
	}
	status, body = k.Request(t, "POST", "/v1/citizen/state", req)
	var st bk.CitizenState
	if status != http.StatusOK || json.Unmarshal(body, &st) != nil {
		t.Fatalf("centraltest: citizen state: %d %s", status, body)
	}
	return &st
}

package main

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/ui/sessiontest"
)

// TestSessionContract runs the contract of the Kiosk and Session ports
// against the real session service, the real central client and a real
// central, with the card reader and printer simulated over
// pseudo-terminals: the fake the screens are tested with passes the same
// suite (ui/fake).
func TestSessionContract(t *testing.T) {
	r := startRig(t)
	type card struct {
		path string
		c    *fixture.Card
	}
	cards := map[string]card{}
	post := func(t *testing.T, path, body string) {
		t.Helper()
		if status, out := r.central.Authority(t, "sundhed", "POST", path, []byte(body)); status != http.StatusOK {
			t.Fatalf("POST %s = %d %s", path, status, out)
		}
	}
	sessiontest.Run(t, sessiontest.World{
		Kiosk: r.k.svc,
		Insert: func(t *testing.T, cpr, name, staffID string) {
			c, ok := cards[cpr]
			if !ok {
				c.c = r.central.Issuer.Citizen(cpr, name)
				if staffID != "" {
					c.c = r.central.Issuer.Staff(cpr, name, staffID)
				}
				c.path = r.card(cpr, c.c, sessiontest.PIN)
				cards[cpr] = c
			}
			if r.k.svc.CardPresent() {
				r.remove()
			}
			r.insert(c.path)
		},
		Remove:          func(t *testing.T) { r.remove() },
		RequestConsent:  func(t *testing.T, cpr string) string { return r.central.RequestConsent(t, "sundhed", cpr, "health").ID },
		RevokeAtCentral: func(t *testing.T, cpr string) { r.central.Revoke(t, cards[cpr].c.Cert.Serial) },
		ConsentCheck: func(t *testing.T, cpr string) {
			post(t, "/v1/authority/consent-checks", fmt.Sprintf(`{"cpr":%q,"data_category":"health","purpose":"Invitation til vaccination"}`, cpr))
		},
		DelegationCheck: func(t *testing.T, principal, delegate string) {
			post(t, "/v1/authority/delegation-checks",
				fmt.Sprintf(`{"principal":%q,"delegate":%q,"scope":"health","purpose":"Tid hos lægen"}`, principal, delegate))
		},
		Offline:   func(t *testing.T) { r.central.HTTP.Close() },
		Authority: "sundhed", Category: "health", Scope: "health",
	})
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/sessiontest"
)

// TestSessionUsageContract runs the usage contract of bk.Session against
// the real session service, the real central client and a real central,
// with the card reader and printer simulated over pseudo-terminals: the
// fake the screens are tested with passes the same suite (ui/fake).
func TestSessionUsageContract(t *testing.T) {
	r := startRig(t)
	ctx := context.Background()
	cards := map[string]string{}
	post := func(t *testing.T, path, body string) {
		t.Helper()
		if status, out := r.central.Authority(t, "sundhed", "POST", path, []byte(body)); status != http.StatusOK {
			t.Fatalf("POST %s = %d %s", path, status, out)
		}
	}
	w := sessiontest.World{
		SignIn: func(t *testing.T, cpr, name string) bk.Session {
			c, ok := cards[cpr]
			if !ok {
				c = r.card(cpr, r.central.Issuer.Citizen(cpr, name), "1234")
				cards[cpr] = c
			}
			if r.k.svc.CardPresent() {
				r.remove()
			}
			r.insert(c)
			s, err := r.k.svc.SignIn(ctx, "1234", nil)
			if err != nil {
				t.Fatalf("SignIn: %v", err)
			}
			return s
		},
		ConsentCheck: func(t *testing.T, cpr string) {
			post(t, "/v1/authority/consent-checks", fmt.Sprintf(`{"cpr":%q,"data_category":"health","purpose":"Invitation til vaccination"}`, cpr))
		},
		DelegationCheck: func(t *testing.T, principal, delegate string) {
			post(t, "/v1/authority/delegation-checks",
				fmt.Sprintf(`{"principal":%q,"delegate":%q,"scope":"health","purpose":"Tid hos lægen"}`, principal, delegate))
		},
		Offline:   func(t *testing.T) { r.central.HTTP.Close() },
		Authority: "sundhed", Category: "health", Scope: "health",
	}
	sessiontest.TestUsageLog(t, w)
	sessiontest.TestPrintReminder(t, w)
}

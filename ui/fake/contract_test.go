package fake_test

import (
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/fake"
	"github.com/borgerkiosk/borgerkiosk/ui/sessiontest"
)

// The fake passes the contract of the Kiosk and Session ports that the
// real session service passes (cmd/kiosk TestSessionContract).
func TestContract(t *testing.T) {
	k := fake.New(time.Now)
	cards := map[string]*fake.Card{}
	sessiontest.Run(t, sessiontest.World{
		Kiosk: k,
		Insert: func(t *testing.T, cpr, name, staffID string) {
			c, ok := cards[cpr]
			if !ok {
				c = k.NewCard(name, cpr, staffID, sessiontest.PIN)
				cards[cpr] = c
			}
			k.Insert(c)
		},
		Remove: func(t *testing.T) { k.Remove() },
		RequestConsent: func(t *testing.T, cpr string) string {
			return k.AddConsentRequest(cpr, "kobenhavn", bk.Text{DA: "Boligstøtte", EN: "Housing benefit"}, []string{"income"}, 365)
		},
		RevokeAtCentral: func(t *testing.T, cpr string) { k.RevokeAtCentral(cards[cpr]) },
		ConsentCheck:    func(t *testing.T, cpr string) { k.CheckConsent("kobenhavn", cpr, "income", "Boligstøtte") },
		DelegationCheck: func(t *testing.T, principal, delegate string) {
			k.CheckDelegation("kobenhavn", principal, delegate, "housing", "Boligstøtte")
		},
		Offline:   func(t *testing.T) { k.SetOnline(false) },
		Authority: "kobenhavn", Category: "income", Scope: "housing",
	})
}

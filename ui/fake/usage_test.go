package fake_test

import (
	"context"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/fake"
	"github.com/borgerkiosk/borgerkiosk/ui/sessiontest"
)

// The fake's usage log passes the contract the real session passes
// (cmd/kiosk TestSessionUsageContract).
func TestUsageContract(t *testing.T) {
	k := fake.New(func() time.Time { return time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC) })
	cards := map[string]*fake.Card{}
	w := sessiontest.World{
		SignIn: func(t *testing.T, cpr, name string) bk.Session {
			c, ok := cards[cpr]
			if !ok {
				c = k.NewCard(name, cpr, "", "1234")
				cards[cpr] = c
			}
			k.Insert(c)
			s, err := k.SignIn(context.Background(), "1234", nil)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		ConsentCheck: func(t *testing.T, cpr string) { k.CheckConsent("kommune", cpr, "income", "Boligstøtte") },
		DelegationCheck: func(t *testing.T, principal, delegate string) {
			k.CheckDelegation("kommune", principal, delegate, "tax", "Årsopgørelse")
		},
		Offline:   func(t *testing.T) { k.SetOnline(false) },
		Authority: "kommune", Category: "income", Scope: "tax",
	}
	sessiontest.TestUsageLog(t, w)
	sessiontest.TestPrintReminder(t, w)
}

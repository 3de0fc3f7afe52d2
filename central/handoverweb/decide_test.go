package handoverweb_test

import (
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
	"github.com/borgerkiosk/borgerkiosk/handover"
)

func TestCheckClaims(t *testing.T) {
	from := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	record := &bk.Delegation{
		ID: "0192f1d2-0000-7000-8000-000000000001", PrincipalName: "Karen Marie Jensen",
		Scopes:    []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health", Until: from.AddDate(0, 6, 0)}},
		ValidFrom: from.Add(400 * time.Millisecond), ValidTo: from.AddDate(1, 0, 0),
	}
	honest := func() *handover.Claims {
		return &handover.Claims{
			DelegationID: record.ID, PrincipalName: "Karen J.", Scopes: []string{"tax", "health"},
			ValidFrom: from, ValidTo: from.AddDate(1, 0, 0),
		}
	}
	tests := []struct {
		name   string
		change func(*handover.Claims)
		want   string // error code, "" for agreement
	}{
		{"agrees", func(*handover.Claims) {}, ""},
		{"scopes in another order", func(c *handover.Claims) { c.Scopes = []string{"health", "tax"} }, ""},
		{"other delegation", func(c *handover.Claims) { c.DelegationID = "0192f1d2-0000-7000-8000-000000000002" }, handoverweb.ECodeMismatch},
		{"other principal name", func(c *handover.Claims) { c.PrincipalName = "Ingrid S." }, handoverweb.ECodeMismatch},
		{"full principal name", func(c *handover.Claims) { c.PrincipalName = "Karen Marie Jensen" }, handoverweb.ECodeMismatch},
		{"extra scope", func(c *handover.Claims) { c.Scopes = append(c.Scopes, "income") }, handoverweb.ECodeMismatch},
		{"scope missing", func(c *handover.Claims) { c.Scopes = []string{"tax"} }, handoverweb.ECodeMismatch},
		{"a scope twice", func(c *handover.Claims) { c.Scopes = []string{"tax", "health", "tax"} }, handoverweb.ECodeMismatch},
		{"other scopes", func(c *handover.Claims) { c.Scopes = []string{"health", "income"} }, handoverweb.ECodeMismatch},
		{"longer validity", func(c *handover.Claims) { c.ValidTo = from.AddDate(3, 0, 0) }, handoverweb.ECodeMismatch},
		{"earlier start", func(c *handover.Claims) { c.ValidFrom = from.Add(-time.Second) }, handoverweb.ECodeMismatch},
	}
	for _, tt := range tests {
		c := honest()
		tt.change(c)
		if got := bk.ErrorCode(handoverweb.CheckClaims(c, record)); got != tt.want {
			t.Errorf("CheckClaims(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
	if err := handoverweb.CheckClaims(honest(), nil); bk.ErrorCode(err) != handoverweb.ECodeMismatch {
		t.Errorf("CheckClaims(no record) = %v; want %s", err, handoverweb.ECodeMismatch)
	}
}

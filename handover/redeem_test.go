package handover_test

import (
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
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
		{"other delegation", func(c *handover.Claims) { c.DelegationID = "0192f1d2-0000-7000-8000-000000000002" }, handover.ECodeMismatch},
		{"other principal name", func(c *handover.Claims) { c.PrincipalName = "Ingrid S." }, handover.ECodeMismatch},
		{"full principal name", func(c *handover.Claims) { c.PrincipalName = "Karen Marie Jensen" }, handover.ECodeMismatch},
		{"extra scope", func(c *handover.Claims) { c.Scopes = append(c.Scopes, "income") }, handover.ECodeMismatch},
		{"scope missing", func(c *handover.Claims) { c.Scopes = []string{"tax"} }, handover.ECodeMismatch},
		{"a scope twice", func(c *handover.Claims) { c.Scopes = []string{"tax", "health", "tax"} }, handover.ECodeMismatch},
		{"other scopes", func(c *handover.Claims) { c.Scopes = []string{"health", "income"} }, handover.ECodeMismatch},
		{"longer validity", func(c *handover.Claims) { c.ValidTo = from.AddDate(3, 0, 0) }, handover.ECodeMismatch},
		{"earlier start", func(c *handover.Claims) { c.ValidFrom = from.Add(-time.Second) }, handover.ECodeMismatch},
	}
	for _, tt := range tests {
		c := honest()
		tt.change(c)
		if got := bk.ErrorCode(handover.CheckClaims(c, record)); got != tt.want {
			t.Errorf("CheckClaims(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
	if err := handover.CheckClaims(honest(), nil); bk.ErrorCode(err) != handover.ECodeMismatch {
		t.Errorf("CheckClaims(no record) = %v; want %s", err, handover.ECodeMismatch)
	}
}

func TestCheckUnused(t *testing.T) {
	var used handover.CodeRecord
	used.Use("0102030405060708")
	tests := []struct {
		name  string
		rec   handover.CodeRecord
		token string
		want  string
	}{
		{"no record", handover.CodeRecord{}, "0102030405060708", ""},
		{"another token used", used, "a1a2a3a4a5a6a7a8", ""},
		{"this token used", used, "0102030405060708", handover.ECodeUsed},
	}
	for _, tt := range tests {
		if got := bk.ErrorCode(tt.rec.CheckUnused(tt.token)); got != tt.want {
			t.Errorf("CheckUnused(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

package central_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
)

// Citizens of the delegation checks, one principal per delegation state so
// that each row of the table asks about exactly one delegation.
const (
	cprActive    = "030380-1111"
	cprPending   = "040480-2222"
	cprRevoked   = "050580-3333"
	cprRenounced = "060680-4444"
	cprExpired   = "070780-5555" // the whole delegation has ended
	cprTwo       = "080880-6666" // two delegations to Bo: the later end wins
)

func putDelegation(t *testing.T, h *centraltest.Harness, d *bk.Delegation) {
	t.Helper()
	if err := h.Store.Update(context.Background(), func(tx central.Tx) error { return tx.PutDelegation(d) }); err != nil {
		t.Fatal(err)
	}
}

func delegationTo(id, principal, delegate string, state bk.DelegationState, from, to time.Time, scopes ...bk.ScopeGrant) *bk.Delegation {
	return &bk.Delegation{
		ID: id, Principal: bk.MustParseCPR(principal), PrincipalName: "Karen Larsen", Delegate: bk.MustParseCPR(delegate),
		DelegateName: "Bo Berg", Scopes: scopes, ValidFrom: from, ValidTo: to, CreatedVia: bk.ViaSelf,
		CreatedAt: from, State: state, ChangedAt: from,
	}
}

func TestDelegationCheck(t *testing.T) {
	h := centraltest.Start(t)
	now := time.Now().UTC().Truncate(time.Second)
	from, to := now.Add(-24*time.Hour), now.AddDate(1, 0, 0)
	taxEnds := now.AddDate(0, 3, 0)
	grants := []bk.ScopeGrant{{ScopeID: "tax", Until: taxEnds}, {ScopeID: "health"}, {ScopeID: "pension", Until: now.Add(-time.Hour)}, {ScopeID: "housing"}}
	putDelegation(t, h, delegationTo("d-active", cprActive, cprBo, bk.DelegationActive, from, to, grants...))
	putDelegation(t, h, delegationTo("d-pending", cprPending, cprBo, bk.DelegationPending, from, to, grants...))
	putDelegation(t, h, delegationTo("d-revoked", cprRevoked, cprBo, bk.DelegationRevoked, from, to, grants...))
	putDelegation(t, h, delegationTo("d-renounced", cprRenounced, cprBo, bk.DelegationRenounced, from, to, grants...))
	putDelegation(t, h, delegationTo("d-expired", cprExpired, cprBo, bk.DelegationActive, from.AddDate(-1, 0, 0), now.Add(-time.Minute), grants...))
	putDelegation(t, h, delegationTo("d-two-short", cprTwo, cprBo, bk.DelegationActive, from, now.AddDate(0, 1, 0), bk.ScopeGrant{ScopeID: "tax"}))
	putDelegation(t, h, delegationTo("d-two-long", cprTwo, cprBo, bk.DelegationActive, from, to, bk.ScopeGrant{ScopeID: "tax"}))
	putDelegation(t, h, delegationTo("d-to-karen", cprActive, cprKaren, bk.DelegationActive, from, to, bk.ScopeGrant{ScopeID: "tax"}))

	body := func(principal, delegate, scope string) []byte {
		return []byte(`{"principal":"` + principal + `","delegate":"` + delegate + `","scope":"` + scope + `","purpose":"Årsopgørelse"}`)
	}
	yes := func(id string, until time.Time, scopes ...central.ScopeInForce) *central.DelegationCheckResult {
		return &central.DelegationCheckResult{Allowed: true, DelegationID: id, Until: until, Scopes: scopes}
	}
	no := &central.DelegationCheckResult{}
	tests := []struct {
		name, authority string
		body            []byte
		want            *central.DelegationCheckResult // nil: an error
		status          int
		code            string
	}{
		{"active, scope with its own end", "skat", body(cprActive, cprBo, "tax"), yes("d-active", taxEnds, central.ScopeInForce{ScopeID: "tax", Until: taxEnds}), 200, ""},
		{"active, scope until the delegation ends", "sundhed", body(cprActive, cprBo, "health"), yes("d-active", to, central.ScopeInForce{ScopeID: "health", Until: to}), 200, ""},
		{"active, scopes the authority may check", "udbetaling", body(cprActive, cprBo, "housing"), yes("d-active", to, central.ScopeInForce{ScopeID: "housing", Until: to}), 200, ""},
		{"active, scope ended", "udbetaling", body(cprActive, cprBo, "pension"), no, 200, ""},
		{"active, another delegate", "skat", body(cprActive, cprOliver, "tax"), no, 200, ""},
		{"active, the other way round", "skat", body(cprBo, cprActive, "tax"), no, 200, ""},
		{"active, scope not in the delegation", "kobenhavn", body(cprActive, cprBo, "benefits"), no, 200, ""},
		{"pending", "skat", body(cprPending, cprBo, "tax"), no, 200, ""},
		{"revoked", "skat", body(cprRevoked, cprBo, "tax"), no, 200, ""},
		{"renounced", "skat", body(cprRenounced, cprBo, "tax"), no, 200, ""},
		{"expired", "skat", body(cprExpired, cprBo, "tax"), no, 200, ""},
		{"no delegation at all", "skat", body(cprKaren, cprBo, "tax"), no, 200, ""},
		{"two delegations: the later end", "skat", body(cprTwo, cprBo, "tax"), yes("d-two-long", to, central.ScopeInForce{ScopeID: "tax", Until: to}), 200, ""},
		{"scope not allowed for the authority", "skat", body(cprActive, cprBo, "health"), nil, 403, bk.EScopeNotAllowed},
		{"authority that checks no scopes", "star", body(cprActive, cprBo, "tax"), nil, 403, bk.EScopeNotAllowed},
		{"unknown scope", "skat", body(cprActive, cprBo, "dna"), nil, 400, bk.EUnknownScope},
		{"bad principal CPR", "skat", body("321", cprBo, "tax"), nil, 400, bk.EInvalid},
		{"impossible delegate date", "skat", body(cprActive, "320180-1111", "tax"), nil, 400, bk.EInvalid},
		{"delegate born in the future", "skat", body(cprActive, futureCPR(now), "tax"), nil, 400, bk.ECPRFutureBirth},
		{"same person twice", "skat", body(cprActive, cprActive, "tax"), nil, 400, bk.EInvalid},
		{"no principal", "skat", []byte(`{"delegate":"` + cprBo + `","scope":"tax","purpose":"x"}`), nil, 400, bk.EInvalid},
		{"no purpose", "skat", []byte(`{"principal":"` + cprActive + `","delegate":"` + cprBo + `","scope":"tax"}`), nil, 400, bk.EInvalid},
		{"purpose too long", "skat", []byte(`{"principal":"` + cprActive + `","delegate":"` + cprBo + `","scope":"tax","purpose":"` + strings.Repeat("x", 501) + `"}`), nil, 400, bk.EInvalid},
		{"unknown field", "skat", []byte(`{"principal":"` + cprActive + `","delegate":"` + cprBo + `","scope":"tax","purpose":"x","why":1}`), nil, 400, bk.EInvalid},
		{"key in the wrong case", "skat", []byte(`{"Principal":"` + cprActive + `","delegate":"` + cprBo + `","scope":"tax","purpose":"x"}`), nil, 400, bk.EInvalid},
		{"not JSON", "skat", []byte(`principal=` + cprActive), nil, 400, bk.EInvalid},
		{"unknown authority token", "nobody", body(cprActive, cprBo, "tax"), nil, 401, bk.EUnauthorized},
	}
	for _, tt := range tests {
		status, resp := h.Authority(t, tt.authority, "POST", "/v1/authority/delegation-checks", tt.body)
		if tt.want == nil {
			wantError(t, tt.name, status, resp, tt.status, tt.code)
			continue
		}
		var got central.DelegationCheckResult
		if status != 200 || json.Unmarshal(resp, &got) != nil {
			t.Errorf("%s = %d %s; want 200", tt.name, status, resp)
			continue
		}
		if g, w := mustJSON(t, got), mustJSON(t, tt.want); string(g) != string(w) {
			t.Errorf("%s = %s; want %s", tt.name, g, w)
		}
	}
	status, resp := h.Do(t, "POST", "/v1/authority/delegation-checks", "", body(cprActive, cprBo, "tax"))
	wantError(t, "check without a token", status, resp, 401, bk.EUnauthorized)
	status, resp = h.Authority(t, "skat", "GET", "/v1/authority/delegation-checks", nil)
	wantError(t, "GET", status, resp, 405, "method_not_allowed")
	for _, c := range []string{cprActive, cprBo, "0303801111"} {
		if strings.Contains(h.Logs(), c) {
			t.Errorf("a full CPR number (%s) reached the log", c)
		}
	}
	if !strings.Contains(h.Logs(), "delegation check refused") {
		t.Error("a refused delegation check was not logged")
	}
}

// futureCPR is a CPR number born in three days (the 7th digit puts the year in
// 2000–2036).
func futureCPR(now time.Time) string {
	d := now.AddDate(0, 0, 3)
	return d.Format("020106") + "-4000"
}

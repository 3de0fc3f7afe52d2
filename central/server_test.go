package central_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

const (
	cprKaren  = "010190-1234" // adult
	cprBo     = "020285-4321" // adult
	cprOliver = "011112-4123" // born 1 November 2012: under 15 until 2027
)

func item(seq uint64, a *bk.Action) bk.PushItem {
	return bk.PushItem{Seq: seq, Hash: a.ContentHash(), Action: a}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantError checks a JSON error answer.
func wantError(t *testing.T, what string, status int, body []byte, wantStatus int, wantCode string) {
	t.Helper()
	var e bk.ErrorResponse
	if err := json.Unmarshal(body, &e); err != nil || e.Message == "" {
		t.Errorf("%s: body %q is not a JSON error (%v)", what, body, err)
	}
	if status != wantStatus || e.Code != wantCode {
		t.Errorf("%s = %d %q; want %d %q (%s)", what, status, e.Code, wantStatus, wantCode, e.Message)
	}
}

func push(t *testing.T, k *centraltest.Kiosk, inc string, items ...bk.PushItem) (int, []byte) {
	t.Helper()
	return k.Request(t, "POST", "/v1/push", mustJSON(t, bk.PushRequest{Kiosk: k.ID, Incarnation: inc, Actions: items}))
}

func outcomes(r *bk.PushResponse) []string {
	var out []string
	for _, v := range r.Verdicts {
		s := string(v.Outcome)
		if v.Reason != "" {
			s += ":" + v.Reason
		}
		out = append(out, s)
	}
	return out
}

func wantOutcomes(t *testing.T, what string, r *bk.PushResponse, lastSeq uint64, want ...string) {
	t.Helper()
	got := outcomes(r)
	if r.LastSeq != lastSeq || strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s = last_seq %d %v; want %d %v", what, r.LastSeq, got, lastSeq, want)
	}
}

func give(t *testing.T, h *centraltest.Harness, card *fixture.Card, consentID string) *bk.Action {
	return fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: consentID}, card, nil, time.Now())
}

func TestEnroll(t *testing.T) {
	h := centraltest.Start(t)
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	tok := h.EnrollToken(t)
	req := bk.EnrollRequest{Token: tok, KioskID: "kbh-1", Site: "Hovedbiblioteket", PublicKey: pub}
	status, body := h.Do(t, "POST", "/v1/enroll", "", mustJSON(t, req))
	var resp bk.EnrollResponse
	if status != 200 || json.Unmarshal(body, &resp) != nil || !resp.CentralKey.Equal(h.CentralKey) {
		t.Fatalf("enrol = %d %s; want 200 with central's key", status, body)
	}
	status, body = h.Do(t, "POST", "/v1/enroll", "", mustJSON(t, bk.EnrollRequest{Token: tok, KioskID: "kbh-2", PublicKey: pub}))
	wantError(t, "enrol with a used token", status, body, 401, bk.EUnauthorized)

	tok2 := h.EnrollToken(t)
	status, body = h.Do(t, "POST", "/v1/enroll", "", mustJSON(t, bk.EnrollRequest{Token: tok2, KioskID: "kbh-1", PublicKey: pub}))
	wantError(t, "enrol a taken kiosk id", status, body, 409, bk.EConflict)
	// The refused enrolment must not have used the token up.
	status, body = h.Do(t, "POST", "/v1/enroll", "", mustJSON(t, bk.EnrollRequest{Token: tok2, KioskID: "kbh-2", PublicKey: pub}))
	if status != 200 {
		t.Errorf("enrol after a refused try = %d %s; want 200", status, body)
	}
	for _, tc := range []struct {
		name, body string
		code       int
	}{
		{"bad kiosk id", `{"token":"x","kiosk_id":"a b","public_key":"` + strings.Repeat("A", 43) + `="}`, 400},
		{"short key", `{"token":"x","kiosk_id":"k","public_key":"AAAA"}`, 400},
		{"unknown token", string(mustJSON(t, bk.EnrollRequest{Token: "nope", KioskID: "k9", PublicKey: pub})), 401},
		{"unknown field", `{"token":"x","kiosk_id":"k","public_key":"","extra":1}`, 400},
		{"trailing data", `{"token":"x"} {}`, 400},
		{"not JSON", `token=x`, 400},
		{"empty", ``, 400},
	} {
		status, body := h.Do(t, "POST", "/v1/enroll", "", []byte(tc.body))
		var e bk.ErrorResponse
		if status != tc.code || json.Unmarshal(body, &e) != nil || e.Code == "" {
			t.Errorf("enrol %s = %d %s; want %d with a JSON error", tc.name, status, body, tc.code)
		}
	}
}

func TestEnrollTokenExpires(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	h := centraltest.StartWith(t, centraltest.Options{Now: func() time.Time { return clock() }})
	tok := h.EnrollToken(t)
	clock = func() time.Time { return now.Add(25 * time.Hour) }
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	status, body := h.Do(t, "POST", "/v1/enroll", "", mustJSON(t, bk.EnrollRequest{Token: tok, KioskID: "k", PublicKey: pub}))
	wantError(t, "enrol with an expired token", status, body, 401, bk.EUnauthorized)
}

func TestAdmin(t *testing.T) {
	h := centraltest.Start(t)
	status, body := h.Do(t, "POST", "/v1/admin/enrollment-tokens", "", nil)
	wantError(t, "token without operator auth", status, body, 401, bk.EUnauthorized)
	status, body = h.Do(t, "POST", "/v1/admin/enrollment-tokens", "Bearer "+h.AuthorityTokens["sundhed"], nil)
	wantError(t, "token with an authority's token", status, body, 401, bk.EUnauthorized)
	status, body = h.Do(t, "POST", "/v1/admin/enrollment-tokens", "Bearer "+h.OperatorToken, []byte(`{"ttl_seconds":3600}`))
	var tr bk.EnrollTokenResponse
	if status != 201 || json.Unmarshal(body, &tr) != nil || tr.Token == "" || time.Until(tr.ExpiresAt) > time.Hour {
		t.Errorf("create token = %d %s; want 201 with a token valid an hour", status, body)
	}
	status, body = h.Do(t, "POST", "/v1/admin/enrollment-tokens", "Bearer "+h.OperatorToken, []byte(`{"ttl_seconds":5}`))
	wantError(t, "token living 5 s", status, body, 400, bk.EInvalid)

	status, body = h.Do(t, "POST", "/v1/admin/revocations", "Bearer "+h.OperatorToken, []byte(`{"serial":"T123"}`))
	if status != 200 || !strings.Contains(string(body), `"T123"`) {
		t.Errorf("revoke = %d %s; want 200", status, body)
	}
	status, body = h.Do(t, "POST", "/v1/admin/revocations", "Bearer "+h.OperatorToken, []byte(`{"serial":""}`))
	wantError(t, "revoke empty serial", status, body, 400, bk.EInvalid)
	k := h.EnrollKiosk(t, fixture.KioskID)
	if b := h.TrustBundle(t, k); len(b.Revoked) != 1 || b.Revoked[0] != "T123" {
		t.Errorf("trust bundle revoked = %v; want [T123]", b.Revoked)
	}
}

func TestKioskAuth(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, "k1")
	body := mustJSON(t, bk.PushRequest{Kiosk: "k1", Incarnation: "i", Actions: []bk.PushItem{}})
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	for _, tc := range []struct{ name, auth, code string }{
		{"absent", "", bk.EUnauthorized},
		{"bearer", "Bearer x", bk.EUnauthorized},
		{"unknown kiosk", bk.SignKioskRequest("k2", other, "POST", "/v1/push", body, time.Now()), bk.EUnknownKiosk},
		{"wrong key", bk.SignKioskRequest("k1", other, "POST", "/v1/push", body, time.Now()), bk.EUnauthorized},
		{"other path", bk.SignKioskRequest("k1", k.Key, "POST", "/v1/enroll", body, time.Now()), bk.EUnauthorized},
		{"other body", bk.SignKioskRequest("k1", k.Key, "POST", "/v1/push", []byte("{}"), time.Now()), bk.EUnauthorized},
		{"too old", bk.SignKioskRequest("k1", k.Key, "POST", "/v1/push", body, time.Now().Add(-10*time.Minute)), bk.EClockSkew},
		{"from the future", bk.SignKioskRequest("k1", k.Key, "POST", "/v1/push", body, time.Now().Add(time.Hour)), bk.EClockSkew},
		{"wrong key and too old", bk.SignKioskRequest("k1", other, "POST", "/v1/push", body, time.Now().Add(-time.Hour)), bk.EUnauthorized},
		{"garbage", "BK-Kiosk id=k1,ts=x,sig=%%%", bk.EUnauthorized},
	} {
		status, resp := h.Do(t, "POST", "/v1/push", tc.auth, body)
		wantError(t, "push with "+tc.name+" auth", status, resp, 401, tc.code)
		var e bk.ErrorResponse
		json.Unmarshal(resp, &e)
		if skewed := tc.code == bk.EClockSkew; skewed != !e.CentralTime.IsZero() || skewed && time.Since(e.CentralTime).Abs() > time.Minute {
			t.Errorf("push with %s auth: central_time = %v; want central's time only with clock_skew", tc.name, e.CentralTime)
		}
	}
	status, resp := k.Request(t, "POST", "/v1/push", body)
	if status != 200 {
		t.Errorf("push with good auth = %d %s; want 200", status, resp)
	}
	// The body must name the kiosk that signed.
	status, resp = k.Request(t, "POST", "/v1/push", mustJSON(t, bk.PushRequest{Kiosk: "k9", Incarnation: "i"}))
	wantError(t, "push naming another kiosk", status, resp, 403, bk.EForbidden)
}

func TestPushExactlyOnce(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	c1 := h.RequestConsent(t, "sundhed", cprKaren)
	c2 := h.RequestConsent(t, "skat", cprKaren, "income")
	a1 := give(t, h, karen, c1.ID)
	a2 := fixture.Action(bk.DeclineConsent, bk.Payload{ConsentID: c2.ID}, karen, nil, time.Now())
	a3 := fixture.Action(bk.WithdrawConsent, bk.Payload{ConsentID: c1.ID}, karen, nil, time.Now().Add(time.Second))

	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "inc", Actions: []bk.PushItem{item(1, a1), item(2, a2)}})
	wantOutcomes(t, "first push", r, 2, "applied", "applied")

	// The kiosk lost the answer and sends again, with one more action.
	r = k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "inc", Actions: []bk.PushItem{item(1, a1), item(2, a2), item(3, a3)}})
	wantOutcomes(t, "replayed push", r, 3, "duplicate", "duplicate", "applied")
	if f := r.Verdicts[0].First; f == nil || f.Outcome != bk.Applied || f.ActionID != a1.ID {
		t.Errorf("replayed verdict's first = %+v; want a1's applied verdict", f)
	}
	if r.Verdicts[0].Seq != 1 || r.Verdicts[2].Seq != 3 {
		t.Errorf("verdict seqs = %d, %d; want 1, 3", r.Verdicts[0].Seq, r.Verdicts[2].Seq)
	}
	if got := h.Applied(t, k.ID, "inc"); len(got) != 3 || got[0].ID != a1.ID || got[2].ID != a3.ID {
		t.Errorf("applied = %d actions; want a1, a2, a3 in order", len(got))
	}
	if c := h.Consent(t, c1.ID); c.State != bk.ConsentWithdrawn || c.ChangedBy != a3.ID {
		t.Errorf("consent 1 = %s by %s; want withdrawn by a3", c.State, c.ChangedBy)
	}

	// A gap: seq 5 without 4 is not processed; 4 before it in the batch is.
	a4 := fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: c2.ID}, karen, nil, time.Now().Add(time.Hour))
	a5 := fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: bk.NewID(time.Now())}, karen, nil, time.Now())
	r = k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "inc", Actions: []bk.PushItem{item(5, a5)}})
	wantOutcomes(t, "push with a gap", r, 3)
	r = k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "inc", Actions: []bk.PushItem{item(4, a4), item(6, a5)}})
	if r.LastSeq != 4 || len(r.Verdicts) != 1 {
		t.Errorf("push 4 then 6 = last_seq %d, %d verdicts; want 4, 1", r.LastSeq, len(r.Verdicts))
	}
	if h.PushCursor(t, k.ID, "inc") != 4 {
		t.Errorf("cursor = %d; want 4", h.PushCursor(t, k.ID, "inc"))
	}

	// Another incarnation of the same kiosk starts from 1.
	r = k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "inc2", Actions: []bk.PushItem{item(1, a1)}})
	wantOutcomes(t, "same action from a new incarnation", r, 1, "duplicate")
}

func TestPushFork(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	c := h.RequestConsent(t, "sundhed", cprKaren)
	c2 := h.RequestConsent(t, "sundhed", cprKaren)
	k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "inc", Actions: []bk.PushItem{item(1, give(t, h, karen, c.ID))}})

	other := give(t, h, karen, c2.ID)
	next := fixture.Action(bk.WithdrawConsent, bk.Payload{ConsentID: c.ID}, karen, nil, time.Now())
	status, body := push(t, k, "inc", item(2, next), item(1, other))
	wantError(t, "push with different content for seq 1", status, body, 409, central.ECodeFork)
	if n := h.PushCursor(t, k.ID, "inc"); n != 1 {
		t.Errorf("cursor after fork = %d; want 1 (nothing of the batch kept)", n)
	}
	if got := h.Consent(t, c.ID); got.State != bk.ConsentGiven {
		t.Errorf("consent after fork = %s; want still given", got.State)
	}
	_, m := h.Do(t, "GET", "/metrics", "", nil)
	if !strings.Contains(string(m), "borgerkiosk_central_fork_alarms_total 1") {
		t.Error("metrics do not count the fork alarm")
	}
	if !strings.Contains(h.Logs(), "fork alarm") {
		t.Error("the fork alarm was not logged")
	}
}

func TestPushVerdicts(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	k2 := h.EnrollKiosk(t, "k2")
	now := time.Now()
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	oliver := h.Issuer.Citizen(cprOliver, "Oliver Hansen")
	revoked := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	h.Revoke(t, revoked.Cert.Serial)
	expired := h.Issuer.MintValid(cprKaren, "Karen Larsen", bk.RoleCitizen, "", now.AddDate(-3, 0, 0), now.AddDate(0, 0, -1))
	stranger := fixture.NewIssuer().Citizen(cprKaren, "Karen Larsen")
	staff := h.Issuer.Staff(cprBo, "Bo Berg", "KK-17")

	c := func() string { return h.RequestConsent(t, "sundhed", cprKaren).ID }
	tampered := give(t, h, karen, c())
	tampered.OccurredAt = tampered.OccurredAt.Add(time.Second) // signature no longer matches
	badHash := give(t, h, karen, c())
	youngConsent := h.RequestConsent(t, "sundhed", cprOliver).ID
	dup := give(t, h, karen, c())
	k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "x", Actions: []bk.PushItem{item(1, dup)}})
	future := fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: c()}, karen, nil, now.Add(time.Hour))
	delegation := func(delegate string) bk.Payload {
		d := bk.MustParseCPR(delegate)
		return bk.Payload{DelegationID: bk.NewID(now), Delegate: &d, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
			ValidFrom: now, ValidTo: now.AddDate(0, 1, 0)}
	}
	assisted := fixture.Action(bk.CreateDelegation, delegation(cprBo), karen, staff, now)
	// Made at k2 with a staff grant for k2, all signatures good, but sent
	// by k (a copied action, or a stolen key replaying a grant).
	elsewhere := fixture.KioskAction(k2.ID, bk.CreateDelegation, delegation(cprBo), karen, staff, now)

	items := []bk.PushItem{
		item(1, give(t, h, karen, c())),
		item(2, tampered),
		{Seq: 3, Hash: make([]byte, 32), Action: badHash},
		item(4, give(t, h, revoked, c())),
		item(5, give(t, h, expired, c())),
		item(6, give(t, h, stranger, c())),
		item(7, give(t, h, oliver, youngConsent)),
		item(8, fixture.Action(bk.CreateDelegation, delegation(cprOliver), karen, nil, now)),
		item(9, dup),
		item(10, give(t, h, karen, bk.NewID(now))),
		item(11, future),
		item(12, assisted),
		item(13, fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: c()}, karen, karen, now)),
		item(14, elsewhere),
	}
	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "inc", Actions: items})
	wantOutcomes(t, "push of refusals", r, 14,
		"applied", "rejected:bad_signature", "rejected:invalid", "rejected:card_revoked", "rejected:card_expired",
		"rejected:unknown_issuer", "rejected:age_rule", "rejected:age_rule", "duplicate", "rejected:unknown_subject",
		"rejected:clock_skew", "applied", "rejected:wrong_role", "rejected:"+central.ECodeWrongKiosk)
	p, _ := assisted.DecodePayload()
	d := h.Delegation(t, p.DelegationID)
	if d == nil || d.CreatedVia != bk.ViaAssisted || !strings.Contains(d.AssistedBy, "KK-17") || d.State != bk.DelegationPending {
		t.Errorf("assisted delegation = %+v; want pending, assisted by KK-17", d)
	}
	p, _ = elsewhere.DecodePayload()
	if d := h.Delegation(t, p.DelegationID); d != nil {
		t.Errorf("delegation of an action pushed by another kiosk = %+v; want none", d)
	}
	_, m := h.Do(t, "GET", "/metrics", "", nil)
	for _, want := range []string{`borgerkiosk_central_push_actions_total{outcome="rejected"} 11`, `borgerkiosk_central_push_actions_total{outcome="applied"} 3`} {
		if !strings.Contains(string(m), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(h.Logs(), cprKaren) || strings.Contains(h.Logs(), "0101901234") {
		t.Error("a full CPR number reached the log")
	}
}

// karenToBo makes cards for Karen and Bo and Karen's create action, made at
// at, of a delegation to Bo for a year from now.
func karenToBo(h *centraltest.Harness, now, at time.Time, scopes ...string) (karen, bo *fixture.Card, id string, create *bk.Action) {
	karen = h.Issuer.Citizen(cprKaren, "Karen Larsen")
	bo = h.Issuer.Citizen(cprBo, "Bo Berg")
	delegate := bk.MustParseCPR(cprBo)
	id = bk.NewID(now)
	var grants []bk.ScopeGrant
	for _, s := range scopes {
		grants = append(grants, bk.ScopeGrant{ScopeID: s})
	}
	create = fixture.Action(bk.CreateDelegation, bk.Payload{DelegationID: id, Delegate: &delegate,
		Scopes: grants, ValidFrom: now, ValidTo: now.AddDate(1, 0, 0)}, karen, nil, at)
	return karen, bo, id, create
}

func TestPushDelegationLifecycle(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	now := time.Now()
	karen, bo, id, create := karenToBo(h, now, now.Add(-40*time.Minute), "tax", "pension")
	accept := fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id}, bo, nil, now.Add(-30*time.Minute))
	revoke := fixture.Action(bk.RevokeDelegation, bk.Payload{DelegationID: id}, karen, nil, now.Add(-20*time.Minute))
	lateAccept := fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id}, bo, nil, now.Add(-10*time.Minute))
	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, create), item(2, accept)}})
	wantOutcomes(t, "create and accept", r, 2, "applied", "applied")
	if d := h.Delegation(t, id); d.State != bk.DelegationActive || d.DelegateName != "Bo Berg" {
		t.Errorf("delegation = %s %q; want active, Bo Berg", d.State, d.DelegateName)
	}
	r = k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(3, revoke), item(4, lateAccept)}})
	wantOutcomes(t, "revoke, then accept", r, 4, "applied", "rejected:already_revoked")
	if d := h.Delegation(t, id); d.State != bk.DelegationRevoked {
		t.Errorf("delegation = %s; want revoked", d.State)
	}
}

// TestPushConcurrent sends the same batch from two connections at once:
// the effect must happen once.
func TestPushConcurrent(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	var items []bk.PushItem
	for i := 1; i <= 20; i++ {
		items = append(items, item(uint64(i), give(t, h, karen, h.RequestConsent(t, "sundhed", cprKaren).ID)))
	}
	req := &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: items}
	var wg sync.WaitGroup
	results := make([]*bk.PushResponse, 4)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i] = k.Push(t, req) }()
	}
	wg.Wait()
	applied := 0
	for _, r := range results {
		for _, v := range r.Verdicts {
			if v.Outcome == bk.Applied {
				applied++
			}
		}
	}
	if applied != 20 || len(h.Applied(t, k.ID, "i")) != 20 {
		t.Errorf("applied %d verdicts and %d records over 4 concurrent pushes; want 20 and 20", applied, len(h.Applied(t, k.ID, "i")))
	}
}

func TestPushBadInput(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	a := give(t, h, karen, bk.NewID(time.Now()))
	env := string(mustJSON(t, a))
	many := make([]bk.PushItem, bk.MaxPushActions+1)
	for i := range many {
		many[i] = item(uint64(i+1), a)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"not JSON", `{"kiosk":`, 400, bk.EInvalid},
		{"unknown field", `{"kiosk":"k1","incarnation":"i","actions":[],"x":1}`, 400, bk.EInvalid},
		{"unknown field in envelope", `{"kiosk":"k1","incarnation":"i","actions":[{"seq":1,"hash":"","envelope":{"nope":1}}]}`, 400, bk.EInvalid},
		{"trailing data", `{"kiosk":"k1","incarnation":"i","actions":[]}{}`, 400, bk.EInvalid},
		{"no incarnation", `{"kiosk":"k1","actions":[]}`, 400, bk.EInvalid},
		{"seq 0", `{"kiosk":"k1","incarnation":"i","actions":[{"seq":0,"hash":"","envelope":` + env + `}]}`, 400, bk.EInvalid},
		{"no envelope", `{"kiosk":"k1","incarnation":"i","actions":[{"seq":1,"hash":""}]}`, 400, bk.EInvalid},
		{"negative seq", `{"kiosk":"k1","incarnation":"i","actions":[{"seq":-1}]}`, 400, bk.EInvalid},
		{"too many actions", string(mustJSON(t, bk.PushRequest{Kiosk: "k1", Incarnation: "i", Actions: many})), 413, central.ECodeTooLarge},
		{"too many bytes", `{"kiosk":"k1","incarnation":"` + strings.Repeat("i", bk.MaxPushBytes) + `"}`, 413, central.ECodeTooLarge},
	} {
		status, body := k.Request(t, "POST", "/v1/push", []byte(tc.body))
		wantError(t, "push "+tc.name, status, body, tc.status, tc.code)
	}
	// A malformed action inside a good batch is a verdict, not an error.
	bad := *a
	bad.Payload = json.RawMessage(`{"consent_id":"not-a-uuid"}`)
	r := k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, &bad)}})
	wantOutcomes(t, "push of a malformed action", r, 1, "rejected:invalid")

	req, _ := http.NewRequest("POST", h.URL+"/v1/push", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", bk.SignKioskRequest(k.ID, k.Key, "POST", "/v1/push", []byte("{}"), time.Now()))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 415 {
		t.Errorf("push as text/plain = %d; want 415", resp.StatusCode)
	}
}

func TestCitizenState(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	k2 := h.EnrollKiosk(t, "k2")
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	bo := h.Issuer.Citizen(cprBo, "Bo Berg")
	c := h.RequestConsent(t, "sundhed", cprKaren)
	h.RequestConsent(t, "skat", cprBo, "income")
	now := time.Now()
	delegate := bk.MustParseCPR(cprBo)
	k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, fixture.Action(bk.CreateDelegation,
		bk.Payload{DelegationID: bk.NewID(now), Delegate: &delegate, Scopes: []bk.ScopeGrant{{ScopeID: "health"}}, ValidFrom: now, ValidTo: now.AddDate(0, 6, 0)},
		karen, nil, now))}})

	nonce := func(k *centraltest.Kiosk) []byte {
		t.Helper()
		status, body := k.Request(t, "POST", "/v1/citizen/nonce", nil)
		var n bk.NonceResponse
		if status != 200 || json.Unmarshal(body, &n) != nil || len(n.Nonce) != 32 {
			t.Fatalf("nonce = %d %s; want 200 with 32 bytes", status, body)
		}
		return n.Nonce
	}
	auth := func(card *fixture.Card, n []byte) []byte {
		sig, _ := card.Sign(context.Background(), bk.AuthChallenge(n))
		return mustJSON(t, bk.CitizenAuth{Nonce: n, Cert: card.Cert.Encode(), Signature: sig})
	}
	n := nonce(k)
	status, body := k.Request(t, "POST", "/v1/citizen/state", auth(karen, n))
	var st bk.CitizenState
	if status != 200 || json.Unmarshal(body, &st) != nil {
		t.Fatalf("state = %d %s; want 200", status, body)
	}
	if len(st.Consents) != 1 || st.Consents[0].ID != c.ID || len(st.GivenByMe) != 1 || len(st.GivenToMe) != 0 {
		t.Errorf("state = %d consents, %d given by me, %d to me; want 1, 1, 0", len(st.Consents), len(st.GivenByMe), len(st.GivenToMe))
	}
	status, body = k.Request(t, "POST", "/v1/citizen/state", auth(karen, n))
	wantError(t, "state with a used nonce", status, body, 401, bk.EUnauthorized)

	n = nonce(k)
	status, body = k2.Request(t, "POST", "/v1/citizen/state", auth(karen, n))
	wantError(t, "state with another kiosk's nonce", status, body, 401, bk.EUnauthorized)

	n = nonce(k)
	sig, _ := bo.Sign(context.Background(), bk.AuthChallenge(n))
	status, body = k.Request(t, "POST", "/v1/citizen/state", mustJSON(t, bk.CitizenAuth{Nonce: n, Cert: karen.Cert.Encode(), Signature: sig}))
	wantError(t, "state signed by another card", status, body, 401, bk.EBadSignature)

	h.Revoke(t, bo.Cert.Serial)
	status, body = k.Request(t, "POST", "/v1/citizen/state", auth(bo, nonce(k)))
	wantError(t, "state with a revoked card", status, body, 403, bk.ECardRevoked)

	staff := h.Issuer.Staff(cprBo, "Bo Berg", "S1")
	status, body = k.Request(t, "POST", "/v1/citizen/state", auth(staff, nonce(k)))
	wantError(t, "state with a staff card", status, body, 403, bk.EWrongRole)

	status, body = k.Request(t, "POST", "/v1/citizen/state", []byte(`{"nonce":"AAAA","cert":"","signature":""}`))
	wantError(t, "state with a short nonce", status, body, 400, bk.EInvalid)
	status, body = k.Request(t, "POST", "/v1/citizen/nonce", []byte(`{"x":1}`))
	wantError(t, "nonce with an unknown field", status, body, 400, bk.EInvalid)
}

func TestNonceExpires(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := centraltest.StartWith(t, centraltest.Options{Now: clock})
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	_, body := k.Request(t, "POST", "/v1/citizen/nonce", []byte("{}"))
	var n bk.NonceResponse
	json.Unmarshal(body, &n)
	mu.Lock()
	now = now.Add(3 * time.Minute)
	mu.Unlock()
	sig, _ := karen.Sign(context.Background(), bk.AuthChallenge(n.Nonce))
	status, body := k.Request(t, "POST", "/v1/citizen/state", mustJSON(t, bk.CitizenAuth{Nonce: n.Nonce, Cert: karen.Cert.Encode(), Signature: sig}))
	wantError(t, "state after the nonce expired", status, body, 401, bk.EUnauthorized)
}

func TestAuthority(t *testing.T) {
	h := centraltest.Start(t)
	req := bk.ConsentRequest{CPR: bk.MustParseCPR(cprKaren), Purpose: bk.Text{DA: "Forebyggelse", EN: "Prevention"},
		DataCategories: []string{"health", "medication"}, LegalBasis: bk.Text{DA: "Samtykke", EN: "Consent"}, ValidDays: 365}
	status, body := h.Do(t, "POST", "/v1/authority/consent-requests", "", mustJSON(t, req))
	wantError(t, "consent request without a token", status, body, 401, bk.EUnauthorized)
	status, body = h.Do(t, "POST", "/v1/authority/consent-requests", "Bearer wrong", mustJSON(t, req))
	wantError(t, "consent request with a wrong token", status, body, 401, bk.EUnauthorized)
	status, body = h.Do(t, "POST", "/v1/authority/consent-requests", "Bearer "+h.OperatorToken, mustJSON(t, req))
	wantError(t, "consent request with the operator token", status, body, 401, bk.EUnauthorized)

	status, body = h.Authority(t, "sundhed", "POST", "/v1/authority/consent-requests", mustJSON(t, req))
	var c bk.Consent
	if status != 201 || json.Unmarshal(body, &c) != nil || c.State != bk.ConsentRequested || c.AuthorityID != "sundhed" {
		t.Fatalf("consent request = %d %s; want 201 requested by sundhed", status, body)
	}
	h.RequestConsent(t, "skat", cprKaren, "income")

	for _, tc := range []struct {
		auth, query string
		want        int
	}{
		{"sundhed", "", 1}, {"sundhed", "?cpr=" + cprKaren, 1}, {"sundhed", "?cpr=" + cprBo, 0},
		{"skat", "", 1}, {"udbetaling", "", 0},
	} {
		status, body := h.Authority(t, tc.auth, "GET", "/v1/authority/consent-requests"+tc.query, nil)
		var l bk.ConsentList
		if status != 200 || json.Unmarshal(body, &l) != nil || len(l.Consents) != tc.want {
			t.Errorf("%s lists %q = %d %s; want %d consents", tc.auth, tc.query, status, body, tc.want)
		}
		for _, x := range l.Consents {
			if x.AuthorityID != tc.auth {
				t.Errorf("%s sees a consent of %s", tc.auth, x.AuthorityID)
			}
		}
	}
	status, body = h.Authority(t, "sundhed", "GET", "/v1/authority/consent-requests?cpr=123", nil)
	wantError(t, "list with a bad CPR", status, body, 400, bk.EInvalid)
	if status, _ := h.Authority(t, "sundhed", "GET", "/v1/authority/consent-requests/"+c.ID, nil); status != 200 {
		t.Errorf("sundhed gets its consent = %d; want 200", status)
	}
	status, body = h.Authority(t, "skat", "GET", "/v1/authority/consent-requests/"+c.ID, nil)
	wantError(t, "skat gets sundhed's consent", status, body, 404, bk.ENotFound)

	check := func(auth, category string) bk.ConsentCheckResult {
		t.Helper()
		status, body := h.Authority(t, auth, "POST", "/v1/authority/consent-checks",
			mustJSON(t, bk.ConsentCheck{CPR: bk.MustParseCPR(cprKaren), DataCategory: category, Purpose: "Invitation til vaccination"}))
		var r bk.ConsentCheckResult
		if status != 200 || json.Unmarshal(body, &r) != nil {
			t.Fatalf("check = %d %s; want 200", status, body)
		}
		return r
	}
	if r := check("sundhed", "health"); r.Allowed {
		t.Errorf("check before the consent is given = %+v; want not allowed", r)
	}
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, give(t, h, karen, c.ID))}})
	if r := check("sundhed", "health"); !r.Allowed || r.ConsentID != c.ID {
		t.Errorf("check after giving = %+v; want allowed by %s", r, c.ID)
	}
	if r := check("sundhed", "income"); r.Allowed {
		t.Errorf("check of a category not consented = %+v; want not allowed", r)
	}
	if r := check("skat", "health"); r.Allowed {
		t.Errorf("check by another authority = %+v; want not allowed", r)
	}
	for _, tc := range []struct{ name, body string }{
		{"unknown category", `{"cpr":"` + cprKaren + `","data_category":"dna","purpose":"x"}`},
		{"bad cpr", `{"cpr":"321","data_category":"health","purpose":"x"}`},
		{"no purpose", `{"cpr":"` + cprKaren + `","data_category":"health"}`},
		{"unknown field", `{"cpr":"` + cprKaren + `","data_category":"health","purpose":"x","why":1}`},
	} {
		status, body := h.Authority(t, "sundhed", "POST", "/v1/authority/consent-checks", []byte(tc.body))
		wantError(t, "check with "+tc.name, status, body, 400, bk.EInvalid)
	}
	bad := req
	bad.DataCategories = []string{"dna"}
	status, body = h.Authority(t, "sundhed", "POST", "/v1/authority/consent-requests", mustJSON(t, bad))
	wantError(t, "consent request for an unknown category", status, body, 400, bk.EInvalid)
	if strings.Contains(h.Logs(), cprKaren) {
		t.Error("a full CPR number reached the log")
	}
}

func TestPublicEndpoints(t *testing.T) {
	h := centraltest.StartWith(t, centraltest.Options{Configure: func(cfg *central.Config) { cfg.MaxBodyBytes = 1024 }})
	h.Server.Handle("GET /test/panic", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))

	status, body := h.Do(t, "GET", "/v1/catalogue", "", nil)
	var cat bk.Catalogue
	if status != 200 || json.Unmarshal(body, &cat) != nil || len(cat.Authorities) < 5 {
		t.Errorf("catalogue = %d; want 200 with the demo catalogue", status)
	}
	status, body = h.Do(t, "GET", "/healthz", "", nil)
	if status != 200 || !bytes.Contains(body, []byte(`"ok"`)) {
		t.Errorf("healthz = %d %s; want 200 ok", status, body)
	}
	status, body = h.Do(t, "GET", "/nowhere", "", nil)
	wantError(t, "unknown path", status, body, 404, bk.ENotFound)
	status, body = h.Do(t, "DELETE", "/v1/push", "", nil)
	wantError(t, "DELETE /v1/push", status, body, 405, "method_not_allowed")
	status, body = h.Do(t, "GET", "/test/panic", "", nil)
	wantError(t, "a panicking handler", status, body, 500, bk.EInternal)
	status, body = h.Do(t, "POST", "/v1/enroll", "", bytes.Repeat([]byte(" "), 2048))
	wantError(t, "oversize enrol body", status, body, 413, central.ECodeTooLarge)
	k := h.EnrollKiosk(t, fixture.KioskID)
	status, body = k.Request(t, "POST", "/v1/citizen/state", bytes.Repeat([]byte(" "), 2048))
	wantError(t, "oversize citizen state body", status, body, 413, central.ECodeTooLarge)

	status, body = h.Do(t, "GET", "/metrics", "", nil)
	if status != 200 {
		t.Fatalf("GET /metrics = %d", status)
	}
	for _, want := range []string{
		`borgerkiosk_central_http_requests_total{code="200",route="GET /v1/catalogue"} 1`,
		`borgerkiosk_central_http_requests_total{code="500",route="GET /test/panic"} 1`,
		`borgerkiosk_central_http_requests_total{code="404",route="/"} 1`,
		"borgerkiosk_central_http_request_duration_seconds_bucket",
		"go_goroutines",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestPages(t *testing.T) {
	pages := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("page " + r.URL.Path)) })
	h := centraltest.StartWith(t, centraltest.Options{Configure: func(cfg *central.Config) {
		cfg.Pages = func(*central.Server) http.Handler { return pages }
		cfg.IsPagePath = func(p string) bool { return strings.HasPrefix(strings.ToUpper(p), "/H/") }
	}})
	if status, body := h.Do(t, "GET", "/H/ABC", "", nil); status != 200 || string(body) != "page /H/ABC" {
		t.Errorf("GET /H/ABC = %d %s; want the page handler", status, body)
	}
	if status, _ := h.Do(t, "GET", "/v1/catalogue", "", nil); status != 200 {
		t.Errorf("catalogue with pages = %d; want 200", status)
	}
}

// TestRefusedCopyDoesNotHideTheAction: kiosk B pushes a copy of an action
// made at kiosk A before A does. The copy is refused (wrong_kiosk); the
// genuine push from A must then be applied, not answered "duplicate", and a
// third copy after that is the duplicate.
func TestRefusedCopyDoesNotHideTheAction(t *testing.T) {
	h := centraltest.Start(t)
	a := h.EnrollKiosk(t, fixture.KioskID)
	b := h.EnrollKiosk(t, "k2")
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	consent := h.RequestConsent(t, "sundhed", cprKaren)
	genuine := give(t, h, karen, consent.ID)

	r := b.Push(t, &bk.PushRequest{Kiosk: b.ID, Incarnation: "b", Actions: []bk.PushItem{item(1, genuine)}})
	wantOutcomes(t, "copy pushed by another kiosk", r, 1, "rejected:"+central.ECodeWrongKiosk)
	r = a.Push(t, &bk.PushRequest{Kiosk: a.ID, Incarnation: "a", Actions: []bk.PushItem{item(1, genuine)}})
	wantOutcomes(t, "genuine push after the refused copy", r, 1, "applied")
	if got := h.Consent(t, consent.ID); got.State != bk.ConsentGiven {
		t.Errorf("consent after the genuine push = %s; want given", got.State)
	}
	r = a.Push(t, &bk.PushRequest{Kiosk: a.ID, Incarnation: "a2", Actions: []bk.PushItem{item(1, genuine)}})
	wantOutcomes(t, "the same action from a new incarnation", r, 1, "duplicate")
}

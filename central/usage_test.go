package central_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

const cprCarl = "090979-7777" // an adult with nothing to do with Karen and Bo

// usagePage fetches a page of card's usage log through kiosk k, as the
// kiosk does: a fresh nonce, the card's signature, a kiosk-signed request.
func usagePage(t *testing.T, k *centraltest.Kiosk, card *fixture.Card, before string, limit int) *bk.UsageLog {
	t.Helper()
	status, body := k.Request(t, "POST", "/v1/citizen/usage", usageRequest(t, k, card, before, limit))
	var l bk.UsageLog
	if status != 200 || json.Unmarshal(body, &l) != nil {
		t.Fatalf("usage log = %d %s; want 200", status, body)
	}
	return &l
}

func usageRequest(t *testing.T, k *centraltest.Kiosk, card *fixture.Card, before string, limit int) []byte {
	t.Helper()
	return mustJSON(t, bk.UsageRequest{Auth: citizenAuth(t, k, card), Before: before, Limit: limit})
}

// summary is a record as "kind role authority scope-or-category answer".
func summary(records []*bk.UsageRecord) []string {
	out := []string{}
	for _, r := range records {
		what := r.Scope + r.DataCategory
		out = append(out, strings.Join([]string{string(r.Kind), string(r.Role), r.Authority, what, string(r.Answer)}, " "))
	}
	return out
}

func wantSummary(t *testing.T, what string, got *bk.UsageLog, want ...string) {
	t.Helper()
	if g := summary(got.Records); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n%s\nwant:\n%s", what, strings.Join(g, "\n"), strings.Join(want, "\n"))
	}
}

func delegationCheck(t *testing.T, h *centraltest.Harness, authority, principal, delegate, scope string) int {
	t.Helper()
	status, _ := h.Authority(t, authority, "POST", "/v1/authority/delegation-checks",
		mustJSON(t, central.DelegationCheck{Principal: bk.MustParseCPR(principal), Delegate: bk.MustParseCPR(delegate), Scope: scope, Purpose: "Årsopgørelse"}))
	return status
}

func consentCheck(t *testing.T, h *centraltest.Harness, authority, cpr, category string) int {
	t.Helper()
	status, _ := h.Authority(t, authority, "POST", "/v1/authority/consent-checks",
		mustJSON(t, bk.ConsentCheck{CPR: bk.MustParseCPR(cpr), DataCategory: category, Purpose: "Invitation til vaccination"}))
	return status
}

// Every check is in the logs of the people it concerns, newest first, and
// only their own card-signed request reads it; after the retention period
// the periodic sweep deletes it.
func TestUsageLog(t *testing.T) {
	clock := fixture.NewClock(time.Now().UTC().Truncate(time.Second))
	h := centraltest.StartWith(t, centraltest.Options{Now: clock.Now, Configure: func(cfg *central.Config) {
		cfg.UsageSweepEvery = 5 * time.Millisecond
	}})
	k := h.EnrollKiosk(t, fixture.KioskID)
	karen := h.Issuer.Citizen(cprKaren, "Karen Larsen")
	bo := h.Issuer.Citizen(cprBo, "Bo Berg")
	carl := h.Issuer.Citizen(cprCarl, "Carl Nielsen")
	now := clock.Now()
	putDelegation(t, h, delegationTo("d-karen-bo", cprKaren, cprBo, bk.DelegationActive, now.Add(-time.Hour), now.AddDate(2, 0, 0), bk.ScopeGrant{ScopeID: "tax"}))
	c := h.RequestConsent(t, "sundhed", cprKaren)
	k.Push(t, &bk.PushRequest{Kiosk: k.ID, Incarnation: "i", Actions: []bk.PushItem{item(1, give(t, h, karen, c.ID))}})

	for i, step := range []struct {
		status int
		check  func() int
	}{
		{200, func() int { return delegationCheck(t, h, "skat", cprKaren, cprBo, "tax") }},
		{403, func() int { return delegationCheck(t, h, "skat", cprKaren, cprBo, "health") }},
		{200, func() int { return delegationCheck(t, h, "sundhed", cprKaren, cprBo, "health") }},
		{200, func() int { return consentCheck(t, h, "sundhed", cprKaren, "health") }},
		{200, func() int { return consentCheck(t, h, "skat", cprBo, "income") }},
		// Bad input is not a use of anyone's data: not recorded.
		{400, func() int { return delegationCheck(t, h, "skat", cprKaren, cprBo, "dna") }},
		{400, func() int { return consentCheck(t, h, "sundhed", cprKaren, "dna") }},
		{401, func() int {
			s, _ := h.Do(t, "POST", "/v1/authority/consent-checks", "Bearer wrong", mustJSON(t, bk.ConsentCheck{CPR: bk.MustParseCPR(cprKaren), DataCategory: "health", Purpose: "x"}))
			return s
		}},
	} {
		if got := step.check(); got != step.status {
			t.Fatalf("check %d = %d; want %d", i, got, step.status)
		}
		clock.Add(time.Second) // distinct times, so newest first is one order
	}

	l := usagePage(t, k, karen, "", 0)
	wantSummary(t, "Karen's log", l,
		"consent_check principal sundhed health allowed",
		"delegation_check principal sundhed health denied",
		"delegation_check principal skat health refused",
		"delegation_check principal skat tax allowed")
	if r := l.Records[3]; r.DelegationID != "d-karen-bo" || r.DelegateName != "Bo Berg" || r.Purpose != "Årsopgørelse" || !r.At.Equal(now) {
		t.Errorf("Karen's delegation check record = %+v; want delegation d-karen-bo, Bo Berg, the purpose, at %v", r, now)
	}
	if r := l.Records[0]; r.ConsentID != c.ID || r.Purpose != "Invitation til vaccination" {
		t.Errorf("Karen's consent check record = %+v; want consent %s and the purpose", r, c.ID)
	}
	if r := l.Records[2]; r.Reason != bk.EScopeNotAllowed {
		t.Errorf("refused record reason = %q; want %q", r.Reason, bk.EScopeNotAllowed)
	}
	wantSummary(t, "Bo's log (what was done with the delegations he holds, and his own data)", usagePage(t, k, bo, "", 0),
		"consent_check principal skat income denied",
		"delegation_check delegate sundhed health denied",
		"delegation_check delegate skat health refused",
		"delegation_check delegate skat tax allowed")
	wantSummary(t, "Carl's log", usagePage(t, k, carl, "", 0))

	// Paging: two at a time, newest first, then the rest.
	p1 := usagePage(t, k, karen, "", 2)
	p2 := usagePage(t, k, karen, p1.Next, 2)
	if len(p1.Records) != 2 || p1.Next != p1.Records[1].ID || len(p2.Records) != 2 || p2.Next != "" {
		t.Fatalf("pages of 2 = %d records (next %q), %d records (next %q); want 2 with next, 2 without", len(p1.Records), p1.Next, len(p2.Records), p2.Next)
	}
	if got := summary(append(p1.Records, p2.Records...)); strings.Join(got, "\n") != strings.Join(summary(l.Records), "\n") {
		t.Errorf("two pages = %v; want the whole log %v", got, summary(l.Records))
	}

	// Refusals of the usage log request, as of the state request.
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		code   string
	}{
		{"limit too large", usageRequest(t, k, karen, "", 201), 400, bk.EInvalid},
		{"negative limit", usageRequest(t, k, karen, "", -1), 400, bk.EInvalid},
		{"before that is no id", usageRequest(t, k, karen, "yesterday", 0), 400, bk.EInvalid},
		{"short nonce", []byte(`{"auth":{"nonce":"AAAA","cert":"","signature":""}}`), 400, bk.EInvalid},
		{"unknown field", []byte(`{"auth":{"nonce":"AAAA","cert":"","signature":""},"cpr":"` + cprKaren + `"}`), 400, bk.EInvalid},
		{"flat auth fields", []byte(`{"nonce":"AAAA","cert":"","signature":""}`), 400, bk.EInvalid},
		{"staff card", usageRequest(t, k, h.Issuer.Staff(cprKaren, "Karen Larsen", "S1"), "", 0), 403, bk.EWrongRole},
	} {
		status, body := k.Request(t, "POST", "/v1/citizen/usage", tc.body)
		wantError(t, "usage log with "+tc.name, status, body, tc.status, tc.code)
	}
	// Another card's signature over Karen's certificate reads nothing.
	body := usageRequest(t, k, bo, "", 0)
	var forged bk.UsageRequest
	json.Unmarshal(body, &forged)
	forged.Auth.Cert = karen.Cert.Encode()
	status, resp := k.Request(t, "POST", "/v1/citizen/usage", mustJSON(t, forged))
	wantError(t, "usage log signed by another card", status, resp, 401, bk.EBadSignature)
	status, resp = h.Do(t, "POST", "/v1/citizen/usage", "", usageRequest(t, k, karen, "", 0))
	wantError(t, "usage log without the kiosk's signature", status, resp, 401, bk.EUnauthorized)

	// Retention: 14 months on, one more check; 15 months and a day after
	// the first ones, the sweep has deleted those and kept the later one.
	clock.Add(now.AddDate(0, 14, 0).Sub(clock.Now()))
	if s := consentCheck(t, h, "sundhed", cprKaren, "health"); s != 200 {
		t.Fatalf("later check = %d", s)
	}
	if err := h.Server.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Add(now.AddDate(0, 15, 1).Sub(clock.Now()))
	testtool.Until(t, "the sweep deletes the records older than 15 months", func() bool {
		var n int
		h.Store.View(context.Background(), func(tx central.Tx) error {
			list, err := tx.Usage(bk.MustParseCPR(cprKaren), "", 0)
			n = len(list)
			return err
		})
		return n == 1
	})
	wantSummary(t, "Karen's log after 15 months", usagePage(t, k, karen, "", 0), "consent_check principal sundhed health denied")
	wantSummary(t, "Bo's log after 15 months", usagePage(t, k, bo, "", 0))
	for _, c := range []string{cprKaren, cprBo, "0101901234"} {
		if strings.Contains(h.Logs(), c) {
			t.Errorf("a full CPR number (%s) reached the log", c)
		}
	}
}

// gateStore holds every Update while closed, so a test can fill the usage
// queue; reads go through.
type gateStore struct {
	central.Store
	closed atomic.Bool
	open   chan struct{}
}

func (g *gateStore) Update(ctx context.Context, fn func(tx central.Tx) error) error {
	if g.closed.Load() {
		select {
		case <-g.open:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return g.Store.Update(ctx, fn)
}

// When the usage log cannot keep up, checks are refused (503), never
// answered unrecorded; what was queued is written once the store is back,
// and on Close.
func TestUsageQueueFull(t *testing.T) {
	gate := &gateStore{open: make(chan struct{})}
	h := centraltest.StartWith(t, centraltest.Options{Configure: func(cfg *central.Config) {
		gate.Store = cfg.Store
		cfg.Store = gate
		cfg.UsageQueue = 2
	}})
	gate.closed.Store(true)
	statuses := []int{}
	for range 6 {
		statuses = append(statuses, consentCheck(t, h, "sundhed", cprKaren, "health"))
	}
	// The writer holds at most one batch while it waits, and the queue two
	// more: of six checks at least three are refused.
	answered, refused := 0, 0
	for _, s := range statuses {
		switch s {
		case 200:
			answered++
		case 503:
			refused++
		default:
			t.Errorf("check while the store hangs = %d; want 200 or 503", s)
		}
	}
	if refused < 3 || answered < 2 {
		t.Errorf("checks while the store hangs: %v; want at least 2 answered and at least 3 refused", statuses)
	}
	status, body := h.Authority(t, "sundhed", "POST", "/v1/authority/consent-checks",
		mustJSON(t, bk.ConsentCheck{CPR: bk.MustParseCPR(cprKaren), DataCategory: "health", Purpose: "x"}))
	wantError(t, "check with a full usage queue", status, body, 503, bk.EUnavailable)
	close(gate.open)
	h.Server.Close()
	var n int
	h.Store.View(context.Background(), func(tx central.Tx) error {
		list, err := tx.Usage(bk.MustParseCPR(cprKaren), "", 0)
		n = len(list)
		return err
	})
	if n != answered {
		t.Errorf("usage records after Close = %d; want one per answered check (%d)", n, answered)
	}
	if s := consentCheck(t, h, "sundhed", cprKaren, "health"); s != 503 {
		t.Errorf("check after Close = %d; want 503", s)
	}
}

// Another endpoint (a token exchange) records through Server.Usage() and
// the record reaches both logs with the fields it set.
func TestUsageRecorder(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	rec := h.Server.Usage()
	err := rec.Record(central.UsageEntry{Record: &bk.UsageRecord{Kind: bk.UsageTokenExchange, Authority: "skat", Service: "skat-selvbetjening",
		Scope: "tax", Purpose: "Årsopgørelse", Answer: bk.UsageAllowed, DelegationID: "d1", DelegateName: "Bo Berg"},
		Principal: bk.MustParseCPR(cprKaren), Delegate: bk.MustParseCPR(cprBo)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		e    central.UsageEntry
	}{
		{"no record", central.UsageEntry{Principal: bk.MustParseCPR(cprKaren)}},
		{"no principal", central.UsageEntry{Record: &bk.UsageRecord{Kind: bk.UsageTokenExchange}, Delegate: bk.MustParseCPR(cprBo)}},
		{"same person twice", central.UsageEntry{Record: &bk.UsageRecord{Kind: bk.UsageTokenExchange}, Principal: bk.MustParseCPR(cprBo), Delegate: bk.MustParseCPR(cprBo)}},
	} {
		if err := rec.Record(tc.e); bk.ErrorCode(err) != bk.EInvalid {
			t.Errorf("Record(%s) = %v; want code %s", tc.name, err, bk.EInvalid)
		}
	}
	karen := usagePage(t, k, h.Issuer.Citizen(cprKaren, "Karen Larsen"), "", 0)
	wantSummary(t, "Karen's log", karen, "token_exchange principal skat tax allowed")
	if r := karen.Records[0]; r.Service != "skat-selvbetjening" || r.ID == "" || r.At.IsZero() || r.DelegateName != "Bo Berg" {
		t.Errorf("record = %+v; want the service, an id and a time set by Record, and the delegate's name", r)
	}
	wantSummary(t, "Bo's log", usagePage(t, k, h.Issuer.Citizen(cprBo, "Bo Berg"), "", 0), "token_exchange delegate skat tax allowed")
}

// The retention period is the configured one, not always 15 months: with
// 3, a record is kept for 3 months and then the sweep deletes it from the
// store, in the logs of both people.
func TestUsageRetentionConfigured(t *testing.T) {
	clock := fixture.NewClock(time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC))
	h := centraltest.StartWith(t, centraltest.Options{Now: clock.Now, Configure: func(cfg *central.Config) {
		cfg.UsageRetentionMonths = 3
		cfg.UsageSweepEvery = 24 * time.Hour // the test sweeps by hand
	}})
	t0 := clock.Now()
	putDelegation(t, h, delegationTo("d-karen-bo", cprKaren, cprBo, bk.DelegationActive, t0.Add(-time.Hour), t0.AddDate(2, 0, 0), bk.ScopeGrant{ScopeID: "tax"}))
	if s := delegationCheck(t, h, "skat", cprKaren, cprBo, "tax"); s != 200 {
		t.Fatalf("check = %d", s)
	}
	clock.Add(t0.AddDate(0, 1, 0).Sub(clock.Now()))
	if s := delegationCheck(t, h, "skat", cprKaren, cprBo, "tax"); s != 200 {
		t.Fatalf("later check = %d", s)
	}
	if err := h.Server.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	count := func(cpr string) int {
		var n int
		h.Store.View(context.Background(), func(tx central.Tx) error {
			list, err := tx.Usage(bk.MustParseCPR(cpr), "", 0)
			n = len(list)
			return err
		})
		return n
	}
	for _, step := range []struct {
		at      time.Time
		deleted int
		left    int
	}{
		{t0.AddDate(0, 3, 0).Add(-time.Minute), 0, 2}, // just inside 3 months: both kept
		{t0.AddDate(0, 3, 0).Add(time.Minute), 1, 1},  // the first is older than 3 months
		{t0.AddDate(0, 4, 1), 1, 0},
	} {
		clock.Add(step.at.Sub(clock.Now()))
		n, err := h.Server.SweepUsage(context.Background())
		if err != nil || n != step.deleted {
			t.Errorf("SweepUsage at %v = %d, %v; want %d deleted", step.at, n, err, step.deleted)
		}
		if k, b := count(cprKaren), count(cprBo); k != step.left || b != step.left {
			t.Errorf("at %v Karen's log has %d records and Bo's %d; want %d each", step.at, k, b, step.left)
		}
	}
}

// Package sessiontest is the contract of the bk.Kiosk and bk.Session
// ports, run (Run) against each implementation: the real session service
// with a real central (cmd/kiosk) and the in-memory kiosk of ui/fake, so
// the screens' tests rest on a fake that behaves as the real thing does.
package sessiontest

import (
	"context"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// World is what the contract drives in an implementation.
type World struct {
	// Kiosk is the kiosk service under test.
	Kiosk bk.Kiosk
	// Insert takes out any card in the slot and puts in the card of cpr,
	// whose PIN is PIN; the same card each time, issued the first time (a
	// staff card when staffID is not ""). It returns once the kiosk sees it.
	Insert func(t *testing.T, cpr, name, staffID string)
	// Remove takes the card out; it returns once the kiosk has seen it go.
	Remove func(t *testing.T)
	// RequestConsent has Authority ask cpr for consent to Category at
	// central, and returns the consent's id.
	RequestConsent func(t *testing.T, cpr string) string
	// RevokeAtCentral revokes the card of cpr at central only: the kiosk's
	// trust bundle does not list it yet.
	RevokeAtCentral func(t *testing.T, cpr string)
	// ConsentCheck has Authority check a consent of cpr for Category that
	// was never given: the answer is no.
	ConsentCheck func(t *testing.T, cpr string)
	// DelegationCheck has Authority ask whether delegate may act for
	// principal in Scope, with no delegation between them: no.
	DelegationCheck func(t *testing.T, principal, delegate string)
	// Offline cuts the way to central for good (it runs last).
	Offline func(t *testing.T)
	// The catalogue ids the checks use.
	Authority, Category, Scope string
}

// PIN is the PIN of every card of the contract.
const PIN = "1234"

// The people of the contract; CPR numbers made up, valid dates.
const (
	ingridCPR, ingrid = "150550-1234", "Ingrid Sørensen"
	madsCPR, mads     = "230492-2345", "Mads Nielsen"
)

// TestUsageLog checks Session.UsageLog and PrintUsage: newest first, paged
// by Next, each record in the log of the principal and of the delegate
// with their role, the errors the port promises, and a printed statement.
func TestUsageLog(t *testing.T, w World) {
	ctx := context.Background()
	s := signIn(t, w, ingridCPR, ingrid, "")
	empty, err := s.UsageLog(ctx, "", 0)
	if err != nil || len(empty.Records) != 0 || empty.Next != "" || empty.FetchedAt.IsZero() {
		t.Fatalf("UsageLog of a new citizen = %+v, %v; want no records, no next page and the time it was fetched", empty, err)
	}
	for range 3 {
		w.ConsentCheck(t, ingridCPR)
	}
	w.DelegationCheck(t, ingridCPR, madsCPR)

	p1, err := s.UsageLog(ctx, "", 3)
	if err != nil || len(p1.Records) != 3 || p1.Next == "" {
		t.Fatalf("UsageLog(first 3) = %+v, %v; want 3 records and a next page", p1, err)
	}
	p2, err := s.UsageLog(ctx, p1.Next, 3)
	if err != nil || len(p2.Records) != 1 || p2.Next != "" {
		t.Fatalf("UsageLog(next) = %+v, %v; want the last record and no next page", p2, err)
	}
	all := append(append([]*bk.UsageRecord{}, p1.Records...), p2.Records...)
	// Newest first is by id, a UUIDv7: ordered by the millisecond, so two
	// records made within one are in either order.
	for i, r := range all {
		if i > 0 && (r.ID >= all[i-1].ID || r.At.Truncate(time.Millisecond).After(all[i-1].At)) {
			t.Errorf("record %d (%s at %v) is not older than the one before (%s at %v): want newest first", i, r.ID, r.At, all[i-1].ID, all[i-1].At)
		}
		if r.At.IsZero() || r.Role != bk.UsagePrincipal || r.Authority != w.Authority || r.Answer != bk.UsageDenied {
			t.Errorf("record %d = %+v; want %s's answer no, in Ingrid's own log, with its time", i, r, w.Authority)
		}
	}
	var check *bk.UsageRecord
	consents := 0
	for _, r := range all {
		switch {
		case r.Kind == bk.UsageDelegationCheck && r.Scope == w.Scope && check == nil:
			check = r
		case r.Kind == bk.UsageConsentCheck && r.DataCategory == w.Category:
			consents++
		default:
			t.Errorf("record = %+v; want a consent check of %s or one delegation check of %s", r, w.Category, w.Scope)
		}
	}
	if check == nil || consents != 3 {
		t.Fatalf("records %+v; want 3 consent checks and a delegation check", all)
	}
	if got := check.Sentence("da", "", nil); strings.Contains(got, madsCPR) || strings.Contains(got, madsCPR[:6]) {
		t.Errorf("the record says %q: it names the delegate by CPR number", got)
	}

	for _, tc := range []struct {
		name   string
		before string
		limit  int
	}{{"before no id", "not-an-id", 0}, {"limit too large", "", bk.MaxUsagePage + 1}, {"negative limit", "", -1}} {
		if _, err := s.UsageLog(ctx, tc.before, tc.limit); bk.ErrorCode(err) != bk.EInvalid {
			t.Errorf("UsageLog(%s) = %v; want code %s", tc.name, err, bk.EInvalid)
		}
	}

	res, err := s.PrintUsage(ctx)
	if err != nil || !res.Printed || res.Err != nil || res.Lang != "da" {
		t.Errorf("PrintUsage = %+v, %v; want it printed, in Danish", res, err)
	}

	// Mads reads the same delegation check in his own log, as the delegate.
	m := signIn(t, w, madsCPR, mads, "")
	if _, err := s.UsageLog(ctx, "", 0); bk.ErrorCode(err) != bk.ENotAuthed && bk.ErrorCode(err) != bk.ENoCard {
		t.Errorf("UsageLog of the session that ended = %v; want code %s or %s", err, bk.ENotAuthed, bk.ENoCard)
	}
	ml, err := m.UsageLog(ctx, "", 0)
	if err != nil || len(ml.Records) != 1 {
		t.Fatalf("Mads's UsageLog = %+v, %v; want the one delegation check", ml, err)
	}
	if r := ml.Records[0]; r.ID != check.ID || r.Role != bk.UsageDelegate || r.Kind != bk.UsageDelegationCheck {
		t.Errorf("Mads's record = %+v; want the check %s, in his log as the delegate", r, check.ID)
	}

	w.Offline(t)
	if _, err := m.UsageLog(ctx, "", 0); bk.ErrorCode(err) != bk.EUnavailable {
		t.Errorf("UsageLog offline = %v; want code %s", err, bk.EUnavailable)
	}
	if res, err := m.PrintUsage(ctx); bk.ErrorCode(err) != bk.EUnavailable || res.Printed {
		t.Errorf("PrintUsage offline = %+v, %v; want code %s and nothing printed", res, err, bk.EUnavailable)
	}
	m.Close()
	if _, err := m.UsageLog(ctx, "", 0); bk.ErrorCode(err) != bk.ENotAuthed {
		t.Errorf("UsageLog after Close = %v; want code %s", err, bk.ENotAuthed)
	}
}

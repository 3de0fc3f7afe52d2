// Package storetest is the contract suite every central.Store must pass.
// An implementation's test calls Run with a function that opens a fresh,
// empty store:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) central.Store { return MustOpen(t) })
//	}
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// Run runs every contract test against stores made by newStore. newStore
// must return an empty store and arrange for it to be closed (t.Cleanup).
func Run(t *testing.T, newStore func(t *testing.T) central.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s central.Store)
	}{
		{"Kiosks", testKiosks},
		{"EnrollTokens", testEnrollTokens},
		{"PushCursors", testPushCursors},
		{"Actions", testActions},
		{"Consents", testConsents},
		{"ConsentPages", testConsentPages},
		{"Delegations", testDelegations},
		{"HandoverCodes", testHandoverCodes},
		{"TypedCodes", testTypedCodes},
		{"Revocations", testRevocations},
		{"RevocationNumbers", testRevocationNumbers},
		{"Nonces", testNonces},
		{"Usage", testUsage},
		{"UsageSweep", testUsageSweep},
		{"Contacts", testContacts},
		{"WebState", testWebState},
		{"WebStateTakeOnce", testWebStateTakeOnce},
		{"Notices", testNotices},
		{"NoticeTimers", testTimers},
		{"Rollback", testRollback},
		{"ViewIsReadOnly", testViewReadOnly},
		{"ConcurrentCursor", testConcurrentCursor},
		{"ConcurrentTargets", testConcurrentTargets},
		{"ConcurrentCreate", testConcurrentCreate},
		{"ConcurrentActionID", testConcurrentActionID},
		{"ConcurrentPushes", testConcurrentPushes},
		{"Prefetched", testPrefetched},
		{"ReturnsCopies", testCopies},
		{"Ping", func(t *testing.T, s central.Store) {
			if err := s.Ping(context.Background()); err != nil {
				t.Fatalf("Ping = %v; want nil", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
}

var ctx = context.Background()

// T0 is a fixed time for the records the suite writes.
var T0 = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func update(t *testing.T, s central.Store, fn func(tx central.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s central.Store, fn func(tx central.Tx) error) {
	t.Helper()
	if err := s.View(ctx, fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := bk.ErrorCode(err); got != code {
		t.Errorf("%s: error code = %q (%v); want %q", what, got, err, code)
	}
}

func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %+v; want %+v", what, got, want)
	}
}

func testKiosks(t *testing.T, s central.Store) {
	a := &central.Kiosk{ID: "kbh-hovedbibliotek-1", Site: "Hovedbiblioteket", PublicKey: bytes.Repeat([]byte{1}, 32), EnrolledAt: T0}
	b := &central.Kiosk{ID: "aarhus-dokk1", Site: "Dokk1", PublicKey: bytes.Repeat([]byte{2}, 32), EnrolledAt: T0}
	view(t, s, func(tx central.Tx) error {
		_, err := tx.Kiosk(a.ID)
		wantCode(t, "Kiosk(absent)", err, bk.ENotFound)
		ks, err := tx.Kiosks()
		if err != nil || ks == nil || len(ks) != 0 {
			t.Errorf("Kiosks() on empty store = %v, %v; want [], nil", ks, err)
		}
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		if err := tx.PutKiosk(a); err != nil {
			return err
		}
		return tx.PutKiosk(b)
	})
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "PutKiosk(same id)", tx.PutKiosk(&central.Kiosk{ID: a.ID}), bk.EConflict)
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.Kiosk(a.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "Kiosk(a)", got, a)
		ks, err := tx.Kiosks()
		if err != nil {
			return err
		}
		wantEqual(t, "Kiosks()", ks, []*central.Kiosk{b, a})
		return nil
	})
}

func testEnrollTokens(t *testing.T, s central.Store) {
	e := &central.EnrollToken{Hash: bk.TokenHash("secret"), CreatedAt: T0, ExpiresAt: T0.Add(time.Hour)}
	update(t, s, func(tx central.Tx) error { return tx.PutEnrollToken(e) })
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "PutEnrollToken(same)", tx.PutEnrollToken(e), bk.EConflict)
		got, err := tx.EnrollToken(e.Hash)
		if err != nil {
			return err
		}
		wantEqual(t, "EnrollToken", got, e)
		return tx.DeleteEnrollToken(e.Hash)
	})
	view(t, s, func(tx central.Tx) error {
		_, err := tx.EnrollToken(e.Hash)
		wantCode(t, "EnrollToken(after delete)", err, bk.ENotFound)
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "DeleteEnrollToken(absent)", tx.DeleteEnrollToken(e.Hash), bk.ENotFound)
		return nil
	})
}

func testPushCursors(t *testing.T, s central.Store) {
	view(t, s, func(tx central.Tx) error {
		n, err := tx.PushCursor("k", "i")
		if n != 0 || err != nil {
			t.Errorf("PushCursor(new) = %d, %v; want 0, nil", n, err)
		}
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		if err := tx.SetPushCursor("a", "bc", 7); err != nil {
			return err
		}
		return tx.SetPushCursor("ab", "c", 1<<40)
	})
	view(t, s, func(tx central.Tx) error {
		for _, c := range []struct {
			kiosk, inc string
			want       uint64
		}{{"a", "bc", 7}, {"ab", "c", 1 << 40}, {"a", "b", 0}, {"abc", "", 0}} {
			n, err := tx.PushCursor(c.kiosk, c.inc)
			if n != c.want || err != nil {
				t.Errorf("PushCursor(%q, %q) = %d, %v; want %d, nil", c.kiosk, c.inc, n, err, c.want)
			}
		}
		return nil
	})
}

func record(kiosk, inc string, seq uint64, id string, outcome bk.Outcome) *central.ActionRecord {
	card := fixture.NewIssuer().Citizen("010190-1234", "Test Testesen")
	a := fixture.Action(bk.WithdrawConsent, bk.Payload{ConsentID: id}, card, nil, T0)
	if id != "" {
		a.ID = id
	}
	return &central.ActionRecord{
		Kiosk: kiosk, Incarnation: inc, Seq: seq, Hash: a.ContentHash(), Action: a,
		Verdict:    bk.Verdict{ActionID: a.ID, Seq: seq, Outcome: outcome},
		ReceivedAt: T0,
	}
}

func testActions(t *testing.T, s central.Store) {
	shared := bk.NewID(T0)
	var recs []*central.ActionRecord
	for i := uint64(1); i <= 5; i++ {
		recs = append(recs, record("k1", "inc1", i, "", bk.Applied))
	}
	refused := record("k3", "inc7", 1, shared, bk.Rejected)
	first := record("k1", "inc2", 1, shared, bk.Applied)
	second := record("k2", "inc9", 1, shared, bk.Duplicate)
	onlyRefused := record("k3", "inc7", 2, "", bk.Rejected)
	update(t, s, func(tx central.Tx) error {
		for _, r := range append(recs, refused, first, second, onlyRefused) {
			if err := tx.PutAction(r); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "PutAction(taken slot)", tx.PutAction(record("k1", "inc1", 3, "", bk.Applied)), bk.EConflict)
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.ActionAt("k1", "inc1", 3)
		if err != nil {
			return err
		}
		wantEqual(t, "ActionAt(k1, inc1, 3)", got, recs[2])
		_, err = tx.ActionAt("k1", "inc1", 6)
		wantCode(t, "ActionAt(absent)", err, bk.ENotFound)
		got, err = tx.ActionByID(shared)
		if err != nil {
			return err
		}
		wantEqual(t, "ActionByID(shared) is the first stored that took effect", got, first)
		got, err = tx.ActionAt("k3", "inc7", 1)
		if err != nil {
			return err
		}
		wantEqual(t, "ActionAt(refused copy) keeps its slot", got, refused)
		_, err = tx.ActionByID(onlyRefused.Action.ID)
		wantCode(t, "ActionByID(only refused)", err, bk.ENotFound)
		got, err = tx.ActionByID(recs[4].Action.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "ActionByID(recs[4])", got, recs[4])
		_, err = tx.ActionByID(bk.NewID(T0))
		wantCode(t, "ActionByID(absent)", err, bk.ENotFound)

		for _, c := range []struct {
			after uint64
			limit int
			want  []*central.ActionRecord
		}{
			{0, 0, recs},
			{2, 0, recs[2:]},
			{0, 2, recs[:2]},
			{3, 1, recs[3:4]},
			{5, 0, []*central.ActionRecord{}},
			{^uint64(0), 0, []*central.ActionRecord{}},
		} {
			got, err := tx.Actions("k1", "inc1", c.after, c.limit)
			if err != nil {
				return err
			}
			wantEqual(t, fmt.Sprintf("Actions(k1, inc1, %d, %d)", c.after, c.limit), got, c.want)
		}
		got2, err := tx.Actions("k1", "inc2", 0, 0)
		if err != nil {
			return err
		}
		wantEqual(t, "Actions(k1, inc2)", got2, []*central.ActionRecord{first})
		return nil
	})
}

var (
	cprA = bk.MustParseCPR("010190-1234")
	cprB = bk.MustParseCPR("020285-4321")
)

func consent(auth string, cpr bk.CPR) *bk.Consent {
	return bk.NewConsent(bk.NewID(T0), auth, &bk.ConsentRequest{
		CPR: cpr, Purpose: bk.Text{DA: "Formål", EN: "Purpose"}, DataCategories: []string{"health"},
		LegalBasis: bk.Text{DA: "Samtykke", EN: "Consent"}, ValidDays: 365,
	}, T0)
}

func testConsents(t *testing.T, s central.Store) {
	c1 := consent("sundhed", cprA)
	c2 := consent("skat", cprA)
	c3 := consent("sundhed", cprB)
	c4 := consent("sundhed", cprA)
	update(t, s, func(tx central.Tx) error {
		for _, c := range []*bk.Consent{c1, c2, c3, c4} {
			if err := tx.PutConsent(c); err != nil {
				return err
			}
		}
		return nil
	})
	// A change of state must not duplicate index entries.
	c1.State, c1.GivenAt, c1.ValidUntil, c1.ChangedAt = bk.ConsentGiven, T0, T0.AddDate(1, 0, 0), T0
	update(t, s, func(tx central.Tx) error { return tx.PutConsent(c1) })
	update(t, s, func(tx central.Tx) error {
		moved := *c2
		moved.CPR = cprB
		wantCode(t, "PutConsent(changed CPR)", tx.PutConsent(&moved), bk.EInvalid)
		moved = *c2
		moved.AuthorityID = "sundhed"
		wantCode(t, "PutConsent(changed authority)", tx.PutConsent(&moved), bk.EInvalid)
		wantCode(t, "PutConsent(no CPR)", tx.PutConsent(&bk.Consent{ID: "x", AuthorityID: "a"}), bk.EInvalid)
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.Consent(c1.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "Consent(c1)", got, c1)
		_, err = tx.Consent(bk.NewID(T0))
		wantCode(t, "Consent(absent)", err, bk.ENotFound)
		for _, c := range []struct {
			name string
			fn   func() ([]*bk.Consent, error)
			want []*bk.Consent
		}{
			{"ConsentsByCPR(A)", func() ([]*bk.Consent, error) { return tx.ConsentsByCPR(cprA) }, []*bk.Consent{c1, c2, c4}},
			{"ConsentsByCPR(B)", func() ([]*bk.Consent, error) { return tx.ConsentsByCPR(cprB) }, []*bk.Consent{c3}},
			{"ConsentsByCPR(other)", func() ([]*bk.Consent, error) { return tx.ConsentsByCPR(bk.MustParseCPR("030303-3333")) }, []*bk.Consent{}},
			{"ConsentsByAuthority(sundhed, all)", func() ([]*bk.Consent, error) { return tx.ConsentsByAuthority("sundhed", bk.CPR{}) }, []*bk.Consent{c1, c3, c4}},
			{"ConsentsByAuthority(sundhed, A)", func() ([]*bk.Consent, error) { return tx.ConsentsByAuthority("sundhed", cprA) }, []*bk.Consent{c1, c4}},
			{"ConsentsByAuthority(skat, B)", func() ([]*bk.Consent, error) { return tx.ConsentsByAuthority("skat", cprB) }, []*bk.Consent{}},
			{"ConsentsByAuthority(sund, all)", func() ([]*bk.Consent, error) { return tx.ConsentsByAuthority("sund", bk.CPR{}) }, []*bk.Consent{}},
		} {
			got, err := c.fn()
			if err != nil {
				return err
			}
			wantEqual(t, c.name, ids(got), ids(sorted(c.want)))
		}
		return nil
	})
}

// testConsentPages walks an authority's consents page by page: each page
// starts after the last id of the one before, none is skipped or repeated,
// a changed consent is not listed twice, and another authority's (whose id
// is a prefix of this one's) never appear.
func testConsentPages(t *testing.T, s central.Store) {
	var mine []*bk.Consent
	update(t, s, func(tx central.Tx) error {
		mine = mine[:0]
		for i := range 7 {
			c := consent("sundhed", []bk.CPR{cprA, cprB}[i%2])
			mine = append(mine, c)
			for _, other := range []*bk.Consent{c, consent("sund", cprA), consent("sundhedx", cprB)} {
				if err := tx.PutConsent(other); err != nil {
					return err
				}
			}
		}
		return nil
	})
	mine = sorted(mine)
	changed := *mine[2]
	changed.State, changed.ChangedAt = bk.ConsentDeclined, T0
	update(t, s, func(tx central.Tx) error { return tx.PutConsent(&changed) })
	view(t, s, func(tx central.Tx) error {
		for _, limit := range []int{1, 3, 7, 0} {
			var got []*bk.Consent
			after := ""
			for pages := 0; pages <= len(mine)+1; pages++ {
				page, err := tx.ConsentsPage("sundhed", after, limit)
				if err != nil {
					return err
				}
				if limit > 0 && len(page) > limit {
					t.Errorf("ConsentsPage(limit %d) = %d consents", limit, len(page))
				}
				if len(page) == 0 {
					break
				}
				got = append(got, page...)
				after = page[len(page)-1].ID
			}
			wantEqual(t, fmt.Sprintf("ConsentsPage(sundhed) in pages of %d", limit), ids(got), ids(mine))
		}
		page, err := tx.ConsentsPage("sundhed", mine[1].ID, 2)
		if err != nil {
			return err
		}
		wantEqual(t, "ConsentsPage(after the second, 2)", ids(page), ids(mine[2:4]))
		if len(page) == 2 && page[0].State != bk.ConsentDeclined {
			t.Errorf("ConsentsPage listed %s; want the changed consent as stored", page[0].State)
		}
		page, err = tx.ConsentsPage("sundhed", mine[len(mine)-1].ID, 0)
		if err != nil {
			return err
		}
		wantEqual(t, "ConsentsPage(after the last)", ids(page), []string{})
		page, err = tx.ConsentsPage("nobody", "", 10)
		if err != nil {
			return err
		}
		wantEqual(t, "ConsentsPage(nobody)", ids(page), []string{})
		return nil
	})
}

func ids[T interface{ *bk.Consent | *bk.Delegation }](list []T) []string {
	out := []string{}
	for _, x := range list {
		switch v := any(x).(type) {
		case *bk.Consent:
			out = append(out, v.ID)
		case *bk.Delegation:
			out = append(out, v.ID)
		}
	}
	return out
}

func sorted(cs []*bk.Consent) []*bk.Consent {
	out := append([]*bk.Consent{}, cs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].ID < out[i].ID {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func delegation(principal, delegate bk.CPR) *bk.Delegation {
	return &bk.Delegation{
		ID: bk.NewID(T0), Principal: principal, PrincipalName: "Anna", Delegate: delegate,
		Scopes:    []bk.ScopeGrant{{ScopeID: "tax"}},
		ValidFrom: T0, ValidTo: T0.AddDate(1, 0, 0), CreatedVia: bk.ViaSelf, CreatedAt: T0,
		State: bk.DelegationPending, ChangedAt: T0, ChangedBy: bk.NewID(T0),
		DelegateNameTyped: "Bo Ærø-Berg", // kept as typed, ÆØÅ and all
	}
}

func testDelegations(t *testing.T, s central.Store) {
	cprC := bk.MustParseCPR("030370-1111")
	d1 := delegation(cprA, cprB)
	d2 := delegation(cprA, cprC)
	d3 := delegation(cprC, cprA)
	update(t, s, func(tx central.Tx) error {
		for _, d := range []*bk.Delegation{d1, d2, d3} {
			if err := tx.PutDelegation(d); err != nil {
				return err
			}
		}
		return nil
	})
	d1.State, d1.DelegateName = bk.DelegationActive, "Bo"
	update(t, s, func(tx central.Tx) error { return tx.PutDelegation(d1) })
	// A renewal with an area more: a new period and areas, pending again.
	d1.State, d1.ValidFrom, d1.ValidTo = bk.DelegationPending, T0.AddDate(1, 0, 0), T0.AddDate(3, 0, 0)
	d1.Scopes = []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health", Until: T0.AddDate(2, 0, 0)}}
	update(t, s, func(tx central.Tx) error { return tx.PutDelegation(d1) })
	update(t, s, func(tx central.Tx) error {
		moved := *d1
		moved.Delegate = cprC
		wantCode(t, "PutDelegation(changed delegate)", tx.PutDelegation(&moved), bk.EInvalid)
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.Delegation(d1.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "Delegation(d1)", got, d1)
		_, err = tx.Delegation(bk.NewID(T0))
		wantCode(t, "Delegation(absent)", err, bk.ENotFound)
		byP, err := tx.DelegationsByPrincipal(cprA)
		if err != nil {
			return err
		}
		wantEqual(t, "DelegationsByPrincipal(A)", ids(byP), slices.Sorted(slices.Values([]string{d1.ID, d2.ID})))
		byD, err := tx.DelegationsByDelegate(cprA)
		if err != nil {
			return err
		}
		wantEqual(t, "DelegationsByDelegate(A)", ids(byD), []string{d3.ID})
		byD, err = tx.DelegationsByDelegate(cprB)
		if err != nil {
			return err
		}
		wantEqual(t, "DelegationsByDelegate(B)", byD, []*bk.Delegation{d1})
		none, err := tx.DelegationsByPrincipal(cprB)
		if err != nil {
			return err
		}
		wantEqual(t, "DelegationsByPrincipal(B)", ids(none), []string{})
		return nil
	})
}

func testHandoverCodes(t *testing.T, s central.Store) {
	d1, d2 := bk.NewID(T0), bk.NewID(T0.Add(time.Second))
	empty := handover.CodeRecord{Used: map[string]bool{}}
	view(t, s, func(tx central.Tx) error {
		got, err := tx.HandoverCodes(d1)
		if err != nil {
			return err
		}
		wantEqual(t, "HandoverCodes(none stored)", got, empty)
		return nil
	})
	rec := handover.CodeRecord{Used: map[string]bool{"0102030405060708": true}, LatestIssued: T0.Add(1500 * time.Millisecond)}
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "PutHandoverCodes(no id)", tx.PutHandoverCodes("", rec), bk.EInvalid)
		return tx.PutHandoverCodes(d1, rec)
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.HandoverCodes(d1)
		if err != nil {
			return err
		}
		wantEqual(t, "HandoverCodes(d1)", got, rec)
		got.Used["ffffffffffffffff"] = true // a copy: the store must not change
		again, err := tx.HandoverCodes(d1)
		if err != nil {
			return err
		}
		wantEqual(t, "HandoverCodes(d1) after changing a returned copy", again, rec)
		other, err := tx.HandoverCodes(d2)
		if err != nil {
			return err
		}
		wantEqual(t, "HandoverCodes(d2)", other, empty)
		return nil
	})
	// A put replaces the whole record, and a record with a nil map reads
	// back with an empty one.
	newer := handover.CodeRecord{Used: map[string]bool{"0102030405060708": true, "a1a2a3a4a5a6a7a8a9": true}, LatestIssued: T0.Add(time.Hour)}
	update(t, s, func(tx central.Tx) error {
		if err := tx.PutHandoverCodes(d1, newer); err != nil {
			return err
		}
		return tx.PutHandoverCodes(d2, handover.CodeRecord{LatestIssued: T0})
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.HandoverCodes(d1)
		if err != nil {
			return err
		}
		wantEqual(t, "HandoverCodes(d1) after a second put", got, newer)
		got, err = tx.HandoverCodes(d2)
		if err != nil {
			return err
		}
		wantEqual(t, "HandoverCodes(d2) put with a nil map", got, handover.CodeRecord{Used: map[string]bool{}, LatestIssued: T0})
		return nil
	})
}

func testRevocations(t *testing.T, s central.Store) {
	update(t, s, func(tx central.Tx) error {
		for _, r := range []central.Revocation{{Serial: "S2", RevokedAt: T0}, {Serial: "S1", RevokedAt: T0}, {Serial: "S2", RevokedAt: T0.Add(time.Hour)}} {
			if err := tx.Revoke(r); err != nil {
				return err
			}
		}
		wantCode(t, "Revoke(no serial)", tx.Revoke(central.Revocation{}), bk.EInvalid)
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.Revocations()
		if err != nil {
			return err
		}
		s2 := central.Revocation{Serial: "S2", RevokedAt: T0}.Numbered(central.Revocation{})
		s1 := central.Revocation{Serial: "S1", RevokedAt: T0}.Numbered(s2)
		wantEqual(t, "Revocations()", got, []central.Revocation{s1, s2})
		r, err := tx.Revocation("S2")
		if err != nil {
			return err
		}
		wantEqual(t, "Revocation(S2)", r, s2)
		_, err = tx.Revocation("S3")
		wantCode(t, "Revocation(S3)", err, bk.ENotFound)
		_, err = tx.Revocation("S")
		wantCode(t, "Revocation(S)", err, bk.ENotFound)
		return nil
	})
}

// updatesAtOnce runs each Updates of fn in each of workers goroutines at
// once (w is the worker, i the update).
func updatesAtOnce(t *testing.T, s central.Store, workers, each int, fn func(tx central.Tx, w, i int) error) {
	t.Helper()
	concurrently(t, workers, func(w int) error {
		for i := range each {
			if err := s.Update(ctx, func(tx central.Tx) error { return fn(tx, w, i) }); err != nil {
				return err
			}
		}
		return nil
	})
}

// CheckNumbered checks that s's revocations are numbered 1, 2, 3 … with
// the digest of the list up to each, and are the serials want, in order.
func CheckNumbered(t *testing.T, s central.Store, want ...string) {
	t.Helper()
	view(t, s, func(tx central.Tx) error {
		all, err := tx.RevocationsSince(0, 0)
		if err != nil {
			return err
		}
		var serials []string
		var v bk.RevocationVersion
		for i, r := range all {
			serials = append(serials, r.Serial)
			v = v.Add([]string{r.Serial})
			if r.Seq != uint64(i+1) || !r.Version().Equal(v) {
				t.Errorf("revocation %s = seq %d, %s; want seq %d, %s", r.Serial, r.Seq, r.Version(), i+1, v)
			}
		}
		wantEqual(t, "the numbered revocations", serials, want)
		return nil
	})
}

// testRevocationNumbers: revocations are numbered 1, 2, 3 … in the order
// they are made, a repeat takes no number, each record's Chain is the digest
// of the list up to it, and revocations made at once from many goroutines
// still get every number once.
func testRevocationNumbers(t *testing.T, s central.Store) {
	view(t, s, func(tx central.Tx) error {
		last, err := tx.LastRevocation()
		wantEqual(t, "LastRevocation() of none", last, central.Revocation{})
		return err
	})
	const workers, each = 6, 5
	updatesAtOnce(t, s, workers, each, func(tx central.Tx, w, i int) error {
		if err := tx.Revoke(central.Revocation{Serial: fmt.Sprintf("W%d-%d", w, i), RevokedAt: T0}); err != nil {
			return err
		}
		return tx.Revoke(central.Revocation{Serial: "W0-0", RevokedAt: T0}) // a repeat
	})
	view(t, s, func(tx central.Tx) error {
		all, err := tx.RevocationsSince(0, 0)
		if err != nil {
			return err
		}
		if len(all) != workers*each {
			t.Fatalf("RevocationsSince(0) = %d revocations; want %d", len(all), workers*each)
		}
		var v bk.RevocationVersion
		seen := map[string]bool{}
		for i, r := range all {
			v = v.Add([]string{r.Serial})
			if r.Seq != uint64(i+1) || !r.Version().Equal(v) || seen[r.Serial] {
				t.Fatalf("revocation %d = seq %d, %s, serial %s (seen %v); want seq %d and the digest of the list up to it, each serial once",
					i, r.Seq, r.Version(), r.Serial, seen[r.Serial], i+1)
			}
			seen[r.Serial] = true
			one, err := tx.Revocation(r.Serial)
			if err != nil {
				return err
			}
			wantEqual(t, "Revocation("+r.Serial+")", one, r)
		}
		last, err := tx.LastRevocation()
		if err != nil {
			return err
		}
		wantEqual(t, "LastRevocation()", last, all[len(all)-1])
		for _, c := range []struct {
			seq   uint64
			limit int
			want  []central.Revocation
		}{
			{0, 2, all[:2]}, {3, 1, all[3:4]}, {uint64(len(all) - 2), 0, all[len(all)-2:]},
			{uint64(len(all)), 0, []central.Revocation{}}, {^uint64(0), 0, []central.Revocation{}},
		} {
			got, err := tx.RevocationsSince(c.seq, c.limit)
			if err != nil {
				return err
			}
			wantEqual(t, fmt.Sprintf("RevocationsSince(%d, %d)", c.seq, c.limit), got, c.want)
		}
		return nil
	})
}

func testNonces(t *testing.T, s central.Store) {
	n := &central.Nonce{Value: bytes.Repeat([]byte{7}, 32), Kiosk: "k1", ExpiresAt: time.Now().Add(2 * time.Minute).UTC().Truncate(time.Second)}
	update(t, s, func(tx central.Tx) error { return tx.PutNonce(n) })
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "PutNonce(same)", tx.PutNonce(n), bk.EConflict)
		got, err := tx.Nonce(n.Value)
		if err != nil {
			return err
		}
		wantEqual(t, "Nonce", got, n)
		return tx.DeleteNonce(n.Value)
	})
	update(t, s, func(tx central.Tx) error {
		_, err := tx.Nonce(n.Value)
		wantCode(t, "Nonce(used)", err, bk.ENotFound)
		wantCode(t, "DeleteNonce(used)", tx.DeleteNonce(n.Value), bk.ENotFound)
		return nil
	})
}

// testRollback checks that an error from fn keeps none of its writes.
func testRollback(t *testing.T, s central.Store) {
	boom := errors.New("boom")
	c := consent("sundhed", cprA)
	d := delegation(cprA, cprB)
	r := record("k1", "inc1", 1, "", bk.Applied)
	err := s.Update(ctx, func(tx central.Tx) error {
		steps := []error{
			tx.PutKiosk(&central.Kiosk{ID: "k1", PublicKey: make([]byte, 32)}),
			tx.PutEnrollToken(&central.EnrollToken{Hash: "h", ExpiresAt: T0}),
			tx.SetPushCursor("k1", "inc1", 1),
			tx.PutAction(r),
			tx.PutConsent(c),
			tx.PutDelegation(d),
			tx.Revoke(central.Revocation{Serial: "S1", RevokedAt: T0}),
			tx.PutNonce(&central.Nonce{Value: []byte("n"), ExpiresAt: time.Now().Add(time.Minute)}),
			tx.PutHandoverCodes(d.ID, handover.CodeRecord{Used: map[string]bool{"0102030405060708": true}, LatestIssued: T0}),
		}
		for i, err := range steps {
			if err != nil {
				t.Errorf("write %d inside Update: %v", i, err)
			}
		}
		return fmt.Errorf("wrapped: %w", boom)
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v; want fn's error", err)
	}
	view(t, s, func(tx central.Tx) error {
		var errs []error
		_, err := tx.Kiosk("k1")
		errs = append(errs, err)
		_, err = tx.EnrollToken("h")
		errs = append(errs, err)
		_, err = tx.ActionAt("k1", "inc1", 1)
		errs = append(errs, err)
		_, err = tx.ActionByID(r.Action.ID)
		errs = append(errs, err)
		_, err = tx.Consent(c.ID)
		errs = append(errs, err)
		_, err = tx.Delegation(d.ID)
		errs = append(errs, err)
		_, err = tx.Nonce([]byte("n"))
		errs = append(errs, err)
		for i, err := range errs {
			wantCode(t, fmt.Sprintf("lookup %d after rollback", i), err, bk.ENotFound)
		}
		n, _ := tx.PushCursor("k1", "inc1")
		cs, _ := tx.ConsentsByCPR(cprA)
		ds, _ := tx.DelegationsByDelegate(cprB)
		rs, _ := tx.Revocations()
		if rec, err := tx.HandoverCodes(d.ID); err != nil || len(rec.Used) != 0 || !rec.LatestIssued.IsZero() {
			t.Errorf("HandoverCodes after rollback = %+v, %v; want an empty record", rec, err)
		}
		if n != 0 || len(cs) != 0 || len(ds) != 0 || len(rs) != 0 {
			t.Errorf("after rollback: cursor %d, %d consents, %d delegations, %d revocations; want all 0", n, len(cs), len(ds), len(rs))
		}
		return nil
	})
}

func testViewReadOnly(t *testing.T, s central.Store) {
	err := s.View(ctx, func(tx central.Tx) error { return tx.SetPushCursor("k", "i", 1) })
	if err == nil {
		t.Error("SetPushCursor inside View = nil; want an error")
	}
	view(t, s, func(tx central.Tx) error {
		if n, _ := tx.PushCursor("k", "i"); n != 0 {
			t.Errorf("PushCursor after a write in View = %d; want 0", n)
		}
		return nil
	})
}

// testConcurrentCursor runs read-increment-write on one push cursor from
// several goroutines: with serializable Updates no increment is lost.
func testConcurrentCursor(t *testing.T, s central.Store) {
	const workers, each = 8, 25
	updatesAtOnce(t, s, workers, each, func(tx central.Tx, _, _ int) error {
		n, err := tx.PushCursor("k", "i")
		if err != nil {
			return err
		}
		return tx.SetPushCursor("k", "i", n+1)
	})
	view(t, s, func(tx central.Tx) error {
		if n, _ := tx.PushCursor("k", "i"); n != workers*each {
			t.Errorf("PushCursor after %d concurrent increments = %d; want %d", workers*each, n, workers*each)
		}
		return nil
	})
}

func testCopies(t *testing.T, s central.Store) {
	c := consent("sundhed", cprA)
	update(t, s, func(tx central.Tx) error { return tx.PutConsent(c) })
	view(t, s, func(tx central.Tx) error {
		got, err := tx.Consent(c.ID)
		if err != nil {
			return err
		}
		got.State = bk.ConsentGiven
		got.DataCategories[0] = "changed"
		again, err := tx.Consent(c.ID)
		if err != nil {
			return err
		}
		wantEqual(t, "Consent after changing a returned copy", again, c)
		return nil
	})
}

func testTypedCodes(t *testing.T, s central.Store) {
	e := handover.TypedEntry{Code: "K7M4XQ9P2R", DelegationID: bk.NewID(T0), IssuedAt: T0, ExpiresAt: T0.Add(14 * 24 * time.Hour)}
	view(t, s, func(tx central.Tx) error {
		_, err := tx.TypedCode(e.Code)
		wantCode(t, "TypedCode(none stored)", err, bk.ENotFound)
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "PutTypedCode(no code)", tx.PutTypedCode(handover.TypedEntry{DelegationID: e.DelegationID}), bk.EInvalid)
		wantCode(t, "PutTypedCode(no delegation)", tx.PutTypedCode(handover.TypedEntry{Code: e.Code}), bk.EInvalid)
		return tx.PutTypedCode(e)
	})
	update(t, s, func(tx central.Tx) error {
		if err := tx.PutTypedCode(e); err != nil {
			t.Errorf("PutTypedCode(same entry again) = %v; want nil", err)
		}
		other := e
		other.DelegationID = bk.NewID(T0.Add(time.Second))
		wantCode(t, "PutTypedCode(taken code)", tx.PutTypedCode(other), bk.EConflict)
		return nil
	})
	view(t, s, func(tx central.Tx) error {
		got, err := tx.TypedCode(e.Code)
		if err != nil {
			return err
		}
		if !got.Same(e) {
			t.Errorf("TypedCode(%q) = %+v; want %+v (the first put)", e.Code, got, e)
		}
		_, err = tx.TypedCode("K7M4XQ9P2S")
		wantCode(t, "TypedCode(another code)", err, bk.ENotFound)
		return nil
	})
}

func usage(at time.Time, kind bk.UsageKind) *bk.UsageRecord {
	return &bk.UsageRecord{ID: bk.NewID(at), At: at, Kind: kind, Authority: "skat", Scope: "tax",
		Purpose: "Årsopgørelse", Answer: bk.UsageAllowed, DelegationID: "d1", DelegateName: "Bo Berg"}
}

// usageLog returns what Usage(cpr, before, limit) lists, as "id/role".
func usageLog(t *testing.T, tx central.Tx, cpr bk.CPR, before string, limit int) []string {
	t.Helper()
	list, err := tx.Usage(cpr, before, limit)
	if err != nil {
		t.Fatalf("Usage: %v", err)
	}
	if list == nil {
		t.Error("Usage = nil; want a list")
	}
	out := []string{}
	for _, r := range list {
		out = append(out, r.ID+"/"+string(r.Role))
	}
	return out
}

func testUsage(t *testing.T, s central.Store) {
	cprC := bk.MustParseCPR("030303-3333")
	r1 := usage(T0, bk.UsageConsentCheck)
	r2 := usage(T0.Add(time.Minute), bk.UsageDelegationCheck)
	r3 := usage(T0.Add(2*time.Minute), bk.UsageConsentCheck)
	r4 := usage(T0.Add(3*time.Minute), bk.UsageTokenExchange)
	view(t, s, func(tx central.Tx) error {
		wantEqual(t, "Usage(A) on an empty store", usageLog(t, tx, cprA, "", 0), []string{})
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		return tx.PutUsage([]central.UsageEntry{{Record: r1, Principal: cprA}, {Record: r2, Principal: cprA, Delegate: cprB}, {Record: r3, Principal: cprB}})
	})
	update(t, s, func(tx central.Tx) error {
		return tx.PutUsage([]central.UsageEntry{{Record: r4, Principal: cprA, Delegate: cprC}})
	})
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "PutUsage(same id)", tx.PutUsage([]central.UsageEntry{{Record: r1, Principal: cprA}}), bk.EConflict)
		return nil
	})
	update(t, s, func(tx central.Tx) error {
		wantCode(t, "PutUsage(no record)", tx.PutUsage([]central.UsageEntry{{Principal: cprA}}), bk.EInvalid)
		wantCode(t, "PutUsage(no id)", tx.PutUsage([]central.UsageEntry{{Record: &bk.UsageRecord{At: T0}, Principal: cprA}}), bk.EInvalid)
		wantCode(t, "PutUsage(no time)", tx.PutUsage([]central.UsageEntry{{Record: &bk.UsageRecord{ID: bk.NewID(T0)}, Principal: cprA}}), bk.EInvalid)
		wantCode(t, "PutUsage(no principal)", tx.PutUsage([]central.UsageEntry{{Record: usage(T0, bk.UsageConsentCheck), Delegate: cprB}}), bk.EInvalid)
		wantCode(t, "PutUsage(same person twice)", tx.PutUsage([]central.UsageEntry{{Record: usage(T0, bk.UsageConsentCheck), Principal: cprA, Delegate: cprA}}), bk.EInvalid)
		return nil
	})
	p, d := "/"+string(bk.UsagePrincipal), "/"+string(bk.UsageDelegate)
	view(t, s, func(tx central.Tx) error {
		wantEqual(t, "Usage(A)", usageLog(t, tx, cprA, "", 0), []string{r4.ID + p, r2.ID + p, r1.ID + p})
		wantEqual(t, "Usage(B)", usageLog(t, tx, cprB, "", 0), []string{r3.ID + p, r2.ID + d})
		wantEqual(t, "Usage(C)", usageLog(t, tx, cprC, "", 0), []string{r4.ID + d})
		wantEqual(t, "Usage(other)", usageLog(t, tx, bk.MustParseCPR("040404-4444"), "", 0), []string{})
		wantEqual(t, "Usage(A, first 2)", usageLog(t, tx, cprA, "", 2), []string{r4.ID + p, r2.ID + p})
		wantEqual(t, "Usage(A, before r2, 2)", usageLog(t, tx, cprA, r2.ID, 2), []string{r1.ID + p})
		wantEqual(t, "Usage(A, before r1)", usageLog(t, tx, cprA, r1.ID, 0), []string{})
		wantEqual(t, "Usage(B, before r3)", usageLog(t, tx, cprB, r3.ID, 0), []string{r2.ID + d})
		wantEqual(t, "Usage(A, before an id not in A's log)", usageLog(t, tx, cprA, r3.ID, 0), []string{r2.ID + p, r1.ID + p})
		list, err := tx.Usage(cprB, "", 0)
		if err != nil {
			return err
		}
		want := *r2
		want.Role = bk.UsageDelegate
		wantEqual(t, "Usage(B)[1]", list[1], &want)
		return nil
	})
}

func testUsageSweep(t *testing.T, s central.Store) {
	var recs []*bk.UsageRecord
	update(t, s, func(tx central.Tx) error {
		var es []central.UsageEntry
		for i := range 5 {
			r := usage(T0.Add(time.Duration(i)*time.Hour), bk.UsageDelegationCheck)
			recs = append(recs, r)
			es = append(es, central.UsageEntry{Record: r, Principal: cprA, Delegate: cprB})
		}
		return tx.PutUsage(es)
	})
	del := func(before time.Time, limit, want int) {
		t.Helper()
		update(t, s, func(tx central.Tx) error {
			n, err := tx.DeleteUsageBefore(before, limit)
			if err == nil && n != want {
				t.Errorf("DeleteUsageBefore(T0+%v, %d) = %d; want %d", before.Sub(T0), limit, n, want)
			}
			return err
		})
	}
	del(T0, 0, 0)                      // nothing is before the first
	del(T0.Add(150*time.Minute), 2, 2) // the two oldest of the three before, both copies
	del(T0.Add(150*time.Minute), 0, 1) // the third
	del(T0.Add(150*time.Minute), 0, 0) // none left
	view(t, s, func(tx central.Tx) error {
		p, d := "/"+string(bk.UsagePrincipal), "/"+string(bk.UsageDelegate)
		wantEqual(t, "Usage(A) after the sweep", usageLog(t, tx, cprA, "", 0), []string{recs[4].ID + p, recs[3].ID + p})
		wantEqual(t, "Usage(B) after the sweep", usageLog(t, tx, cprB, "", 0), []string{recs[4].ID + d, recs[3].ID + d})
		return nil
	})
	del(T0.Add(24*time.Hour), 0, 2)
	view(t, s, func(tx central.Tx) error {
		wantEqual(t, "Usage(B) after sweeping all", usageLog(t, tx, cprB, "", 0), []string{})
		return nil
	})
}

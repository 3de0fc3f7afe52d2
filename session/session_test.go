package session_test

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/handover/handovertest"
)

// payloadOf decodes an enqueued action's payload.
func payloadOf(t *testing.T, a *bk.Action) bk.Payload {
	t.Helper()
	p, err := a.DecodePayload()
	if err != nil {
		t.Fatalf("enqueued %s has a bad payload: %v", a.Kind, err)
	}
	return p
}

func TestDoCreateDelegation(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	s := k.signIn(k.alice, nil)

	res, err := s.Do(ctx, bk.CreateDelegation, k.delegationPayload(bobCPR))
	if err != nil {
		t.Fatalf("Do(create) = %v; want stored", err)
	}
	if !res.Pending || res.Verdict.Outcome != bk.Applied || !res.Receipt.Printed || res.Receipt.Err != nil {
		t.Errorf("Do(create) = %+v; want pending, previewed applied, receipt printed", res)
	}
	acts := k.outbox.Actions()
	if len(acts) != 1 {
		t.Fatalf("enqueued %d actions; want 1", len(acts))
	}
	a := acts[0]
	if a.ID != res.ActionID || a.Kind != bk.CreateDelegation || a.Kiosk != kioskID || a.Assist != nil {
		t.Errorf("enqueued action = id %s kind %s kiosk %s assist %v; want id %s, create, %s, no assist",
			a.ID, a.Kind, a.Kiosk, a.Assist, res.ActionID, kioskID)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("enqueued action Validate() = %v", err)
	}
	actor, staff, err := k.verifier().VerifyAction(a)
	if err != nil || actor.Serial != k.alice.Cert.Serial || staff != nil {
		t.Errorf("VerifyAction(create) = %v, %v, %v; want Alice's valid signature", actor, staff, err)
	}
	p := payloadOf(t, a)
	if p.PrincipalName != "Alice Marie Hansen" {
		t.Errorf("payload principal_name = %q; want the card's name %q", p.PrincipalName, "Alice Marie Hansen")
	}
	if p.Delegate == nil || *p.Delegate != bk.MustParseCPR(bobCPR) || !bk.ValidID(p.DelegationID) {
		t.Errorf("payload = %+v; want Bob as delegate and a UUID delegation id", p)
	}

	text, _ := k.lastPaper()
	for _, want := range []string{"Afventer", kioskID, site, "Skat", "Sundhed", bk.MustParseCPR(bobCPR).Masked()} {
		if !contains(text, want) {
			t.Errorf("receipt lacks %q:\n%s", want, text)
		}
	}
	noFullCPR(t, "create receipt", text, bobCPR, aliceCPR)

	// English receipts after SetLang.
	s.SetLang("en")
	if _, err := s.Do(ctx, bk.RevokeDelegation, bk.Payload{DelegationID: p.DelegationID}); err != nil {
		t.Fatalf("Do(revoke) = %v", err)
	}
	if text, _ := k.lastPaper(); !contains(text, "Pending") {
		t.Errorf("English revoke receipt lacks %q:\n%s", "Pending", text)
	}
}

// TestDoRefusals: a refusal stores nothing and prints nothing.
func TestDoRefusals(t *testing.T) {
	ctx := context.Background()
	failure := errors.New("disk full")
	tests := []struct {
		name  string
		setup func(k *kit) bk.Session
		kind  bk.ActionKind
		p     func(k *kit) bk.Payload
		want  string
	}{
		{
			name:  "delegate under 18",
			setup: func(k *kit) bk.Session { return k.signIn(k.alice, nil) },
			kind:  bk.CreateDelegation,
			p:     func(k *kit) bk.Payload { return k.delegationPayload(childCPR) },
			want:  bk.EAgeRule,
		},
		{
			name:  "principal under 15",
			setup: func(k *kit) bk.Session { return k.signIn(k.child, nil) },
			kind:  bk.CreateDelegation,
			p:     func(k *kit) bk.Payload { return k.delegationPayload(bobCPR) },
			want:  bk.EAgeRule,
		},
		{
			name:  "to oneself",
			setup: func(k *kit) bk.Session { return k.signIn(k.alice, nil) },
			kind:  bk.CreateDelegation,
			p:     func(k *kit) bk.Payload { return k.delegationPayload(aliceCPR) },
			want:  bk.EInvalid,
		},
		{
			name:  "no delegate",
			setup: func(k *kit) bk.Session { return k.signIn(k.alice, nil) },
			kind:  bk.CreateDelegation,
			p: func(k *kit) bk.Payload {
				p := k.delegationPayload(bobCPR)
				p.Delegate = nil
				return p
			},
			want: bk.EInvalid,
		},
		{
			name:  "unknown scope",
			setup: func(k *kit) bk.Session { return k.signIn(k.alice, nil) },
			kind:  bk.CreateDelegation,
			p: func(k *kit) bk.Payload {
				p := k.delegationPayload(bobCPR)
				p.Scopes = []bk.ScopeGrant{{ScopeID: "pension"}}
				return p
			},
			want: bk.EUnknownScope,
		},
		{
			name:  "too long",
			setup: func(k *kit) bk.Session { return k.signIn(k.alice, nil) },
			kind:  bk.CreateDelegation,
			p: func(k *kit) bk.Payload {
				p := k.delegationPayload(bobCPR)
				p.ValidTo = p.ValidFrom.AddDate(6, 0, 0)
				return p
			},
			want: bk.EBadValidity,
		},
		{
			name: "stale bundle: create",
			setup: func(k *kit) bk.Session {
				s := k.signIn(k.alice, nil)
				k.trust.Set(k.bundle(k.clock.Now().Add(-2 * maxAge)))
				return s
			},
			kind: bk.CreateDelegation,
			p:    func(k *kit) bk.Payload { return k.delegationPayload(bobCPR) },
			want: bk.EStaleTrust,
		},
		{
			name: "stale bundle: give",
			setup: func(k *kit) bk.Session {
				s := k.signIn(k.alice, nil)
				k.trust.Set(k.bundle(k.clock.Now().Add(-2 * maxAge)))
				return s
			},
			kind: bk.GiveConsent,
			p:    func(k *kit) bk.Payload { return bk.Payload{ConsentID: bk.NewID(k.clock.Now())} },
			want: bk.EStaleTrust,
		},
		{
			name: "stale bundle: accept",
			setup: func(k *kit) bk.Session {
				s := k.signIn(k.bob, nil)
				k.trust.Set(k.bundle(k.clock.Now().Add(-2 * maxAge)))
				return s
			},
			kind: bk.AcceptDelegation,
			p:    func(k *kit) bk.Payload { return bk.Payload{DelegationID: bk.NewID(k.clock.Now())} },
			want: bk.EStaleTrust,
		},
		{
			name: "no bundle",
			setup: func(k *kit) bk.Session {
				s := k.signIn(k.alice, nil)
				k.trust.Set(nil)
				return s
			},
			kind: bk.RevokeDelegation,
			p:    func(k *kit) bk.Payload { return bk.Payload{DelegationID: bk.NewID(k.clock.Now())} },
			want: bk.EUnavailable,
		},
		{
			name:  "staff card",
			setup: func(k *kit) bk.Session { return k.signIn(k.staff, nil) },
			kind:  bk.RevokeDelegation,
			p:     func(k *kit) bk.Payload { return bk.Payload{DelegationID: bk.NewID(k.clock.Now())} },
			want:  bk.EWrongRole,
		},
		{
			name: "closed",
			setup: func(k *kit) bk.Session {
				s := k.signIn(k.alice, nil)
				s.Close()
				return s
			},
			kind: bk.RevokeDelegation,
			p:    func(k *kit) bk.Payload { return bk.Payload{DelegationID: bk.NewID(k.clock.Now())} },
			want: bk.ENotAuthed,
		},
		{
			name: "give an already given consent",
			setup: func(k *kit) bk.Session {
				k.central.SetState(&bk.CitizenState{Consents: []*bk.Consent{k.consent(bk.ConsentGiven)}})
				s := k.signIn(k.alice, nil)
				if _, err := s.State(ctx); err != nil {
					k.t.Fatal(err)
				}
				return s
			},
			kind: bk.GiveConsent,
			p: func(k *kit) bk.Payload {
				return bk.Payload{ConsentID: k.central.state.Consents[0].ID}
			},
			want: bk.EConflict,
		},
		{
			name: "withdraw a consent that was never given",
			setup: func(k *kit) bk.Session {
				k.central.SetState(&bk.CitizenState{Consents: []*bk.Consent{k.consent(bk.ConsentRequested)}})
				s := k.signIn(k.alice, nil)
				if _, err := s.State(ctx); err != nil {
					k.t.Fatal(err)
				}
				return s
			},
			kind: bk.WithdrawConsent,
			p: func(k *kit) bk.Payload {
				return bk.Payload{ConsentID: k.central.state.Consents[0].ID}
			},
			want: bk.EInvalidState,
		},
		{
			name: "outbox fails",
			setup: func(k *kit) bk.Session {
				k.outbox.Fail(failure)
				return k.signIn(k.alice, nil)
			},
			kind: bk.CreateDelegation,
			p:    func(k *kit) bk.Payload { return k.delegationPayload(bobCPR) },
			want: bk.EInternal,
		},
		{
			name: "card taken out before signing",
			setup: func(k *kit) bk.Session {
				s := k.signIn(k.alice, nil)
				// The reader loses the card but the service has not yet
				// seen the event: the card cannot sign.
				k.reader.mu.Lock()
				k.reader.card = nil
				k.reader.mu.Unlock()
				return s
			},
			kind: bk.RevokeDelegation,
			p:    func(k *kit) bk.Payload { return bk.Payload{DelegationID: bk.NewID(k.clock.Now())} },
			want: bk.ENoCard,
		},
		{
			name: "card signs with another key",
			setup: func(k *kit) bk.Session {
				s := k.signIn(k.alice, nil)
				k.reader.signWrongly()
				return s
			},
			kind: bk.RevokeDelegation,
			p:    func(k *kit) bk.Payload { return bk.Payload{DelegationID: bk.NewID(k.clock.Now())} },
			want: bk.EBadSignature,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			s := tc.setup(k)
			p := tc.p(k)
			res, err := s.Do(ctx, tc.kind, p)
			if got := code(err); got != tc.want {
				t.Fatalf("Do(%s, %s) = %+v, %v; want code %q", tc.name, tc.kind, res, err, tc.want)
			}
			if tc.want == bk.EInternal && !errors.Is(err, failure) {
				t.Errorf("Do(%s) = %v; want the outbox's error %v", tc.name, err, failure)
			}
			if n := len(k.outbox.Actions()); n != 0 {
				t.Errorf("Do(%s) enqueued %d actions; want 0", tc.name, n)
			}
			if n := len(k.printer.Jobs()); n != 0 {
				t.Errorf("Do(%s) printed %d receipts; want 0", tc.name, n)
			}
		})
	}
}

// TestDoStaleBundleRestrictive: with a stale bundle, restrictive actions are
// still taken.
func TestDoStaleBundleRestrictive(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	now := k.clock.Now()
	given := k.consent(bk.ConsentGiven)
	requested := k.consent(bk.ConsentRequested)
	active := &bk.Delegation{
		ID: bk.NewID(now), Principal: bk.MustParseCPR(aliceCPR), PrincipalName: "Alice Marie Hansen",
		Delegate: bk.MustParseCPR(bobCPR), DelegateName: "Bob Jensen",
		Scopes: []bk.ScopeGrant{{ScopeID: "tax"}}, ValidFrom: now.AddDate(0, -1, 0), ValidTo: now.AddDate(1, 0, 0),
		CreatedVia: bk.ViaSelf, CreatedAt: now.AddDate(0, -1, 0), State: bk.DelegationActive, ChangedAt: now.AddDate(0, -1, 0),
	}
	k.central.SetState(&bk.CitizenState{Consents: []*bk.Consent{given, requested}, GivenByMe: []*bk.Delegation{active}})
	s := k.signIn(k.alice, nil)
	if _, err := s.State(ctx); err != nil {
		t.Fatal(err)
	}
	k.trust.Set(k.bundle(now.Add(-2 * maxAge)))
	if !k.svc.Status().TrustStale {
		t.Fatal("Status().TrustStale = false; want true")
	}

	tests := []struct {
		kind bk.ActionKind
		p    bk.Payload
	}{
		{bk.WithdrawConsent, bk.Payload{ConsentID: given.ID}},
		{bk.DeclineConsent, bk.Payload{ConsentID: requested.ID}},
		{bk.RevokeDelegation, bk.Payload{DelegationID: active.ID}},
	}
	for i, tc := range tests {
		res, err := s.Do(ctx, tc.kind, tc.p)
		if err != nil {
			t.Errorf("Do(%s) with a stale bundle = %v; want stored", tc.kind, err)
			continue
		}
		if res.Verdict.Outcome != bk.Applied {
			t.Errorf("Do(%s).Verdict = %+v; want applied", tc.kind, res.Verdict)
		}
		if n := len(k.outbox.Actions()); n != i+1 {
			t.Errorf("after Do(%s): %d actions enqueued; want %d", tc.kind, n, i+1)
		}
	}
}

func TestDoConsentPreview(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	c := k.consent(bk.ConsentRequested)
	k.central.SetState(&bk.CitizenState{Consents: []*bk.Consent{c}})
	s := k.signIn(k.alice, nil)
	if _, err := s.State(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := s.Do(ctx, bk.GiveConsent, bk.Payload{ConsentID: c.ID})
	if err != nil {
		t.Fatalf("Do(give) = %v", err)
	}
	if res.Verdict.Outcome != bk.Applied || !res.Pending {
		t.Errorf("Do(give) = %+v; want previewed applied and pending", res)
	}
	text, _ := k.lastPaper()
	for _, want := range []string{"Sundhedsstyrelsen", "Helbred", "Afventer", kioskID} {
		if !contains(text, want) {
			t.Errorf("give receipt lacks %q:\n%s", want, text)
		}
	}
	noFullCPR(t, "give receipt", text, aliceCPR)

	// The session now knows the consent is given (pending): giving again is
	// refused without storing anything.
	if _, err := s.Do(ctx, bk.GiveConsent, bk.Payload{ConsentID: c.ID}); code(err) != bk.EConflict {
		t.Errorf("second Do(give) = %v; want code %q", err, bk.EConflict)
	}
	if n := len(k.outbox.Actions()); n != 1 {
		t.Errorf("enqueued %d actions; want 1", n)
	}

	// Offline, an unknown consent cannot be previewed but is still stored.
	k.central.SetOffline(true)
	other := bk.NewID(k.clock.Now())
	res, err = s.Do(ctx, bk.WithdrawConsent, bk.Payload{ConsentID: other})
	if err != nil {
		t.Fatalf("Do(withdraw unknown) = %v; want stored", err)
	}
	if res.Verdict.Outcome != "" || !res.Pending {
		t.Errorf("Do(withdraw unknown) = %+v; want no preview, pending", res)
	}
	if n := len(k.outbox.Actions()); n != 2 {
		t.Errorf("enqueued %d actions; want 2", n)
	}
}

func TestDoPrinterFailure(t *testing.T) {
	k := newKit(t)
	s := k.signIn(k.alice, nil)
	k.printer.SetFail(true)
	res, err := s.Do(context.Background(), bk.CreateDelegation, k.delegationPayload(bobCPR))
	if err != nil {
		t.Fatalf("Do(create) with the printer out of paper = %v; want stored, no error", err)
	}
	if res.Receipt.Printed || code(res.Receipt.Err) != bk.EUnavailable {
		t.Errorf("Do(create).Receipt = %+v; want not printed, code %q", res.Receipt, bk.EUnavailable)
	}
	if n := len(k.outbox.Actions()); n != 1 {
		t.Errorf("enqueued %d actions; want 1", n)
	}
}

// TestDoCardRemovedWhileStoring: the card leaves while the action is being
// written. The action is on disk, so Do must report it stored (not panic
// or claim failure); the session is closed afterwards.
func TestDoCardRemovedWhileStoring(t *testing.T) {
	k := newKit(t)
	s := k.signIn(k.alice, nil)
	k.outbox.onEnqueue = func() { k.removeCard() }
	res, err := s.Do(context.Background(), bk.CreateDelegation, k.delegationPayload(bobCPR))
	if err != nil {
		t.Fatalf("Do(create) with the card removed while storing = %v; want stored", err)
	}
	if n := len(k.outbox.Actions()); n != 1 || res.ActionID != k.outbox.Actions()[0].ID {
		t.Errorf("enqueued %d actions, result %+v; want the one action", n, res)
	}
	if _, err := s.State(context.Background()); code(err) != bk.ENotAuthed {
		t.Errorf("State() after removal = %v; want code %q", err, bk.ENotAuthed)
	}
}

// createWithCode signs Alice in, creates a delegation to delegate and makes
// its handover code.
func createWithCode(t *testing.T, k *kit, delegate string) (bk.Session, string, bk.Handover) {
	t.Helper()
	ctx := context.Background()
	s := k.signIn(k.alice, nil)
	res, err := s.Do(ctx, bk.CreateDelegation, k.delegationPayload(delegate))
	if err != nil {
		t.Fatalf("Do(create) = %v", err)
	}
	acts := k.outbox.Actions()
	a := acts[len(acts)-1]
	if a.ID != res.ActionID {
		t.Fatalf("last enqueued action %s; want %s", a.ID, res.ActionID)
	}
	id := payloadOf(t, a).DelegationID
	h, err := s.HandoverCode(ctx, id)
	if err != nil {
		t.Fatalf("HandoverCode(created delegation) = %v", err)
	}
	return s, id, h
}

func TestHandoverCode(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	now := k.clock.Now()
	s, id, h := createWithCode(t, k, bobCPR)

	if !strings.HasPrefix(h.Code, "HTTPS://BORGERKIOSK.DK/C/") {
		t.Errorf("HandoverCode().Code = %q; want a compact code's URL under HTTPS://BORGERKIOSK.DK/C/", h.Code)
	}
	if v, _ := handovertest.Version(h.Code); v > 10 {
		t.Errorf("HandoverCode().Code is QR version %d; want ≤ 10", v)
	}
	if want := now.Add(validity); !h.Expires.Equal(want) {
		t.Errorf("HandoverCode().Expires = %v; want %v", h.Expires, want)
	}
	claims, err := handover.Verify(h.Code, k.trust.Bundle().KioskKey, now)
	if err != nil {
		t.Fatalf("handover.Verify(code) = %v; want valid under the kiosk key", err)
	}
	if claims.DelegationID != id || claims.KeyID != kioskID || claims.PrincipalName != "Alice H." {
		t.Errorf("claims = id %s kid %s name %q; want %s, %s, %q", claims.DelegationID, claims.KeyID, claims.PrincipalName, id, kioskID, "Alice H.")
	}
	if !claims.Compact || len(claims.Scopes) != 0 {
		t.Errorf("claims = %+v; want a compact code, which leaves the scopes to central's record", claims)
	}
	if !handover.BindsTo(claims, bobCPR) {
		t.Errorf("BindsTo(code, delegate) = false; want true")
	}
	if handover.BindsTo(claims, carolCPR) {
		t.Errorf("BindsTo(code, someone else) = true; want false")
	}

	if !h.Receipt.Printed {
		t.Fatalf("HandoverCode().Receipt = %+v; want printed", h.Receipt)
	}
	text, qrs := k.lastPaper()
	if len(qrs) != 1 || qrs[0] != h.Code {
		t.Errorf("slip QR codes = %q; want [%q]", qrs, h.Code)
	}
	noFullCPR(t, "handover slip", text, bobCPR, aliceCPR)

	// The first code's token was announced in the signed create, and its
	// typed form is on the screen and the slip.
	acts := k.outbox.Actions()
	created := payloadOf(t, acts[len(acts)-1])
	if created.HandoverToken != hex.EncodeToString(claims.TokenID) || !created.HandoverExpires.Equal(h.Expires) {
		t.Errorf("create payload announces token %s until %s; want the code's %x until %s", created.HandoverToken, created.HandoverExpires, claims.TokenID, h.Expires)
	}
	typed, ok := handover.TypedCode(claims.TokenID)
	if !ok || h.Typed != handover.GroupTyped(typed) || h.TypedAddress != "borgerkiosk.dk/kode" {
		t.Errorf("HandoverCode() typed = %q at %q; want %q at borgerkiosk.dk/kode", h.Typed, h.TypedAddress, handover.GroupTyped(typed))
	}
	if !strings.Contains(text, h.Typed) || !strings.Contains(text, "borgerkiosk.dk/kode") {
		t.Errorf("slip text lacks the typed code %q and its address:\n%s", h.Typed, text)
	}

	// A reprint in the same session is the same code: central knows its
	// typed form.
	h2, err := s.HandoverCode(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if h2.Code != h.Code || h2.Typed != h.Typed {
		t.Errorf("reprint in the session = %q %q; want the first code %q %q", h2.Code, h2.Typed, h.Code, h.Typed)
	}
	// In a later session it is a new code, newer than the first (so it
	// supersedes it once answered), with no typed form central could
	// resolve.
	s.Close()
	k.clock.Add(time.Minute)
	k.central.SetState(&bk.CitizenState{GivenByMe: []*bk.Delegation{{
		ID: id, Principal: bk.MustParseCPR(aliceCPR), PrincipalName: "Alice Hansen", Delegate: bk.MustParseCPR(bobCPR),
		Scopes: created.Scopes, ValidFrom: created.ValidFrom, ValidTo: created.ValidTo, State: bk.DelegationPending,
		CreatedAt: now, ChangedAt: now,
	}}})
	later := k.signIn(k.alice, nil)
	if _, err := later.State(ctx); err != nil {
		t.Fatal(err)
	}
	h3, err := later.HandoverCode(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c3, err := handover.Verify(h3.Code, k.trust.Bundle().KioskKey, k.clock.Now())
	if err != nil || hex.EncodeToString(c3.TokenID) == hex.EncodeToString(claims.TokenID) || !c3.IssuedAt.After(claims.IssuedAt) || h3.Typed != "" {
		t.Errorf("reprint later = %v, token %x, issued %s, typed %q; want a fresh, newer token (first %x) and no typed code", err, c3.TokenID, c3.IssuedAt, h3.Typed, claims.TokenID)
	}

	t.Run("refusals", func(t *testing.T) {
		k := newKit(t)
		now := k.clock.Now()
		fromCarol := &bk.Delegation{
			ID: bk.NewID(now), Principal: bk.MustParseCPR(carolCPR), PrincipalName: "Carol Nielsen",
			Delegate: bk.MustParseCPR(aliceCPR), Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
			ValidFrom: now, ValidTo: now.AddDate(1, 0, 0), State: bk.DelegationPending, CreatedAt: now, ChangedAt: now,
		}
		k.central.SetState(&bk.CitizenState{GivenToMe: []*bk.Delegation{fromCarol}})
		s := k.signIn(k.alice, nil)
		if _, err := s.State(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.HandoverCode(ctx, fromCarol.ID); code(err) != bk.ENotPermitted {
			t.Errorf("HandoverCode(someone else's delegation) = %v; want code %q", err, bk.ENotPermitted)
		}
		if _, err := s.HandoverCode(ctx, bk.NewID(now)); code(err) != bk.ENotFound {
			t.Errorf("HandoverCode(unknown id) = %v; want code %q", err, bk.ENotFound)
		}
		if _, err := s.Do(ctx, bk.CreateDelegation, k.delegationPayload(bobCPR)); err != nil {
			t.Fatal(err)
		}
		id := payloadOf(t, k.outbox.Actions()[0]).DelegationID
		k.trust.Set(k.bundle(now.Add(-2 * maxAge)))
		if _, err := s.HandoverCode(ctx, id); code(err) != bk.EStaleTrust {
			t.Errorf("HandoverCode(stale bundle) = %v; want code %q", err, bk.EStaleTrust)
		}
		k.trust.Set(k.bundle(now))
		if _, err := s.Do(ctx, bk.RevokeDelegation, bk.Payload{DelegationID: id}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.HandoverCode(ctx, id); code(err) != bk.EInvalidState {
			t.Errorf("HandoverCode(revoked delegation) = %v; want code %q", err, bk.EInvalidState)
		}
		printed := len(k.printer.Jobs())
		if printed != 2 { // the create and revoke receipts only
			t.Errorf("printed %d jobs; want 2 (no slips for refused codes)", printed)
		}
	})
}

func TestVerifyHandover(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	now := k.clock.Now()
	_, id, h := createWithCode(t, k, bobCPR)

	info, err := k.svc.VerifyHandover(ctx, h.Code)
	if err != nil {
		t.Fatalf("VerifyHandover(valid) = %v", err)
	}
	if info.DelegationID != id || info.PrincipalName != "Alice H." || !info.CodeExpires.Equal(now.Add(validity)) {
		t.Errorf("VerifyHandover() = %+v; want delegation %s by Alice H., expiring %v", info, id, now.Add(validity))
	}
	// A compact code names neither the scopes nor the validity: the
	// screens say so until central's record is at hand.
	if len(info.Scopes) != 0 || !info.ValidTo.IsZero() {
		t.Errorf("VerifyHandover() = scopes %+v, valid to %v; want none from a compact code", info.Scopes, info.ValidTo)
	}
	if !strings.HasPrefix(info.Code, handover.PrefixCompact) {
		t.Errorf("VerifyHandover().Code = %q; want the bare code", info.Code)
	}

	// Change one character of the signed part.
	i := len(h.Code) - 20
	c := byte('A')
	if h.Code[i] == 'A' {
		c = 'B'
	}
	tampered := h.Code[:i] + string(c) + h.Code[i+1:]

	tests := []struct {
		name string
		code string
		at   time.Time
		want []string
	}{
		{"tampered", tampered, now, []string{bk.EBadSignature, bk.EInvalid}},
		{"not a code", "HELLO", now, []string{bk.EInvalid}},
		{"empty", "", now, []string{bk.EInvalid}},
		{"truncated", h.Code[:len(h.Code)/2], now, []string{bk.EInvalid, bk.EBadSignature}},
		{"expired", h.Code, now.Add(validity), []string{bk.EExpired}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k.clock.Add(tc.at.Sub(k.clock.Now()))
			_, err := k.svc.VerifyHandover(ctx, tc.code)
			got := code(err)
			ok := false
			for _, w := range tc.want {
				ok = ok || got == w
			}
			if !ok {
				t.Errorf("VerifyHandover(%s) = %v; want code in %v", tc.name, err, tc.want)
			}
		})
	}

	t.Run("unknown kiosk key", func(t *testing.T) {
		k.clock.Add(now.Sub(k.clock.Now()))
		b := k.bundle(now)
		b.Kiosks = nil
		k.trust.Set(b)
		if _, err := k.svc.VerifyHandover(ctx, h.Code); code(err) != bk.EBadSignature {
			t.Errorf("VerifyHandover(code by an unknown kiosk) = %v; want code %q", err, bk.EBadSignature)
		}
	})
}

func TestAcceptDelegation(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	_, id, h := createWithCode(t, k, bobCPR)
	claims, err := handover.Verify(h.Code, k.trust.Bundle().KioskKey, k.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	k.removeCard()

	// The wrong person scans and signs in.
	if _, err := k.svc.VerifyHandover(ctx, h.Code); err != nil {
		t.Fatal(err)
	}
	carol := k.signIn(k.carol, nil)
	if _, err := carol.Do(ctx, bk.AcceptDelegation, bk.Payload{DelegationID: id}); code(err) != bk.ENotPermitted {
		t.Errorf("Do(accept) by someone else = %v; want code %q", err, bk.ENotPermitted)
	}
	k.removeCard()

	// The delegate, without scanning first.
	bob := k.signIn(k.bob, nil)
	if _, err := bob.Do(ctx, bk.AcceptDelegation, bk.Payload{DelegationID: id}); code(err) != bk.EInvalid {
		t.Errorf("Do(accept) without a scanned code = %v; want code %q", err, bk.EInvalid)
	}
	k.removeCard()
	if n := len(k.outbox.Actions()); n != 1 {
		t.Fatalf("enqueued %d actions; want only the create", n)
	}

	// The delegate scans at the kiosk, then signs in and accepts.
	if _, err := k.svc.VerifyHandover(ctx, h.Code); err != nil {
		t.Fatal(err)
	}
	bob = k.signIn(k.bob, nil)
	res, err := bob.Do(ctx, bk.AcceptDelegation, bk.Payload{DelegationID: id, HandoverToken: "ignored"})
	if err != nil {
		t.Fatalf("Do(accept) by the delegate = %v", err)
	}
	acts := k.outbox.Actions()
	if len(acts) != 2 || acts[1].ID != res.ActionID || acts[1].Kind != bk.AcceptDelegation {
		t.Fatalf("enqueued %d actions; want the create and the accept", len(acts))
	}
	p := payloadOf(t, acts[1])
	if want := hex.EncodeToString(claims.TokenID); p.HandoverToken != want || p.DelegationID != id {
		t.Errorf("accept payload = %+v; want delegation %s, handover_token %s", p, id, want)
	}
	if actor, _, err := k.verifier().VerifyAction(acts[1]); err != nil || actor.Serial != k.bob.Cert.Serial {
		t.Errorf("VerifyAction(accept) = %v, %v; want Bob's valid signature", actor, err)
	}
	// Central's record is not at hand (this central has none to give),
	// and the compact code names no scopes: the receipt says who, and that
	// the kiosk cannot say what, never "?".
	text, _ := k.lastPaper()
	for _, want := range []string{"Afventer", "fuldmagt fra Alice H. Kiosken havde ikke forbindelse"} {
		if !contains(text, want) {
			t.Errorf("accept receipt lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "?") || strings.Contains(text, "0001") {
		t.Errorf("accept receipt has a gap:\n%s", text)
	}
	noFullCPR(t, "accept receipt", text, bobCPR, aliceCPR)
}

func TestPrintOverview(t *testing.T) {
	ctx := context.Background()
	const (
		online  = "Hentet fra det centrale system."
		offline = "Uden forbindelse"
	)
	setup := func(k *kit) {
		now := k.clock.Now()
		fromCarol := &bk.Delegation{
			ID: bk.NewID(now), Principal: bk.MustParseCPR(carolCPR), PrincipalName: "Carol Nielsen",
			Delegate: bk.MustParseCPR(aliceCPR), DelegateName: "Alice Marie Hansen", Scopes: []bk.ScopeGrant{{ScopeID: "health"}},
			ValidFrom: now.AddDate(0, -1, 0), ValidTo: now.AddDate(1, 0, 0), State: bk.DelegationActive,
		}
		k.central.SetState(&bk.CitizenState{
			Consents:  []*bk.Consent{k.consent(bk.ConsentRequested)},
			GivenToMe: []*bk.Delegation{fromCarol},
		})
	}

	t.Run("state and created delegation", func(t *testing.T) {
		k := newKit(t)
		setup(k)
		s := k.signIn(k.alice, nil)
		if _, err := s.State(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Do(ctx, bk.CreateDelegation, k.delegationPayload(bobCPR)); err != nil {
			t.Fatal(err)
		}
		if err := s.PrintOverview(ctx); err != nil {
			t.Fatalf("PrintOverview() = %v", err)
		}
		text, _ := k.lastPaper()
		for _, want := range []string{
			"Overblik", "Alice Marie Hansen", "Sundhedsstyrelsen", "Fuldmagter du har givet",
			bk.MustParseCPR(bobCPR).Masked(), "Venter på at blive taget imod", "Fuldmagter du har fået",
			"Carol Nielsen (" + bk.MustParseCPR(carolCPR).Masked() + ")", kioskID,
		} {
			if !contains(text, want) {
				t.Errorf("overview lacks %q:\n%s", want, text)
			}
		}
		// A change not yet confirmed by central: the overview must not
		// claim it all came from central.
		if contains(text, online) {
			t.Errorf("overview with a pending change says %q:\n%s", online, text)
		}
		noFullCPR(t, "overview", text, aliceCPR, bobCPR, carolCPR)
	})

	t.Run("fetched, unchanged", func(t *testing.T) {
		k := newKit(t)
		setup(k)
		s := k.signIn(k.alice, nil)
		if _, err := s.State(ctx); err != nil {
			t.Fatal(err)
		}
		if err := s.PrintOverview(ctx); err != nil {
			t.Fatalf("PrintOverview() = %v", err)
		}
		text, _ := k.lastPaper()
		if !contains(text, online) || contains(text, offline) {
			t.Errorf("overview of a freshly fetched state does not say %q:\n%s", online, text)
		}
	})

	t.Run("offline", func(t *testing.T) {
		k := newKit(t)
		k.sync.SetOnline(false)
		k.central.SetOffline(true)
		s := k.signIn(k.alice, nil)
		if _, err := s.State(ctx); code(err) != bk.EUnavailable {
			t.Fatalf("State() offline = %v; want code %q", err, bk.EUnavailable)
		}
		if _, err := s.Do(ctx, bk.CreateDelegation, k.delegationPayload(bobCPR)); err != nil {
			t.Fatal(err)
		}
		if err := s.PrintOverview(ctx); err != nil {
			t.Fatalf("PrintOverview() offline = %v", err)
		}
		text, _ := k.lastPaper()
		for _, want := range []string{offline, bk.MustParseCPR(bobCPR).Masked(), "Skat"} {
			if !contains(text, want) {
				t.Errorf("offline overview lacks %q:\n%s", want, text)
			}
		}
	})

	t.Run("printer fails", func(t *testing.T) {
		k := newKit(t)
		s := k.signIn(k.alice, nil)
		k.printer.SetFail(true)
		if err := s.PrintOverview(ctx); code(err) != bk.EUnavailable {
			t.Errorf("PrintOverview() without paper = %v; want code %q", err, bk.EUnavailable)
		}
		s.Close()
		if err := s.PrintOverview(ctx); code(err) != bk.ENotAuthed {
			t.Errorf("PrintOverview() after Close = %v; want code %q", err, bk.ENotAuthed)
		}
	})
}

// TestDeclineSignedInScan: the delegate is signed in and fetched their
// state, then scans the code (the home screen flow); the decline is
// previewed against the known delegation and carries the token.
func TestDeclineSignedInScan(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	_, id, h := createWithCode(t, k, bobCPR)
	k.removeCard()
	now := k.clock.Now()
	pending := &bk.Delegation{
		ID: id, Principal: bk.MustParseCPR(aliceCPR), PrincipalName: "Alice Marie Hansen",
		Delegate: bk.MustParseCPR(bobCPR), Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
		ValidFrom: now, ValidTo: now.AddDate(1, 0, 0), State: bk.DelegationPending, CreatedAt: now, ChangedAt: now,
	}
	k.central.SetState(&bk.CitizenState{GivenToMe: []*bk.Delegation{pending}})

	bob := k.signIn(k.bob, nil)
	if _, err := bob.State(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := k.svc.VerifyHandover(ctx, h.Code); err != nil {
		t.Fatal(err)
	}
	res, err := bob.Do(ctx, bk.DeclineDelegation, bk.Payload{DelegationID: id})
	if err != nil {
		t.Fatalf("Do(decline) = %v", err)
	}
	if res.Verdict.Outcome != bk.Applied {
		t.Errorf("Do(decline).Verdict = %+v; want previewed applied", res.Verdict)
	}
	acts := k.outbox.Actions()
	if p := payloadOf(t, acts[len(acts)-1]); p.HandoverToken == "" {
		t.Errorf("decline payload = %+v; want the handover token", p)
	}
	// Only the principal can hand out a code; Bob received this one.
	if _, err := bob.HandoverCode(ctx, id); code(err) != bk.ENotPermitted {
		t.Errorf("HandoverCode(delegation given to me) = %v; want code %q", err, bk.ENotPermitted)
	}
}

// TestHandoverCodeExpiry: a code never outlives its delegation.
func TestHandoverCodeExpiry(t *testing.T) {
	tests := []struct {
		name  string
		lasts time.Duration // of the delegation
		want  time.Duration // of the code
	}{
		{"long delegation", 365 * 24 * time.Hour, validity},
		{"delegation ends first", 2 * time.Hour, 2 * time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			ctx := context.Background()
			now := k.clock.Now()
			s := k.signIn(k.alice, nil)
			p := k.delegationPayload(bobCPR)
			p.ValidTo = now.Add(tc.lasts)
			if _, err := s.Do(ctx, bk.CreateDelegation, p); err != nil {
				t.Fatal(err)
			}
			id := payloadOf(t, k.outbox.Actions()[0]).DelegationID
			h, err := s.HandoverCode(ctx, id)
			if err != nil {
				t.Fatalf("HandoverCode() = %v", err)
			}
			if got := h.Expires.Sub(now); got != tc.want {
				t.Errorf("HandoverCode(%s).Expires = now+%s; want now+%s", tc.name, got, tc.want)
			}
		})
	}
}

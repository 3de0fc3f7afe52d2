package session_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

func TestReadCard(t *testing.T) {
	k := newKit(t)
	now := k.clock.Now()
	other := fixture.NewIssuer()
	expired := k.issuer.MintValid(aliceCPR, "Alice Udløbet", bk.RoleCitizen, "", now.AddDate(-4, 0, 0), now.Add(-time.Hour))
	notYet := k.issuer.MintValid(aliceCPR, "Alice Senere", bk.RoleCitizen, "", now.Add(time.Hour), now.AddDate(4, 0, 0))
	revoked := k.issuer.Citizen(aliceCPR, "Alice Spærret")
	foreign := other.Citizen(aliceCPR, "Alice Fremmed")

	tests := []struct {
		name    string
		card    *fixture.Card // nil: empty slot
		revoked []string
		want    string
	}{
		{"valid citizen", k.alice, nil, ""},
		{"valid staff", k.staff, nil, ""},
		{"expired", expired, nil, bk.ECardExpired},
		{"not yet valid", notYet, nil, bk.ECardNotYet},
		{"revoked", revoked, []string{revoked.Cert.Serial}, bk.ECardRevoked},
		{"unknown issuer", foreign, nil, bk.EUnknownIssuer},
		{"no card", nil, nil, bk.ENoCard},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k.trust.Set(k.bundle(now, tc.revoked...))
			if tc.card != nil {
				k.reader.Insert(tc.card, pin)
			} else {
				k.reader.Remove()
			}
			info, err := k.svc.ReadCard(context.Background())
			if got := code(err); got != tc.want {
				t.Fatalf("ReadCard(%s) = %v; want code %q", tc.name, err, tc.want)
			}
			if tc.want != "" {
				return
			}
			c := tc.card.Cert
			want := bk.CardInfo{Serial: c.Serial, Name: c.Name, CPR: c.CPR, Role: c.Role, StaffID: c.StaffID}
			if info != want {
				t.Errorf("ReadCard(%s) = %+v; want %+v", tc.name, info, want)
			}
		})
	}

	t.Run("no bundle", func(t *testing.T) {
		k.trust.Set(nil)
		k.reader.Insert(k.alice, pin)
		if _, err := k.svc.ReadCard(context.Background()); code(err) != bk.EUnavailable {
			t.Errorf("ReadCard(no bundle) = %v; want code %q", err, bk.EUnavailable)
		}
		if _, err := k.svc.SignIn(context.Background(), pin, nil); code(err) != bk.EUnavailable {
			t.Errorf("SignIn(no bundle) = %v; want code %q", err, bk.EUnavailable)
		}
	})
}

func TestSignInPIN(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	k.reader.Insert(k.alice, pin)

	_, err := k.svc.SignIn(ctx, "0000", nil)
	var pe *bk.PINError
	if !errors.As(err, &pe) || pe.TriesLeft != 2 {
		t.Fatalf("SignIn(wrong PIN) = %v; want *bk.PINError with 2 tries left", err)
	}
	// A right PIN resets the count.
	s, err := k.svc.SignIn(ctx, pin, nil)
	if err != nil {
		t.Fatalf("SignIn(right PIN) = %v; want a session", err)
	}
	if got, want := s.Person().Serial, k.alice.Cert.Serial; got != want {
		t.Errorf("Person().Serial = %q; want %q", got, want)
	}
	if got := s.Person(); got.Name != "Alice Marie Hansen" || got.CPR != k.alice.Cert.CPR || got.Role != bk.RoleCitizen {
		t.Errorf("Person() = %+v; want Alice's card", got)
	}
	if s.AssistedBy() != nil {
		t.Errorf("AssistedBy() = %+v; want nil", s.AssistedBy())
	}

	for i, want := range []int{2, 1} {
		_, err := k.svc.SignIn(ctx, "9999", nil)
		if !errors.As(err, &pe) || pe.TriesLeft != want {
			t.Fatalf("SignIn(wrong PIN #%d) = %v; want *bk.PINError with %d tries left", i+1, err, want)
		}
	}
	if _, err := k.svc.SignIn(ctx, "9999", nil); code(err) != bk.ECardLocked {
		t.Fatalf("SignIn(third wrong PIN) = %v; want code %q", err, bk.ECardLocked)
	}
	if _, err := k.svc.SignIn(ctx, pin, nil); code(err) != bk.ECardLocked {
		t.Errorf("SignIn(right PIN on a locked card) = %v; want code %q", err, bk.ECardLocked)
	}
}

func TestSignInOnlineReusesProof(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	k.central.SetState(&bk.CitizenState{Consents: []*bk.Consent{k.consent(bk.ConsentRequested)}})
	s := k.signIn(k.alice, nil)

	if issued, _ := k.central.Counts(); issued != 1 {
		t.Fatalf("nonces issued by central during SignIn = %d; want 1", issued)
	}
	st, err := s.State(ctx)
	if err != nil {
		t.Fatalf("State() = %v; want the citizen state", err)
	}
	if len(st.Consents) != 1 {
		t.Errorf("State().Consents = %d; want 1", len(st.Consents))
	}
	// The first fetch uses the sign-in proof: no new nonce, no card signature.
	if issued, fetches := k.central.Counts(); issued != 1 || fetches != 1 {
		t.Errorf("after the first State: central issued %d nonces, served %d fetches; want 1, 1", issued, fetches)
	}
	if n := k.reader.Signs(); n != 0 {
		t.Errorf("card signatures for the first State = %d; want 0 (the sign-in proof is reused)", n)
	}
	// The proof is single use: the next fetch needs a fresh nonce and signature.
	if _, err := s.State(ctx); err != nil {
		t.Fatalf("second State() = %v; want the citizen state", err)
	}
	if issued, fetches := k.central.Counts(); issued != 2 || fetches != 2 {
		t.Errorf("after the second State: central issued %d nonces, served %d fetches; want 2, 2", issued, fetches)
	}
	if n := k.reader.Signs(); n != 1 {
		t.Errorf("card signatures for the second State = %d; want 1", n)
	}
}

func TestSignInOffline(t *testing.T) {
	tests := []struct {
		name          string
		syncOnline    bool // what the pusher believes
		centralOnline bool // what central does
	}{
		{"known offline", false, false},
		{"central down unnoticed", true, false},
		// Pusher says offline: no time is spent asking central at sign-in.
		{"pusher offline, central up", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := newKit(t)
			k.sync.SetOnline(tc.syncOnline)
			k.central.SetOffline(!tc.centralOnline)
			s := k.signIn(k.alice, nil)
			if issued, _ := k.central.Counts(); issued != 0 {
				t.Errorf("nonces issued by central = %d; want 0 (a local nonce)", issued)
			}
			st, err := s.State(context.Background())
			if tc.centralOnline {
				// Central answers a fresh, card-signed request.
				if err != nil || st == nil {
					t.Errorf("State() = %v, %v; want the state", st, err)
				}
				return
			}
			if code(err) != bk.EUnavailable {
				t.Errorf("State() offline = %v, %v; want code %q", st, err, bk.EUnavailable)
			}
		})
	}
}

// A staff card whose signature does not match its certificate grants
// nothing: the kiosk checks before a citizen relies on the grant.
func TestGrantAssistBadSignature(t *testing.T) {
	k := newKit(t)
	ss := k.signIn(k.staff, nil)
	k.reader.signWrongly()
	if g, err := ss.GrantAssist(context.Background(), time.Hour); code(err) != bk.EBadSignature {
		t.Errorf("GrantAssist with a wrongly signing card = %v, %v; want code %q", g, err, bk.EBadSignature)
	}
}

// Only staff take an action off the attention list, and the kiosk is told
// which staff member did.
func TestDismissAttentionIsStaffOnly(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	k.sync.attention = []bk.AttentionItem{{ActionID: "a1", Kind: bk.GiveConsent}, {ActionID: "a2", Kind: bk.GiveConsent}}
	cs := k.signIn(k.alice, nil)
	if err := cs.DismissAttention(ctx, "a1"); code(err) != bk.EWrongRole {
		t.Errorf("citizen DismissAttention = %v; want code %q", err, bk.EWrongRole)
	}
	k.removeCard()
	ss := k.signIn(k.staff, nil)
	if err := ss.DismissAttention(ctx, "a1"); err != nil {
		t.Fatalf("staff DismissAttention(a1) = %v", err)
	}
	if err := ss.DismissAttention(ctx, "a1"); code(err) != bk.ENotFound {
		t.Errorf("DismissAttention(a1) again = %v; want code %q", err, bk.ENotFound)
	}
	items, _ := k.svc.Attention(ctx)
	if len(items) != 1 || items[0].ActionID != "a2" || !slices.Equal(k.sync.dismissedBy, []string{"S-042"}) {
		t.Errorf("after dismissing a1: attention %+v, dismissed by %q; want a2 left, by S-042", items, k.sync.dismissedBy)
	}
	ss.Close()
	if err := ss.DismissAttention(ctx, "a2"); code(err) != bk.ENotAuthed {
		t.Errorf("DismissAttention after Close = %v; want code %q", err, bk.ENotAuthed)
	}
}

func TestStaffAssist(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()

	// A citizen cannot grant assistance.
	cs := k.signIn(k.alice, nil)
	if g, err := cs.GrantAssist(ctx, time.Hour); code(err) != bk.EWrongRole {
		t.Errorf("citizen GrantAssist = %v, %v; want code %q", g, err, bk.EWrongRole)
	}
	k.removeCard()

	ss := k.signIn(k.staff, nil)
	assist, err := ss.GrantAssist(ctx, 30*time.Minute)
	if err != nil {
		t.Fatalf("staff GrantAssist = %v; want a grant", err)
	}
	if want := (bk.Staff{ID: "S-042", Name: "Sara Staff"}); assist.Staff != want {
		t.Errorf("GrantAssist().Staff = %+v; want %+v", assist.Staff, want)
	}
	if g := assist.Grant; g.Kiosk != kioskID || g.NotAfter.Sub(g.NotBefore) != 30*time.Minute {
		t.Errorf("grant = kiosk %q, %s long; want %q, 30m", g.Kiosk, g.NotAfter.Sub(g.NotBefore), kioskID)
	}
	// A staff session makes no citizen actions.
	if _, err := ss.Do(ctx, bk.CreateDelegation, k.delegationPayload(bobCPR)); code(err) != bk.EWrongRole {
		t.Errorf("staff Do(create) = %v; want code %q", err, bk.EWrongRole)
	}
	k.removeCard()

	// A staff card cannot use a grant.
	k.reader.Insert(k.staff, pin)
	if _, err := k.svc.SignIn(ctx, pin, assist); code(err) != bk.EWrongRole {
		t.Errorf("SignIn(staff card, grant) = %v; want code %q", err, bk.EWrongRole)
	}

	s := k.signIn(k.alice, assist)
	if got := s.AssistedBy(); got == nil || *got != assist.Staff {
		t.Fatalf("AssistedBy() = %v; want %+v", got, assist.Staff)
	}

	// Every action of the assisted session carries the grant, and central
	// can verify both signatures.
	k.central.SetState(&bk.CitizenState{Consents: []*bk.Consent{k.consent(bk.ConsentRequested)}})
	st, err := s.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Do(ctx, bk.GiveConsent, bk.Payload{ConsentID: st.Consents[0].ID}); err != nil {
		t.Fatalf("assisted Do(give) = %v", err)
	}
	res, err := s.Do(ctx, bk.CreateDelegation, k.delegationPayload(bobCPR))
	if err != nil {
		t.Fatalf("assisted Do(create) = %v", err)
	}
	if res.Verdict.Outcome != bk.Applied {
		t.Errorf("assisted Do(create).Verdict = %+v; want applied", res.Verdict)
	}
	acts := k.outbox.Actions()
	if len(acts) != 2 {
		t.Fatalf("enqueued %d actions; want 2", len(acts))
	}
	for _, a := range acts {
		if a.Assist == nil {
			t.Errorf("%s: action has no staff grant", a.Kind)
			continue
		}
		actor, staff, err := k.verifier().VerifyAction(a)
		if err != nil {
			t.Errorf("VerifyAction(%s) = %v; want both signatures valid", a.Kind, err)
			continue
		}
		if actor.Serial != k.alice.Cert.Serial || staff == nil || staff.Serial != k.staff.Cert.Serial {
			t.Errorf("VerifyAction(%s) = actor %v, staff %v; want Alice and Sara", a.Kind, actor.Serial, staff)
		}
	}
	text, _ := k.lastPaper()
	if !contains(text, "Sara Staff") {
		t.Errorf("receipt of an assisted action does not name the staff member:\n%s", text)
	}
	k.removeCard()

	t.Run("another kiosk", func(t *testing.T) {
		g := fixture.Assist(k.staff, "kiosk-elsewhere", k.clock.Now())
		k.reader.Insert(k.alice, pin)
		_, err := k.svc.SignIn(ctx, pin, &bk.StaffGrant{Grant: g, Staff: assist.Staff})
		if code(err) != bk.EForbidden {
			t.Errorf("SignIn(grant for another kiosk) = %v; want code %q", err, bk.EForbidden)
		}
	})
	t.Run("forged grant", func(t *testing.T) {
		g := fixture.Assist(k.staff, kioskID, k.clock.Now())
		g.NotAfter = g.NotAfter.Add(time.Minute) // altered after the staff card signed it
		k.reader.Insert(k.alice, pin)
		_, err := k.svc.SignIn(ctx, pin, &bk.StaffGrant{Grant: g, Staff: assist.Staff})
		if code(err) != bk.EForbidden {
			t.Errorf("SignIn(forged grant) = %v; want code %q", err, bk.EForbidden)
		}
	})
	t.Run("nil grant", func(t *testing.T) {
		k.reader.Insert(k.alice, pin)
		if _, err := k.svc.SignIn(ctx, pin, &bk.StaffGrant{}); code(err) != bk.EForbidden {
			t.Errorf("SignIn(assist without grant) = %v; want code %q", err, bk.EForbidden)
		}
	})
	t.Run("expired", func(t *testing.T) {
		k.clock.Add(31 * time.Minute)
		k.reader.Insert(k.alice, pin)
		if _, err := k.svc.SignIn(ctx, pin, assist); code(err) != bk.EForbidden {
			t.Errorf("SignIn(expired grant) = %v; want code %q", err, bk.EForbidden)
		}
	})
}

func TestCardRemovalEndsSession(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	events := make(chan bk.CardEvent, 4)
	cancel := k.svc.Subscribe(bk.Events{Card: func(e bk.CardEvent) { events <- e }})
	defer cancel()
	s := k.signIn(k.alice, nil)
	if e := <-events; e != bk.CardInserted || !k.svc.CardPresent() {
		t.Errorf("after inserting: event %v, CardPresent() = %v; want inserted, true", e, k.svc.CardPresent())
	}
	k.reader.Remove()
	for e := <-events; e != bk.CardRemoved; e = <-events {
	}
	if k.svc.CardPresent() {
		t.Errorf("CardPresent() after removal = true; want false")
	}

	checks := []struct {
		name string
		err  error
	}{
		{"State", func() error { _, err := s.State(ctx); return err }()},
		{"Do", func() error { _, err := s.Do(ctx, bk.CreateDelegation, k.delegationPayload(bobCPR)); return err }()},
		{"HandoverCode", func() error { _, err := s.HandoverCode(ctx, bk.NewID(k.clock.Now())); return err }()},
		{"PrintOverview", s.PrintOverview(ctx)},
		{"GrantAssist", func() error { _, err := s.GrantAssist(ctx, time.Hour); return err }()},
	}
	for _, c := range checks {
		if code(c.err) != bk.ENotAuthed {
			t.Errorf("%s after card removal = %v; want code %q", c.name, c.err, bk.ENotAuthed)
		}
	}
	if p := s.Person(); p.Serial != "" || p.Name != "" {
		t.Errorf("Person() after card removal = %+v; want it wiped", p)
	}
	if n := len(k.outbox.Actions()); n != 0 {
		t.Errorf("actions enqueued after removal = %d; want 0", n)
	}

	// Signing in again works, and a new sign-in ends the old session too.
	s1 := k.signIn(k.alice, nil)
	s2 := k.signIn(k.bob, nil)
	if _, err := s1.State(ctx); code(err) != bk.ENotAuthed {
		t.Errorf("old session's State after a new sign-in = %v; want code %q", err, bk.ENotAuthed)
	}
	if _, err := s2.State(ctx); err != nil {
		t.Errorf("new session's State = %v; want the state", err)
	}
}

func TestServicePassThrough(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	k.sync.attention = []bk.AttentionItem{{ActionID: "a1", Kind: bk.GiveConsent}}
	items, err := k.svc.Attention(ctx)
	if err != nil || len(items) != 1 || items[0].ActionID != "a1" {
		t.Errorf("Attention() = %v, %v; want the fake's one item", items, err)
	}
	if err := k.svc.SyncNow(ctx); err != nil || k.sync.syncs != 1 {
		t.Errorf("SyncNow() = %v (syncs %d); want nil, 1", err, k.sync.syncs)
	}
	if got := len(k.svc.Catalogue().Scopes); got != 2 {
		t.Errorf("Catalogue().Scopes = %d; want 2", got)
	}

	statuses := make(chan bk.Status, 4)
	cancel := k.svc.Subscribe(bk.Events{Status: func(s bk.Status) { statuses <- s }})
	defer cancel()
	k.svc.SetDevice("printer", bk.DevicePaperOut)
	st := <-statuses
	if st.Printer != bk.DevicePaperOut || !st.Online || st.TrustStale {
		t.Errorf("Status after SetDevice(printer, paper_out) = %+v; want printer paper_out, online, fresh", st)
	}
	k.trust.Set(k.bundle(k.clock.Now().Add(-2 * maxAge)))
	if st := k.svc.Status(); !st.TrustStale {
		t.Errorf("Status().TrustStale with an old bundle = false; want true")
	}

	scans := make(chan string, 1)
	cancelScan := k.svc.Subscribe(bk.Events{Scan: func(c string) { scans <- c }})
	defer cancelScan()
	k.svc.Scanned("BK1:XYZ")
	if got := <-scans; got != "BK1:XYZ" {
		t.Errorf("Scan callback got %q; want %q", got, "BK1:XYZ")
	}
	if err := k.svc.CallStaff(ctx, "help"); err != nil {
		t.Errorf("CallStaff() = %v; want nil", err)
	}
}

// TestLogoutWithCardLeftIn is what the kiosk's take-your-card screen
// stands on: a session closed by the UI (Log out, idle timeout) leaves
// CardPresent true while the card stays in the reader; taking it out is
// still reported, CardPresent turns false, and the next person's card
// signs in.
func TestLogoutWithCardLeftIn(t *testing.T) {
	k := newKit(t)
	ctx := context.Background()
	events := make(chan bk.CardEvent, 8)
	cancel := k.svc.Subscribe(bk.Events{Card: func(e bk.CardEvent) { events <- e }})
	defer cancel()
	next := func(want bk.CardEvent) {
		t.Helper()
		select {
		case e := <-events:
			if e != want {
				t.Fatalf("card event %v; want %v", e, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %v within 10 s", want)
		}
	}
	s := k.signIn(k.alice, nil)
	next(bk.CardInserted)
	s.Close() // the UI's logout
	if !k.svc.CardPresent() {
		t.Fatalf("CardPresent() after logout with the card in = false; want true")
	}
	if _, err := s.State(ctx); code(err) != bk.ENotAuthed {
		t.Errorf("State after logout = %v; want code %q", err, bk.ENotAuthed)
	}
	k.reader.Remove()
	next(bk.CardRemoved)
	if k.svc.CardPresent() {
		t.Errorf("CardPresent() after the card left = true; want false")
	}
	bob := k.signIn(k.bob, nil)
	if got := bob.Person().Name; got != "Bob Jensen" {
		t.Errorf("the next person signed in as %q; want Bob Jensen", got)
	}
}

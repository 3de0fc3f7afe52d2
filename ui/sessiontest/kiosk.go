package sessiontest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// More people of the contract, each used by one test so that none sees
// another's records.
const (
	bentCPR, bent   = "010170-1113", "Bent Holm"  // cards, actions, handover
	lisCPR, lis     = "030375-3335", "Lis Lund"   // locks her card
	olgaCPR, olga   = "020260-2224", "Olga Berg"  // revoked at central
	sanneCPR, sanne = "040480-4446", "Sanne Dahl" // staff
	sanneID         = "S-17"
)

// Run runs every contract of the Kiosk and Session ports against w, in an
// order that lets one world serve them all (Offline runs last).
func Run(t *testing.T, w World) {
	for _, c := range []struct {
		name string
		test func(*testing.T, World)
	}{
		{"Cards", TestCards}, {"Actions", TestActions}, {"Assist", TestAssist}, {"Attention", TestAttention},
		{"PrintReminder", TestPrintReminder}, {"UsageLog", TestUsageLog},
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, w) })
	}
}

// signIn puts the card of cpr in the slot and signs in with PIN.
func signIn(t *testing.T, w World, cpr, name, staffID string) bk.Session {
	t.Helper()
	w.Insert(t, cpr, name, staffID)
	s, err := w.Kiosk.SignIn(context.Background(), PIN, nil)
	if err != nil {
		t.Fatalf("SignIn(%s) = %v", name, err)
	}
	return s
}

// wantCode fails the test unless err has code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if bk.ErrorCode(err) != code {
		t.Errorf("%s = %v; want code %s", what, err, code)
	}
}

// TestCards checks Subscribe, CardPresent, ReadCard and SignIn with the
// card in the slot: the events of a card put in and taken out (the session
// closed before the removal is heard), wrong PINs counted down to a locked
// card, and the errors with no card; and that a session ends when its card
// leaves.
func TestCards(t *testing.T, w World) {
	ctx := context.Background()
	k := w.Kiosk
	var mu sync.Mutex
	var events []bk.CardEvent
	var current bk.Session
	heardOpen := false // a removal was heard while its session still held the person
	cancel := k.Subscribe(bk.Events{Card: func(e bk.CardEvent) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
		if e == bk.CardRemoved && current != nil && current.Person().Name != "" {
			heardOpen = true
		}
	}})
	defer cancel()
	last := func() bk.CardEvent {
		mu.Lock()
		defer mu.Unlock()
		if len(events) == 0 {
			return 0
		}
		return events[len(events)-1]
	}

	w.Insert(t, bentCPR, bent, "")
	testtool.Until(t, "a CardInserted event", func() bool { return last() == bk.CardInserted })
	if !k.CardPresent() {
		t.Errorf("CardPresent with a card in = false")
	}
	info, err := k.ReadCard(ctx)
	if err != nil || info.Name != bent || info.CPR != bk.MustParseCPR(bentCPR) || info.Role != bk.RoleCitizen || info.Serial == "" {
		t.Errorf("ReadCard = %+v, %v; want %s's citizen card", info, err, bent)
	}
	_, err = k.SignIn(ctx, "0000", nil)
	var pe *bk.PINError
	if !errors.As(err, &pe) || pe.TriesLeft != 2 {
		t.Errorf("SignIn(wrong PIN) = %v; want a PINError with 2 tries left", err)
	}
	s, err := k.SignIn(ctx, PIN, nil)
	if err != nil {
		t.Fatalf("SignIn = %v", err)
	}
	if p := s.Person(); p.Name != bent || p.CPR != info.CPR || p.Role != bk.RoleCitizen || p.Serial != info.Serial || s.AssistedBy() != nil {
		t.Errorf("Person = %+v, AssistedBy = %v; want %s's card, no staff", p, s.AssistedBy(), bent)
	}
	if st, err := s.State(ctx); err != nil || st.FetchedAt.IsZero() {
		t.Errorf("State = %+v, %v; want central's state and when it was fetched", st, err)
	}
	_, err = s.GrantAssist(ctx, time.Minute)
	wantCode(t, "GrantAssist of a citizen", err, bk.EWrongRole)
	wantCode(t, "DismissAttention of a citizen", s.DismissAttention(ctx, bk.NewID(time.Now())), bk.EWrongRole)
	if a, ok := k.Catalogue().Authority(w.Authority); !ok || a.Name.DA == "" {
		t.Errorf("Catalogue().Authority(%s) = %+v, %v; want it, named", w.Authority, a, ok)
	}
	if err := k.CallStaff(ctx, "help"); err != nil {
		t.Errorf("CallStaff = %v", err)
	}

	mu.Lock()
	current = s
	mu.Unlock()
	w.Remove(t)
	testtool.Until(t, "a CardRemoved event", func() bool { return last() == bk.CardRemoved })
	mu.Lock()
	if heardOpen {
		t.Errorf("CardRemoved was heard before the card's session was closed")
	}
	current = nil
	mu.Unlock()
	if k.CardPresent() {
		t.Errorf("CardPresent after the card left = true")
	}
	if p := s.Person(); p != (bk.CardInfo{}) {
		t.Errorf("Person after the card left = %+v; want it wiped", p)
	}
	_, err = s.State(ctx)
	wantCode(t, "State after the card left", err, bk.ENotAuthed)
	_, err = k.ReadCard(ctx)
	wantCode(t, "ReadCard with no card", err, bk.ENoCard)
	_, err = k.SignIn(ctx, PIN, nil)
	wantCode(t, "SignIn with no card", err, bk.ENoCard)

	w.Insert(t, lisCPR, lis, "")
	for left := 2; left > 0; left-- {
		_, err := k.SignIn(ctx, "0000", nil)
		if !errors.As(err, &pe) || pe.TriesLeft != left {
			t.Errorf("SignIn(wrong PIN) = %v; want a PINError with %d tries left", err, left)
		}
	}
	_, err = k.SignIn(ctx, "0000", nil)
	wantCode(t, "SignIn(third wrong PIN)", err, bk.ECardLocked)
	_, err = k.SignIn(ctx, PIN, nil)
	wantCode(t, "SignIn(right PIN, locked card)", err, bk.ECardLocked)
	w.Remove(t)
}

// TestActions checks State, SetLang, Do, SyncNow, HandoverCode,
// VerifyHandover, PrintOverview and Close: a consent given and a
// delegation made reach central's state, the receipt is in the language
// set, the code on the slip names the principal by a masked name, and a
// closed session refuses everything.
func TestActions(t *testing.T, w World) {
	ctx := context.Background()
	k := w.Kiosk
	id := w.RequestConsent(t, bentCPR)
	s := signIn(t, w, bentCPR, bent, "")
	st, err := s.State(ctx)
	if err != nil || !slices.ContainsFunc(st.Consents, func(c *bk.Consent) bool { return c.ID == id && c.State == bk.ConsentRequested }) {
		t.Fatalf("State = %+v, %v; want the consent %s requested", st, err, id)
	}
	s.SetLang("en")
	res, err := s.Do(ctx, bk.GiveConsent, bk.Payload{ConsentID: id})
	if err != nil || res.ActionID == "" || !res.Receipt.Printed || res.Receipt.Lang != "en" || res.Receipt.Text == "" {
		t.Fatalf("Do(give consent) = %+v, %v; want an action id and a receipt printed in English", res, err)
	}
	s.SetLang("da")

	now := time.Now()
	mads := bk.MustParseCPR(madsCPR)
	did := bk.NewID(now)
	if _, err := s.Do(ctx, bk.CreateDelegation, bk.Payload{DelegationID: did, Delegate: &mads,
		Scopes: []bk.ScopeGrant{{ScopeID: w.Scope}}, ValidFrom: now, ValidTo: now.AddDate(1, 0, 0)}); err != nil {
		t.Fatalf("Do(create delegation) = %v", err)
	}
	if _, err := s.Do(ctx, bk.CreateDelegation, bk.Payload{DelegationID: bk.NewID(now), Delegate: &mads,
		Scopes: []bk.ScopeGrant{{ScopeID: w.Scope}}, ValidFrom: now, ValidTo: now.AddDate(-1, 0, 0)}); err == nil {
		t.Errorf("Do(create delegation ending before it begins) = nil; want the rules' refusal")
	}
	if err := k.SyncNow(ctx); err != nil {
		t.Fatalf("SyncNow = %v", err)
	}
	if p := k.Status().Pending; p != 0 {
		t.Errorf("Status().Pending after SyncNow = %d; want 0", p)
	}
	st, err = s.State(ctx)
	if err != nil || !slices.ContainsFunc(st.Consents, func(c *bk.Consent) bool { return c.ID == id && c.State == bk.ConsentGiven }) ||
		!slices.ContainsFunc(st.GivenByMe, func(d *bk.Delegation) bool { return d.ID == did && d.Delegate == mads }) {
		t.Fatalf("State after SyncNow = %+v, %v; want the consent given and the delegation to Mads", st, err)
	}

	h, err := s.HandoverCode(ctx, did)
	if err != nil || h.Code == "" || !h.Expires.After(now) || !h.Receipt.Printed {
		t.Fatalf("HandoverCode = %+v, %v; want a code that has not expired, printed", h, err)
	}
	info, err := k.VerifyHandover(ctx, h.Code)
	if err != nil || info.DelegationID != did || info.PrincipalName != "Bent H." || info.CodeExpires.IsZero() {
		t.Errorf("VerifyHandover = %+v, %v; want delegation %s from Bent H.", info, err, did)
	}
	_, err = k.VerifyHandover(ctx, "NOT A CODE")
	wantCode(t, "VerifyHandover(not a code)", err, bk.EInvalid)
	_, err = s.HandoverCode(ctx, bk.NewID(now))
	wantCode(t, "HandoverCode(unknown delegation)", err, bk.ENotFound)
	if err := s.PrintOverview(ctx); err != nil {
		t.Errorf("PrintOverview = %v", err)
	}

	s.Close()
	if p := s.Person(); p != (bk.CardInfo{}) {
		t.Errorf("Person after Close = %+v; want it wiped", p)
	}
	_, err = s.State(ctx)
	wantCode(t, "State after Close", err, bk.ENotAuthed)
	_, err = s.Do(ctx, bk.WithdrawConsent, bk.Payload{ConsentID: id})
	wantCode(t, "Do after Close", err, bk.ENotAuthed)
	_, err = s.HandoverCode(ctx, did)
	wantCode(t, "HandoverCode after Close", err, bk.ENotAuthed)
	wantCode(t, "PrintOverview after Close", s.PrintOverview(ctx), bk.ENotAuthed)
	w.Remove(t)
}

// TestAssist checks GrantAssist and SignIn with a grant: a staff card
// signs a grant (never longer than MaxAssist) and makes no choices for a
// citizen; the citizen's session carries the grant; a staff card cannot be
// assisted.
func TestAssist(t *testing.T, w World) {
	ctx := context.Background()
	k := w.Kiosk
	staff := signIn(t, w, sanneCPR, sanne, sanneID)
	if p := staff.Person(); p.Role != bk.RoleStaff || p.StaffID != sanneID {
		t.Errorf("Person = %+v; want staff %s", p, sanneID)
	}
	_, err := staff.Do(ctx, bk.GiveConsent, bk.Payload{ConsentID: bk.NewID(time.Now())})
	wantCode(t, "Do with a staff card", err, bk.EWrongRole)
	long, err := staff.GrantAssist(ctx, 2*bk.MaxAssist)
	if err != nil || long.Grant == nil || long.Grant.NotAfter.Sub(long.Grant.NotBefore) > bk.MaxAssist {
		t.Errorf("GrantAssist(twice the most) = %+v, %v; want a grant of at most %s", long, err, bk.MaxAssist)
	}
	g, err := staff.GrantAssist(ctx, 10*time.Minute)
	if err != nil || g.Grant == nil || g.Staff != (bk.Staff{ID: sanneID, Name: sanne}) {
		t.Fatalf("GrantAssist = %+v, %v; want a grant naming %s", g, err, sanneID)
	}
	_, err = k.SignIn(ctx, PIN, g)
	wantCode(t, "SignIn(staff card, with a grant)", err, bk.EWrongRole)

	w.Insert(t, bentCPR, bent, "")
	s, err := k.SignIn(ctx, PIN, g)
	if err != nil {
		t.Fatalf("SignIn(with a grant) = %v", err)
	}
	if by := s.AssistedBy(); by == nil || *by != g.Staff {
		t.Errorf("AssistedBy = %v; want %+v", by, g.Staff)
	}
	s.Close()
	if by := s.AssistedBy(); by != nil {
		t.Errorf("AssistedBy after Close = %+v; want nil", by)
	}
	w.Remove(t)
}

// TestAttention checks Attention, Status().Attention and DismissAttention:
// an action central refuses (the card was revoked at central after the
// kiosk's trust bundle was made) is on the list after a sync, with a
// masked actor; staff take it off once, subscribers hear the new count,
// and the list no longer has it.
func TestAttention(t *testing.T, w World) {
	ctx := context.Background()
	k := w.Kiosk
	id := w.RequestConsent(t, olgaCPR)
	s := signIn(t, w, olgaCPR, olga, "")
	w.RevokeAtCentral(t, olgaCPR)
	res, err := s.Do(ctx, bk.GiveConsent, bk.Payload{ConsentID: id})
	if err != nil {
		t.Fatalf("Do(give consent) = %v; want it stored (the kiosk does not know of the revocation)", err)
	}
	s.Close()
	if err := k.SyncNow(ctx); err != nil {
		t.Fatalf("SyncNow = %v", err)
	}
	items, err := k.Attention(ctx)
	i := slices.IndexFunc(items, func(a bk.AttentionItem) bool { return a.ActionID == res.ActionID })
	if err != nil || i < 0 {
		t.Fatalf("Attention = %+v, %v; want the refused action %s", items, err, res.ActionID)
	}
	if a := items[i]; a.Kind != bk.GiveConsent || a.Verdict.Outcome != bk.Rejected || a.Verdict.Reason != bk.ECardRevoked ||
		a.OccurredAt.IsZero() || a.Actor == "" || strings.Contains(a.Actor, olgaCPR) || strings.Contains(a.Actor, strings.ReplaceAll(olgaCPR, "-", "")) {
		t.Errorf("attention item = %+v; want the consent given, rejected as %s, its actor masked", a, bk.ECardRevoked)
	}
	if n := k.Status().Attention; n != len(items) {
		t.Errorf("Status().Attention = %d; want %d, the length of the list", n, len(items))
	}

	staff := signIn(t, w, sanneCPR, sanne, sanneID)
	heard := make(chan int, 100)
	cancel := k.Subscribe(bk.Events{Status: func(st bk.Status) {
		select {
		case heard <- st.Attention:
		default:
		}
	}})
	defer cancel()
	if err := staff.DismissAttention(ctx, res.ActionID); err != nil {
		t.Fatalf("DismissAttention = %v", err)
	}
	for n := testtool.Recv(t, heard, "a Status event after DismissAttention"); n != len(items)-1; {
		n = testtool.Recv(t, heard, fmt.Sprintf("a Status event with %d on the attention list", len(items)-1))
	}
	wantCode(t, "DismissAttention again", staff.DismissAttention(ctx, res.ActionID), bk.ENotFound)
	wantCode(t, "DismissAttention(unknown action)", staff.DismissAttention(ctx, bk.NewID(time.Now())), bk.ENotFound)
	after, err := k.Attention(ctx)
	if err != nil || len(after) != len(items)-1 || slices.ContainsFunc(after, func(a bk.AttentionItem) bool { return a.ActionID == res.ActionID }) {
		t.Errorf("Attention after DismissAttention = %+v, %v; want the others only", after, err)
	}
	if n := k.Status().Attention; n != len(after) {
		t.Errorf("Status().Attention after DismissAttention = %d; want %d", n, len(after))
	}
	staff.Close()
	wantCode(t, "DismissAttention after Close", staff.DismissAttention(ctx, res.ActionID), bk.ENotAuthed)
	w.Remove(t)
}

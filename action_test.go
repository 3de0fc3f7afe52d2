package borgerkiosk_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// cards is a set of software cards from one issuer, valid 2025–2029.
type cards struct {
	issuer               *fixture.Issuer
	citizen, other, help *fixture.Card
}

var cardFrom, cardTo = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC)

func newCards() *cards {
	i := fixture.NewIssuer()
	return &cards{
		issuer:  i,
		citizen: i.MintValid(principalCPR, principal.Name, bk.RoleCitizen, "", cardFrom, cardTo),
		other:   i.MintValid(delegateCPR, delegate.Name, bk.RoleCitizen, "", cardFrom, cardTo),
		help:    i.MintValid("040480-4567", "Hanne Hjælper", bk.RoleStaff, "B1234", cardFrom, cardTo),
	}
}

func giveAction(tb testing.TB, c, staff *fixture.Card) *bk.Action {
	tb.Helper()
	return fixture.SignAction(newAction(tb, bk.GiveConsent, bk.Payload{ConsentID: consentID}, now), c, staff)
}

func TestVerifyActionHappy(t *testing.T) {
	cs := newCards()
	trust := cs.issuer.Trust()
	a := giveAction(t, cs.citizen, nil)
	if err := a.Validate(); err != nil {
		t.Fatalf("Validate() = %v; want nil", err)
	}
	actor, staff, err := trust.VerifyAction(a)
	if err != nil || staff != nil || !reflect.DeepEqual(actor, cs.citizen.Cert) {
		t.Errorf("VerifyAction(unassisted) = %v, %v, %v; want the citizen's certificate, nil, nil", actor, staff, err)
	}

	a = giveAction(t, cs.citizen, cs.help)
	if err := a.Validate(); err != nil {
		t.Fatalf("Validate(assisted) = %v; want nil", err)
	}
	actor, staff, err = trust.VerifyAction(a)
	if err != nil || !reflect.DeepEqual(actor, cs.citizen.Cert) || !reflect.DeepEqual(staff, cs.help.Cert) {
		t.Errorf("VerifyAction(assisted) = %v, %v, %v; want citizen, staff, nil", actor, staff, err)
	}

	// What the kiosk queues goes over the wire as JSON and must still verify.
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back bk.Action
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("json.Unmarshal(action) = %v", err)
	}
	if _, _, err := trust.VerifyAction(&back); err != nil {
		t.Errorf("VerifyAction(after JSON round trip) = %v; want nil", err)
	}
	if !bytes.Equal(back.ContentHash(), a.ContentHash()) {
		t.Errorf("ContentHash changed over a JSON round trip")
	}
}

func TestVerifyActionRefusals(t *testing.T) {
	cs := newCards()
	trust := cs.issuer.Trust()
	sign := func(a *bk.Action, c *fixture.Card) *bk.Action { return fixture.SignAction(a, c, nil) }
	// signWithGrant signs a with c after attaching grant g as it is.
	signWithGrant := func(a *bk.Action, c *fixture.Card, g *bk.Assist) *bk.Action {
		a.Assist = g
		return sign(a, c)
	}
	grant := func(staff *fixture.Card, kiosk string, from time.Time) *bk.Assist {
		return fixture.Assist(staff, kiosk, from.Add(time.Minute)) // valid from `from` for an hour
	}
	at := func(when time.Time) *bk.Action {
		return newAction(t, bk.GiveConsent, bk.Payload{ConsentID: consentID}, when)
	}
	mint := func(role bk.Role, staffID string, from, to time.Time) *fixture.Card {
		return cs.issuer.MintValid(principalCPR, "Poul", role, staffID, from, to)
	}

	tests := []struct {
		name   string
		action func() *bk.Action
		trust  *bk.Trust
		want   string
	}{
		{"tampered payload", func() *bk.Action {
			a := giveAction(t, cs.citizen, nil)
			a.Payload = bytes.Replace(a.Payload, []byte("0001"), []byte("0009"), 1)
			return a
		}, trust, bk.EBadSignature},
		{"tampered kind", func() *bk.Action { a := giveAction(t, cs.citizen, nil); a.Kind = bk.DeclineConsent; return a }, trust, bk.EBadSignature},
		{"tampered occurred_at by 1ns", func() *bk.Action {
			a := giveAction(t, cs.citizen, nil)
			a.OccurredAt = a.OccurredAt.Add(time.Nanosecond)
			return a
		}, trust, bk.EBadSignature},
		{"tampered kiosk", func() *bk.Action { a := giveAction(t, cs.citizen, nil); a.Kiosk = "kiosk-other"; return a }, trust, bk.EBadSignature},
		{"tampered id", func() *bk.Action { a := giveAction(t, cs.citizen, nil); a.ID = bk.NewID(now); return a }, trust, bk.EBadSignature},
		{"tampered serial", func() *bk.Action { a := giveAction(t, cs.citizen, nil); a.ActorSerial = cs.other.Cert.Serial; return a }, trust, bk.EBadSignature},
		{"tampered signature", func() *bk.Action { a := giveAction(t, cs.citizen, nil); a.ActorSignature[0] ^= 1; return a }, trust, bk.EBadSignature},
		{"actor cert of another card", func() *bk.Action {
			a := giveAction(t, cs.citizen, nil)
			a.ActorSerial, a.ActorCert = cs.other.Cert.Serial, cs.other.Cert.Encode()
			return a
		}, trust, bk.EBadSignature},
		{"unreadable actor cert", func() *bk.Action { a := giveAction(t, cs.citizen, nil); a.ActorCert = []byte("junk"); return a }, trust, bk.EBadSignature},
		{"unknown issuer", func() *bk.Action { return giveAction(t, cs.citizen, nil) }, fixture.NewIssuer().Trust(), bk.EUnknownIssuer},
		{"staff card as actor", func() *bk.Action { return giveAction(t, cs.help, nil) }, trust, bk.EWrongRole},
		{"citizen card as assist", func() *bk.Action { return giveAction(t, cs.citizen, cs.other) }, trust, bk.EWrongRole},
		{"revoked actor", func() *bk.Action { return giveAction(t, cs.citizen, nil) }, cs.issuer.Trust(cs.citizen.Cert.Serial), bk.ECardRevoked},
		{"revoked staff", func() *bk.Action { return giveAction(t, cs.citizen, cs.help) }, cs.issuer.Trust(cs.help.Cert.Serial), bk.ECardRevoked},
		{"actor card expired before occurred_at", func() *bk.Action {
			return sign(at(now), mint(bk.RoleCitizen, "", now.AddDate(-4, 0, 0), now.Add(-time.Second)))
		}, trust, bk.ECardExpired},
		{"actor card not valid yet at occurred_at", func() *bk.Action {
			return sign(at(now), mint(bk.RoleCitizen, "", now.Add(time.Second), now.AddDate(4, 0, 0)))
		}, trust, bk.ECardNotYet},
		{"staff card expired before occurred_at", func() *bk.Action {
			return fixture.SignAction(at(now), cs.citizen, mint(bk.RoleStaff, "B9", now.AddDate(-4, 0, 0), now.Add(-time.Second)))
		}, trust, bk.ECardExpired},
		{"unreadable staff cert", func() *bk.Action {
			g := bk.NewAssist([]byte("junk"), "kiosk-test", now.Add(-time.Minute), time.Hour)
			g.Signature = ed25519.Sign(cs.help.Key, g.Digest())
			return signWithGrant(at(now), cs.citizen, g)
		}, trust, bk.EBadSignature},
		{"staff grant signed by another key", func() *bk.Action {
			g := bk.NewAssist(cs.help.Cert.Encode(), "kiosk-test", now.Add(-time.Minute), time.Hour)
			g.Signature = ed25519.Sign(cs.other.Key, g.Digest())
			return signWithGrant(at(now), cs.citizen, g)
		}, trust, bk.EBadSignature},
		{"staff grant signature tampered after signing", func() *bk.Action {
			a := giveAction(t, cs.citizen, cs.help)
			a.Assist.Signature[5] ^= 1
			return a
		}, trust, bk.EBadSignature},
		{"staff grant extended after signing", func() *bk.Action {
			a := giveAction(t, cs.citizen, cs.help)
			a.Assist.NotAfter = a.Assist.NotAfter.Add(time.Hour)
			return a
		}, trust, bk.EBadSignature},
		// The grant's times are compared to the nanosecond, so the
		// signatures must cover them to the nanosecond.
		{"staff grant end moved by half a second after signing", func() *bk.Action {
			// The grant ends at now; the action is 300 ms later.
			a := signWithGrant(at(now.Add(300*time.Millisecond)), cs.citizen, grant(cs.help, "kiosk-test", now.Add(-time.Hour)))
			a.Assist.NotAfter = a.Assist.NotAfter.Add(500 * time.Millisecond)
			return a
		}, trust, bk.EBadSignature},
		{"staff grant for another kiosk", func() *bk.Action {
			return signWithGrant(at(now), cs.citizen, grant(cs.help, "kiosk-other", now.Add(-time.Minute)))
		}, trust, bk.EForbidden},
		{"action before the staff grant", func() *bk.Action {
			return signWithGrant(at(now), cs.citizen, grant(cs.help, "kiosk-test", now.Add(time.Minute)))
		}, trust, bk.EForbidden},
		{"action after the staff grant", func() *bk.Action {
			return signWithGrant(at(now), cs.citizen, grant(cs.help, "kiosk-test", now.Add(-61*time.Minute)))
		}, trust, bk.EForbidden},
	}
	for _, tt := range tests {
		a := tt.action()
		actor, staff, err := tt.trust.VerifyAction(a)
		if got := bk.ErrorCode(err); got != tt.want || actor != nil || staff != nil {
			t.Errorf("VerifyAction(%s) = %v, %v, %q (%v); want nil, nil, %q", tt.name, actor, staff, got, err, tt.want)
		}
	}
	if _, _, err := trust.VerifyAction(fixture.SignAction(at(now), cs.citizen, nil)); err != nil {
		t.Fatalf("VerifyAction(control) = %v; want nil", err)
	}
}

// A card that has expired since the action was signed still vouches for it:
// offline kiosks push actions days later.
func TestVerifyActionCardExpiredSince(t *testing.T) {
	cs := newCards()
	old := now.AddDate(-1, 0, 0)
	card := cs.issuer.MintValid(principalCPR, "Poul", bk.RoleCitizen, "", old.AddDate(-3, 0, 0), old.Add(time.Hour))
	staff := cs.issuer.MintValid("040480-4567", "Hanne", bk.RoleStaff, "B1", old.AddDate(-3, 0, 0), old.Add(time.Hour))
	a := fixture.SignAction(newAction(t, bk.WithdrawConsent, bk.Payload{ConsentID: consentID}, old), card, staff)
	if _, _, err := cs.issuer.Trust().VerifyAction(a); err != nil {
		t.Errorf("VerifyAction(card valid at occurred_at, expired since) = %v; want nil", err)
	}
	// Revocation, unlike expiry, applies now.
	if _, _, err := cs.issuer.Trust(card.Cert.Serial).VerifyAction(a); bk.ErrorCode(err) != bk.ECardRevoked {
		t.Errorf("VerifyAction(card revoked since) = %v; want %q", err, bk.ECardRevoked)
	}
}

func TestNewAction(t *testing.T) {
	at := time.Date(2026, 11, 26, 13, 0, 0, 123456789, time.FixedZone("CET", 3600))
	a, err := bk.NewAction(bk.DeclineConsent, bk.Payload{ConsentID: consentID}, "k1", at)
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(123 * time.Millisecond); !a.OccurredAt.Equal(want) || a.OccurredAt.Location() != time.UTC {
		t.Errorf("OccurredAt = %v; want %v in UTC", a.OccurredAt, want)
	}
	if !bk.ValidID(a.ID) || a.Kind != bk.DeclineConsent || a.Kiosk != "k1" {
		t.Errorf("NewAction = %+v", a)
	}
	if s, err := a.Subject(); s != consentID || err != nil {
		t.Errorf("Subject() = %q, %v; want %q, nil", s, err, consentID)
	}
	d := newAction(t, bk.RevokeDelegation, bk.Payload{DelegationID: delegationID}, now)
	if s, err := d.Subject(); s != delegationID || err != nil {
		t.Errorf("Subject() = %q, %v; want %q, nil", s, err, delegationID)
	}
	if _, err := (&bk.Action{Kind: bk.GiveConsent, Payload: []byte(`{}`)}).Subject(); bk.ErrorCode(err) != bk.EInvalid {
		t.Errorf("Subject(no id) = %v; want %q", err, bk.EInvalid)
	}
	if a, err := bk.NewAction("delete_everything", bk.Payload{}, "k1", now); bk.ErrorCode(err) != bk.EInvalid || a != nil {
		t.Errorf("NewAction(unknown kind) = %v, %v; want nil, %q", a, err, bk.EInvalid)
	}
}

func TestActionKinds(t *testing.T) {
	tests := []struct {
		kind                       bk.ActionKind
		valid, widening, onConsent bool
		onContact, onDelegation    bool
	}{
		{bk.GiveConsent, true, true, true, false, false},
		{bk.DeclineConsent, true, false, true, false, false},
		{bk.WithdrawConsent, true, false, true, false, false},
		{bk.CreateDelegation, true, true, false, false, true},
		{bk.RevokeDelegation, true, false, false, false, true},
		{bk.AcceptDelegation, true, true, false, false, true},
		{bk.DeclineDelegation, true, false, false, false, true},
		{bk.RenounceDelegation, true, false, false, false, true},
		{bk.SetContact, true, false, false, true, false},
		{bk.RenewDelegation, true, true, false, false, true},
		{"", false, false, false, false, false},
		{"GIVE_CONSENT", false, false, false, false, false},
	}
	if len(bk.ActionKinds) != 10 {
		t.Errorf("len(ActionKinds) = %d; want 10", len(bk.ActionKinds))
	}
	for _, tt := range tests {
		if tt.kind.Valid() != tt.valid || tt.kind.Widening() != tt.widening || tt.kind.OnConsent() != tt.onConsent {
			t.Errorf("%q: Valid, Widening, OnConsent = %v, %v, %v; want %v, %v, %v", tt.kind,
				tt.kind.Valid(), tt.kind.Widening(), tt.kind.OnConsent(), tt.valid, tt.widening, tt.onConsent)
		}
		if tt.kind.OnContact() != tt.onContact || tt.kind.OnDelegation() != tt.onDelegation {
			t.Errorf("%q: OnContact, OnDelegation = %v, %v; want %v, %v", tt.kind,
				tt.kind.OnContact(), tt.kind.OnDelegation(), tt.onContact, tt.onDelegation)
		}
	}
}

func TestDecodePayload(t *testing.T) {
	cid := `"consent_id":"` + consentID + `"`
	did := `"delegation_id":"` + delegationID + `"`
	create := did + `,"delegate":"020285-2345","scopes":[{"scope_id":"tax"}],"valid_from":"2026-11-26T12:00:00Z","valid_to":"2027-11-26T12:00:00Z"`
	tests := []struct {
		kind    bk.ActionKind
		payload string
		ok      bool
	}{
		{bk.GiveConsent, `{` + cid + `}`, true},
		{bk.WithdrawConsent, ` {` + cid + "}\n", true},
		{bk.DeclineConsent, `{` + cid + `,"unknown":1}`, false},
		{bk.GiveConsent, `{` + cid + `} {}`, false},
		{bk.GiveConsent, `{` + cid + `}x`, false},
		{bk.GiveConsent, `{` + cid + `}}`, false},
		{bk.GiveConsent, `{` + cid + `}]`, false},
		{bk.GiveConsent, `{` + cid + `},`, false},
		{bk.GiveConsent, `{` + cid + `}"`, false},
		{bk.GiveConsent, `{` + cid, false},
		{bk.GiveConsent, ``, false},
		{bk.GiveConsent, `null`, false},
		{bk.GiveConsent, `[]`, false},
		{bk.GiveConsent, `"x"`, false},
		{bk.GiveConsent, `{}`, false},
		{bk.GiveConsent, `{` + did + `}`, false},
		{bk.GiveConsent, `{"consent_id":"not-a-uuid"}`, false},
		{bk.GiveConsent, `{"consent_id":"0190ABCD-0000-7000-8000-000000000001"}`, false},
		{bk.GiveConsent, `{"consent_id":7}`, false},
		{bk.RevokeDelegation, `{` + did + `}`, true},
		{bk.AcceptDelegation, `{` + did + `,"handover_token":"BK1:XYZ"}`, true},
		{bk.DeclineDelegation, `{` + did + `}`, true},
		{bk.RenounceDelegation, `{` + did + `}`, true},
		{bk.RevokeDelegation, `{` + cid + `}`, false},
		{bk.AcceptDelegation, `{}`, false},
		{bk.CreateDelegation, `{` + create + `}`, true},
		{bk.CreateDelegation, `{` + did + `}`, false},
		{bk.CreateDelegation, `{` + strings.Replace(create, `"delegate":"020285-2345",`, ``, 1) + `}`, false},
		{bk.CreateDelegation, `{` + strings.Replace(create, `"020285-2345"`, `""`, 1) + `}`, false},
		{bk.CreateDelegation, `{` + strings.Replace(create, `"020285-2345"`, `"320285-2345"`, 1) + `}`, false},
		{bk.CreateDelegation, `{` + strings.Replace(create, `,"valid_from":"2026-11-26T12:00:00Z"`, ``, 1) + `}`, false},
		{bk.CreateDelegation, `{` + strings.Replace(create, `,"valid_to":"2027-11-26T12:00:00Z"`, ``, 1) + `}`, false},
		{bk.CreateDelegation, `{` + strings.Replace(create, `"2027-11-26T12:00:00Z"`, `"next year"`, 1) + `}`, false},
		{bk.CreateDelegation, `{` + create + `,"scopes_extra":[]}`, false},
		{bk.SetContact, `{"contact":{"email":"mads@example.dk","language":"da","email_reminders":true}}`, true},
		{bk.SetContact, `{"contact":{"language":"en"}}`, true}, // removes the address
		{bk.SetContact, `{}`, false},
		{bk.SetContact, `{"contact":null}`, false},
		{bk.SetContact, `{"contact":{"email":"mads@example.dk"}}`, false},
		{bk.SetContact, `{"contact":{"email":"mads","language":"da"}}`, false},
		{bk.SetContact, `{"contact":{"email":"Mads <mads@example.dk>","language":"da"}}`, false},
		{bk.SetContact, `{"contact":{"language":"da","phone":"12345678"}}`, false},
		{bk.SetContact, `{` + did + `,"contact":{"language":"da"}}`, false},
		{bk.SetContact, `{` + cid + `,"contact":{"language":"da"}}`, false},
		{bk.RevokeDelegation, `{` + did + `,"contact":{"language":"da"}}`, false},
		{bk.GiveConsent, `{` + cid + `,"contact":{"language":"da"}}`, false},
		{bk.RenewDelegation, `{` + did + `,"scopes":[{"scope_id":"tax"}],"valid_from":"2026-11-26T12:00:00Z","valid_to":"2027-11-26T12:00:00Z"}`, true},
		{bk.RenewDelegation, `{` + did + `,"scopes":[{"scope_id":"tax"}],"valid_from":"2026-11-26T12:00:00Z"}`, false},
		{bk.RenewDelegation, `{` + did + `}`, false},
	}
	for _, tt := range tests {
		a := &bk.Action{Kind: tt.kind, Payload: json.RawMessage(tt.payload)}
		_, err := a.DecodePayload()
		if (err == nil) != tt.ok {
			t.Errorf("DecodePayload(%s, %q) = %v; want ok=%v", tt.kind, tt.payload, err, tt.ok)
		} else if err != nil && bk.ErrorCode(err) != bk.EInvalid {
			t.Errorf("DecodePayload(%s, %s) code = %q; want %q", tt.kind, tt.payload, bk.ErrorCode(err), bk.EInvalid)
		}
	}
}

func TestActionValidate(t *testing.T) {
	cs := newCards()
	tests := []struct {
		name   string
		change func(a *bk.Action)
		ok     bool
	}{
		{"valid", func(a *bk.Action) {}, true},
		{"no assist", func(a *bk.Action) { a.Assist = nil }, true},
		{"bad id", func(a *bk.Action) { a.ID = "42" }, false},
		{"upper-case id", func(a *bk.Action) { a.ID = strings.ToUpper(a.ID) }, false},
		{"unknown kind", func(a *bk.Action) { a.Kind = "erase" }, false},
		{"no occurred_at", func(a *bk.Action) { a.OccurredAt = time.Time{} }, false},
		{"no kiosk", func(a *bk.Action) { a.Kiosk = "" }, false},
		{"no actor serial", func(a *bk.Action) { a.ActorSerial = "" }, false},
		{"no actor cert", func(a *bk.Action) { a.ActorCert = nil }, false},
		{"no actor signature", func(a *bk.Action) { a.ActorSignature = nil }, false},
		{"short actor signature", func(a *bk.Action) { a.ActorSignature = a.ActorSignature[:63] }, false},
		{"assist without cert", func(a *bk.Action) { a.Assist.StaffCert = nil }, false},
		{"assist without signature", func(a *bk.Action) { a.Assist.Signature = nil }, false},
		{"assist without kiosk", func(a *bk.Action) { a.Assist.Kiosk = "" }, false},
		{"assist ends when it starts", func(a *bk.Action) { a.Assist.NotAfter = a.Assist.NotBefore }, false},
		{"assist ends before it starts", func(a *bk.Action) { a.Assist.NotAfter = a.Assist.NotBefore.Add(-time.Hour) }, false},
		{"assist longest", func(a *bk.Action) { a.Assist.NotAfter = a.Assist.NotBefore.Add(bk.MaxAssist) }, true},
		{"assist too long", func(a *bk.Action) { a.Assist.NotAfter = a.Assist.NotBefore.Add(bk.MaxAssist + time.Second) }, false},
		{"bad payload", func(a *bk.Action) { a.Payload = json.RawMessage(`{}`) }, false},
		{"no payload", func(a *bk.Action) { a.Payload = nil }, false},
	}
	for _, tt := range tests {
		a := giveAction(t, cs.citizen, cs.help)
		tt.change(a)
		err := a.Validate()
		if (err == nil) != tt.ok || (err != nil && bk.ErrorCode(err) != bk.EInvalid) {
			t.Errorf("Validate(%s) = %v; want ok=%v (else %q)", tt.name, err, tt.ok, bk.EInvalid)
		}
	}
}

func TestContentHash(t *testing.T) {
	cs := newCards()
	a := giveAction(t, cs.citizen, cs.help)
	h := a.ContentHash()
	if !bytes.Equal(h, a.ContentHash()) || len(h) != 32 {
		t.Fatalf("ContentHash is not a stable 32-byte hash")
	}
	if bytes.Equal(h, a.Digest()) {
		t.Errorf("ContentHash = Digest; it must also cover the signatures")
	}
	changes := map[string]func(a *bk.Action){
		"actor signature": func(a *bk.Action) { a.ActorSignature = bytes.Clone(a.ActorSignature); a.ActorSignature[0] ^= 1 },
		"actor cert":      func(a *bk.Action) { a.ActorCert = cs.other.Cert.Encode() },
		"staff signature": func(a *bk.Action) {
			g := *a.Assist
			g.Signature = bytes.Clone(g.Signature)
			g.Signature[0] ^= 1
			a.Assist = &g
		},
		"staff cert": func(a *bk.Action) { g := *a.Assist; g.StaffCert = cs.other.Cert.Encode(); a.Assist = &g },
		"no assist":  func(a *bk.Action) { a.Assist = nil },
		"payload":    func(a *bk.Action) { a.Payload = json.RawMessage(`{"consent_id":"` + delegationID + `"}`) },
	}
	for name, change := range changes {
		b := cloneAction(a)
		change(b)
		if bytes.Equal(b.ContentHash(), h) {
			t.Errorf("ContentHash unchanged when the %s changes", name)
		}
	}
	// Ed25519 is deterministic: re-signing the same content hashes the same,
	// so a kiosk that re-sends an action is not taken for a fork...
	b := cloneAction(a)
	b.ActorSignature = ed25519.Sign(cs.citizen.Key, b.Digest())
	if !bytes.Equal(b.ContentHash(), h) {
		t.Errorf("ContentHash changed after re-signing the same content")
	}
	// ...but a fresh staff grant (new nonce) is new content.
	fixture.SignAction(b, cs.citizen, cs.help)
	if bytes.Equal(b.ContentHash(), h) {
		t.Errorf("ContentHash unchanged after replacing the staff grant")
	}
}

func TestDomainSeparation(t *testing.T) {
	cs := newCards()
	a := giveAction(t, cs.citizen, cs.help)
	d := a.Digest()
	for name, nonce := range map[string][]byte{
		"signed bytes": a.SignedBytes(),
		"digest":       d,
	} {
		if bytes.Equal(bk.AuthChallenge(nonce), d) {
			t.Errorf("AuthChallenge(action %s) = action Digest; a login nonce could be used as an action signature", name)
		}
	}
	g := a.Assist
	if bytes.Equal(bk.AuthChallenge(g.Digest()), g.Digest()) || bytes.Equal(g.Digest(), d) {
		t.Errorf("assist grant digest collides with an auth challenge or the action digest")
	}
	n1, n2 := []byte("nonce-1"), []byte("nonce-2")
	if !bytes.Equal(bk.AuthChallenge(n1), bk.AuthChallenge(n1)) || bytes.Equal(bk.AuthChallenge(n1), bk.AuthChallenge(n2)) {
		t.Errorf("AuthChallenge is not a deterministic function of its nonce")
	}
	// A signature over a login challenge must not verify as an action.
	sig := ed25519.Sign(cs.citizen.Key, bk.AuthChallenge(a.SignedBytes()))
	b := cloneAction(a)
	b.ActorSignature = sig
	if _, _, err := cs.issuer.Trust().VerifyAction(b); bk.ErrorCode(err) != bk.EBadSignature {
		t.Errorf("VerifyAction(signature over an auth challenge) = %v; want %q", err, bk.EBadSignature)
	}
}

// actionSeeds are signed actions of every kind as JSON.
func actionSeeds(tb testing.TB) [][]byte {
	cs := newCards()
	var out [][]byte
	for _, k := range bk.ActionKinds {
		p := bk.Payload{ConsentID: consentID}
		if !k.OnConsent() {
			p = bk.Payload{DelegationID: delegationID}
		}
		if k == bk.CreateDelegation || k == bk.RenewDelegation {
			p = *createPayload()
		}
		if k == bk.SetContact {
			p = bk.Payload{Contact: &bk.Contact{Email: "mads@example.dk", Language: bk.LangDanish, EmailReminders: true}}
		}
		var staff *fixture.Card
		if k == bk.CreateDelegation || k == bk.GiveConsent {
			staff = cs.help
		}
		b, err := json.Marshal(fixture.SignAction(newAction(tb, k, p, now), cs.citizen, staff))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func FuzzActionJSON(f *testing.F) {
	for _, s := range actionSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"action_id":"01900000-0000-7000-8000-000000000001","kind":"give_consent","payload":{"consent_id":"x"}}`))
	f.Add([]byte(`{"assisted_by":{}}`))
	f.Add([]byte(`null`))
	cs := newCards()
	trust := cs.issuer.Trust()
	rules := testRules()
	targets := []bk.Target{{}, {Consent: consent(bk.ConsentRequested)}, {Delegation: delegation(bk.DelegationPending)},
		{Contact: &bk.Contact{Email: "a@example.dk", Language: bk.LangDanish, ChangedAt: now}}}
	f.Fuzz(func(t *testing.T, b []byte) {
		var a bk.Action
		if json.Unmarshal(b, &a) != nil {
			return
		}
		if err := a.Validate(); err != nil {
			if bk.ErrorCode(err) != bk.EInvalid {
				t.Fatalf("Validate = %v; want an %q error", err, bk.EInvalid)
			}
			return
		}
		// A valid shape must survive everything downstream without panicking.
		_, _ = a.Subject()
		_ = a.ContentHash()
		_, _, _ = trust.VerifyAction(&a)
		for _, tg := range targets {
			rules.Apply(tg, &a, principal, nil, now)
			rules.Apply(tg, &a, delegate, helper, now)
		}
	})
}

package session_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
	"github.com/borgerkiosk/borgerkiosk/devices/printersim"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/session"
)

const (
	kioskID  = "kiosk-hb-01"
	site     = "Hovedbiblioteket"
	pin      = "1234"
	maxAge   = 24 * time.Hour
	validity = 24 * time.Hour // handover codes
)

// CPR numbers: adults born 1980–1990, a child born 2012 (7th digit 4).
const (
	aliceCPR = "010180-1234"
	bobCPR   = "020285-2345"
	carolCPR = "030390-3456"
	childCPR = "040412-4567"
	staffCPR = "050575-1111"
)

// kit is a kiosk service wired to fakes, with a few cards.
type kit struct {
	t       *testing.T
	clock   *fixture.Clock
	issuer  *fixture.Issuer
	kioskSK ed25519.PrivateKey

	reader  *fakeReader
	outbox  *fakeOutbox
	central *fakeCentral
	trust   *fakeTrust
	printer *fakePrinter
	sync    *fakeSync
	confirm *fakeConfirmer
	svc     *session.Service

	alice, bob, carol, child, staff *fixture.Card
}

func newKit(t *testing.T) *kit {
	t.Helper()
	_, kioskSK, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k := &kit{
		t:       t,
		clock:   fixture.NewClock(time.Now().UTC().Truncate(time.Second)),
		issuer:  fixture.NewIssuer(),
		kioskSK: kioskSK,
		reader:  newFakeReader(),
		outbox:  &fakeOutbox{},
		central: newFakeCentral(),
		trust:   &fakeTrust{},
		printer: &fakePrinter{},
		sync:    &fakeSync{status: bk.Status{Online: true}},
		confirm: &fakeConfirmer{},
	}
	k.alice = k.issuer.Citizen(aliceCPR, "Alice Marie Hansen")
	k.bob = k.issuer.Citizen(bobCPR, "Bob Jensen")
	k.carol = k.issuer.Citizen(carolCPR, "Carol Nielsen")
	k.child = k.issuer.Citizen(childCPR, "Kim Barn")
	k.staff = k.issuer.Staff(staffCPR, "Sara Staff", "S-042")
	k.trust.Set(k.bundle(k.clock.Now()))
	k.svc = session.New(session.Config{
		KioskID:          kioskID,
		Site:             site,
		KioskKey:         kioskSK,
		HandoverBaseURL:  "https://borgerkiosk.dk",
		HandoverValidity: validity,
		Now:              k.clock.Now,
		Logger:           slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, session.Deps{
		Reader: k.reader, Outbox: k.outbox, Central: k.central,
		Trust: k.trust, Printer: k.printer, Sync: k.sync, Confirm: k.confirm,
	})
	// Closing the event channel ends the service's reader goroutine.
	t.Cleanup(func() { close(k.reader.events) })
	return k
}

// bundle returns a trust bundle issued at at.
func (k *kit) bundle(at time.Time, revoked ...string) *bk.TrustBundle {
	return &bk.TrustBundle{
		IssuedAt:   at,
		MaxAgeSecs: int64(maxAge / time.Second),
		Issuers:    []bk.IssuerKey{k.issuer.PublicKey()},
		Revoked:    revoked,
		Kiosks:     []bk.KioskKey{{ID: kioskID, PublicKey: k.kioskSK.Public().(ed25519.PublicKey)}},
		Catalogue:  *fixture.Catalogue(),
	}
}

// verifier is what central uses to check an action's signatures.
func (k *kit) verifier() *bk.Trust {
	return &bk.Trust{Issuers: []bk.IssuerKey{k.issuer.PublicKey()}, Revoked: map[string]bool{}}
}

// signIn inserts c and signs in with the right PIN.
func (k *kit) signIn(c *fixture.Card, assist *bk.StaffGrant) bk.Session {
	k.t.Helper()
	k.reader.Insert(c, pin)
	s, err := k.svc.SignIn(context.Background(), pin, assist)
	if err != nil {
		k.t.Fatalf("SignIn(%s) = %v; want a session", c.Cert.Name, err)
	}
	return s
}

// removeCard takes the card out and waits until the service has handled
// the removal (its Card callback runs after the session is closed).
func (k *kit) removeCard() {
	k.t.Helper()
	got := make(chan bk.CardEvent, 4)
	cancel := k.svc.Subscribe(bk.Events{Card: func(e bk.CardEvent) { got <- e }})
	defer cancel()
	k.reader.Remove()
	for e := range got {
		if e == bk.CardRemoved {
			return
		}
	}
}

// delegationPayload is a valid create payload for delegate.
func (k *kit) delegationPayload(delegate string) bk.Payload {
	cpr := bk.MustParseCPR(delegate)
	now := k.clock.Now()
	return bk.Payload{
		Delegate:  &cpr,
		Scopes:    []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health"}},
		ValidFrom: now,
		ValidTo:   now.AddDate(1, 0, 0),
	}
}

// consent returns a consent of alice's in state st.
func (k *kit) consent(st bk.ConsentState) *bk.Consent {
	now := k.clock.Now()
	c := bk.NewConsent(bk.NewID(now), "sundhed", &bk.ConsentRequest{
		CPR:            bk.MustParseCPR(aliceCPR),
		Purpose:        bk.Text{DA: "Forskning", EN: "Research"},
		DataCategories: []string{"health"},
		LegalBasis:     bk.Text{DA: "Lov", EN: "Law"},
		ValidDays:      365,
	}, now.Add(-48*time.Hour))
	if st == bk.ConsentGiven {
		c.State, c.GivenAt, c.ValidUntil = st, now.Add(-24*time.Hour), now.AddDate(1, 0, 0)
		c.ChangedAt = c.GivenAt
	}
	return c
}

// paper decodes one ESC/POS job as the printer would and returns what the
// paper says, and the data of any QR codes on it.
func paper(t *testing.T, job []byte) (text string, qrs []string) {
	t.Helper()
	rs, err := printersim.Decode(bytes.NewReader(job))
	if err != nil {
		t.Fatalf("printersim.Decode: %v", err)
	}
	var sb strings.Builder
	for _, r := range rs {
		if len(r.Errors) > 0 {
			t.Errorf("printersim decode errors: %v", r.Errors)
		}
		sb.WriteString(printersim.Text(r, escpos.DefaultColumns))
		for _, b := range r.Blocks {
			if b.Kind == printersim.QRBlock {
				qrs = append(qrs, string(b.QR.Data))
			}
		}
	}
	return sb.String(), qrs
}

// lastPaper returns the text of the last job printed.
func (k *kit) lastPaper() (string, []string) {
	k.t.Helper()
	jobs := k.printer.Jobs()
	if len(jobs) == 0 {
		k.t.Fatal("nothing was printed")
	}
	return paper(k.t, jobs[len(jobs)-1])
}

// noFullCPR fails if text holds any of the CPR numbers in full, with or
// without the dash.
func noFullCPR(t *testing.T, what, text string, cprs ...string) {
	t.Helper()
	flat := strings.Join(strings.Fields(text), "")
	for _, c := range cprs {
		digits := strings.ReplaceAll(c, "-", "")
		if strings.Contains(text, c) || strings.Contains(flat, digits) {
			t.Errorf("%s shows the full CPR number %s:\n%s", what, c, text)
		}
	}
}

func code(err error) string { return bk.ErrorCode(err) }

// contains reports whether text holds want, ignoring how lines wrapped.
func contains(text, want string) bool {
	flat := strings.Join(strings.Fields(text), " ")
	return strings.Contains(flat, strings.Join(strings.Fields(want), " "))
}

package borgerkiosk_test

import (
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// TestCertCache checks that a verified certificate is remembered, that
// only the exact bytes under the same issuer hit, that refusals are not
// remembered, that revocation and validity are still checked on a hit,
// and that the cache stays within its size.
func TestCertCache(t *testing.T) {
	iss := fixture.NewIssuer()
	card := iss.Citizen("010190-1234", "Karen Larsen")
	cache := bk.NewCertCache(4)
	trust := &bk.Trust{Issuers: []bk.IssuerKey{iss.PublicKey()}, Revoked: map[string]bool{}, Verified: cache}
	now := time.Now()

	if err := trust.VerifyCertificate(card.Cert, now); err != nil {
		t.Fatal(err)
	}
	if err := trust.VerifyCertificate(card.Cert, now); err != nil || cache.Len() != 1 {
		t.Fatalf("second check = %v with %d cached; want nil with 1", err, cache.Len())
	}

	forged := *card.Cert
	forged.Name = "Mallory"
	if err := trust.VerifyCertificate(&forged, now); bk.ErrorCode(err) != bk.EBadSignature {
		t.Errorf("a changed certificate = %v; want %s", err, bk.EBadSignature)
	}
	if cache.Len() != 1 {
		t.Errorf("a refused certificate was cached (%d entries)", cache.Len())
	}
	// Another issuer using the same id (a key swap) must not hit.
	other := fixture.NewIssuer().PublicKey()
	other.ID = iss.PublicKey().ID
	swapped := &bk.Trust{Issuers: []bk.IssuerKey{other}, Verified: cache}
	if err := swapped.VerifyCertificate(card.Cert, now); bk.ErrorCode(err) != bk.EBadSignature {
		t.Errorf("the cached certificate under another issuer key = %v; want %s", err, bk.EBadSignature)
	}

	trust.Revoked[card.Cert.Serial] = true
	if err := trust.VerifyCertificate(card.Cert, now); bk.ErrorCode(err) != bk.ECardRevoked {
		t.Errorf("a cached, then revoked certificate = %v; want %s", err, bk.ECardRevoked)
	}
	if err := trust.VerifyCertificate(card.Cert, card.Cert.NotAfter); bk.ErrorCode(err) != bk.ECardRevoked {
		t.Errorf("revoked and expired = %v; want %s first, as without a cache", err, bk.ECardRevoked)
	}
	delete(trust.Revoked, card.Cert.Serial)
	if err := trust.VerifyCertificate(card.Cert, card.Cert.NotAfter); bk.ErrorCode(err) != bk.ECardExpired {
		t.Errorf("a cached certificate past its end = %v; want %s", err, bk.ECardExpired)
	}

	for range 10 {
		if err := trust.VerifyCertificate(iss.Citizen("020285-4321", "Bo Berg").Cert, now); err != nil {
			t.Fatal(err)
		}
		if n := cache.Len(); n > 4 {
			t.Fatalf("the cache holds %d certificates; its size is 4", n)
		}
	}
}

// TestCheckActionDecide checks that the split checks give VerifyAction's
// verdict, with the revocation lookups asked for the serials met.
func TestCheckActionDecide(t *testing.T) {
	iss := fixture.NewIssuer()
	karen := iss.Citizen("010190-1234", "Karen Larsen")
	staff := iss.Staff("020285-4321", "Bo Berg", "KK-1")
	a := fixture.Action(bk.GiveConsent, bk.Payload{ConsentID: bk.NewID(time.Now())}, karen, staff, time.Now())
	k := iss.Trust().CheckAction(a)
	if got := k.Serials(); len(got) != 2 || got[0] != karen.Cert.Serial || got[1] != staff.Cert.Serial {
		t.Fatalf("Serials() = %v; want the actor's and the staff member's", got)
	}
	for _, rev := range []string{karen.Cert.Serial, staff.Cert.Serial} {
		_, _, refusal, err := k.Decide(func(s string) (bool, error) { return s == rev, nil })
		if err != nil || bk.ErrorCode(refusal) != bk.ECardRevoked {
			t.Errorf("Decide with %s revoked = %v, %v; want %s", rev, refusal, err, bk.ECardRevoked)
		}
	}
	actor, st, refusal, err := k.Decide(func(string) (bool, error) { return false, nil })
	if err != nil || refusal != nil || actor.Serial != karen.Cert.Serial || st.Serial != staff.Cert.Serial {
		t.Errorf("Decide with none revoked = %v, %v, %v, %v", actor, st, refusal, err)
	}
}

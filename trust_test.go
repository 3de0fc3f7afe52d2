package borgerkiosk_test

import (
	"bytes"
	"crypto/ed25519"
	"reflect"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

func testBundle() *bk.TrustBundle {
	issuer := seededKey(1).Public().(ed25519.PublicKey)
	kiosk := seededKey(4).Public().(ed25519.PublicKey)
	return &bk.TrustBundle{
		IssuedAt:    now.Add(-time.Hour),
		MaxAgeSecs:  24 * 3600,
		Issuers:     []bk.IssuerKey{{ID: bk.KeyID(issuer), PublicKey: issuer}},
		Revoked:     []string{"C0000013"},
		Revocations: bk.RevocationVersion{}.Add([]string{"C0000013"}),
		Kiosks:      []bk.KioskKey{{ID: "kiosk-1", PublicKey: kiosk}},
		Catalogue:   *fixture.Catalogue(),
	}
}

// signRaw signs arbitrary bundle bytes the way SignBundle does.
func signRaw(raw []byte, key ed25519.PrivateKey) *bk.SignedBundle {
	return &bk.SignedBundle{
		Bundle:    raw,
		KeyID:     bk.KeyID(key.Public().(ed25519.PublicKey)),
		Signature: ed25519.Sign(key, bk.BundleSignedBytes(raw)),
	}
}

func TestTrustBundleRoundTrip(t *testing.T) {
	central := seededKey(5)
	b := testBundle()
	s, err := bk.SignBundle(b, central)
	if err != nil {
		t.Fatal(err)
	}
	if s.KeyID != bk.KeyID(central.Public().(ed25519.PublicKey)) {
		t.Errorf("SignBundle KeyID = %q; want central's key id", s.KeyID)
	}
	got, err := s.Verify(central.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatalf("Verify = %v; want nil", err)
	}
	if !reflect.DeepEqual(got, b) {
		t.Errorf("Verify = %+v; want %+v", got, b)
	}
	tr := got.Trust()
	if !tr.Revoked["C0000013"] || tr.Revoked["C0000014"] || !reflect.DeepEqual(tr.Issuers, b.Issuers) {
		t.Errorf("Trust() = %+v; want the bundle's issuers and revocations", tr)
	}
	if k, ok := got.KioskKey("kiosk-1"); !ok || !k.Equal(b.Kiosks[0].PublicKey) {
		t.Errorf("KioskKey(kiosk-1) = %x, %v; want the kiosk's key", k, ok)
	}
	if k, ok := got.KioskKey("kiosk-2"); ok || k != nil {
		t.Errorf("KioskKey(kiosk-2) = %x, %v; want nil, false", k, ok)
	}
}

func TestTrustBundleRefusals(t *testing.T) {
	central := seededKey(5)
	pub := central.Public().(ed25519.PublicKey)
	good, err := bk.SignBundle(testBundle(), central)
	if err != nil {
		t.Fatal(err)
	}
	raw := string(good.Bundle)
	badCatalogue := testBundle()
	badCatalogue.Catalogue.Scopes = append(badCatalogue.Catalogue.Scopes, badCatalogue.Catalogue.Scopes[0])
	badCat, err := bk.SignBundle(badCatalogue, central)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		signed *bk.SignedBundle
		key    ed25519.PublicKey
		want   string
	}{
		{"wrong key", good, seededKey(6).Public().(ed25519.PublicKey), bk.EBadSignature},
		{"no signature", &bk.SignedBundle{Bundle: good.Bundle, KeyID: good.KeyID}, pub, bk.EBadSignature},
		{"short signature", &bk.SignedBundle{Bundle: good.Bundle, KeyID: good.KeyID, Signature: good.Signature[:63]}, pub, bk.EBadSignature},
		{"unknown field", signRaw([]byte(strings.Replace(raw, `{`, `{"extra":1,`, 1)), central), pub, bk.EInvalid},
		{"not JSON", signRaw([]byte(`issued yesterday`), central), pub, bk.EInvalid},
		{"wrong type", signRaw([]byte(strings.Replace(raw, `"max_age_seconds":86400`, `"max_age_seconds":"1d"`, 1)), central), pub, bk.EInvalid},
		{"invalid catalogue", badCat, pub, bk.EInvalid},
	}
	for _, tt := range tests {
		if b, err := tt.signed.Verify(tt.key); bk.ErrorCode(err) != tt.want || b != nil {
			t.Errorf("Verify(%s) = %v, %v; want nil, %q", tt.name, b, err, tt.want)
		}
	}
	for i := range good.Bundle {
		s := *good
		s.Bundle = bytes.Clone(good.Bundle)
		s.Bundle[i] ^= 0x20
		if b, err := s.Verify(pub); bk.ErrorCode(err) != bk.EBadSignature || b != nil {
			t.Fatalf("Verify(bundle byte %d changed) = %v, %v; want nil, %q", i, b, err, bk.EBadSignature)
		}
	}
	for i := range good.Signature {
		s := *good
		s.Signature = bytes.Clone(good.Signature)
		s.Signature[i] ^= 1
		if _, err := s.Verify(pub); bk.ErrorCode(err) != bk.EBadSignature {
			t.Fatalf("Verify(signature byte %d changed) = %v; want %q", i, err, bk.EBadSignature)
		}
	}
	// The signature covers the tagged bytes, not the raw JSON: a signature
	// made over the bundle bytes alone must not verify.
	s := *good
	s.Signature = ed25519.Sign(central, good.Bundle)
	if _, err := s.Verify(pub); bk.ErrorCode(err) != bk.EBadSignature {
		t.Errorf("Verify(signature over untagged bytes) = %v; want %q", err, bk.EBadSignature)
	}
}

func TestTrustBundleStale(t *testing.T) {
	b := testBundle() // issued an hour before now, max age one day
	tests := []struct {
		at    time.Time
		stale bool
	}{
		{now, false},
		{b.IssuedAt.Add(24 * time.Hour), false},
		{b.IssuedAt.Add(24*time.Hour + time.Second), true},
		{now.AddDate(0, 1, 0), true},
	}
	for _, tt := range tests {
		if got := b.Stale(tt.at); got != tt.stale {
			t.Errorf("Stale(issued %v + %v) = %v; want %v", b.IssuedAt, tt.at.Sub(b.IssuedAt), got, tt.stale)
		}
	}
	if got := b.MaxAge(); got != 24*time.Hour {
		t.Errorf("MaxAge() = %v; want 24h", got)
	}
}

func TestAllowAction(t *testing.T) {
	fresh := testBundle()
	stale := testBundle()
	stale.IssuedAt = now.AddDate(0, 0, -2)
	for _, k := range bk.ActionKinds {
		for _, tt := range []struct {
			name   string
			bundle *bk.TrustBundle
			stale  bool
		}{
			{"fresh", fresh, false},
			{"stale", stale, true},
			{"nil", nil, true},
		} {
			want := ""
			if k.Widening() && tt.stale {
				want = bk.EStaleTrust
			}
			err := tt.bundle.AllowAction(k, now)
			if got := bk.ErrorCode(err); got != want {
				t.Errorf("AllowAction(%s bundle, %s) = %q; want %q", tt.name, k, got, want)
			}
			if err != nil && bk.ErrorMessage(err) == "" {
				t.Errorf("AllowAction(%s bundle, %s) gives no message for the person", tt.name, k)
			}
		}
	}
}

package central_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// The previous release's trust bundle decoding (af608bb: trust.go,
// catalogue.go, canonical.go), copied as it was: its kiosks keep running
// until they are upgraded, and they refuse any field they do not know.
type v1SignedBundle struct {
	Bundle    json.RawMessage `json:"bundle"`
	KeyID     string          `json:"key_id"`
	Signature []byte          `json:"signature"`
}

type v1Text struct {
	DA string `json:"da"`
	EN string `json:"en"`
}

type v1Entry struct {
	ID          string `json:"id"`
	Name        v1Text `json:"name"`
	Description v1Text `json:"description"`
}

type v1Authority struct {
	ID               string   `json:"id"`
	Name             v1Text   `json:"name"`
	Description      v1Text   `json:"description"`
	DataCategories   []string `json:"data_categories"`
	DelegationScopes []string `json:"delegation_scopes,omitempty"`
}

type v1Key struct {
	ID        string            `json:"id"`
	PublicKey ed25519.PublicKey `json:"public_key"`
}

type v1TrustBundle struct {
	IssuedAt   time.Time `json:"issued_at"`
	MaxAgeSecs int64     `json:"max_age_seconds"`
	Issuers    []v1Key   `json:"issuers"`
	Revoked    []string  `json:"revoked_serials"`
	Kiosks     []v1Key   `json:"kiosks"`
	Catalogue  struct {
		Authorities    []v1Authority `json:"authorities"`
		DataCategories []v1Entry     `json:"data_categories"`
		Scopes         []v1Entry     `json:"scopes"`
	} `json:"catalogue"`
}

func v1Verify(s *v1SignedBundle, central ed25519.PublicKey) (*v1TrustBundle, error) {
	const tag = "borgerkiosk-trust-bundle-v1"
	var msg []byte
	for _, p := range [][]byte{[]byte(tag), s.Bundle} {
		msg = binary.BigEndian.AppendUint32(msg, uint32(len(p)))
		msg = append(msg, p...)
	}
	if len(s.Signature) != ed25519.SignatureSize || !ed25519.Verify(central, msg, s.Signature) {
		return nil, errV1Signature
	}
	var b v1TrustBundle
	dec := json.NewDecoder(bytes.NewReader(s.Bundle))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, err
	}
	return &b, nil
}

type v1Error string

func (e v1Error) Error() string { return string(e) }

const errV1Signature = v1Error("the trust bundle is not signed by the central service")

// TestTrustBundleWithoutSinceReadsInThePreviousRelease: a kiosk that does
// not ask for a delta may still run the release before deltas; the bundle it
// gets decodes and verifies with that release's code, whole (every serial,
// every kiosk), and a kiosk of this release reads the same bundle too.
func TestTrustBundleWithoutSinceReadsInThePreviousRelease(t *testing.T) {
	h := centraltest.Start(t)
	k := h.EnrollKiosk(t, fixture.KioskID)
	h.EnrollKiosk(t, "kiosk-2")
	for _, s := range []string{"S3", "S1", "S2"} {
		h.Revoke(t, s)
	}
	status, body := k.Request(t, "GET", "/v1/trust-bundle", nil)
	var sb v1SignedBundle
	if status != 200 || json.Unmarshal(body, &sb) != nil {
		t.Fatalf("GET /v1/trust-bundle = %d %s", status, body)
	}
	old, err := v1Verify(&sb, h.CentralKey)
	if err != nil {
		t.Fatalf("the previous release refuses the bundle: %v\n%s", err, sb.Bundle)
	}
	if !slices.Equal(old.Revoked, []string{"S3", "S1", "S2"}) || len(old.Kiosks) != 2 || len(old.Issuers) == 0 ||
		len(old.Catalogue.Authorities) == 0 || old.IssuedAt.IsZero() || old.MaxAgeSecs <= 0 {
		t.Errorf("the previous release reads %+v; want three serials, two kiosks, the issuers and catalogue", old)
	}
	if b := h.TrustBundle(t, k); b.Revocations.Count != 3 || b.DeltaFrom != nil {
		t.Errorf("this release reads the same bundle at %s (delta %v); want the full list, version 3", b.Revocations, b.DeltaFrom)
	}
}

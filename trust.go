package borgerkiosk

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"time"
)

// KioskKey is an enrolled kiosk's public key; kiosks sign handover codes with
// it, so other kiosks need it to check codes offline.
type KioskKey struct {
	ID        string            `json:"id"` // the kiosk id
	PublicKey ed25519.PublicKey `json:"public_key"`
}

// TrustBundle is what central tells every kiosk to trust. With a stale bundle
// a kiosk still accepts restrictive actions but refuses widening ones.
type TrustBundle struct {
	IssuedAt   time.Time   `json:"issued_at"`
	MaxAgeSecs int64       `json:"max_age_seconds"`
	Issuers    []IssuerKey `json:"issuers"`
	// Revoked lists revoked card serials in the order they were revoked:
	// all of them in a full bundle, only those after DeltaFrom in a delta.
	Revoked []string `json:"revoked_serials"`
	// Revocations is the version of the whole list this bundle leads to.
	// Absent in the previous release's format (SignBundleV1), whose kiosks
	// refuse fields they do not know; Verify then computes it.
	Revocations RevocationVersion `json:"revocations,omitzero"`
	// DeltaFrom, when set, makes this a delta: Revoked holds only the
	// serials added after this version, for a kiosk that has it (Apply).
	DeltaFrom *RevocationVersion `json:"delta_from,omitempty"`
	Kiosks    []KioskKey         `json:"kiosks"`
	// KiosksDigest is the KiosksDigest of the kiosk list this bundle leads
	// to. KiosksUnchanged (only in a delta) leaves Kiosks out: the list is
	// the one of the kiosk's bundle, which must have this digest (Apply), so
	// a refresh does not carry every kiosk's key.
	KiosksDigest    []byte    `json:"kiosks_digest,omitempty"`
	KiosksUnchanged bool      `json:"kiosks_unchanged,omitempty"`
	Catalogue       Catalogue `json:"catalogue"`
}

const kiosksDigestTag = "borgerkiosk-kiosk-keys-v1"

// KiosksDigest names a kiosk key list, in its order: a kiosk sends it with
// its refresh (GET /v1/trust-bundle?kiosks=) so that central can leave an
// unchanged list out.
func KiosksDigest(ks []KioskKey) []byte {
	w := newCanonical(kiosksDigestTag)
	for _, k := range ks {
		w.str(k.ID)
		w.bytes(k.PublicKey)
	}
	h := sha256.Sum256(w.b)
	return h[:]
}

// MaxAge returns how long the bundle may be used for widening actions.
func (b *TrustBundle) MaxAge() time.Duration { return time.Duration(b.MaxAgeSecs) * time.Second }

// Stale reports whether the bundle is older than its max age at now.
func (b *TrustBundle) Stale(now time.Time) bool {
	return now.Sub(b.IssuedAt) > b.MaxAge()
}

// Trust returns the card trust the bundle describes. A kiosk asks at every
// sign-in, and a bundle may list a million revoked serials, so the set of
// them is built once per list (trustMemo) and shared: the returned
// Revoked must not be changed (clone it to add to it).
func (b *TrustBundle) Trust() *Trust {
	if len(b.Revoked) == 0 {
		return &Trust{Issuers: b.Issuers, Revoked: map[string]bool{}}
	}
	trustMemo.mu.Lock()
	defer trustMemo.mu.Unlock()
	if !sameSlice(trustMemo.list, b.Revoked) {
		rev := make(map[string]bool, len(b.Revoked))
		for _, s := range b.Revoked {
			rev[s] = true
		}
		trustMemo.list, trustMemo.set = b.Revoked, rev
	}
	return &Trust{Issuers: b.Issuers, Revoked: trustMemo.set}
}

// trustMemo is the revoked set of the last list Trust was asked about: a
// kiosk has one current bundle, replaced whole (never changed in place) by
// each refresh. It is keyed by the list's backing array, so a bundle copied
// with another list (Apply) is not given a stale set.
var trustMemo struct {
	mu   sync.Mutex
	list []string
	set  map[string]bool
}

func sameSlice(a, b []string) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// KioskKey returns the public key of kiosk id.
func (b *TrustBundle) KioskKey(id string) (ed25519.PublicKey, bool) {
	for _, k := range b.Kiosks {
		if k.ID == id {
			return k.PublicKey, true
		}
	}
	return nil, false
}

// AllowAction refuses a widening action when the bundle is stale, with a
// reason a person can act on; restrictive actions are always allowed.
func (b *TrustBundle) AllowAction(kind ActionKind, now time.Time) error {
	if kind.Widening() && (b == nil || b.Stale(now)) {
		return Errorf(EStaleTrust, "The kiosk has not been able to reach the central service for too long, so it cannot give new permissions right now. You can still withdraw, decline and revoke.")
	}
	return nil
}

// SignedBundle carries the exact bundle bytes central signed, so a verifier
// never has to re-encode before checking the signature.
type SignedBundle struct {
	Bundle    json.RawMessage `json:"bundle"`
	KeyID     string          `json:"key_id"`
	Signature []byte          `json:"signature"`
}

const bundleTag = "borgerkiosk-trust-bundle-v1"

func bundleSignedBytes(b []byte) []byte {
	w := newCanonical(bundleTag)
	w.bytes(b)
	return w.b
}

// SignBundle encodes and signs b with central's key. A full bundle (no
// DeltaFrom) is signed with the version of its Revoked list, whatever b says.
func SignBundle(b *TrustBundle, key ed25519.PrivateKey) (*SignedBundle, error) {
	if b.DeltaFrom == nil {
		full := *b
		full.Revocations = RevocationVersion{}.Add(b.Revoked)
		b = &full
	}
	return signBundle(b, key)
}

// SignBundleV1 signs the full bundle b in the format kiosks of the release
// before revocation versions read: they refuse unknown fields, so it has no
// version and no delta (a newer kiosk computes the version from the list).
// Central serves it to a kiosk that does not ask for a delta, so kiosks not
// yet upgraded keep a fresh bundle.
func SignBundleV1(b *TrustBundle, key ed25519.PrivateKey) (*SignedBundle, error) {
	if b.DeltaFrom != nil {
		return nil, Errorf(EInvalid, "a delta has no form the previous release reads")
	}
	v1 := *b
	v1.Revocations, v1.KiosksDigest, v1.KiosksUnchanged = RevocationVersion{}, nil, false
	return signBundle(&v1, key)
}

func signBundle(b *TrustBundle, key ed25519.PrivateKey) (*SignedBundle, error) {
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	return &SignedBundle{
		Bundle:    raw,
		KeyID:     KeyID(key.Public().(ed25519.PublicKey)),
		Signature: ed25519.Sign(key, bundleSignedBytes(raw)),
	}, nil
}

// Verify checks central's signature and decodes the bundle.
func (s *SignedBundle) Verify(central ed25519.PublicKey) (*TrustBundle, error) {
	if len(s.Signature) != ed25519.SignatureSize || !ed25519.Verify(central, bundleSignedBytes(s.Bundle), s.Signature) {
		return nil, Errorf(EBadSignature, "The trust bundle is not signed by the central service.")
	}
	var b TrustBundle
	dec := json.NewDecoder(bytes.NewReader(s.Bundle))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, Errorf(EInvalid, "The trust bundle cannot be read: %v", err)
	}
	if err := b.Catalogue.Validate(); err != nil {
		return nil, err
	}
	if err := b.checkRevocations(); err != nil {
		return nil, err
	}
	if err := b.checkKiosks(); err != nil {
		return nil, err
	}
	return &b, nil
}

// checkKiosks checks that a listed kiosk list is the one the digest names,
// and that only a delta leaves the list out.
func (b *TrustBundle) checkKiosks() error {
	switch {
	case b.KiosksUnchanged && (b.DeltaFrom == nil || len(b.KiosksDigest) == 0 || b.Kiosks != nil):
		return Errorf(EInvalid, "The trust bundle leaves out the kiosk keys, but is not a delta that names them.")
	case !b.KiosksUnchanged && len(b.KiosksDigest) > 0 && !bytes.Equal(KiosksDigest(b.Kiosks), b.KiosksDigest):
		return Errorf(EInvalid, "The trust bundle's kiosk keys do not match their digest.")
	}
	return nil
}

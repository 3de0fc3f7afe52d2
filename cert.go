package borgerkiosk

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Role is what a card lets its holder do at a kiosk.
type Role string

const (
	RoleCitizen Role = "citizen"
	RoleStaff   Role = "staff"
)

// maxCertificateSize bounds decoding; real certificates are about 250 bytes.
const maxCertificateSize = 2048

const certTag = "borgerkiosk-card-certificate-v1"

// Certificate is an issuer-signed statement binding a card's public key to a
// person. The card keeps the matching private key and the PIN.
type Certificate struct {
	Serial    string
	CPR       CPR
	Name      string
	Role      Role
	StaffID   string // only for RoleStaff
	NotBefore time.Time
	NotAfter  time.Time
	CardKey   ed25519.PublicKey
	IssuerID  string // KeyID of the issuer key that signed it
	Signature []byte
}

// IssuerKey is a card issuer's public key, as listed in the trust bundle.
type IssuerKey struct {
	ID        string            `json:"id"`
	PublicKey ed25519.PublicKey `json:"public_key"`
}

// KeyID derives a short stable identifier from a public key.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// SignedBytes returns the canonical bytes the issuer signs: every field but
// the signature, in a fixed order.
func (c *Certificate) SignedBytes() []byte {
	w := newCanonical(certTag)
	w.str(c.Serial)
	w.str(c.CPR.Digits())
	w.str(c.Name)
	w.str(string(c.Role))
	w.str(c.StaffID)
	w.time(c.NotBefore)
	w.time(c.NotAfter)
	w.bytes(c.CardKey)
	w.str(c.IssuerID)
	return w.b
}

// Encode returns the certificate as it is stored on a card: the signed bytes
// followed by the signature, length-prefixed like every field.
func (c *Certificate) Encode() []byte {
	w := &canonicalWriter{b: c.SignedBytes()}
	w.bytes(c.Signature)
	return w.b
}

// SignCertificate fills in IssuerID and Signature using the issuer's key.
func SignCertificate(c *Certificate, issuer ed25519.PrivateKey) {
	c.IssuerID = KeyID(issuer.Public().(ed25519.PublicKey))
	c.Signature = ed25519.Sign(issuer, c.SignedBytes())
}

// DecodeCertificate parses bytes made by Encode. It checks shape only; use
// VerifyCertificate to decide whether to trust it.
func DecodeCertificate(b []byte) (*Certificate, error) {
	bad := Errorf(EInvalid, "The card's certificate cannot be read.")
	if len(b) > maxCertificateSize {
		return nil, bad
	}
	r := &canonicalReader{b: b}
	if r.str() != certTag {
		return nil, bad
	}
	c := &Certificate{}
	c.Serial = r.str()
	cpr := r.str()
	c.Name = r.str()
	c.Role = Role(r.str())
	c.StaffID = r.str()
	c.NotBefore = r.time()
	c.NotAfter = r.time()
	key := r.bytes()
	c.IssuerID = r.str()
	c.Signature = append([]byte(nil), r.bytes()...)
	if !r.done() || len(key) != ed25519.PublicKeySize || len(c.Signature) != ed25519.SignatureSize {
		return nil, bad
	}
	c.CardKey = append(ed25519.PublicKey(nil), key...)
	var err error
	// Encode writes ten digits; accepting the hyphenated form too would give
	// one certificate two encodings.
	if c.CPR, err = parseCPRForm(cpr); err != nil || len(cpr) != 10 {
		return nil, bad
	}
	if c.Serial == "" || c.IssuerID == "" || c.Name == "" {
		return nil, bad
	}
	switch c.Role {
	case RoleCitizen:
		if c.StaffID != "" {
			return nil, bad
		}
	case RoleStaff:
		if c.StaffID == "" {
			return nil, bad
		}
	default:
		return nil, bad
	}
	return c, nil
}

// Trust is what a verifier needs to decide about cards: the issuers it
// trusts and the serials that are revoked.
type Trust struct {
	Issuers []IssuerKey
	Revoked map[string]bool // card serials
}

// VerifyCertificate decides whether c can be trusted at time now. Every
// refusal is an *Error whose code names the reason: EUnknownIssuer,
// EBadSignature, ECardRevoked, ECardNotYet or ECardExpired.
func (t *Trust) VerifyCertificate(c *Certificate, now time.Time) error {
	var key ed25519.PublicKey
	for _, k := range t.Issuers {
		if k.ID == c.IssuerID {
			key = k.PublicKey
			break
		}
	}
	if key == nil {
		return Errorf(EUnknownIssuer, "This card was not issued by an issuer the kiosk trusts.")
	}
	if len(c.Signature) != ed25519.SignatureSize || !ed25519.Verify(key, c.SignedBytes(), c.Signature) {
		return Errorf(EBadSignature, "The card's certificate is not genuine.")
	}
	if t.Revoked[c.Serial] {
		return Errorf(ECardRevoked, "This card has been blocked. Please ask staff for help.")
	}
	if now.Before(c.NotBefore) {
		return Errorf(ECardNotYet, "This card is not valid yet.")
	}
	if !now.Before(c.NotAfter) {
		return Errorf(ECardExpired, "This card has expired. Please ask staff about a new card.")
	}
	return nil
}

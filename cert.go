package borgerkiosk

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"sync"
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
	// Verified, when set, remembers certificates whose issuer signature
	// was checked, so a card seen again costs no second check.
	Verified *CertCache
}

// VerifyCertificate decides whether c can be trusted at time now. Every
// refusal is an *Error whose code names the reason: EUnknownIssuer,
// EBadSignature, ECardRevoked, ECardNotYet or ECardExpired.
func (t *Trust) VerifyCertificate(c *Certificate, now time.Time) error {
	k := &Checked{}
	if t.checkCert(k, c, now) {
		k.Actor = c
	}
	_, _, refusal, _ := k.Decide(t.revokedInMap)
	return refusal
}

func (t *Trust) revokedInMap(serial string) (bool, error) { return t.Revoked[serial], nil }

// CheckCertificate makes every check of VerifyCertificate but the
// revocation one, which Decide makes (the certificate comes back as Actor).
func (t *Trust) CheckCertificate(c *Certificate, now time.Time) *Checked {
	k := &Checked{}
	if t.checkCert(k, c, now) {
		k.Actor = c
	}
	return k
}

// checkCert records the checks of c in k, in VerifyCertificate's order,
// and reports whether all but the revocation check passed.
func (t *Trust) checkCert(k *Checked, c *Certificate, now time.Time) bool {
	var key ed25519.PublicKey
	for _, i := range t.Issuers {
		if i.ID == c.IssuerID {
			key = i.PublicKey
			break
		}
	}
	if key == nil {
		return k.refuse(Errorf(EUnknownIssuer, "This card was not issued by an issuer the kiosk trusts."))
	}
	if !t.Verified.verify(key, c) {
		return k.refuse(Errorf(EBadSignature, "The card's certificate is not genuine."))
	}
	k.steps = append(k.steps, checkStep{serial: c.Serial})
	if now.Before(c.NotBefore) {
		return k.refuse(Errorf(ECardNotYet, "This card is not valid yet."))
	}
	if !now.Before(c.NotAfter) {
		return k.refuse(Errorf(ECardExpired, "This card has expired. Please ask staff about a new card."))
	}
	return true
}

// Checked is the outcome of the signature and validity checks of an action
// or a certificate, with the revocation checks left to Decide: a verifier
// can make the expensive checks first, outside any transaction, and look
// up only the serials it met, inside one.
type Checked struct {
	Actor, Staff *Certificate // set when every check but revocation passed
	steps        []checkStep  // in the order the checks are made
}

// checkStep is one check: "is serial revoked?" or a refusal.
type checkStep struct {
	serial  string
	refusal error
}

func (k *Checked) refuse(err error) bool {
	k.steps = append(k.steps, checkStep{refusal: err})
	return false
}

// Serials returns the card serials Decide may look up, in its order (a
// store can fetch them together first).
func (k *Checked) Serials() []string {
	var out []string
	for _, s := range k.steps {
		if s.refusal != nil {
			break
		}
		out = append(out, s.serial)
	}
	return out
}

// Decide finishes the checks with revoked (a store lookup; its error is
// returned as err) and returns what VerifyAction would: the certificates,
// or the first refusal in the order the checks are made.
func (k *Checked) Decide(revoked func(serial string) (bool, error)) (actor, staff *Certificate, refusal, err error) {
	for _, s := range k.steps {
		if s.refusal != nil {
			return nil, nil, s.refusal, nil
		}
		r, err := revoked(s.serial)
		if err != nil {
			return nil, nil, nil, err
		}
		if r {
			return nil, nil, Errorf(ECardRevoked, "This card has been blocked. Please ask staff for help."), nil
		}
	}
	return k.Actor, k.Staff, nil, nil
}

// CertCache is a bounded set of certificates whose issuer signature was
// found valid, keyed by a hash of the issuer key and the certificate's
// bytes (so a changed byte or another issuer is a miss). It keeps two
// generations of at most size/2 entries: when the newer fills, the older is
// dropped, so the cards in use stay and memory stays bounded. Only the
// signature is cached: revocation and validity are checked every time.
type CertCache struct {
	mu       sync.Mutex
	half     int
	cur, old map[[32]byte]struct{}
}

// NewCertCache makes a cache of at most size certificates (at least 2).
func NewCertCache(size int) *CertCache {
	half := max(size/2, 1)
	return &CertCache{half: half, cur: make(map[[32]byte]struct{}, half)}
}

// Len returns how many certificates the cache holds.
func (cc *CertCache) Len() int {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	return len(cc.cur) + len(cc.old)
}

// verify checks the issuer's signature on c, or finds it checked before;
// a nil cache checks every time.
func (cc *CertCache) verify(issuer ed25519.PublicKey, c *Certificate) bool {
	if len(c.Signature) != ed25519.SignatureSize {
		return false
	}
	signed := c.SignedBytes()
	if cc == nil {
		return ed25519.Verify(issuer, signed, c.Signature)
	}
	h := sha256.New()
	h.Write(issuer) // fixed sizes: issuer key, then signature, then the rest
	h.Write(c.Signature)
	h.Write(signed)
	var id [32]byte
	h.Sum(id[:0])
	cc.mu.Lock()
	_, hit := cc.cur[id]
	if !hit {
		if _, hit = cc.old[id]; hit {
			cc.addLocked(id)
		}
	}
	cc.mu.Unlock()
	if hit {
		return true
	}
	if !ed25519.Verify(issuer, signed, c.Signature) {
		return false // failures are not kept: a forger could fill the cache
	}
	cc.mu.Lock()
	cc.addLocked(id)
	cc.mu.Unlock()
	return true
}

func (cc *CertCache) addLocked(id [32]byte) {
	if len(cc.cur) >= cc.half {
		cc.old, cc.cur = cc.cur, make(map[[32]byte]struct{}, cc.half)
	}
	cc.cur[id] = struct{}{}
}

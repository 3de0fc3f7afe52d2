package borgerkiosk_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"reflect"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

const certTag = "borgerkiosk-card-certificate-v1"

// seededKey returns a deterministic key, so certificates made from it are the
// same bytes on every run (fuzz seeds, golden comparisons).
func seededKey(b byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
}

// testCert returns a certificate signed by issuer, valid through 2025–2029.
func testCert(issuer ed25519.PrivateKey, role bk.Role) *bk.Certificate {
	c := &bk.Certificate{
		Serial:    "C0000042",
		CPR:       bk.MustParseCPR(principalCPR),
		Name:      "Poul Ærø Principal",
		Role:      role,
		NotBefore: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:  time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC),
		CardKey:   seededKey(2).Public().(ed25519.PublicKey),
	}
	if role == bk.RoleStaff {
		c.StaffID = "B1234"
	}
	bk.SignCertificate(c, issuer)
	return c
}

func trustOf(issuer ed25519.PrivateKey, revoked ...string) *bk.Trust {
	pub := issuer.Public().(ed25519.PublicKey)
	t := &bk.Trust{Issuers: []bk.IssuerKey{{ID: bk.KeyID(pub), PublicKey: pub}}, Revoked: map[string]bool{}}
	for _, s := range revoked {
		t.Revoked[s] = true
	}
	return t
}

// certFields are the fields of an encoded certificate as raw strings, so a
// test can build encodings Encode would never make.
type certFields struct {
	tag, serial, cpr, name, role, staffID string
	notBefore, notAfter                   []byte
	key                                   []byte
	issuerID                              string
	sig                                   []byte
}

func fieldsOf(c *bk.Certificate) certFields {
	ts := func(t time.Time) []byte { return binary.BigEndian.AppendUint64(nil, uint64(t.Unix())) }
	return certFields{certTag, c.Serial, c.CPR.Digits(), c.Name, string(c.Role), c.StaffID,
		ts(c.NotBefore), ts(c.NotAfter), c.CardKey, c.IssuerID, c.Signature}
}

func (f certFields) encode() []byte {
	var b []byte
	put := func(p []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	for _, s := range []string{f.tag, f.serial, f.cpr, f.name, f.role, f.staffID} {
		put([]byte(s))
	}
	put(f.notBefore)
	put(f.notAfter)
	put(f.key)
	put([]byte(f.issuerID))
	put(f.sig)
	return b
}

func TestCertificateEncodeDecode(t *testing.T) {
	issuer := seededKey(1)
	for _, role := range []bk.Role{bk.RoleCitizen, bk.RoleStaff} {
		c := testCert(issuer, role)
		enc := c.Encode()
		if want := fieldsOf(c).encode(); !bytes.Equal(enc, want) {
			t.Errorf("Encode(%s) = %x; want the documented layout %x", role, enc, want)
		}
		got, err := bk.DecodeCertificate(enc)
		if err != nil {
			t.Fatalf("DecodeCertificate(Encode(%s)) = %v", role, err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("DecodeCertificate(Encode(%s)) = %+v; want %+v", role, got, c)
		}
		if !bytes.Equal(got.Encode(), enc) {
			t.Errorf("re-encoding a decoded %s certificate changed its bytes", role)
		}
		if err := trustOf(issuer).VerifyCertificate(got, now); err != nil {
			t.Errorf("VerifyCertificate(decoded %s) = %v; want nil", role, err)
		}
		// Decoding must not alias the input: a caller may reuse its buffer.
		clear(enc)
		if !reflect.DeepEqual(got, c) {
			t.Errorf("DecodeCertificate(%s) result changed when the input buffer was cleared", role)
		}
	}
}

func TestCertificateSignedBytes(t *testing.T) {
	c := testCert(seededKey(1), bk.RoleStaff)
	base := c.SignedBytes()
	if again := c.SignedBytes(); !bytes.Equal(base, again) {
		t.Fatalf("SignedBytes is not deterministic: %x then %x", base, again)
	}
	if again := testCert(seededKey(1), bk.RoleStaff).SignedBytes(); !bytes.Equal(base, again) {
		t.Fatalf("SignedBytes of equal certificates differ")
	}
	c2 := *c
	c2.Signature = bytes.Repeat([]byte{9}, 64)
	if !bytes.Equal(c2.SignedBytes(), base) {
		t.Errorf("SignedBytes covers the signature; it must not")
	}
	changes := map[string]func(c *bk.Certificate){
		"serial":     func(c *bk.Certificate) { c.Serial += "1" },
		"cpr":        func(c *bk.Certificate) { c.CPR = bk.MustParseCPR("010170-1235") },
		"name":       func(c *bk.Certificate) { c.Name = "Poul Aero Principal" },
		"role":       func(c *bk.Certificate) { c.Role = bk.RoleCitizen },
		"staff id":   func(c *bk.Certificate) { c.StaffID = "B1235" },
		"not before": func(c *bk.Certificate) { c.NotBefore = c.NotBefore.Add(time.Second) },
		"not after":  func(c *bk.Certificate) { c.NotAfter = c.NotAfter.Add(-time.Second) },
		"card key":   func(c *bk.Certificate) { c.CardKey = seededKey(3).Public().(ed25519.PublicKey) },
		"issuer id":  func(c *bk.Certificate) { c.IssuerID = "0000000000000000" },
		// Moving a byte from one field to the next must change the bytes:
		// length prefixes keep fields from running into each other.
		"boundary": func(c *bk.Certificate) { c.Serial, c.Name = c.Serial+"P", c.Name[1:] },
	}
	for name, change := range changes {
		m := *c
		change(&m)
		if bytes.Equal(m.SignedBytes(), base) {
			t.Errorf("SignedBytes unchanged when the %s changes", name)
		}
	}
}

func TestVerifyCertificate(t *testing.T) {
	issuer := seededKey(1)
	c := testCert(issuer, bk.RoleCitizen)
	tests := []struct {
		name  string
		trust *bk.Trust
		at    time.Time
		want  string
	}{
		{"valid", trustOf(issuer), now, ""},
		{"first second", trustOf(issuer), c.NotBefore, ""},
		{"last second", trustOf(issuer), c.NotAfter.Add(-time.Second), ""},
		{"unknown issuer", trustOf(seededKey(7)), now, bk.EUnknownIssuer},
		{"no issuers", &bk.Trust{}, now, bk.EUnknownIssuer},
		{"issuer id known, other key", &bk.Trust{Issuers: []bk.IssuerKey{{ID: c.IssuerID, PublicKey: seededKey(7).Public().(ed25519.PublicKey)}}}, now, bk.EBadSignature},
		{"revoked", trustOf(issuer, "X", c.Serial), now, bk.ECardRevoked},
		{"revoked and expired", trustOf(issuer, c.Serial), c.NotAfter.AddDate(1, 0, 0), bk.ECardRevoked},
		{"other serial revoked", trustOf(issuer, "C0000043"), now, ""},
		{"nil revocation map", &bk.Trust{Issuers: trustOf(issuer).Issuers}, now, ""},
		{"not yet valid", trustOf(issuer), c.NotBefore.Add(-time.Second), bk.ECardNotYet},
		{"expired at NotAfter", trustOf(issuer), c.NotAfter, bk.ECardExpired},
		{"expired", trustOf(issuer), c.NotAfter.AddDate(0, 0, 1), bk.ECardExpired},
	}
	for _, tt := range tests {
		if got := bk.ErrorCode(tt.trust.VerifyCertificate(c, tt.at)); got != tt.want {
			t.Errorf("VerifyCertificate(%s) = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestVerifyCertificateTamperedField(t *testing.T) {
	issuer := seededKey(1)
	trust := trustOf(issuer)
	flip := func(s string) string { b := []byte(s); b[len(b)-1] ^= 1; return string(b) }
	tests := []struct {
		field  string
		change func(c *bk.Certificate)
		want   string
	}{
		{"serial", func(c *bk.Certificate) { c.Serial = flip(c.Serial) }, bk.EBadSignature},
		{"cpr", func(c *bk.Certificate) { c.CPR = bk.MustParseCPR(flip(c.CPR.Full())) }, bk.EBadSignature},
		{"name", func(c *bk.Certificate) { c.Name = flip(c.Name) }, bk.EBadSignature},
		{"role", func(c *bk.Certificate) { c.Role = bk.RoleStaff; c.StaffID = "B1" }, bk.EBadSignature},
		{"staff id", func(c *bk.Certificate) { c.StaffID = "x" }, bk.EBadSignature},
		{"not before", func(c *bk.Certificate) { c.NotBefore = c.NotBefore.Add(-time.Second) }, bk.EBadSignature},
		{"not after", func(c *bk.Certificate) { c.NotAfter = c.NotAfter.Add(time.Second) }, bk.EBadSignature},
		{"card key", func(c *bk.Certificate) { k := append(ed25519.PublicKey(nil), c.CardKey...); k[0] ^= 1; c.CardKey = k }, bk.EBadSignature},
		{"signature", func(c *bk.Certificate) { s := append([]byte(nil), c.Signature...); s[10] ^= 0x80; c.Signature = s }, bk.EBadSignature},
		{"short signature", func(c *bk.Certificate) { c.Signature = c.Signature[:63] }, bk.EBadSignature},
		{"no signature", func(c *bk.Certificate) { c.Signature = nil }, bk.EBadSignature},
		{"issuer id", func(c *bk.Certificate) { c.IssuerID = flip(c.IssuerID) }, bk.EUnknownIssuer},
	}
	for _, tt := range tests {
		c := testCert(issuer, bk.RoleCitizen)
		tt.change(c)
		if got := bk.ErrorCode(trust.VerifyCertificate(c, now)); got != tt.want {
			t.Errorf("VerifyCertificate(tampered %s) = %q; want %q", tt.field, got, tt.want)
		}
	}
}

// TestCertificateEveryByteMatters flips each bit of an encoded certificate in
// turn: the result must either not decode or not verify.
func TestCertificateEveryByteMatters(t *testing.T) {
	issuer := seededKey(1)
	trust := trustOf(issuer)
	for _, role := range []bk.Role{bk.RoleCitizen, bk.RoleStaff} {
		enc := testCert(issuer, role).Encode()
		for i := range enc {
			for bit := 0; bit < 8; bit++ {
				b := bytes.Clone(enc)
				b[i] ^= 1 << bit
				c, err := bk.DecodeCertificate(b)
				if err != nil {
					if code := bk.ErrorCode(err); code != bk.EInvalid {
						t.Fatalf("DecodeCertificate(flip byte %d bit %d) code = %q; want %q", i, bit, code, bk.EInvalid)
					}
					continue
				}
				if err := trust.VerifyCertificate(c, now); err == nil {
					t.Errorf("%s certificate with byte %d bit %d flipped decodes and verifies; want a refusal", role, i, bit)
				}
			}
		}
	}
}

func TestDecodeCertificateRefusals(t *testing.T) {
	issuer := seededKey(1)
	good := fieldsOf(testCert(issuer, bk.RoleCitizen))
	staff := fieldsOf(testCert(issuer, bk.RoleStaff))
	with := func(f certFields, change func(*certFields)) []byte { change(&f); return f.encode() }
	tests := []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"trailing byte", append(good.encode(), 0)},
		{"trailing field", append(good.encode(), 0, 0, 0, 0)},
		{"wrong tag", with(good, func(f *certFields) { f.tag = "borgerkiosk-card-certificate-v2" })},
		{"no tag", with(good, func(f *certFields) { f.tag = "" })},
		{"action tag", with(good, func(f *certFields) { f.tag = "borgerkiosk-action-v1" })},
		{"bad CPR date", with(good, func(f *certFields) { f.cpr = "3202701234" })},
		{"CPR with letters", with(good, func(f *certFields) { f.cpr = "01017O1234" })},
		{"CPR short", with(good, func(f *certFields) { f.cpr = "010170123" })},
		{"CPR empty", with(good, func(f *certFields) { f.cpr = "" })},
		// Encode writes ten digits; the written form with a hyphen is another
		// encoding of the same certificate and must not be accepted.
		{"CPR with hyphen", with(good, func(f *certFields) { f.cpr = "010170-1234" })},
		{"citizen with staff id", with(good, func(f *certFields) { f.staffID = "B1234" })},
		{"staff without staff id", with(staff, func(f *certFields) { f.staffID = "" })},
		{"unknown role", with(good, func(f *certFields) { f.role = "admin" })},
		{"empty role", with(good, func(f *certFields) { f.role = "" })},
		{"role in capitals", with(good, func(f *certFields) { f.role = "CITIZEN" })},
		{"no serial", with(good, func(f *certFields) { f.serial = "" })},
		{"no name", with(good, func(f *certFields) { f.name = "" })},
		{"no issuer id", with(good, func(f *certFields) { f.issuerID = "" })},
		{"short time", with(good, func(f *certFields) { f.notBefore = f.notBefore[:7] })},
		{"long time", with(good, func(f *certFields) { f.notAfter = append(f.notAfter, 0) })},
		{"short key", with(good, func(f *certFields) { f.key = f.key[:31] })},
		{"long key", with(good, func(f *certFields) { f.key = append(bytes.Clone(f.key), 0) })},
		{"short signature", with(good, func(f *certFields) { f.sig = f.sig[:63] })},
		{"long signature", with(good, func(f *certFields) { f.sig = append(bytes.Clone(f.sig), 0) })},
		{"oversize", with(good, func(f *certFields) { f.name = string(bytes.Repeat([]byte("x"), 2048)) })},
		{"huge length prefix", append([]byte{0xff, 0xff, 0xff, 0xff}, good.encode()[4:]...)},
	}
	for _, tt := range tests {
		c, err := bk.DecodeCertificate(tt.in)
		if err == nil {
			t.Errorf("DecodeCertificate(%s) = %+v; want an error", tt.name, c)
			continue
		}
		if code := bk.ErrorCode(err); code != bk.EInvalid || c != nil {
			t.Errorf("DecodeCertificate(%s) = %v, %q; want nil, %q", tt.name, c, code, bk.EInvalid)
		}
	}
	enc := good.encode()
	for n := 0; n < len(enc); n++ {
		if c, err := bk.DecodeCertificate(enc[:n]); err == nil || c != nil {
			t.Errorf("DecodeCertificate(truncated to %d of %d bytes) = %v, %v; want nil, error", n, len(enc), c, err)
		}
	}
	// Just under the size limit still decodes: the limit is about size only.
	long := with(good, func(f *certFields) { f.name = string(bytes.Repeat([]byte("x"), 2048-len(enc)+len(f.name))) })
	if len(long) != 2048 {
		t.Fatalf("test built %d bytes; want 2048", len(long))
	}
	if _, err := bk.DecodeCertificate(long); err != nil {
		t.Errorf("DecodeCertificate(2048 bytes) = %v; want nil", err)
	}
}

func TestKeyID(t *testing.T) {
	a, b := seededKey(1).Public().(ed25519.PublicKey), seededKey(2).Public().(ed25519.PublicKey)
	if bk.KeyID(a) != bk.KeyID(append(ed25519.PublicKey(nil), a...)) || bk.KeyID(a) == bk.KeyID(b) || len(bk.KeyID(a)) != 16 {
		t.Errorf("KeyID(a) = %q, KeyID(b) = %q; want stable, distinct, 16 hex digits", bk.KeyID(a), bk.KeyID(b))
	}
}

// certSeeds are the starting inputs of FuzzDecodeCertificate; the same
// values are kept in testdata/fuzz/FuzzDecodeCertificate.
func certSeeds() [][]byte {
	issuer := seededKey(1)
	citizen, staff := testCert(issuer, bk.RoleCitizen), testCert(issuer, bk.RoleStaff)
	enc := citizen.Encode()
	hyphen := fieldsOf(citizen)
	hyphen.cpr = citizen.CPR.Full()
	return [][]byte{
		enc,
		staff.Encode(),
		enc[:len(enc)/2],
		append(bytes.Clone(enc), 0),
		hyphen.encode(),
		{},
	}
}

func FuzzDecodeCertificate(f *testing.F) {
	for _, s := range certSeeds() {
		f.Add(s)
	}
	// A card from the fixture issuer: random keys, so a new seed each run.
	f.Add(fixture.NewIssuer().Citizen(principalCPR, "Fuzz").Cert.Encode())
	trust := trustOf(seededKey(1))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := bk.DecodeCertificate(b)
		if err != nil {
			if c != nil || bk.ErrorCode(err) != bk.EInvalid {
				t.Fatalf("DecodeCertificate = %v, %v; want nil and an %q error", c, err, bk.EInvalid)
			}
			return
		}
		if got := c.Encode(); !bytes.Equal(got, b) {
			t.Fatalf("DecodeCertificate(%x) re-encodes to %x", b, got)
		}
		_ = trust.VerifyCertificate(c, now) // must not panic
	})
}

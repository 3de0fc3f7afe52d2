package handover

import (
	"crypto"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/veraison/go-cose"
)

// # Format BK2 (compact)
//
// BK1 repeats what central already knows (scopes, validity) and carries
// an 8-byte delegate binding, which makes a typical code QR version 12–13.
// BK2 keeps what a kiosk needs offline to check the signature, show who
// offers the power of attorney and say "not for you" (a 2-byte binding),
// and what central needs to find the delegation and apply its rules:
//
//	claims   CBOR array, core deterministic encoding:
//	         [delegation id (16 raw bytes), code issued at (unix seconds),
//	          lifetime (whole days), token id (8–16 bytes),
//	          principal's first name and initial,
//	          delegate binding (CompactBindingLen bytes)]
//	signed   COSE_Sign1 as BK1 but for the algorithm: only the kid is in
//	         the protected header; EdDSA is fixed by the format and bound
//	         in as external data (compactAAD)
//	text     "BK2:" + Base42: Base45's scheme over the QR alphanumeric set
//	         without space, '%' and '/', so a URL needs no escapes
//	URL      upper-case "HTTPS://<HOST>/C/<Base42>"
//
// A typical code is 126 bytes of COSE, 214 characters as a URL: QR
// version 10-Q (see TestCompactSize). Verify returns its claims with
// Compact set and no scopes or validity: the pages take those
// from central's record (CheckClaims compares only what the code claims),
// and the delegate is checked by central from its record (Decide).
// Kiosks issue BK2; offline, their preview and accept receipt say that
// what it covers is shown once central can be asked.

// Prefix and URL path of format BK2.
const (
	PrefixCompact  = "BK2:"
	URLPathCompact = "/C/"
)

// base42Alphabet is the QR alphanumeric set without space, '%' and '/', the
// three characters a URL path must escape.
const base42Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ$*+-.:"

var base42Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(base42Alphabet); i++ {
		t[base42Alphabet[i]] = int8(i)
	}
	return t
}()

// encodeBase42 is EncodeBase45 with base42Alphabet: two bytes become
// three characters (42³ > 2¹⁶), a last odd byte two.
func encodeBase42(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b)/2*3 + 2)
	for i := 0; i+1 < len(b); i += 2 {
		n := int(b[i])<<8 | int(b[i+1])
		sb.WriteByte(base42Alphabet[n%42])
		sb.WriteByte(base42Alphabet[n/42%42])
		sb.WriteByte(base42Alphabet[n/(42*42)])
	}
	if len(b)%2 == 1 {
		n := int(b[len(b)-1])
		sb.WriteByte(base42Alphabet[n%42])
		sb.WriteByte(base42Alphabet[n/42])
	}
	return sb.String()
}

// decodeBase42 undoes encodeBase42, refusing what it cannot have made (as
// DecodeBase45 does), so every accepted text has one byte string.
func decodeBase42(s string) ([]byte, error) {
	if len(s)%3 == 1 {
		return nil, errors.New("base42: a single character is left over")
	}
	out := make([]byte, 0, len(s)/3*2+1)
	for i := 0; i < len(s); i += 3 {
		group := s[i:min(i+3, len(s))]
		n, weight := 0, 1
		for j := 0; j < len(group); j++ {
			v := base42Value[group[j]]
			if v < 0 {
				return nil, fmt.Errorf("base42: invalid character %q at offset %d", group[j], i+j)
			}
			n += int(v) * weight
			weight *= 42
		}
		switch {
		case len(group) == 3 && n <= 0xFFFF:
			out = append(out, byte(n>>8), byte(n))
		case len(group) == 2 && n <= 0xFF:
			out = append(out, byte(n))
		default:
			return nil, fmt.Errorf("base42: group %q at offset %d is too large", group, i)
		}
	}
	return out, nil
}

// day is the unit of a BK2 code's lifetime, in seconds: whole days take
// one byte where minutes took three.
const day = 24 * 60 * 60

// wireCompact is the CBOR form of BK2's claims.
type wireCompact struct {
	_             struct{} `cbor:",toarray"`
	DelegationID  []byte
	IssuedAt      int64
	LifetimeDays  int64
	TokenID       []byte
	PrincipalName string
	Binding       []byte // CompactBindingLen bytes
}

func (w *wireCompact) check() error {
	full := wireClaims{
		DelegationID: w.DelegationID, Scopes: []string{"-"}, ValidFrom: 0, ValidTo: 1,
		IssuedAt: w.IssuedAt, ExpiresAt: w.IssuedAt + w.LifetimeDays*day, TokenID: w.TokenID,
		PrincipalName: w.PrincipalName, Binding: make([]byte, BindingLen),
	}
	if w.LifetimeDays <= 0 {
		return errors.New("a compact code lives a whole number of days, at least one")
	}
	if len(w.Binding) != CompactBindingLen {
		return fmt.Errorf("binding must be %d bytes", CompactBindingLen)
	}
	return full.check()
}

// IssueCompact makes a signed handover code in format BK2 for the
// delegation in c, bound to the delegate's CPR number delegateCPR by a
// short binding (CompactBindingLen), signed by the kiosk key kid. It uses the
// delegation id, the code's times (ExpiresAt rounded down to a whole
// number of days after IssuedAt, at least one; zero times as Issue), the token id (an empty one gets TokenLen
// random bytes) and the masked name; scopes and validity are left to
// central's record. Invalid claims give an EInvalid error.
func IssueCompact(c Claims, delegateCPR, kid string, key crypto.Signer) (string, error) {
	digits, ok := cprDigits(delegateCPR)
	if !ok {
		return "", invalid("the delegate's CPR number must be 10 digits")
	}
	id, err := prepare(&c, kid, key)
	if err != nil {
		return "", err
	}
	w := wireCompact{
		DelegationID: id[:], IssuedAt: c.IssuedAt.Unix(),
		LifetimeDays: (c.ExpiresAt.Unix() - c.IssuedAt.Unix()) / day, TokenID: c.TokenID, PrincipalName: c.PrincipalName,
		Binding: binding(digits, c.TokenID, CompactBindingLen),
	}
	raw, err := signClaims(&w, kid, key, true)
	if err != nil {
		return "", err
	}
	return PrefixCompact + encodeBase42(raw), nil
}

// compactAAD is the external data of BK2 signatures: it stands for the
// algorithm header BK2 leaves out (RFC 9052 §3.1 lets external data
// carry the algorithm), so a BK2 signature is never valid as anything else.
var compactAAD = []byte("borgerkiosk-handover-BK2-EdDSA")

// signClaims checks the wire claims of either format, encodes them as CBOR
// and signs them: the one path both code formats are made by.
func signClaims(w interface{ check() error }, kid string, key crypto.Signer, compact bool) ([]byte, error) {
	if err := w.check(); err != nil {
		return nil, invalid("%s", err)
	}
	payload, err := encMode.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("handover: encode claims: %w", err)
	}
	return sign1(payload, kid, key, compact)
}

// sign1 signs payload as an untagged COSE_Sign1 with kid in the protected
// header, and the algorithm there too (BK1) or in the external data (BK2,
// compact).
func sign1(payload []byte, kid string, key crypto.Signer, compact bool) ([]byte, error) {
	signer, err := cose.NewSigner(cose.AlgorithmEdDSA, key)
	if err != nil {
		return nil, fmt.Errorf("handover: %w", err)
	}
	protected := cose.ProtectedHeader{cose.HeaderLabelKeyID: []byte(kid)}
	var external []byte
	if compact {
		external = compactAAD
	} else {
		protected[cose.HeaderLabelAlgorithm] = cose.AlgorithmEdDSA
	}
	msg := cose.UntaggedSign1Message{
		Headers: cose.Headers{Protected: protected, Unprotected: cose.UnprotectedHeader{}},
		Payload: payload,
	}
	if err := msg.Sign(rand.Reader, external, signer); err != nil {
		return nil, fmt.Errorf("handover: sign: %w", err)
	}
	raw, err := msg.MarshalCBOR()
	if err != nil {
		return nil, fmt.Errorf("handover: encode COSE_Sign1: %w", err)
	}
	return raw, nil
}

// compactClaims decodes and checks BK2 claims from a verified payload.
func compactClaims(payload []byte, kid string) (*Claims, error) {
	var w wireCompact
	if err := decMode.Unmarshal(payload, &w); err != nil {
		return nil, fail(EMalformed, err)
	}
	if again, err := encMode.Marshal(w); err != nil || string(again) != string(payload) {
		return nil, fail(EMalformed, errors.New("claims are not in deterministic encoding"))
	}
	if err := w.check(); err != nil {
		return nil, fail(EMalformed, err)
	}
	return &Claims{
		DelegationID:  uuid.UUID(w.DelegationID).String(),
		IssuedAt:      time.Unix(w.IssuedAt, 0).UTC(),
		ExpiresAt:     time.Unix(w.IssuedAt+w.LifetimeDays*day, 0).UTC(),
		TokenID:       w.TokenID,
		PrincipalName: w.PrincipalName,
		Binding:       w.Binding,
		KeyID:         kid,
		Compact:       true,
	}, nil
}

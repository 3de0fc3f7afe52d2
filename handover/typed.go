package handover

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// # Typed codes
//
// For a relative who cannot scan, a slip also carries its code in a form
// that can be typed: ten characters of Crockford's base32 (no I, L, O or U,
// so nothing looks like a digit), shown as "K7M4-XQ9-P2R". The typed code is
// not a second code: it spells the token id of the QR code on the same slip,
// so using either uses both (CodeRecord.CheckUnused), and a newer code
// supersedes it like any other (by issue time).
//
// The ten characters carry 50 random bits. A token that spells a typed
// code is 8 bytes, the 50 bits big-endian with the top 14 bits zero
// (NewTypedToken); older 8-byte random tokens have no typed form.
//
// Central cannot read a typed code out of anything signed, so the kiosk
// tells it: the create-delegation action names the first code's token and
// expiry (bk.Payload HandoverToken, HandoverExpires), signed by the
// principal's card, and central indexes it when it applies the action
// (TypedEntry). Until that action has reached central, the code is unknown
// there (ETypedUnknown: "not sent from the kiosk yet").

// Error codes of typed codes.
const (
	ETypedMalformed = "handover_typed_malformed" // not ten characters of the alphabet
	ETypedUnknown   = "handover_typed_unknown"   // central has not heard of it (yet)
)

// Paths of the typed codes on central's pages: TypedFormPath is the short
// address printed on the slip, where the code is typed; TypedPath + the code
// is the page of the code, like URLPath + a scanned code. Both in any
// letter case.
const (
	TypedFormPath = "/kode"
	TypedPath     = "/K/"
)

// TypedAddress is the short address a person types to reach the typed-code
// form, for base (central's public URL): "borgerkiosk.dk/kode". Browsers
// add the https:// themselves.
func TypedAddress(base string) string {
	a := strings.ToLower(strings.TrimRight(strings.TrimSpace(base), "/"))
	a = strings.TrimPrefix(strings.TrimPrefix(a, "https://"), "http://")
	return a + TypedFormPath
}

// TypedLen is the number of characters of a typed code.
const TypedLen = 10

const (
	crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	typedBits = 5 * TypedLen
)

// crockfordValue maps a character to its value, -1 if it is not one;
// lower case and the look-alikes O (0), I and L (1) are read as Crockford
// reads them.
var crockfordValue = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(crockford); i++ {
		c := crockford[i]
		t[c] = int8(i)
		if 'A' <= c && c <= 'Z' {
			t[c+'a'-'A'] = int8(i)
		}
	}
	for _, c := range "oO" {
		t[c] = 0
	}
	for _, c := range "iIlL" {
		t[c] = 1
	}
	return t
}()

// NewTypedToken returns a fresh random token id that has a typed form.
func NewTypedToken() ([]byte, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	v := binary.BigEndian.Uint64(b[:]) >> (64 - typedBits)
	binary.BigEndian.PutUint64(b[:], v)
	return b[:], nil
}

// TypedCode returns the typed form of token, ungrouped ("K7M4XQ9P2R"), and
// whether it has one (see NewTypedToken).
func TypedCode(token []byte) (string, bool) {
	if len(token) != 8 {
		return "", false
	}
	v := binary.BigEndian.Uint64(token)
	if v>>typedBits != 0 {
		return "", false
	}
	var b [TypedLen]byte
	for i := TypedLen - 1; i >= 0; i-- {
		b[i] = crockford[v&31]
		v >>= 5
	}
	return string(b[:]), true
}

// TypedToken is the token id that typed code (as ParseTyped returns it)
// spells.
func TypedToken(code string) []byte {
	var v uint64
	for i := 0; i < len(code); i++ {
		v = v<<5 | uint64(crockfordValue[code[i]]&31)
	}
	return binary.BigEndian.AppendUint64(nil, v)
}

// GroupTyped writes a typed code for reading: "K7M4-XQ9-P2R".
func GroupTyped(code string) string {
	if len(code) != TypedLen {
		return code
	}
	return code[:4] + "-" + code[4:7] + "-" + code[7:]
}

// maxTypedInput bounds what ParseTyped looks at: ten characters with room
// for any spacing a person adds.
const maxTypedInput = 64

// ParseTyped reads a typed code as a person types it: in any letter case,
// with spaces, hyphens or dots anywhere, O for 0 and I or L for 1. It
// returns the code ungrouped in upper case, or an *bk.Error with code
// ETypedMalformed whose message says what a code looks like.
func ParseTyped(s string) (string, error) {
	if len(s) > maxTypedInput {
		return "", typedMalformed(errors.New("too long"))
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '-', '.', '\t', '_':
			continue
		}
		v := crockfordValue[c]
		if v < 0 {
			return "", typedMalformed(errors.New("a character outside the alphabet"))
		}
		if b.Len() == TypedLen {
			return "", typedMalformed(errors.New("too many characters"))
		}
		b.WriteByte(crockford[v])
	}
	if b.Len() != TypedLen {
		return "", typedMalformed(errors.New("too few characters"))
	}
	return b.String(), nil
}

func typedMalformed(cause error) error {
	return &detailError{
		err:   bk.Errorf(ETypedMalformed, "A code has 10 letters and digits, like K7M4-XQ9-P2R. Check it against the slip."),
		cause: cause,
	}
}

// TypedEntry is central's index entry of a typed code: the delegation it
// offers and the code's times, as the create-delegation action told them.
type TypedEntry struct {
	Code         string    `json:"code"` // as ParseTyped returns it
	DelegationID string    `json:"delegation_id"`
	IssuedAt     time.Time `json:"issued_at"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Same reports whether e and o are the same entry (times compared as instants).
func (e TypedEntry) Same(o TypedEntry) bool {
	return e.Code == o.Code && e.DelegationID == o.DelegationID && e.IssuedAt.Equal(o.IssuedAt) && e.ExpiresAt.Equal(o.ExpiresAt)
}

// NewTypedEntry is the entry for the first code of a delegation that a
// create action announces: token (hex decoded), issued when the action
// occurred, expiring at expires, which is held to MaxLifetime and the
// delegation's end. ok is false if token has no typed form.
func NewTypedEntry(delegationID string, token []byte, issued, expires, validTo time.Time) (TypedEntry, bool) {
	code, ok := TypedCode(token)
	if !ok || delegationID == "" || issued.IsZero() {
		return TypedEntry{}, false
	}
	issued = issued.UTC().Truncate(time.Second)
	if limit := issued.Add(MaxLifetime); expires.IsZero() || expires.After(limit) {
		expires = limit
	}
	if !validTo.IsZero() && expires.After(validTo) {
		expires = validTo
	}
	return TypedEntry{Code: code, DelegationID: delegationID, IssuedAt: issued, ExpiresAt: expires.UTC().Truncate(time.Second)}, true
}

// Claims are the claims of the code that entry e names, taken from
// central's record d of its delegation: what a QR code of the same slip
// would say, so the pages and Decide treat both alike. It has no delegate
// binding (only the delegate's CPR could make one); Typed marks it.
func (e TypedEntry) Claims(d *bk.Delegation) *Claims {
	c := &Claims{
		DelegationID: e.DelegationID, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
		IssuedAt: e.IssuedAt, ExpiresAt: e.ExpiresAt, TokenID: TypedToken(e.Code),
		PrincipalName: MaskName(d.PrincipalName), Typed: true,
	}
	for _, g := range d.Scopes {
		c.Scopes = append(c.Scopes, g.ScopeID)
	}
	return c
}

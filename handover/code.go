package handover

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fxamacker/cbor/v2"
	"github.com/google/uuid"
	"github.com/veraison/go-cose"

	"github.com/borgerkiosk/borgerkiosk"
)

// Error codes of this package. The messages that go with them are safe to
// show a person; the UI translates by code.
const (
	EMalformed    = "handover_malformed"     // not a handover code, or damaged
	EUnknownKey   = "handover_unknown_key"   // signed by a kiosk key we do not know
	EBadSignature = "handover_bad_signature" // the signature does not verify: altered or forged
	EExpired      = "handover_expired"       // the code, or the delegation it offers, has ended
	ENotYetValid  = "handover_not_yet_valid" // issued in the future beyond the allowed clock skew
)

// Prefixes of the bare form. Z marks a zlib-compressed payload.
const (
	Prefix           = "BK1:"
	PrefixCompressed = "BK1Z:"
)

// Path segments of the URL form, matching Prefix and PrefixCompressed.
const (
	URLPath           = "/H/"
	URLPathCompressed = "/HZ/"
)

// Limits. A verifier refuses anything outside them as malformed, so a
// misbehaving or compromised issuer cannot hand out, say, a year-long code.
const (
	DefaultLifetime = 14 * 24 * time.Hour
	MaxLifetime     = 31 * 24 * time.Hour
	// ClockSkew is how far in the future a code's issue time may be: kiosk
	// clocks differ, and a code printed at one kiosk may be scanned at another
	// a minute later.
	ClockSkew = 5 * time.Minute

	TokenLen    = 8 // length of the token ids Issue makes
	minTokenLen = 8
	maxTokenLen = 16

	maxScopes      = 16
	maxScopeLen    = 32
	maxNameLen     = 40
	maxKeyIDLen    = 32
	maxCodeLen     = 2048 // characters of a code or URL we look at
	maxSign1Len    = 1024 // bytes of COSE_Sign1 after decompression
	maxPayloadRead = maxSign1Len + 1
)

// Claims are the statements of a handover code.
type Claims struct {
	// DelegationID is the delegation's UUID in canonical form. It travels as
	// its 16 raw bytes.
	DelegationID string
	// Scopes are the catalogue ids of the delegation's scopes.
	Scopes []string
	// ValidFrom and ValidTo bound the delegation (not the code). Unix seconds.
	ValidFrom, ValidTo time.Time
	// IssuedAt and ExpiresAt bound the code. Unix seconds.
	IssuedAt, ExpiresAt time.Time
	// TokenID is random and unique per code: central redeems each token id
	// once (CodeRecord.CheckUnused; a newer code wins by IssuedAt, not by
	// token id). It is also the salt of Binding (see BindsTo).
	TokenID []byte
	// PrincipalName is the principal's first name and initial ("Karen J."),
	// never more: anyone who sees the code can read it. See MaskName.
	PrincipalName string
	// Binding is argon2id(delegate's CPR digits, TokenID); Issue sets it.
	Binding []byte
	// KeyID names the kiosk key that signed the code. Verify sets it from the
	// protected header; Issue ignores it and uses its kid argument.
	KeyID string
	// Compact marks claims of a BK2 code (IssueCompact): no Scopes,
	// ValidFrom, ValidTo or Binding; central's record has those.
	Compact bool
	// Typed marks claims that central made from its record for a typed code
	// (TypedEntry.Claims), not read from a signed code: they have no Binding.
	Typed bool
}

// wireClaims is the CBOR form of Claims: integer keys keep it compact.
// Every field is always present; Verify refuses payloads that are not exactly
// the deterministic encoding of a wireClaims.
type wireClaims struct {
	DelegationID  []byte   `cbor:"1,keyasint"`
	Scopes        []string `cbor:"2,keyasint"`
	ValidFrom     int64    `cbor:"3,keyasint"`
	ValidTo       int64    `cbor:"4,keyasint"`
	IssuedAt      int64    `cbor:"5,keyasint"`
	ExpiresAt     int64    `cbor:"6,keyasint"`
	TokenID       []byte   `cbor:"7,keyasint"`
	PrincipalName string   `cbor:"8,keyasint"`
	Binding       []byte   `cbor:"9,keyasint"`
}

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	if encMode, err = cbor.CoreDetEncOptions().EncMode(); err != nil {
		panic(err)
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		MaxNestedLevels:   4,
		MaxArrayElements:  maxScopes,
		MaxMapPairs:       16,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		UTF8:              cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// KeyLookup returns the public key of the kiosk key named kid, and whether it
// is known (and not withdrawn). Central's trust bundle feeds it.
type KeyLookup func(kid string) (ed25519.PublicKey, bool)

// MaskName returns the first given name and the initial of the last name of
// fullName, e.g. "Karen Marie Jensen" → "Karen J.", for showing on a code.
func MaskName(fullName string) string {
	f := strings.Fields(fullName)
	switch len(f) {
	case 0:
		return ""
	case 1:
		return f[0]
	}
	r, _ := utf8.DecodeRuneInString(f[len(f)-1])
	return f[0] + " " + strings.ToUpper(string(r)) + "."
}

// invalid returns a person-safe EInvalid error for Issue's caller (a program
// of ours, so the message can be specific).
func invalid(format string, args ...any) error {
	return borgerkiosk.Errorf(borgerkiosk.EInvalid, "handover code: "+format, args...)
}

// Issue makes a signed handover code in the bare form (Prefix + Base45) for
// the delegation in c, bound to the delegate's CPR number delegateCPR
// (DDMMYYSSSS or DDMMYY-SSSS), signed by the kiosk key kid.
//
// Zero IssuedAt means now; zero ExpiresAt means IssuedAt + DefaultLifetime; an
// empty TokenID gets TokenLen random bytes. Each call, and so each reprint,
// must use a fresh TokenID: that is what lets central make the newest code
// supersede older ones. Issue sets c.Binding itself and ignores c.KeyID.
// Invalid claims give an *borgerkiosk.Error with code EInvalid.
func Issue(c Claims, delegateCPR, kid string, key crypto.Signer) (string, error) {
	digits, ok := cprDigits(delegateCPR)
	if !ok {
		return "", invalid("the delegate's CPR number must be 10 digits")
	}
	id, err := prepare(&c, kid, key)
	if err != nil {
		return "", err
	}
	w := wireClaims{
		DelegationID:  id[:],
		Scopes:        c.Scopes,
		ValidFrom:     c.ValidFrom.Unix(),
		ValidTo:       c.ValidTo.Unix(),
		IssuedAt:      c.IssuedAt.Unix(),
		ExpiresAt:     c.ExpiresAt.Unix(),
		TokenID:       c.TokenID,
		PrincipalName: c.PrincipalName,
		Binding:       binding(digits, c.TokenID, BindingLen),
	}
	raw, err := signClaims(&w, kid, key, false)
	if err != nil {
		return "", err
	}

	// Most of a code is random (ids, salt, signature), so zlib rarely wins;
	// use it only when it does.
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zw.Write(raw)
	zw.Close()
	if z.Len() < len(raw) {
		return PrefixCompressed + EncodeBase45(z.Bytes()), nil
	}
	return Prefix + EncodeBase45(raw), nil
}

// prepare fills in c's defaults for Issue and IssueCompact (zero IssuedAt
// is now, zero ExpiresAt IssuedAt + DefaultLifetime, an empty TokenID
// TokenLen random bytes), checks kid and key, and returns the delegation
// id's bytes.
func prepare(c *Claims, kid string, key crypto.Signer) (uuid.UUID, error) {
	if c.IssuedAt.IsZero() {
		c.IssuedAt = time.Now()
	}
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = c.IssuedAt.Add(DefaultLifetime)
	}
	if len(c.TokenID) == 0 {
		c.TokenID = make([]byte, TokenLen)
		if _, err := rand.Read(c.TokenID); err != nil {
			return uuid.UUID{}, err
		}
	}
	if kid == "" || len(kid) > maxKeyIDLen {
		return uuid.UUID{}, invalid("key id must be 1 to %d bytes", maxKeyIDLen)
	}
	if key == nil {
		return uuid.UUID{}, invalid("no signing key")
	}
	if _, ok := key.Public().(ed25519.PublicKey); !ok {
		return uuid.UUID{}, invalid("the signing key must be Ed25519")
	}
	id, err := uuid.Parse(c.DelegationID)
	if err != nil {
		return uuid.UUID{}, invalid("delegation id is not a UUID")
	}
	return id, nil
}

// check validates claims on both sides: Issue refuses to make, and Verify
// refuses to accept, anything outside the format's limits.
func (w *wireClaims) check() error {
	switch {
	case len(w.DelegationID) != 16:
		return errors.New("delegation id must be 16 bytes")
	case len(w.Scopes) == 0 || len(w.Scopes) > maxScopes:
		return fmt.Errorf("1 to %d scopes are needed", maxScopes)
	case w.ValidFrom >= w.ValidTo:
		return errors.New("the delegation must end after it starts")
	case w.IssuedAt >= w.ExpiresAt:
		return errors.New("the code must expire after it is issued")
	case w.ExpiresAt-w.IssuedAt > int64(MaxLifetime/time.Second):
		return fmt.Errorf("the code may live at most %s", MaxLifetime)
	case len(w.TokenID) < minTokenLen || len(w.TokenID) > maxTokenLen:
		return fmt.Errorf("token id must be %d to %d bytes", minTokenLen, maxTokenLen)
	case w.PrincipalName == "" || len(w.PrincipalName) > maxNameLen || !utf8.ValidString(w.PrincipalName):
		return fmt.Errorf("principal name must be 1 to %d bytes of UTF-8", maxNameLen)
	case len(w.Binding) != BindingLen:
		return fmt.Errorf("binding must be %d bytes", BindingLen)
	}
	for _, s := range w.Scopes {
		if s == "" || len(s) > maxScopeLen || !utf8.ValidString(s) {
			return fmt.Errorf("scope ids must be 1 to %d bytes of UTF-8", maxScopeLen)
		}
	}
	return nil
}

// detailError carries a person-safe *borgerkiosk.Error and, for logs, the
// cause behind it. ErrorCode and ErrorMessage find the *borgerkiosk.Error.
type detailError struct {
	err   *borgerkiosk.Error
	cause error
}

func (e *detailError) Error() string   { return e.err.Error() + " (" + e.cause.Error() + ")" }
func (e *detailError) Unwrap() []error { return []error{e.err, e.cause} }

func fail(code string, cause error) error {
	var msg string
	switch code {
	case EMalformed:
		msg = "This is not a valid handover code, or it is damaged."
	case EUnknownKey:
		msg = "This handover code was made by a kiosk we do not recognise."
	case EBadSignature:
		msg = "This handover code has been altered or is not genuine."
	case EExpired:
		msg = "This handover code has expired. Ask for a new one."
	case ENotYetValid:
		msg = "This handover code is not valid yet. Check the kiosk's clock."
	}
	e := borgerkiosk.Errorf(code, "%s", msg)
	if cause == nil {
		return e
	}
	return &detailError{err: e, cause: cause}
}

// Parse extracts the bare code (Prefix or PrefixCompressed, then Base45) from
// what a scanner or phone delivers: the bare code itself, a URL made by URL
// (with any scheme and host, in any letter case, with the percent-escapes
// URL adds), or just the URL's path and what follows (as central's HTTP
// handler sees it in RequestURI). Surrounding whitespace is ignored. It does
// not check the Base45 or the signature; Verify does. Errors have code
// EMalformed.
func Parse(s string) (string, error) {
	// Trimming is safe although space is a Base45 character: a valid Base45
	// text never ends in one (its last character is at most 'W'), and the
	// URL form escapes spaces.
	s = strings.TrimSpace(s)
	if len(s) > maxCodeLen*3 {
		return "", fail(EMalformed, errors.New("input too long"))
	}
	// Base45 has no lowercase letters, so upper-casing loses nothing and
	// undoes a phone or scanner that lower-cased the text.
	u := strings.ToUpper(s)
	switch {
	case strings.HasPrefix(u, PrefixCompressed), strings.HasPrefix(u, Prefix), strings.HasPrefix(u, PrefixCompact):
		if len(u) > maxCodeLen {
			return "", fail(EMalformed, errors.New("code too long"))
		}
		return u, nil
	}
	path := u
	if i := strings.Index(u, "://"); i >= 0 {
		scheme := u[:i]
		if scheme != "HTTPS" && scheme != "HTTP" {
			return "", fail(EMalformed, errors.New("not an http(s) URL"))
		}
		rest := u[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return "", fail(EMalformed, errors.New("URL has no path"))
		}
		path = rest[j:]
	}
	prefix := Prefix
	switch {
	case strings.HasPrefix(path, URLPathCompact):
		prefix, path = PrefixCompact, path[len(URLPathCompact):]
	case strings.HasPrefix(path, URLPathCompressed):
		prefix, path = PrefixCompressed, path[len(URLPathCompressed):]
	case strings.HasPrefix(path, URLPath):
		path = path[len(URLPath):]
	default:
		return "", fail(EMalformed, errors.New("not a handover code or URL"))
	}
	// A phone may add a trailing slash, query or fragment; none are part of
	// a code ('?' and '#' are outside the Base45 alphabet).
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	payload, err := unescapePayload(path)
	if err != nil {
		return "", fail(EMalformed, err)
	}
	if len(payload) > maxCodeLen {
		return "", fail(EMalformed, errors.New("code too long"))
	}
	return prefix + payload, nil
}

// URL returns the code as an upper-case URL under base (central's public URL,
// e.g. "https://borgerkiosk.dk"), which a phone camera opens on central's
// handover page. Everything in it is in the QR alphanumeric set, so the QR code
// uses alphanumeric mode. Three Base45 characters cannot stand in a URL path
// as they are: space and '%' are percent-escaped, and '/' too, because HTTP
// routers clean "//" and "/./" out of paths. Central must route URLPath and
// URLPathCompressed for its host in any letter case (phones lower-case the
// scheme and host, and some lower-case everything).
func URL(base, code string) (string, error) {
	base = strings.ToUpper(strings.TrimRight(strings.TrimSpace(base), "/"))
	if !strings.HasPrefix(base, "HTTPS://") && !strings.HasPrefix(base, "HTTP://") {
		return "", invalid("base URL must start with https://")
	}
	if !IsAlphanumeric(base) {
		return "", invalid("base URL must use only letters, digits and $%%*+-./: (QR alphanumeric mode)")
	}
	path := URLPath
	switch {
	case strings.HasPrefix(code, PrefixCompact):
		path, code = URLPathCompact, code[len(PrefixCompact):]
	case strings.HasPrefix(code, PrefixCompressed):
		path, code = URLPathCompressed, code[len(PrefixCompressed):]
	case strings.HasPrefix(code, Prefix):
		code = code[len(Prefix):]
	default:
		return "", invalid("not a handover code")
	}
	return base + path + escapePayload(code), nil
}

func escapePayload(p string) string {
	var sb strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case ' ':
			sb.WriteString("%20")
		case '%':
			sb.WriteString("%25")
		case '/':
			sb.WriteString("%2F")
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// unescapePayload undoes percent-escapes (any, since a browser may escape
// more than URL did) and drops a trailing slash. A raw '/' elsewhere cannot
// come from URL and is refused rather than guessed at.
func unescapePayload(p string) (string, error) {
	p = strings.TrimSuffix(p, "/")
	var sb strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '/':
			return "", errors.New("unescaped '/' in URL payload")
		case '%':
			if i+2 >= len(p) || unhex(p[i+1]) < 0 || unhex(p[i+2]) < 0 {
				return "", errors.New("bad percent-escape in URL payload")
			}
			sb.WriteByte(byte(unhex(p[i+1])<<4 | unhex(p[i+2])))
			i += 2
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String(), nil
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// Verify checks a handover code (bare, URL or path form; see Parse) at time
// now and returns its claims. It checks, in this order, with these error
// codes (each an *borgerkiosk.Error, possibly wrapped with a cause for logs):
//
//   - EMalformed: not a code, truncated, bad Base45, bad zlib, bad COSE or
//     CBOR, a header other than EdDSA and kid, claims outside the limits;
//   - EUnknownKey: keys does not know the kid;
//   - EBadSignature: the signature does not verify;
//   - ENotYetValid: issued more than ClockSkew after now;
//   - EExpired: now is at or after the code's expiry or the delegation's end.
//
// It does not check the delegate binding (see BindsTo, which is slow) nor
// single use, supersession or revocation, which central enforces.
func Verify(code string, keys KeyLookup, now time.Time) (*Claims, error) {
	bare, err := Parse(code)
	if err != nil {
		return nil, err
	}
	var raw []byte
	compact := strings.HasPrefix(bare, PrefixCompact)
	switch {
	case compact:
		if raw, err = decodeBase42(bare[len(PrefixCompact):]); err != nil {
			return nil, fail(EMalformed, err)
		}
	case strings.HasPrefix(bare, PrefixCompressed):
		z, err := DecodeBase45(bare[len(PrefixCompressed):])
		if err != nil {
			return nil, fail(EMalformed, err)
		}
		if raw, err = inflate(z); err != nil {
			return nil, fail(EMalformed, err)
		}
	default:
		if raw, err = DecodeBase45(bare[len(Prefix):]); err != nil {
			return nil, fail(EMalformed, err)
		}
	}
	if len(raw) > maxSign1Len {
		return nil, fail(EMalformed, errors.New("COSE_Sign1 too long"))
	}

	var msg cose.UntaggedSign1Message
	if err := msg.UnmarshalCBOR(raw); err != nil {
		return nil, fail(EMalformed, err)
	}
	// BK2 names no algorithm (its prefix fixes EdDSA, bound in as
	// external data); BK1 must name EdDSA.
	var external []byte
	headers := 2
	if compact {
		external, headers = compactAAD, 1
	} else if alg, err := msg.Headers.Protected.Algorithm(); err != nil || alg != cose.AlgorithmEdDSA {
		return nil, fail(EMalformed, errors.New("algorithm is not EdDSA"))
	}
	kidRaw, ok := msg.Headers.Protected[cose.HeaderLabelKeyID].([]byte)
	if !ok || len(kidRaw) == 0 || len(kidRaw) > maxKeyIDLen {
		return nil, fail(EMalformed, errors.New("missing or bad kid"))
	}
	if len(msg.Headers.Protected) != headers || len(msg.Headers.Unprotected) != 0 {
		return nil, fail(EMalformed, errors.New("unexpected COSE header parameters"))
	}
	kid := string(kidRaw)
	if keys == nil {
		return nil, fail(EUnknownKey, errors.New("no key lookup"))
	}
	pub, ok := keys(kid)
	if !ok || len(pub) != ed25519.PublicKeySize {
		return nil, fail(EUnknownKey, fmt.Errorf("kid %q", kid))
	}
	verifier, err := cose.NewVerifier(cose.AlgorithmEdDSA, pub)
	if err != nil {
		return nil, fail(EUnknownKey, err)
	}
	if err := msg.Verify(external, verifier); err != nil {
		return nil, fail(EBadSignature, err)
	}

	// Signed by a known kiosk; still refuse claims that break the format.
	if compact {
		c, err := compactClaims(msg.Payload, kid)
		if err != nil {
			return nil, err
		}
		if err := checkTimes(c, now); err != nil {
			return nil, err
		}
		return c, nil
	}
	var w wireClaims
	if err := decMode.Unmarshal(msg.Payload, &w); err != nil {
		return nil, fail(EMalformed, err)
	}
	if again, err := encMode.Marshal(w); err != nil || !bytes.Equal(again, msg.Payload) {
		return nil, fail(EMalformed, errors.New("claims are not in deterministic encoding or lack a field"))
	}
	if err := w.check(); err != nil {
		return nil, fail(EMalformed, err)
	}
	c := &Claims{
		DelegationID:  uuid.UUID(w.DelegationID).String(),
		Scopes:        w.Scopes,
		ValidFrom:     time.Unix(w.ValidFrom, 0).UTC(),
		ValidTo:       time.Unix(w.ValidTo, 0).UTC(),
		IssuedAt:      time.Unix(w.IssuedAt, 0).UTC(),
		ExpiresAt:     time.Unix(w.ExpiresAt, 0).UTC(),
		TokenID:       w.TokenID,
		PrincipalName: w.PrincipalName,
		Binding:       w.Binding,
		KeyID:         kid,
	}
	if err := checkTimes(c, now); err != nil {
		return nil, err
	}
	return c, nil
}

// checkTimes refuses claims c at now: issued in the future, expired, or
// of a delegation that has ended (when the code says when).
func checkTimes(c *Claims, now time.Time) error {
	switch {
	case c.IssuedAt.After(now.Add(ClockSkew)):
		return fail(ENotYetValid, fmt.Errorf("issued at %s, now %s", c.IssuedAt, now.UTC()))
	case !now.Before(c.ExpiresAt):
		return fail(EExpired, fmt.Errorf("code expired at %s", c.ExpiresAt))
	case !c.Compact && !now.Before(c.ValidTo):
		return fail(EExpired, fmt.Errorf("delegation ended at %s", c.ValidTo))
	}
	return nil
}

// inflate undoes zlib with a size limit, so a small code cannot expand into a
// large allocation.
func inflate(z []byte) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, maxPayloadRead))
	if err != nil {
		return nil, err
	}
	if len(out) > maxSign1Len {
		return nil, errors.New("decompressed code too long")
	}
	return out, nil
}

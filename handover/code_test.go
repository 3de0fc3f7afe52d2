package handover

import (
	"bytes"
	"compress/zlib"
	"crypto/ed25519"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk"
)

// Fixed keys, so codes and the fuzz corpus are reproducible.
var (
	testKey  = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	otherKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, 32))
)

const (
	testKID     = "KBH-017"
	testBase    = "https://borgerkiosk.dk"
	delegateCPR = "010190-1234"
)

var testIssued = time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC)

func testKeys(kid string) (ed25519.PublicKey, bool) {
	if kid == testKID {
		return testKey.Public().(ed25519.PublicKey), true
	}
	return nil, false
}

// typicalClaims is a realistic delegation: a UUIDv7 id, three scopes, a year.
func typicalClaims() Claims {
	return Claims{
		DelegationID:  "0195f3a2-7c4e-7b21-9d3a-5e8f0c1b2a47",
		Scopes:        []string{"sundhed", "skat", "bolig"},
		ValidFrom:     testIssued,
		ValidTo:       testIssued.AddDate(1, 0, 0),
		IssuedAt:      testIssued,
		PrincipalName: "Karen J.",
	}
}

func mustIssue(tb testing.TB, c Claims) string {
	tb.Helper()
	code, err := Issue(c, delegateCPR, testKID, testKey)
	if err != nil {
		tb.Fatalf("Issue: %v", err)
	}
	return code
}

func wantCode(t *testing.T, name string, err error, code string) {
	t.Helper()
	if got := borgerkiosk.ErrorCode(err); got != code {
		t.Errorf("%s: error code = %q (%v); want %q", name, got, err, code)
	}
	if err != nil && strings.Contains(borgerkiosk.ErrorMessage(err), "internal") {
		t.Errorf("%s: message %q is not person-safe", name, borgerkiosk.ErrorMessage(err))
	}
}

func TestIssueVerifyRoundTrip(t *testing.T) {
	c := typicalClaims()
	code := mustIssue(t, c)
	if !strings.HasPrefix(code, Prefix) || !IsAlphanumeric(code) {
		t.Fatalf("Issue = %q; want %s and QR alphanumeric", code, Prefix)
	}
	got, err := Verify(code, testKeys, testIssued.Add(time.Hour))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if got.DelegationID != c.DelegationID || !slices.Equal(got.Scopes, c.Scopes) ||
		!got.ValidFrom.Equal(c.ValidFrom) || !got.ValidTo.Equal(c.ValidTo) ||
		!got.IssuedAt.Equal(c.IssuedAt) || !got.ExpiresAt.Equal(c.IssuedAt.Add(DefaultLifetime)) ||
		got.PrincipalName != c.PrincipalName || got.KeyID != testKID ||
		len(got.TokenID) != TokenLen || len(got.Binding) != BindingLen {
		t.Errorf("Verify(Issue(%+v)) = %+v", c, got)
	}
	// A reprint gets a fresh token id.
	again, err := Verify(mustIssue(t, c), testKeys, testIssued)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(again.TokenID, got.TokenID) {
		t.Errorf("two Issue calls gave the same token id %x", got.TokenID)
	}
}

func TestDelegationIDCanonical(t *testing.T) {
	c := typicalClaims()
	c.DelegationID = "{0195F3A2-7C4E-7B21-9D3A-5E8F0C1B2A47}"
	got, err := Verify(mustIssue(t, c), testKeys, testIssued)
	if err != nil {
		t.Fatal(err)
	}
	if want := "0195f3a2-7c4e-7b21-9d3a-5e8f0c1b2a47"; got.DelegationID != want {
		t.Errorf("DelegationID = %q; want %q", got.DelegationID, want)
	}
}

func TestBindsTo(t *testing.T) {
	c, err := Verify(mustIssue(t, typicalClaims()), testKeys, testIssued)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		cpr  string
		want bool
	}{
		{"010190-1234", true},
		{"0101901234", true},
		{"010190-1235", false},
		{"020190-1234", false},
		{"01019O-1234", false},
		{"", false},
		{"010190 1234", false},
	} {
		if got := BindsTo(c, tt.cpr); got != tt.want {
			t.Errorf("BindsTo(c, %q) = %v; want %v", tt.cpr, got, tt.want)
		}
	}
	if BindsTo(nil, delegateCPR) {
		t.Error("BindsTo(nil, cpr) = true")
	}
	if strings.Contains(mustIssue(t, typicalClaims()), EncodeBase45([]byte("0101901234"))) {
		t.Error("code contains the CPR digits")
	}
}

func TestIssueRefuses(t *testing.T) {
	for _, tt := range []struct {
		name   string
		edit   func(*Claims)
		cpr    string
		kid    string
		signer ed25519.PrivateKey
	}{
		{name: "bad uuid", edit: func(c *Claims) { c.DelegationID = "42" }},
		{name: "no scopes", edit: func(c *Claims) { c.Scopes = nil }},
		{name: "empty scope", edit: func(c *Claims) { c.Scopes = []string{""} }},
		{name: "long scope", edit: func(c *Claims) { c.Scopes = []string{strings.Repeat("x", 33)} }},
		{name: "too many scopes", edit: func(c *Claims) { c.Scopes = slices.Repeat([]string{"a"}, 17) }},
		{name: "ends before start", edit: func(c *Claims) { c.ValidTo = c.ValidFrom }},
		{name: "expires before issue", edit: func(c *Claims) { c.ExpiresAt = c.IssuedAt.Add(-time.Second) }},
		{name: "lives too long", edit: func(c *Claims) { c.ExpiresAt = c.IssuedAt.Add(MaxLifetime + time.Second) }},
		{name: "short token", edit: func(c *Claims) { c.TokenID = []byte{1, 2, 3} }},
		{name: "no name", edit: func(c *Claims) { c.PrincipalName = "" }},
		{name: "long name", edit: func(c *Claims) { c.PrincipalName = strings.Repeat("x", 41) }},
		{name: "bad cpr", cpr: "123"},
		{name: "no kid", kid: "-"},
		{name: "long kid", kid: strings.Repeat("k", 33)},
	} {
		c := typicalClaims()
		if tt.edit != nil {
			tt.edit(&c)
		}
		cpr, kid := delegateCPR, testKID
		if tt.cpr != "" {
			cpr = tt.cpr
		}
		if tt.kid == "-" {
			kid = ""
		} else if tt.kid != "" {
			kid = tt.kid
		}
		_, err := Issue(c, cpr, kid, testKey)
		wantCode(t, tt.name, err, borgerkiosk.EInvalid)
	}
	if _, err := Issue(typicalClaims(), delegateCPR, testKID, nil); borgerkiosk.ErrorCode(err) != borgerkiosk.EInvalid {
		t.Errorf("Issue with nil key: %v; want %s", err, borgerkiosk.EInvalid)
	}
}

func TestVerifyRefuses(t *testing.T) {
	code := mustIssue(t, typicalClaims())
	now := testIssued.Add(time.Hour)
	payload := code[len(Prefix):]
	raw, err := DecodeBase45(payload)
	if err != nil {
		t.Fatal(err)
	}

	// Flip one bit of each byte in turn: a bit in the header or framing
	// breaks the CBOR or changes the kid; anywhere else the signature fails.
	for i := range raw {
		bad := slices.Clone(raw)
		bad[i] ^= 0x01
		_, err := Verify(Prefix+EncodeBase45(bad), testKeys, now)
		if code := borgerkiosk.ErrorCode(err); code != EMalformed && code != EBadSignature && code != EUnknownKey {
			t.Errorf("Verify(byte %d flipped) = %v; want a refusal", i, err)
		}
	}
	// A flipped bit in the signature itself is a bad signature.
	bad := slices.Clone(raw)
	bad[len(bad)-1] ^= 0x80
	_, err = Verify(Prefix+EncodeBase45(bad), testKeys, now)
	wantCode(t, "signature bit", err, EBadSignature)
	// So is a changed claim: find the principal's name and alter it.
	i := bytes.Index(raw, []byte("Karen J."))
	bad = slices.Clone(raw)
	bad[i] = 'D'
	_, err = Verify(Prefix+EncodeBase45(bad), testKeys, now)
	wantCode(t, "tampered name", err, EBadSignature)

	// Signed by another key under our kid.
	forged, err := Issue(typicalClaims(), delegateCPR, testKID, otherKey)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(forged, testKeys, now)
	wantCode(t, "wrong key", err, EBadSignature)

	unknown, err := Issue(typicalClaims(), delegateCPR, "AAR-001", testKey)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(unknown, testKeys, now)
	wantCode(t, "unknown kid", err, EUnknownKey)
	_, err = Verify(code, nil, now)
	wantCode(t, "nil lookup", err, EUnknownKey)
	_, err = Verify(code, func(string) (ed25519.PublicKey, bool) { return []byte{1, 2}, true }, now)
	wantCode(t, "short public key", err, EUnknownKey)

	c := typicalClaims()
	_, err = Verify(code, testKeys, c.IssuedAt.Add(DefaultLifetime))
	wantCode(t, "at expiry", err, EExpired)
	_, err = Verify(code, testKeys, c.IssuedAt.Add(DefaultLifetime-time.Second))
	wantCode(t, "just before expiry", err, "")
	_, err = Verify(code, testKeys, c.IssuedAt.Add(-ClockSkew-time.Second))
	wantCode(t, "issued in the future", err, ENotYetValid)
	_, err = Verify(code, testKeys, c.IssuedAt.Add(-ClockSkew))
	wantCode(t, "within clock skew", err, "")

	ending := typicalClaims()
	ending.ValidTo = ending.IssuedAt.Add(24 * time.Hour)
	_, err = Verify(mustIssue(t, ending), testKeys, ending.ValidTo)
	wantCode(t, "delegation ended", err, EExpired)

	for _, g := range []string{
		"", "   ", "BK1:", "BK1Z:", "BK2:BB8", "HELLO", "BK1:QED8WEX0", "BK1:A", "BK1:GGW",
		"BK1:" + strings.Repeat("0", 3000), "BK1Z:" + EncodeBase45([]byte("not zlib")),
		"BK1:" + payload + "00", "https://borgerkiosk.dk/X/" + payload, "ftp://x/H/" + payload,
		"https://borgerkiosk.dk", "https://borgerkiosk.dk/H/AB/CD", "https://borgerkiosk.dk/H/%ZZ",
		"https://borgerkiosk.dk/H/%2",
	} {
		_, err := Verify(g, testKeys, now)
		wantCode(t, "garbage "+g[:min(len(g), 40)], err, EMalformed)
	}
}

// Truncating a code at any length must give a clean refusal.
func TestVerifyTruncated(t *testing.T) {
	code := mustIssue(t, typicalClaims())
	url, err := URL(testBase, code)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{code, url} {
		for n := 0; n < len(s); n++ {
			_, err := Verify(s[:n], testKeys, testIssued)
			if got := borgerkiosk.ErrorCode(err); got != EMalformed && got != EBadSignature {
				t.Errorf("Verify(%q) error code = %q (%v); want %q", s[:n], got, err, EMalformed)
			}
		}
	}
}

func TestURLAndParse(t *testing.T) {
	code := mustIssue(t, typicalClaims())
	url, err := URL(testBase+"/", code)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "HTTPS://BORGERKIOSK.DK/H/") || !IsAlphanumeric(url) {
		t.Fatalf("URL = %q; want HTTPS://BORGERKIOSK.DK/H/... in QR alphanumeric", url)
	}
	if p := strings.NewReplacer("%20", "", "%25", "", "%2F", "").Replace(url[len("HTTPS://BORGERKIOSK.DK/H/"):]); strings.ContainsAny(p, " /%") {
		t.Errorf("URL payload %q holds an unescaped space, slash or percent", p)
	}
	host := url[:len("HTTPS://BORGERKIOSK.DK")]
	path := url[len(host):]
	for _, in := range []string{
		code,
		" " + code + "\r\n",
		strings.ToLower(code),
		url,
		"https://borgerkiosk.dk" + path, // a phone lower-cases scheme and host
		strings.ToLower(url),            // some lower-case everything
		url + "/",
		url + "?utm=x",
		path, // central's RequestURI
		strings.ToLower(path[:3]) + path[3:],
		strings.ReplaceAll(url, "%2F", "%2f"),
	} {
		got, err := Parse(in)
		if err != nil || got != code {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, err, code)
		}
		if _, err := Verify(in, testKeys, testIssued); err != nil {
			t.Errorf("Verify(%q) = %v", in, err)
		}
	}
	for _, base := range []string{"borgerkiosk.dk", "https://borger_kiosk.dk", "ftp://x"} {
		if _, err := URL(base, code); borgerkiosk.ErrorCode(err) != borgerkiosk.EInvalid {
			t.Errorf("URL(%q, code) error = %v; want %s", base, err, borgerkiosk.EInvalid)
		}
	}
	if _, err := URL(testBase, "HELLO"); err == nil {
		t.Error("URL(base, \"HELLO\") = nil error")
	}
}

// A code whose claims compress (many long, similar scope ids) takes the
// zlib form, and both forms verify.
func TestCompressed(t *testing.T) {
	c := typicalClaims()
	c.Scopes = nil
	for _, s := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
		c.Scopes = append(c.Scopes, "kommunal-ydelse-"+s)
	}
	code := mustIssue(t, c)
	if !strings.HasPrefix(code, PrefixCompressed) {
		t.Fatalf("Issue = %q; want %s", code, PrefixCompressed)
	}
	url, err := URL(testBase, code)
	if err != nil || !strings.Contains(url, URLPathCompressed) {
		t.Fatalf("URL = %q, %v; want %s", url, err, URLPathCompressed)
	}
	for _, s := range []string{code, url} {
		got, err := Verify(s, testKeys, testIssued)
		if err != nil || !slices.Equal(got.Scopes, c.Scopes) {
			t.Errorf("Verify(%q) = %+v, %v", s, got, err)
		}
	}
	// A zlib bomb must not expand past the limit.
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(make([]byte, 1<<20))
	w.Close()
	_, err = Verify(PrefixCompressed+EncodeBase45(z.Bytes()), testKeys, testIssued)
	wantCode(t, "zlib bomb", err, EMalformed)
}

func TestMaskName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Karen Marie Jensen", "Karen J."},
		{"Søren Ørsted", "Søren Ø."},
		{"Ib", "Ib"},
		{" ", ""},
		{"anne-mette æbelø", "anne-mette Æ."},
	} {
		if got := MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestErrorsArePersonSafe(t *testing.T) {
	_, err := Verify("BK1:GGW", testKeys, testIssued)
	var e *borgerkiosk.Error
	if !errors.As(err, &e) || e.Code != EMalformed || strings.Contains(e.Message, "0xFFFF") {
		t.Errorf("Verify error = %#v; want a *borgerkiosk.Error with a plain message", err)
	}
	if !strings.Contains(err.Error(), "0xFFFF") {
		t.Errorf("err.Error() = %q; want the cause for logs", err)
	}
}

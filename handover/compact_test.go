package handover

import (
	"bytes"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestBase42RoundTrip(t *testing.T) {
	for _, b := range [][]byte{{}, {0}, {0xff}, {0xff, 0xff}, []byte("handover"), bytes.Repeat([]byte{0xab}, 101)} {
		s := encodeBase42(b)
		if strings.ContainsAny(s, " %/") || !IsAlphanumeric(s) {
			t.Errorf("encodeBase42(%x) = %q; want only QR alphanumeric characters a URL path keeps", b, s)
		}
		got, err := decodeBase42(s)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("decodeBase42(encodeBase42(%x)) = %x, %v", b, got, err)
		}
	}
	for _, bad := range []string{"A", "::::", "::", "a00", "A B"} {
		if _, err := decodeBase42(bad); err == nil {
			t.Errorf("decodeBase42(%q) = nil error; want a refusal", bad)
		}
	}
}

func TestCompactCode(t *testing.T) {
	c := typicalClaims()
	c.TokenID = []byte("slip0001")
	c.ExpiresAt = c.IssuedAt.Add(14*24*time.Hour + 59*time.Second) // rounds down to the minute
	code, err := IssueCompact(c, testKID, testKey)
	if err != nil {
		t.Fatal(err)
	}
	url, err := URL(testBase, code)
	if err != nil || !strings.HasPrefix(url, "HTTPS://BORGERKIOSK.DK/C/") {
		t.Fatalf("URL(compact) = %q, %v", url, err)
	}
	now := testIssued.Add(time.Hour)
	for _, form := range []string{code, url, strings.ToLower(url), url[len("HTTPS://BORGERKIOSK.DK"):]} {
		got, err := Verify(form, testKeys, now)
		if err != nil {
			t.Fatalf("Verify(%q) = %v", form, err)
		}
		if !got.Compact || got.DelegationID != c.DelegationID || got.PrincipalName != c.PrincipalName ||
			!bytes.Equal(got.TokenID, c.TokenID) || !got.IssuedAt.Equal(c.IssuedAt) || !got.ExpiresAt.Equal(c.IssuedAt.Add(14*24*time.Hour)) ||
			got.KeyID != testKID || got.HasBinding() || len(got.Scopes) != 0 {
			t.Fatalf("Verify(%q) = %+v; want the compact claims of %+v", form, got, c)
		}
	}
	// Central's record supplies what the code does not claim.
	d := &bk.Delegation{ID: c.DelegationID, PrincipalName: "Karen Marie Jensen", ValidFrom: c.ValidFrom, ValidTo: c.ValidTo,
		Scopes: []bk.ScopeGrant{{ScopeID: "skat"}}}
	got, _ := Verify(code, testKeys, now)
	if err := CheckClaims(got, d); err != nil {
		t.Errorf("CheckClaims(compact, record) = %v; want agreement", err)
	}
	d.PrincipalName = "Bo Berg"
	wantCode(t, "CheckClaims(compact, another principal)", CheckClaims(got, d), ECodeMismatch)

	_, err = Verify(code, testKeys, c.IssuedAt.Add(15*24*time.Hour))
	wantCode(t, "Verify(compact, expired)", err, EExpired)
	other, _ := IssueCompact(c, testKID, otherKey)
	_, err = Verify(other, testKeys, now)
	wantCode(t, "Verify(compact, signed by another key)", err, EBadSignature)
	long := c
	long.ExpiresAt = c.IssuedAt.Add(MaxLifetime + time.Hour)
	_, err = IssueCompact(long, testKID, testKey)
	wantCode(t, "IssueCompact(too long a life)", err, bk.EInvalid)
}

// TestCompactSize: a typical compact code, and one with a long kiosk id
// and name, fit QR version 10-Q as a URL, where BK1 needs 12–13.
func TestCompactSize(t *testing.T) {
	for _, tc := range []struct{ kid, name string }{{testKID, "Karen J."}, {"test-kiosk", "Ingrid S."}} {
		c := typicalClaims()
		c.PrincipalName = tc.name
		code, err := IssueCompact(c, tc.kid, testKey)
		if err != nil {
			t.Fatal(err)
		}
		url, _ := URL(testBase, code)
		v, _ := Version(url)
		raw, _ := decodeBase42(code[len(PrefixCompact):])
		t.Logf("kid %q, name %q: COSE_Sign1 %d bytes, URL %d chars, QR version %d-Q", tc.kid, tc.name, len(raw), len(url), v)
		if v > 10 {
			t.Errorf("compact URL %q is QR version %d-Q; want ≤ 10", url, v)
		}
	}
}

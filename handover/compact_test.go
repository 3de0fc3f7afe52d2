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
	c.ExpiresAt = c.IssuedAt.Add(14*24*time.Hour + 5*time.Hour) // rounds down to whole days
	code, err := IssueCompact(c, delegateCPR, testKID, testKey)
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
			got.KeyID != testKID || !got.HasBinding() || len(got.Scopes) != 0 {
			t.Fatalf("Verify(%q) = %+v; want the compact claims of %+v", form, got, c)
		}
	}
	got, _ := Verify(code, testKeys, now)
	if !BindsTo(got, delegateCPR) || BindsTo(got, "0202020202") {
		t.Errorf("BindsTo(compact) = %v for the delegate, %v for another; want true, false", BindsTo(got, delegateCPR), BindsTo(got, "0202020202"))
	}
	// Central's record supplies what the code does not claim.
	d := &bk.Delegation{ID: c.DelegationID, PrincipalName: "Karen Marie Jensen", ValidFrom: c.ValidFrom, ValidTo: c.ValidTo,
		Scopes: []bk.ScopeGrant{{ScopeID: "skat"}}}
	if err := CheckClaims(got, d); err != nil {
		t.Errorf("CheckClaims(compact, record) = %v; want agreement", err)
	}
	d.PrincipalName = "Bo Berg"
	wantCode(t, "CheckClaims(compact, another principal)", CheckClaims(got, d), ECodeMismatch)

	_, err = Verify(code, testKeys, c.IssuedAt.Add(15*24*time.Hour))
	wantCode(t, "Verify(compact, expired)", err, EExpired)
	other, _ := IssueCompact(c, delegateCPR, testKID, otherKey)
	_, err = Verify(other, testKeys, now)
	wantCode(t, "Verify(compact, signed by another key)", err, EBadSignature)
	long := c
	long.ExpiresAt = c.IssuedAt.Add(MaxLifetime + 24*time.Hour)
	_, err = IssueCompact(long, delegateCPR, testKID, testKey)
	wantCode(t, "IssueCompact(too long a life)", err, bk.EInvalid)
	short := c
	short.ExpiresAt = c.IssuedAt.Add(23 * time.Hour)
	_, err = IssueCompact(short, delegateCPR, testKID, testKey)
	wantCode(t, "IssueCompact(less than a day)", err, bk.EInvalid)
}

// TestCompactSize: a typical compact code fits QR version 10-Q as a URL,
// where BK1 needs 12–13, up to about 130 bytes of COSE_Sign1 (kid and name
// of ten characters together under twenty); beyond that it is 11-Q.
func TestCompactSize(t *testing.T) {
	for _, tc := range []struct {
		kid, name  string
		maxVersion int
	}{{testKID, "Karen J.", 10}, {"test-kiosk", "Ingrid S.", 10}, {"KBH-HB-03", "Christian J.", 11}} {
		c := typicalClaims()
		c.PrincipalName = tc.name
		code, err := IssueCompact(c, delegateCPR, tc.kid, testKey)
		if err != nil {
			t.Fatal(err)
		}
		url, _ := URL(testBase, code)
		v := qrVersion(t, url)
		raw, _ := decodeBase42(code[len(PrefixCompact):])
		t.Logf("kid %q, name %q: COSE_Sign1 %d bytes, URL %d chars, QR version %d-Q", tc.kid, tc.name, len(raw), len(url), v)
		if v > tc.maxVersion {
			t.Errorf("compact URL %q is QR version %d-Q; want ≤ %d", url, v, tc.maxVersion)
		}
	}
}

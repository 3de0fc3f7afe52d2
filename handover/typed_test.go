package handover

import (
	"bytes"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
)

func TestParseTyped(t *testing.T) {
	tests := []struct {
		in, want, code string
	}{
		{"K7M4XQ9P2R", "K7M4XQ9P2R", ""},
		{"K7M4-XQ9-P2R", "K7M4XQ9P2R", ""},
		{" k7m4 xq9 p2r ", "K7M4XQ9P2R", ""},
		{"k7m4.xq9.p2r", "K7M4XQ9P2R", ""},
		{"O0Il-1LO-000", "0011110000", ""}, // look-alikes read as Crockford reads them
		{"K7M4-XQ9-P2", "", ETypedMalformed},
		{"K7M4-XQ9-P2RR", "", ETypedMalformed},
		{"K7M4-XQ9-P2U", "", ETypedMalformed}, // U is not in the alphabet
		{"K7M4-XQ9-P2Æ", "", ETypedMalformed},
		{"", "", ETypedMalformed},
		{strings.Repeat(" ", 100) + "K7M4XQ9P2R", "", ETypedMalformed},
	}
	for _, tt := range tests {
		got, err := ParseTyped(tt.in)
		if got != tt.want || bk.ErrorCode(err) != tt.code && !(tt.code == "" && err == nil) {
			t.Errorf("ParseTyped(%q) = %q, %v; want %q, code %q", tt.in, got, err, tt.want, tt.code)
		}
	}
	_, err := ParseTyped("K7M4")
	if msg := bk.ErrorMessage(err); !strings.Contains(msg, "10 letters and digits") {
		t.Errorf("ParseTyped(short) message = %q; want it to say what a code looks like", msg)
	}
}

func TestTypedTokenRoundTrip(t *testing.T) {
	for range 200 {
		tok, err := NewTypedToken()
		if err != nil {
			t.Fatal(err)
		}
		code, ok := TypedCode(tok)
		if !ok || len(code) != TypedLen {
			t.Fatalf("TypedCode(%x) = %q, %v; want 10 characters", tok, code, ok)
		}
		back, err := ParseTyped(strings.ToLower(GroupTyped(code)))
		if err != nil || back != code {
			t.Fatalf("ParseTyped(GroupTyped(%q)) = %q, %v", code, back, err)
		}
		if got := TypedToken(back); !bytes.Equal(got, tok) {
			t.Fatalf("TypedToken(%q) = %x; want %x", back, got, tok)
		}
	}
	// A random 8-byte token of an older code has no typed form.
	if code, ok := TypedCode([]byte("slip0001")); ok {
		t.Errorf("TypedCode(random token) = %q, true; want false", code)
	}
	if GroupTyped("K7M4XQ9P2R") != "K7M4-XQ9-P2R" {
		t.Errorf("GroupTyped = %q", GroupTyped("K7M4XQ9P2R"))
	}
}

func TestTypedEntryClaims(t *testing.T) {
	tok, _ := NewTypedToken()
	issued := testIssued.Add(123 * time.Millisecond)
	d := &bk.Delegation{ID: "0195f3a2-7c4e-7b21-9d3a-5e8f0c1b2a47", PrincipalName: "Karen Marie Jensen",
		ValidFrom: testIssued, ValidTo: testIssued.Add(10 * 24 * time.Hour),
		Scopes: []bk.ScopeGrant{{ScopeID: "skat"}, {ScopeID: "bolig"}}}
	e, ok := NewTypedEntry(d.ID, tok, issued, issued.Add(60*24*time.Hour), d.ValidTo)
	if !ok {
		t.Fatal("NewTypedEntry refused a typed token")
	}
	if !e.IssuedAt.Equal(testIssued) || !e.ExpiresAt.Equal(d.ValidTo) {
		t.Errorf("entry times = %s, %s; want issue to the second and expiry held to the delegation's end", e.IssuedAt, e.ExpiresAt)
	}
	c := e.Claims(d)
	if err := CheckClaims(c, d); err != nil {
		t.Errorf("CheckClaims(claims of the typed code) = %v; want agreement with the record", err)
	}
	if !c.Typed || !bytes.Equal(c.TokenID, tok) {
		t.Errorf("claims = %+v; want Typed and the token %x", c, tok)
	}
	if _, ok := NewTypedEntry(d.ID, []byte("slip0001"), issued, time.Time{}, d.ValidTo); ok {
		t.Error("NewTypedEntry accepted a token without a typed form")
	}
}

// FuzzParseTyped feeds ParseTyped arbitrary text: it never panics, refuses
// with ETypedMalformed, and what it accepts is ten characters of the
// alphabet that parse to themselves and spell a typed token.
func FuzzParseTyped(f *testing.F) {
	for _, s := range []string{"K7M4-XQ9-P2R", "k7m4xq9p2r", "O0Il-1LO-000", "", "-----", "ZZZZZZZZZZ", "UUUUUUUUUU"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseTyped(s)
		if err != nil {
			if bk.ErrorCode(err) != ETypedMalformed {
				t.Fatalf("ParseTyped(%q) error %v has code %q", s, err, bk.ErrorCode(err))
			}
			return
		}
		if len(got) != TypedLen || strings.Trim(got, crockford) != "" {
			t.Fatalf("ParseTyped(%q) = %q; want 10 characters of %s", s, got, crockford)
		}
		if again, err := ParseTyped(got); err != nil || again != got {
			t.Fatalf("ParseTyped(%q) = %q, %v; want itself", got, again, err)
		}
		if code, ok := TypedCode(TypedToken(got)); !ok || code != got {
			t.Fatalf("TypedCode(TypedToken(%q)) = %q, %v", got, code, ok)
		}
	})
}

func TestTypedAddress(t *testing.T) {
	for in, want := range map[string]string{
		"https://borgerkiosk.dk":  "borgerkiosk.dk/kode",
		"HTTPS://BORGERKIOSK.DK/": "borgerkiosk.dk/kode",
		"http://127.0.0.1:8080":   "127.0.0.1:8080/kode",
	} {
		if got := TypedAddress(in); got != want {
			t.Errorf("TypedAddress(%q) = %q; want %q", in, got, want)
		}
	}
}

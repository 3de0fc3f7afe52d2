package tokenexchange_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/central/tokenexchange"
)

const formType = "application/x-www-form-urlencoded"

// FuzzParseRequest feeds arbitrary bodies and content types to the token
// request parser: it must never panic, every refusal must be an OAuth
// error with a description, and what it accepts must be a complete token
// exchange request.
func FuzzParseRequest(f *testing.F) {
	f.Add(formType, form("eyJ.a.b", "tax").Encode()+"&purpose=%C3%A5rsopg%C3%B8relse")
	f.Add(formType, form("eyJ.a.b", "tax health").Encode())
	f.Add(formType+"; charset=utf-8", form("x", " tax  tax ").Encode()+"&principal=0101901234")
	f.Add(formType, "grant_type=%zz")
	f.Add("application/json", `{"grant_type":"x"}`)
	f.Add(formType, "resource=a&resource=b&"+form("x", "tax").Encode())
	f.Fuzz(func(t *testing.T, contentType, body string) {
		req, err := tokenexchange.ParseRequest(contentType, []byte(body))
		if err != nil {
			var e *tokenexchange.Error
			if !errors.As(err, &e) || e.Code == "" || e.Description == "" {
				t.Fatalf("ParseRequest(%q, %q) = %v; want an OAuth error with a description", contentType, body, err)
			}
			return
		}
		if req.SubjectToken == "" || req.SubjectTokenType != tokenexchange.TokenTypeIDToken || req.Principal == "" || len(req.Scopes) == 0 {
			t.Fatalf("ParseRequest(%q) accepted an incomplete request: %+v", body, req)
		}
		seen := map[string]bool{}
		for _, s := range req.Scopes {
			if s == "" || strings.Contains(s, " ") || seen[s] {
				t.Fatalf("ParseRequest(%q): scopes %q; want distinct non-empty ids", body, req.Scopes)
			}
			seen[s] = true
		}
	})
}

func TestParseRequest(t *testing.T) {
	f := form("id-token", " tax  tax")
	f.Set("audience", "skat")
	f.Set("purpose", "Årsopgørelse 2026")
	req, err := tokenexchange.ParseRequest(formType+"; charset=UTF-8", []byte(f.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(req.Scopes, ",") != "tax" || req.Audience != "skat" || req.Principal != cprKaren || req.SubjectToken != "id-token" || req.Purpose != "Årsopgørelse 2026" {
		t.Errorf("ParseRequest = %+v; want scope tax once, the audience, principal, token and purpose", req)
	}
	empty := form("id-token", "tax")
	empty.Add("principal", "") // a parameter without a value counts as absent
	if _, err := tokenexchange.ParseRequest(formType, []byte(empty.Encode())); err != nil {
		t.Errorf("an empty second principal: %v; want it ignored", err)
	}
	big := url.Values{"subject_token": {strings.Repeat("a", tokenexchange.MaxRequestBytes)}}
	if _, err := tokenexchange.ParseRequest(formType, []byte(big.Encode())); err == nil {
		t.Error("a body over MaxRequestBytes was accepted")
	}
}

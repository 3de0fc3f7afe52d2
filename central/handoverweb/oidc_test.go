package handoverweb_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
	"github.com/borgerkiosk/borgerkiosk/internal/oidctest"
)

// oidcWorld serves the pages with sign-in at a real OIDC provider.
func oidcWorld(t *testing.T) (*world, *mockoidc.MockOIDC) {
	idp := oidctest.Start(t)
	w := newWorld(t, func(t *testing.T, base string) handoverweb.SignIn {
		cfg := idp.Config()
		o, err := handoverweb.NewOIDC(context.Background(), handoverweb.OIDCConfig{
			Issuer: idp.Issuer(), ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
			RedirectURL: base + "/handover/oidc/callback", Scopes: []string{"profile"},
		})
		if err != nil {
			t.Fatalf("NewOIDC: %v", err)
		}
		return o
	})
	return w, idp
}

// authorize starts signing in from the page at codeURL in browser c, has
// the provider sign in whoever is queued (after tamper has changed the
// authorization request, if it is given) and returns the callback URL the
// provider sends the browser to, not yet opened.
func (w *world) authorize(t *testing.T, c *http.Client, codeURL string, tamper func(url.Values)) string {
	t.Helper()
	status, _, resp := get(t, c, w.signInURL(codeURL))
	if status != http.StatusSeeOther {
		t.Fatalf("sign-in start = %d; want 303 to the provider", status)
	}
	auth, _ := resp.Location()
	if tamper != nil {
		q := auth.Query()
		tamper(q)
		auth.RawQuery = q.Encode()
	}
	status, body, resp := get(t, c, auth.String())
	if status != http.StatusFound {
		t.Fatalf("provider's authorization = %d; want 302 back to central:\n%s", status, body)
	}
	cb, _ := resp.Location()
	return cb.String()
}

// signedIn reports whether browser c is offered the answer form on the
// page at codeURL, and as whom the page says it is signed in.
func signedIn(t *testing.T, c *http.Client, codeURL, name string) bool {
	t.Helper()
	_, page, _ := get(t, c, codeURL)
	return strings.Contains(page, `name="csrf"`) || strings.Contains(page, name)
}

func sessionCookieSet(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if c.Name == "bk_handover" && c.Value != "" {
			return true
		}
	}
	return false
}

func TestOIDCSignIn(t *testing.T) {
	w, idp := oidcWorld(t)
	_, u := w.delegation(t, nil)
	c := client(t)
	status, _, resp := get(t, c, w.signInURL(u))
	auth, _ := resp.Location()
	q := auth.Query()
	if status != http.StatusSeeOther || q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("nonce")) < 22 || q.Get("state") == "" {
		t.Fatalf("sign-in start = %d to %v; want the provider with an S256 challenge, a nonce and a state", status, auth)
	}
	var bound *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "bk_signin" {
			bound = ck
		}
	}
	if bound == nil || !bound.HttpOnly || bound.SameSite != http.SameSiteLaxMode || bound.Path != "/" || bound.Secure {
		t.Errorf("sign-in cookie = %+v; want HttpOnly, SameSite=Lax, Path=/, not Secure over http", bound)
	}

	idp.QueueUser(oidctest.User{CPR: delegateCPR, Name: "Peter Jensen"})
	cb := w.authorize(t, c, u, nil)
	status, _, resp = get(t, c, cb)
	if loc, _ := resp.Location(); status != http.StatusSeeOther || loc == nil || !strings.HasPrefix(loc.Path, "/H/") {
		t.Fatalf("callback = %d to %v; want 303 back to the code page", status, loc)
	}
	if !signedIn(t, c, u, "Peter Jensen") {
		t.Fatal("after the provider's sign-in the page offers no answer form")
	}
	// The callback is single use.
	if status, _, _ := get(t, c, cb); status != http.StatusBadRequest {
		t.Errorf("the callback a second time = %d; want 400", status)
	}
}

// Login CSRF: an attacker signs in at the provider, stops before the
// callback and gets a victim to open it. The victim must not end up signed
// in as the attacker, whether or not the victim has a sign-in of their own
// under way.
func TestLoginCSRFRefused(t *testing.T) {
	w, idp := oidcWorld(t)
	_, u := w.delegation(t, nil)
	attacker := client(t)
	trap := func() string {
		idp.QueueUser(oidctest.User{CPR: otherCPR, Name: "Mallory Attacker"})
		return w.authorize(t, attacker, u, nil)
	}
	busy := client(t)
	if status, _, _ := get(t, busy, w.signInURL(u)); status != http.StatusSeeOther {
		t.Fatalf("the victim's own sign-in start = %d", status)
	}
	for name, victim := range map[string]*http.Client{"fresh browser": client(t), "with its own sign-in under way": busy} {
		status, page, resp := get(t, victim, trap())
		if status != http.StatusBadRequest || !strings.Contains(page, "ikke startet i denne browser") || !strings.Contains(page, `role="alert"`) {
			t.Errorf("victim (%s) opens the attacker's callback = %d:\n%s", name, status, page)
		}
		if sessionCookieSet(resp) || signedIn(t, victim, u, "Mallory") {
			t.Errorf("victim (%s) is signed in as the attacker", name)
		}
	}
	// The same callback in the attacker's own browser does sign in: the
	// trap was live, and the browser binding is what stopped it.
	if status, _, resp := get(t, attacker, trap()); status != http.StatusSeeOther || !sessionCookieSet(resp) {
		t.Errorf("the attacker's own callback = %d; want a sign-in", status)
	}
}

// The ID token must carry this sign-in's nonce, and the code exchange this
// sign-in's PKCE verifier; the provider is a real one, and the
// authorization request is changed on its way to it.
func TestOIDCNonceAndPKCE(t *testing.T) {
	w, idp := oidcWorld(t)
	_, u := w.delegation(t, nil)
	otherChallenge := sha256.Sum256([]byte("a verifier of someone else's"))
	tests := []struct {
		name   string
		tamper func(url.Values)
	}{
		{"wrong nonce", func(q url.Values) { q.Set("nonce", "0123456789abcdefghijkl") }},
		{"no nonce", func(q url.Values) { q.Del("nonce") }},
		{"another PKCE challenge", func(q url.Values) {
			q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(otherChallenge[:]))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := client(t)
			idp.QueueUser(oidctest.User{CPR: delegateCPR, Name: "Peter Jensen"})
			status, page, resp := get(t, c, w.authorize(t, c, u, tt.tamper))
			if status != http.StatusBadRequest || !strings.Contains(page, "Login mislykkedes") {
				t.Errorf("callback with %s = %d; want 400:\n%s", tt.name, status, page)
			}
			if sessionCookieSet(resp) || signedIn(t, c, u, "Peter Jensen") {
				t.Errorf("signed in despite %s", tt.name)
			}
		})
	}
}

// The development form is bound to the browser that started it as well.
func TestDevSignInBoundToBrowser(t *testing.T) {
	w := newWorld(t, dev)
	_, u := w.delegation(t, nil)
	status, _, resp := get(t, client(t), w.signInURL(u))
	loc, _ := resp.Location()
	if status != http.StatusSeeOther || loc == nil {
		t.Fatalf("sign-in start = %d", status)
	}
	victim := client(t)
	status, page, resp := post(t, victim, w.srv.URL+"/handover/dev", url.Values{"state": {loc.Query().Get("state")}, "cpr": {otherCPR}, "name": {"Mallory"}})
	if status != http.StatusBadRequest || !strings.Contains(page, "ikke startet i denne browser") || sessionCookieSet(resp) {
		t.Errorf("the attacker's form state from another browser = %d:\n%s", status, page)
	}
}

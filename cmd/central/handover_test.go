package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
)

// Without --demo and without [oidc] the handover pages still answer in
// HTML, refuse a bad code clearly, and have no development sign-in.
func TestRunHandoverPagesWithoutSignIn(t *testing.T) {
	url, _, stop := startRun(t, "--data", t.TempDir(), "--config", issuerConfig(t))
	resp, err := http.Get(url + "/h/ZZ%25%25Q")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(body), `role="alert"`) || !strings.Contains(string(body), "ikke en gyldig") {
		t.Errorf("GET /h/<garbage> = %d %s; want the 400 HTML refusal page:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if status, body := get(t, url+"/handover/dev?state=x"); status == 200 || strings.Contains(body, `name="cpr"`) {
		t.Errorf("GET /handover/dev without --demo = %d; want no development sign-in:\n%s", status, body)
	}
	if status, body := get(t, url+"/handover/signin?next=/H/X&lang=en"); status != http.StatusServiceUnavailable || !strings.Contains(body, "Signing in is not set up") {
		t.Errorf("sign-in without a provider = %d; want 503 saying so:\n%s", status, body)
	}
	if status, _ := get(t, url+"/healthz"); status != 200 {
		t.Errorf("healthz = %d", status)
	}
	if err := stop(); err != nil {
		t.Errorf("run after cancel = %v", err)
	}
}

// pagesWith serves the handover pages with the sign-in cfg gives.
func pagesWith(t *testing.T, cfg Config) *httptest.Server {
	t.Helper()
	p, err := handoverPages(&cfg, false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handoverweb.New(p))
	t.Cleanup(srv.Close)
	return srv
}

func noRedirects() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// The OIDC provider is discovered at the first sign-in, so central starts
// while it is down, and a sign-in then sends the browser to it.
func TestOIDCDiscoveredAtFirstSignIn(t *testing.T) {
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idp.Shutdown() })
	secret := filepath.Join(t.TempDir(), "oidc.secret")
	os.WriteFile(secret, []byte(idp.Config().ClientSecret+"\n"), 0o600)
	cfg := DefaultConfig()
	cfg.PublicURL = "https://central.example"
	cfg.OIDC = OIDCConfig{Issuer: idp.Issuer(), ClientID: idp.Config().ClientID, ClientSecretFile: secret}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	srv := pagesWith(t, cfg)
	c := noRedirects()

	// A callback before this process started any sign-in discovers the
	// provider too (another central may have started it), and then finds
	// nothing to finish under an unknown state.
	resp, err := c.Get(srv.URL + "/handover/oidc/callback?state=x&code=y")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("callback with an unknown state, before a sign-in here = %d; want 400 (expired)", resp.StatusCode)
	}
	resp, err = c.Get(srv.URL + "/handover/signin?next=/H/X")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusSeeOther || loc == nil || !strings.HasPrefix(loc.String(), idp.Issuer()) ||
		loc.Query().Get("redirect_uri") != "https://central.example/handover/oidc/callback" {
		t.Fatalf("sign-in = %d to %v; want a redirect to the provider with central's callback", resp.StatusCode, loc)
	}
	bound := false
	for _, h := range resp.Header.Values("Set-Cookie") {
		if !strings.Contains(h, "Secure") {
			t.Errorf("cookie %q is not Secure behind an https public_url", h)
		}
		bound = bound || strings.HasPrefix(h, "__Host-bk_signin=") && strings.Contains(h, "Path=/;")
	}
	if !bound {
		t.Errorf("sign-in set cookies %q; want __Host-bk_signin with Path=/ behind an https public_url", resp.Header.Values("Set-Cookie"))
	}
}

func TestOIDCProviderDown(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	down := "http://" + ln.Addr().String()
	ln.Close()
	cfg := DefaultConfig()
	cfg.OIDC = OIDCConfig{Issuer: down, ClientID: "bk", RedirectURL: "http://127.0.0.1/handover/oidc/callback"}
	srv := pagesWith(t, cfg)
	for i := 0; i < 2; i++ { // the second try is refused without asking the provider again
		resp, err := noRedirects().Get(srv.URL + "/handover/signin?next=/H/X&lang=en")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "not available right now") {
			t.Errorf("sign-in %d with the provider down = %d:\n%s", i+1, resp.StatusCode, body)
		}
	}
	resp, err := noRedirects().Get(srv.URL + "/handover/oidc/callback?state=x&code=y")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("callback with the provider down = %d; want 503", resp.StatusCode)
	}
}

// issuerLine is a config line trusting one card issuer, which central
// needs to start without --demo; issuerConfig a config file of just that.
func issuerLine(t *testing.T) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return "issuers = [\"" + base64.StdEncoding.EncodeToString(pub) + "\"]\n"
}

func issuerConfig(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "central.toml")
	if err := os.WriteFile(path, []byte(issuerLine(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

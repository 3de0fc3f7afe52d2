package handoverweb_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// eidUser is what a national eID broker says about the delegate.
type eidUser struct{ cpr, name string }

func (u eidUser) ID() string { return "sub-" + u.cpr }
func (u eidUser) Userinfo([]string) ([]byte, error) {
	return []byte(`{"sub":"sub-` + u.cpr + `"}`), nil
}
func (u eidUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	return &struct {
		*mockoidc.IDTokenClaims
		CPR  string `json:"cpr"`
		Name string `json:"name"`
	}{base, u.cpr, u.name}, nil
}

// TestBrowserAcceptThroughOIDC is the relative's whole journey: the QR code
// is rendered and read back with zbarimg, the URL opens in headless
// Chromium, the delegate signs in at an OIDC provider, accepts, and the
// delegation is active at the registry.
func TestBrowserAcceptThroughOIDC(t *testing.T) {
	chromium := testtool.Require(t, "chromium", "chromium-browser")
	zbarimg := testtool.Require(t, "zbarimg")

	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatalf("mockoidc: %v", err)
	}
	t.Cleanup(func() { idp.Shutdown() })
	idp.QueueUser(eidUser{cpr: delegateCPR, name: "Peter Jensen"})

	// The page is served with OIDC sign-in; its redirect URL needs the
	// server's address, so the handler is set once the server listens.
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { handler.ServeHTTP(rw, r) }))
	t.Cleanup(srv.Close)
	w := newWorld(t, dev)
	handler = handoverweb.New(handoverweb.Config{Registry: w.reg, SignIn: mustOIDC(t, idp, srv.URL)})
	w.srv = srv
	d, codeURL := w.delegation(t, nil)

	// Render the QR code and read it back as a phone camera would.
	png, err := handover.PNG(codeURL, -6)
	if err != nil {
		t.Fatal(err)
	}
	pngPath := filepath.Join(t.TempDir(), "handover.png")
	os.WriteFile(pngPath, png, 0o644)
	out, err := exec.Command(zbarimg, "--nodbus", "--raw", "-q", pngPath).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	scanned := strings.TrimSpace(string(out))
	if scanned != codeURL {
		t.Fatalf("zbarimg read %q; want %q", scanned, codeURL)
	}

	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(412, 915))
	defer cancel()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()

	// A phone opens the URL as the camera read it (the scheme and host
	// lower-cased, as phones do).
	open := strings.Replace(scanned, strings.ToUpper(srv.URL), srv.URL, 1)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(open),
		chromedp.WaitVisible(chromedp.ID("principal")),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("accept")),
	); err != nil {
		t.Fatalf("browser, sign in: %v", err)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("signed-in")))
	if err != nil || who != "Peter Jensen" {
		t.Fatalf("signed in as %q (%v); want Peter Jensen", who, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("accept")), chromedp.WaitVisible(chromedp.ID("result"))); err != nil {
		t.Fatalf("browser, accept: %v", err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result-title")))
	if title != "You have accepted the power of attorney" { // headless Chromium asks for English
		t.Errorf("result title = %q", title)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err == nil {
		p := filepath.Join(testtool.ArtifactDir(t), "handover-accepted.jpeg")
		os.WriteFile(p, shot, 0o644)
		t.Logf("screenshot: %s", p)
	}
	got, _ := w.reg.Delegation(context.Background(), d.ID)
	if got.State != bk.DelegationActive || got.DelegateName != "Peter Jensen" {
		t.Errorf("delegation = %s %q; want active, Peter Jensen", got.State, got.DelegateName)
	}
}

func mustOIDC(t *testing.T, idp *mockoidc.MockOIDC, base string) *handoverweb.OIDC {
	cfg := idp.Config()
	o, err := handoverweb.NewOIDC(context.Background(), handoverweb.OIDCConfig{
		Issuer: idp.Issuer(), ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: base + "/handover/oidc/callback", Scopes: []string{"profile"},
	})
	if err != nil {
		t.Fatalf("NewOIDC: %v", err)
	}
	return o
}

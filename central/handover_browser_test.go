package central_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/internal/oidctest"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// TestHandoverInBrowser is the relative's whole journey against the real
// central: a kiosk makes the code, the QR image is read back with zbarimg,
// headless Chromium opens the URL, the delegate signs in at an OIDC
// provider and accepts, and central's store has the delegation active.
func TestHandoverInBrowser(t *testing.T) {
	chromium := testtool.Require(t, "chromium", "chromium-browser")
	zbarimg := testtool.Require(t, "zbarimg")

	idp := oidctest.Start(t)
	idp.QueueUser(oidctest.User{CPR: strings.ReplaceAll(cprBo, "-", ""), Name: "Bo Berg"})

	// The OIDC redirect URL needs central's address before it starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg := idp.Config()
	oidc, err := handoverweb.NewOIDC(context.Background(), handoverweb.OIDCConfig{
		Issuer: idp.Issuer(), ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		RedirectURL: base + "/handover/oidc/callback", Scopes: []string{"profile"},
	})
	if err != nil {
		t.Fatalf("NewOIDC: %v", err)
	}
	h := centraltest.StartWith(t, centraltest.Options{Listener: ln, SignIn: oidc})
	w := newHandoverWorld(t, h)
	id, codeURL := w.delegation(t)

	png, err := handover.PNG(codeURL, -6)
	if err != nil {
		t.Fatal(err)
	}
	pngPath := filepath.Join(t.TempDir(), "handover.png")
	if err := os.WriteFile(pngPath, png, 0o644); err != nil {
		t.Fatal(err)
	}
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

	// A phone opens the URL as the camera read it, scheme and host
	// lower-cased as phones do.
	open := strings.Replace(scanned, strings.ToUpper(h.URL), h.URL, 1)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(open),
		chromedp.WaitVisible(chromedp.ID("principal")),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.ID("accept")),
	); err != nil {
		t.Fatalf("browser, sign in: %v", err)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("signed-in")))
	if err != nil || who != "Bo Berg" {
		t.Fatalf("signed in as %q (%v); want Bo Berg", who, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("accept")), chromedp.WaitVisible(chromedp.ID("result"))); err != nil {
		t.Fatalf("browser, accept: %v", err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result-title")))
	if title != "You have accepted the power of attorney" { // headless Chromium asks for English
		t.Errorf("result title = %q", title)
	}
	if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err == nil {
		p := filepath.Join(testtool.ArtifactDir(t), "central-handover-accepted.jpeg")
		if err := os.WriteFile(p, shot, 0o644); err == nil {
			t.Logf("screenshot: %s", p)
		}
	}
	d := h.Delegation(t, id)
	if d.State != bk.DelegationActive || d.DelegateName != "Bo Berg" {
		t.Errorf("delegation in central's store = %s %q; want active, Bo Berg", d.State, d.DelegateName)
	}
	recs := h.Records(t, central.WebKiosk, central.WebIncarnation)
	if len(recs) != 1 || recs[0].Action.ActorSerial != "web-oidc" || recs[0].Verdict.Outcome != bk.Applied {
		t.Errorf("web action log = %d records; want one applied accept signed in by OIDC", len(recs))
	}
}

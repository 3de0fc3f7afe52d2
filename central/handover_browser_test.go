package central_test

import (
	"context"
	"fmt"
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
	"github.com/borgerkiosk/borgerkiosk/handover/handovertest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/oidctest"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
)

// TestHandoverInBrowser is the relative's whole journey against the real
// central: a kiosk makes the code, the QR image is read back with zbarimg,
// headless Chromium opens the URL, the delegate signs in at an OIDC
// provider and accepts, and central's store has the delegation active; a
// second code, for another delegation, is declined in the same browser.
// Each page is checked as a phone shows it (checkPhone), with screenshots
// kept (BK_ARTIFACTS=dir go test -run TestHandoverInBrowser ./central
// copies them to dir); docs/screens/phone-signed-in-da.png is one of them.
func TestHandoverInBrowser(t *testing.T) {
	chromium := testtool.Require(t, "chromium", "chromium-browser")
	zbarimg := testtool.Require(t, "zbarimg")

	idp := oidctest.Start(t)
	idp.QueueUser(oidctest.User{CPR: strings.ReplaceAll(cprBo, "-", ""), Name: "Bo Berg"})
	h := startWithOIDC(t, idp.Issuer(), idp.Config().ClientID, idp.Config().ClientSecret)
	w := newHandoverWorld(t, h)
	id, codeURL := w.delegation(t)
	declinedID, declineURL := w.delegationOf(t, "tax")

	png, err := handovertest.PNG(codeURL, -6)
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

	ctx := phoneBrowser(t, chromium)

	// A phone opens the URL as the camera read it, scheme and host
	// lower-cased as phones do.
	open := strings.Replace(scanned, strings.ToUpper(h.URL), h.URL, 1)
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneW, phoneH, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(open),
		chromedp.WaitVisible(chromedp.ID("principal")),
	); err != nil {
		t.Fatalf("browser, open the code: %v", err)
	}
	checkPhone(t, ctx, "code", "signin")
	checkFirstView(t, ctx, "code", "signin")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("signin")), chromedp.WaitVisible(chromedp.ID("accept"))); err != nil {
		t.Fatalf("browser, sign in: %v", err)
	}
	checkPhone(t, ctx, "signed-in", "accept")
	// The same page in Danish, whose words are longer.
	if err := chromedp.Do(ctx, chromedp.Navigate(open+"?lang=da"), chromedp.WaitVisible(chromedp.ID("accept"))); err != nil {
		t.Fatalf("browser, Danish: %v", err)
	}
	checkPhone(t, ctx, "signed-in-da", "accept")
	if err := chromedp.Do(ctx, chromedp.Navigate(open+"?lang=en"), chromedp.WaitVisible(chromedp.ID("accept"))); err != nil {
		t.Fatalf("browser, English: %v", err)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("signed-in")))
	if err != nil || who != "Bo Berg" {
		t.Fatalf("signed in as %q (%v); want Bo Berg", who, err)
	}
	// Signed in, the principal has the one name the overview uses too.
	if p, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("principal"))); err != nil || p != "Karen Jensen" {
		t.Errorf("principal signed in = %q (%v); want Karen Jensen, as on the overview", p, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("accept")), chromedp.WaitVisible(chromedp.ID("result"))); err != nil {
		t.Fatalf("browser, accept: %v", err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result-title")))
	if title != "You have accepted the power of attorney" { // headless Chromium asks for English
		t.Errorf("result title = %q", title)
	}
	checkPhone(t, ctx, "accepted", "")
	// Declining takes two steps, each red as renouncing is; Log ud is in
	// the header, away from the answers.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(strings.Replace(declineURL, strings.ToUpper(h.URL), h.URL, 1)),
		chromedp.WaitVisible(chromedp.ID("decline")),
	); err != nil {
		t.Fatalf("browser, open the code to decline: %v", err)
	}
	checkDestructive(t, ctx, "decline")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("decline")), chromedp.WaitVisible(chromedp.ID("decline-confirm"))); err != nil {
		t.Fatalf("browser, decline: %v", err)
	}
	if d := h.Delegation(t, declinedID); d.State != bk.DelegationPending {
		t.Errorf("delegation after the first step of declining = %s; want still pending", d.State)
	}
	checkPhone(t, ctx, "decline-confirm", "decline-confirm")
	checkDestructive(t, ctx, "decline-confirm")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("decline-confirm")), chromedp.WaitVisible(chromedp.ID("result"))); err != nil {
		t.Fatalf("browser, confirm declining: %v", err)
	}
	if title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result-title"))); title != "You have declined" {
		t.Errorf("result title after declining = %q", title)
	}
	checkPhone(t, ctx, "declined", "")
	// A third delegation's code typed in at the short address, as a person
	// who cannot scan does: the form, then the same code page, signed in.
	typedID, typed := w.typedDelegation(t, time.Now().UTC().Truncate(time.Second), 14*24*time.Hour)
	if err := chromedp.Do(ctx, chromedp.Navigate(h.URL+handover.TypedFormPath), chromedp.WaitVisible(chromedp.ID("code"))); err != nil {
		t.Fatalf("browser, typed-code form: %v", err)
	}
	checkPhone(t, ctx, "typed", "typed-submit")
	checkFirstView(t, ctx, "typed", "code")
	field, err := chromedp.Run(ctx, chromedp.Evaluate[phoneBox](`(() => { const r = document.getElementById("code").getBoundingClientRect();
		return {top: r.top, left: r.left, bottom: r.bottom, right: r.right}; })()`))
	if err != nil {
		t.Fatal(err)
	}
	if field.Top < 0 || field.Left < 0 || field.Bottom > phoneH/2 || field.Right > phoneW || field.Bottom-field.Top < 48 || field.Right-field.Left < phoneW*3/4 {
		t.Errorf("typed-code field at %+v; want at least 48 px high, three quarters of the %d px width, in the top half of the viewport", field, phoneW)
	}
	spaced := strings.ToLower(typed[:4] + " " + typed[4:7] + " " + typed[7:]) // as a person may type it
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("code"), spaced),
		chromedp.Click(chromedp.ID("typed-submit")),
		chromedp.WaitVisible(chromedp.ID("accept")),
	); err != nil {
		t.Fatalf("browser, type the code: %v", err)
	}
	checkPhone(t, ctx, "typed-signed-in", "accept")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("accept")), chromedp.WaitVisible(chromedp.ID("result"))); err != nil {
		t.Fatalf("browser, accept the typed code: %v", err)
	}
	if d := h.Delegation(t, typedID); d.State != bk.DelegationActive {
		t.Errorf("delegation of the typed code = %s; want active", d.State)
	}

	d := h.Delegation(t, id)
	if d.State != bk.DelegationActive || d.DelegateName != "Bo Berg" {
		t.Errorf("delegation in central's store = %s %q; want active, Bo Berg", d.State, d.DelegateName)
	}
	if d := h.Delegation(t, declinedID); d.State != bk.DelegationDeclined {
		t.Errorf("declined delegation in central's store = %s; want declined", d.State)
	}
	recs := h.Records(t, central.WebKiosk, central.WebIncarnation)
	if len(recs) != 3 {
		t.Fatalf("web action log = %d records; want the two accepts and the decline", len(recs))
	}
	for _, r := range recs {
		if r.Action.ActorSerial != "web-oidc" || r.Verdict.Outcome != bk.Applied {
			t.Errorf("web action %s by %q = %s; want applied, signed in by OIDC", r.Action.Kind, r.Action.ActorSerial, r.Verdict.Outcome)
		}
	}
}

// startWithOIDC starts central with the pages' sign-in at the OIDC
// provider idp.
func startWithOIDC(t *testing.T, issuer, clientID, clientSecret string) *centraltest.Harness {
	t.Helper()
	// The OIDC redirect URL needs central's address before it starts.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	oidc, err := handoverweb.NewOIDC(context.Background(), handoverweb.OIDCConfig{
		Issuer: issuer, ClientID: clientID, ClientSecret: clientSecret,
		RedirectURL: base + "/handover/oidc/callback", Scopes: []string{"profile"},
	})
	if err != nil {
		t.Fatalf("NewOIDC: %v", err)
	}
	return centraltest.StartWith(t, centraltest.Options{Listener: ln, SignIn: oidc})
}

// phoneBrowser starts headless Chromium at the phone's size, for the
// test's duration.
func phoneBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(phoneW, phoneH))
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestOverviewInBrowser is the relative's overview as a phone shows it:
// Bo signs in at the OIDC provider from the overview, sees the delegation
// he holds and the one he is offered, and renounces the first after the
// confirmation; each page is checked with checkPhone, and
// docs/screens/phone-overview-da.png is the overview's screenshot.
func TestOverviewInBrowser(t *testing.T) {
	chromium := testtool.Require(t, "chromium", "chromium-browser")
	idp := oidctest.Start(t)
	idp.QueueUser(oidctest.User{CPR: strings.ReplaceAll(cprBo, "-", ""), Name: "Bo Berg"})
	h := startWithOIDC(t, idp.Issuer(), idp.Config().ClientID, idp.Config().ClientSecret)
	w := newHandoverWorld(t, h)
	// The one Bo holds: tax ends in three months, health with it.
	now := time.Now().UTC().Truncate(time.Second)
	heldID, bo, taxEnds := bk.NewID(now), bk.MustParseCPR(cprBo), now.AddDate(0, 3, 0)
	p := bk.Payload{DelegationID: heldID, Delegate: &bo, ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
		Scopes: []bk.ScopeGrant{{ScopeID: "tax", Until: taxEnds}, {ScopeID: "health"}}}
	if got := w.push(t, fixture.Action(bk.CreateDelegation, p, w.karen, nil, now)); strings.Join(got, " ") != "applied" {
		t.Fatalf("create = %v", got)
	}
	if err := w.redeem(t, w.code(t, heldID, cprBo), cprBo, "Bo Berg"); err != nil {
		t.Fatal(err)
	}
	offeredID, _ := w.delegationOf(t, "tax")
	ctx := phoneBrowser(t, chromium)
	renounceID := "renounce-" + heldID
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(phoneW, phoneH, chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(h.URL+handoverweb.MinePath+"?lang=da"),
		chromedp.WaitVisible(chromedp.ID("signin")),
	); err != nil {
		t.Fatalf("browser, open the overview: %v", err)
	}
	checkPhone(t, ctx, "overview-signin-da", "signin")
	checkFirstView(t, ctx, "overview-signin-da", "signin")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("signin")), chromedp.WaitVisible(chromedp.ID(renounceID))); err != nil {
		t.Fatalf("browser, sign in: %v", err)
	}
	checkPhone(t, ctx, "overview-da", renounceID)
	// What the phone shows of each: the other person, the scopes, a
	// scope's own end and the period.
	cat := h.Server.Catalogue()
	period := timefmt.Zone{}.Date(now, "da") + " – " + timefmt.Zone{}.Date(p.ValidTo, "da")
	for _, c := range []struct {
		id   string
		want []string
	}{
		{"held-" + heldID, []string{"Karen Jensen", scopeName(t, cat, "tax"), "til " + timefmt.Zone{}.Date(taxEnds, "da"), scopeName(t, cat, "health"), period}},
		{"offered-" + offeredID, []string{"Karen Jensen", scopeName(t, cat, "tax"), period}},
	} {
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(c.id)))
		if err != nil {
			t.Fatalf("browser, read #%s: %v", c.id, err)
		}
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("#%s on the phone reads %q; want it to hold %q", c.id, text, w)
			}
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID(renounceID)), chromedp.WaitVisible(chromedp.ID("renounce-confirm"))); err != nil {
		t.Fatalf("browser, renounce: %v", err)
	}
	checkPhone(t, ctx, "renounce-da", "renounce-confirm")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.ID("renounce-confirm")), chromedp.WaitVisible(chromedp.ID("result"))); err != nil {
		t.Fatalf("browser, confirm: %v", err)
	}
	checkPhone(t, ctx, "renounced-da", "back")
	if d := h.Delegation(t, heldID); d.State != bk.DelegationRenounced {
		t.Errorf("delegation in central's store = %s; want renounced", d.State)
	}
}

// checkDestructive checks that the button with id is drawn red, as every
// answer that cannot be undone is, and that no sign-out sits among the
// page's answers: it is in the header.
func checkDestructive(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[struct{ Color, Border, SignOut string }](fmt.Sprintf(`(() => {
		const s = getComputedStyle(document.getElementById(%q)), o = document.getElementById("signout");
		return {Color: s.color, Border: s.borderTopColor, SignOut: o ? o.closest("header, main").tagName : ""}; })()`, id)))
	if err != nil {
		t.Fatalf("#%s: %v", id, err)
	}
	const red = "rgb(160, 0, 0)"
	if got.Border != red || (got.Color != red && got.Color != "rgb(255, 255, 255)") {
		t.Errorf("#%s drawn %s on a %s border; want the destructive red %s", id, got.Color, got.Border, red)
	}
	if got.SignOut != "HEADER" {
		t.Errorf("sign-out link in %q; want it in the header, away from the answers", got.SignOut)
	}
}

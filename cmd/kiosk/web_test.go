package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// TestPrintedSlipAcceptedOnThePage prints a handover slip at the kiosk, reads
// its QR code from the simulated printer's PNG with zbarimg, and has the
// delegate accept it on central's web page, as a relative with a phone would.
func TestPrintedSlipAcceptedOnThePage(t *testing.T) {
	zbarimg := testtool.Require(t, "zbarimg")
	r := startRig(t)
	ctx := context.Background()
	r.insert(r.card("ingrid", r.central.Issuer.Citizen("150550-1234", "Ingrid Sørensen"), "1234"))
	sess, err := r.k.svc.SignIn(ctx, "1234", nil)
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	now := time.Now().UTC()
	delegate := bk.MustParseCPR("230492-2345")
	id := bk.NewID(now)
	if _, err := sess.Do(ctx, bk.CreateDelegation, bk.Payload{
		DelegationID: id, Delegate: &delegate, Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
		ValidFrom: now, ValidTo: now.AddDate(0, 6, 0),
	}); err != nil {
		t.Fatalf("Do(create): %v", err)
	}
	r.eventually("central has the delegation", func() bool { return r.centralDelegation(id) != nil })
	if _, err := sess.HandoverCode(ctx, id); err != nil {
		t.Fatalf("HandoverCode: %v", err)
	}
	r.eventually("the slip is printed", func() bool { return len(r.printer.Printed()) >= 2 })
	slip := r.printer.Printed()[len(r.printer.Printed())-1]
	out, err := exec.Command(zbarimg, "--nodbus", "--raw", "-q", slip.PNGPath).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	codeURL := strings.TrimSpace(string(out))

	jar, _ := cookiejar.New(nil)
	web := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	page := get(t, web, codeURL)
	if !strings.Contains(page, "Ingrid S.") || strings.Contains(page, "Sørensen") {
		t.Fatalf("code page does not show the masked principal:\n%s", page)
	}
	u, _ := url.Parse(codeURL)
	signin := get(t, web, r.central.URL+"/handover/signin?next="+url.QueryEscape(u.EscapedPath()))
	state := regexp.MustCompile(`name="state" value="([^"]+)"`).FindStringSubmatch(signin)
	if state == nil {
		t.Fatalf("no dev sign-in form:\n%s", signin)
	}
	page = post(t, web, r.central.URL+"/handover/dev", url.Values{"state": {state[1]}, "cpr": {"230492-2345"}, "name": {"Mads Nielsen"}})
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if csrf == nil {
		t.Fatalf("no answer form after signing in:\n%s", page)
	}
	result := post(t, web, codeURL, url.Values{"csrf": {csrf[1]}, "answer": {"accept"}})
	if !strings.Contains(result, `id="result"`) {
		t.Fatalf("accept page:\n%s", result)
	}
	if d := r.centralDelegation(id); d == nil || d.State != bk.DelegationActive {
		t.Fatalf("delegation at central = %+v; want active", d)
	}
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %s:\n%s", u, resp.Status, b)
	}
	return string(b)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) string {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s = %s:\n%s", u, resp.Status, b)
	}
	return string(b)
}

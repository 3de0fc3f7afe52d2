package handoverweb_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

// memRegistry is a small working registry: delegations in a map, redemption
// through handover.Decide like central's stores.
type memRegistry struct {
	mu     sync.Mutex
	dels   map[string]*bk.Delegation
	codes  map[string]handover.CodeRecord
	kiosks map[string]ed25519.PublicKey
	typed  map[string]handover.TypedEntry
	rules  *bk.Rules
}

func (m *memRegistry) TypedClaims(_ context.Context, typed string) (*handover.Claims, error) {
	code, err := handover.ParseTyped(typed)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.typed[code]
	if !ok {
		return nil, bk.Errorf(handover.ETypedUnknown, "not known yet")
	}
	if !time.Now().Before(e.ExpiresAt) {
		return nil, bk.Errorf(handover.EExpired, "expired")
	}
	return e.Claims(m.dels[e.DelegationID]), nil
}

func (m *memRegistry) HandoverRecord(_ context.Context, id string) (*bk.Delegation, handover.CodeRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.dels[id]
	if !ok {
		return nil, handover.CodeRecord{}, bk.Errorf(bk.ENotFound, "no such delegation")
	}
	c := *d
	return &c, m.codes[id], nil
}

func (m *memRegistry) delegation(id string) *bk.Delegation {
	d, _, _ := m.HandoverRecord(context.Background(), id)
	return d
}

func (m *memRegistry) Redeem(_ context.Context, r handover.Redemption) (bk.Verdict, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.dels[r.Claims.DelegationID]
	v, next, rec, err := handover.Decide(d, m.codes[r.Claims.DelegationID], r, m.rules)
	if err != nil {
		return v, err
	}
	m.codes[r.Claims.DelegationID] = rec
	if next != nil {
		m.dels[next.ID] = next
	}
	return v, nil
}

func (m *memRegistry) DelegationsHeld(_ context.Context, cpr bk.CPR) ([]*bk.Delegation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	ds := []*bk.Delegation{}
	for _, d := range m.dels {
		if d.Delegate == cpr {
			c := *d
			ds = append(ds, &c)
		}
	}
	return ds, nil
}

func (m *memRegistry) Renounce(_ context.Context, r handover.Renouncement) (bk.Verdict, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, next, _, err := handover.DecideRenounce(m.dels[r.DelegationID], r, m.rules)
	if err == nil && next != nil && v.Outcome == bk.Applied {
		m.dels[next.ID] = next
	}
	return v, err
}

func (m *memRegistry) CheckOverview(context.Context, string) (*handover.OverviewCheck, error) {
	return nil, bk.Errorf(handover.EBadSignature, "no key")
}

func (m *memRegistry) KioskKey(kid string) (ed25519.PublicKey, bool) {
	k, ok := m.kiosks[kid]
	return k, ok
}

func (m *memRegistry) Catalogue() *bk.Catalogue { return m.rules.Catalogue }

const (
	principalCPR = "0101601234"
	delegateCPR  = "0202701234"
	otherCPR     = "0303801234"
)

type world struct {
	reg      *memRegistry
	kioskKey ed25519.PrivateKey
	srv      *httptest.Server
	now      time.Time
}

// newWorld serves the pages with the sign-in signIn makes for the
// server's base URL.
func newWorld(t *testing.T, signIn func(t *testing.T, base string) handoverweb.SignIn) *world {
	t.Helper()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	w := &world{
		reg: &memRegistry{
			dels:   map[string]*bk.Delegation{},
			codes:  map[string]handover.CodeRecord{},
			kiosks: map[string]ed25519.PublicKey{"kiosk-1": key.Public().(ed25519.PublicKey)},
			typed:  map[string]handover.TypedEntry{},
			rules:  bk.DefaultRules(fixture.Catalogue()),
		},
		kioskKey: key,
		now:      time.Now().UTC().Truncate(time.Second),
	}
	w.srv = httptest.NewUnstartedServer(nil)
	w.srv.Config.Handler = handoverweb.New(handoverweb.Config{Registry: w.reg, SignIn: signIn(t, "http://"+w.srv.Listener.Addr().String())})
	w.srv.Start()
	t.Cleanup(w.srv.Close)
	return w
}

func dev(*testing.T, string) handoverweb.SignIn { return handoverweb.DevSignIn{} }

// delegation stores a pending delegation and returns a code URL for it.
func (w *world) delegation(t *testing.T, mutate func(*handover.Claims)) (*bk.Delegation, string) {
	t.Helper()
	d := &bk.Delegation{
		ID: bk.NewID(w.now), Principal: bk.MustParseCPR(principalCPR), PrincipalName: "Karen Jensen",
		Delegate: bk.MustParseCPR(delegateCPR), Scopes: []bk.ScopeGrant{{ScopeID: "tax"}, {ScopeID: "health"}},
		ValidFrom: w.now, ValidTo: w.now.AddDate(1, 0, 0), CreatedVia: bk.ViaSelf, CreatedAt: w.now,
		State: bk.DelegationPending, ChangedAt: w.now,
	}
	w.reg.mu.Lock()
	w.reg.dels[d.ID] = d
	w.reg.mu.Unlock()
	return d, w.code(t, d, mutate)
}

func (w *world) code(t *testing.T, d *bk.Delegation, mutate func(*handover.Claims)) string {
	t.Helper()
	c := handover.Claims{
		DelegationID: d.ID, Scopes: []string{"tax", "health"}, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
		IssuedAt: time.Now().UTC().Truncate(time.Second), PrincipalName: handover.MaskName(d.PrincipalName),
	}
	key := w.kioskKey
	if mutate != nil {
		mutate(&c)
	}
	code, err := handover.Issue(c, delegateCPR, "kiosk-1", key)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	u, err := handover.URL(w.srv.URL, code)
	if err != nil {
		t.Fatalf("URL: %v", err)
	}
	return u
}

// client is a browser-like HTTP client with cookies that does not follow
// redirects, so tests see each step.
func client(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (int, string, *http.Response) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string, *http.Response) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp
}

// signInURL is the sign-in link of the page at codeURL.
func (w *world) signInURL(codeURL string) string {
	path := strings.TrimPrefix(strings.ToLower(codeURL), strings.ToLower(w.srv.URL))
	return w.srv.URL + "/handover/signin?next=" + url.QueryEscape(codeURL[len(codeURL)-len(path):])
}

// devSignIn walks the development sign-in from the code page.
func (w *world) devSignIn(t *testing.T, c *http.Client, codeURL, cpr, name string) {
	t.Helper()
	status, _, resp := get(t, c, w.signInURL(codeURL))
	if status != http.StatusSeeOther {
		t.Fatalf("sign-in start = %d; want 303", status)
	}
	loc, _ := resp.Location()
	state := loc.Query().Get("state")
	status, _, _ = post(t, c, w.srv.URL+"/handover/dev", url.Values{"state": {state}, "cpr": {cpr}, "name": {name}})
	if status != http.StatusSeeOther {
		t.Fatalf("dev sign-in = %d; want 303", status)
	}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (w *world) answer(t *testing.T, c *http.Client, codeURL, answer string) (int, string) {
	t.Helper()
	status, body, _ := post(t, c, codeURL, url.Values{"csrf": {w.formToken(t, c, codeURL)}, "answer": {answer}})
	return status, body
}

// formToken returns the CSRF token of the answer form on the page at
// codeURL, which the signed-in client c must be offered.
func (w *world) formToken(t *testing.T, c *http.Client, codeURL string) string {
	t.Helper()
	_, page, _ := get(t, c, codeURL)
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the signed-in page:\n%s", page)
	}
	return m[1]
}

func TestShowCodeInBothLanguages(t *testing.T) {
	w := newWorld(t, dev)
	_, u := w.delegation(t, nil)
	c := client(t)
	status, page, _ := get(t, c, u)
	if status != 200 || !strings.Contains(page, "Karen J.") || !strings.Contains(page, "Skat") || !strings.Contains(page, "Fuldmagt til dig") {
		t.Fatalf("GET code (da) = %d:\n%s", status, page)
	}
	if strings.Contains(page, "Jensen") || strings.Contains(page, delegateCPR) || strings.Contains(page, principalCPR[6:]) {
		t.Errorf("the page shows more of the people than it should:\n%s", page)
	}
	status, page, _ = get(t, c, u+"?lang=en")
	if status != 200 || !strings.Contains(page, "Power of attorney for you") || !strings.Contains(page, "Tax") || !strings.Contains(page, `lang="en"`) {
		t.Fatalf("GET code (en) = %d:\n%s", status, page)
	}
	// A phone lower-cases the URL; the page must still open.
	status, _, _ = get(t, c, strings.ToLower(u))
	if status != 200 {
		t.Errorf("GET lower-cased code = %d; want 200", status)
	}
}

// The principal is "Karen J." to anyone holding the code, which says the
// full name comes with signing in, and "Karen Jensen" to the signed-in
// delegate on every page, as on their overview; never to someone else.
func TestNameInFullOnceSignedIn(t *testing.T) {
	w := newWorld(t, dev)
	_, u := w.delegation(t, nil)
	if _, page, _ := get(t, client(t), u); !strings.Contains(page, "Karen J.") || strings.Contains(page, "Jensen") || !strings.Contains(page, "hele navnet") {
		t.Errorf("signed out: want Karen J. and that the full name comes with signing in:\n%s", page)
	}
	other := client(t)
	w.devSignIn(t, other, u, otherCPR, "Mallory")
	if _, page, _ := get(t, other, u); strings.Contains(page, "Jensen") {
		t.Errorf("signed in as someone else: the full name is shown:\n%s", page)
	}
	c := client(t)
	w.devSignIn(t, c, u, delegateCPR, "Bo Berg")
	for _, step := range []string{"", "?step=decline"} {
		if _, page, _ := get(t, c, u+step); !strings.Contains(page, "Karen Jensen") || strings.Contains(page, "Karen J.") {
			t.Errorf("signed in as the delegate (%q): want Karen Jensen, never Karen J.:\n%s", step, page)
		}
	}
	if _, page := w.answer(t, c, u, "accept"); !strings.Contains(page, "Karen Jensen") || strings.Contains(page, "Karen J.") {
		t.Errorf("result: want Karen Jensen:\n%s", page)
	}
}

// Dates on the pages are in words, in the page's language, as on the
// kiosk and the slip: "2. december 2027", never "02.12.2027". The code's
// last moment is to the minute; one at midnight is "til og med" the day
// before, as timefmt's End says it.
func TestDatesInWords(t *testing.T) {
	w := newWorld(t, dev)
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	n := time.Now().In(cph)
	midnight := time.Date(n.Year(), n.Month(), n.Day()+3, 0, 0, 0, 0, cph)
	last := midnight.AddDate(0, 0, -1)
	monthsDA := []string{"", "januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"}
	digits := regexp.MustCompile(`\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b`)
	_, minute := w.delegation(t, nil)
	_, atMidnight := w.delegation(t, func(c *handover.Claims) { c.ExpiresAt = midnight })
	tests := []struct{ name, url, want string }{
		{"to the minute, da", minute + "?lang=da", "Koden kan bruges til "},
		{"to the minute, en", minute + "?lang=en", "The code can be used until "},
		{"midnight, da", atMidnight + "?lang=da", fmt.Sprintf("Koden kan bruges til og med %d. %s %d.", last.Day(), monthsDA[last.Month()], last.Year())},
		{"midnight, en", atMidnight + "?lang=en", fmt.Sprintf("The code can be used through %d %s %d.", last.Day(), last.Month(), last.Year())},
	}
	for _, tt := range tests {
		_, page, _ := get(t, client(t), tt.url)
		if !strings.Contains(page, tt.want) {
			t.Errorf("%s: page lacks %q:\n%s", tt.name, tt.want, page)
		}
		if strings.HasPrefix(tt.name, "to the minute") && !regexp.MustCompile(`id="code-expires">[^<]*(kl\. \d\d\.\d\d|, \d\d:\d\d)\.<`).MatchString(page) {
			t.Errorf("%s: the code's expiry is not to the minute:\n%s", tt.name, page)
		}
		if d := digits.FindString(page); d != "" {
			t.Errorf("%s: a date in digits, %q; want it in words", tt.name, d)
		}
	}
}

func TestAcceptOnceThenRefused(t *testing.T) {
	w := newWorld(t, dev)
	d, u := w.delegation(t, nil)
	c := client(t)
	w.devSignIn(t, c, u, delegateCPR, "Peter Jensen")
	csrf := w.formToken(t, c, u)
	status, page, _ := post(t, c, u, url.Values{"csrf": {csrf}, "answer": {"accept"}})
	if status != 200 || !strings.Contains(page, "Du har taget imod fuldmagten") {
		t.Fatalf("accept = %d:\n%s", status, page)
	}
	got := w.reg.delegation(d.ID)
	if got.State != bk.DelegationActive || got.DelegateName != "Peter Jensen" {
		t.Fatalf("delegation after accept = %s (%q); want active", got.State, got.DelegateName)
	}
	// The same code a second time: the page says so, and the form sent
	// again is refused as used.
	status, page, _ = get(t, c, u)
	if status != http.StatusGone || !strings.Contains(page, "allerede taget imod") || strings.Contains(page, `name="csrf"`) {
		t.Errorf("the page of a used code = %d:\n%s", status, page)
	}
	status, page, _ = post(t, c, u, url.Values{"csrf": {csrf}, "answer": {"accept"}})
	if status != http.StatusGone || !strings.Contains(page, "allerede brugt") {
		t.Errorf("second redemption = %d:\n%s", status, page)
	}
}

// Declining cannot be undone, so "Nej tak" asks first: the code page has
// no form that declines, the question (a GET) changes nothing and keeps its
// step across the language link, and only its POST declines.
func TestDeclineAsksFirst(t *testing.T) {
	w := newWorld(t, dev)
	d, u := w.delegation(t, nil)
	if _, page, _ := get(t, client(t), u+"?step=decline"); !strings.Contains(page, `id="signin"`) || strings.Contains(page, `value="decline"`) {
		t.Errorf("the question signed out = want the sign-in, no decline form:\n%s", page)
	}
	c := client(t)
	w.devSignIn(t, c, u, delegateCPR, "Peter Jensen")
	_, page, _ := get(t, c, u)
	if strings.Contains(page, `value="decline"`) || !strings.Contains(page, `id="decline"`) || !strings.Contains(page, `?step=decline"`) {
		t.Errorf("code page: want a link to the question and no form that declines:\n%s", page)
	}
	status, page, _ := get(t, c, u+"?step=decline")
	if status != 200 || !strings.Contains(page, "Vil du sige nej tak til fuldmagten") || !strings.Contains(page, "kan ikke fortrydes") ||
		!strings.Contains(page, `value="decline"`) || !strings.Contains(page, `id="decline-cancel"`) || !strings.Contains(page, `?step=decline&amp;lang=en"`) {
		t.Fatalf("the question = %d:\n%s", status, page)
	}
	w.assertState(t, d.ID, bk.DelegationPending)
	csrf := csrfRE.FindStringSubmatch(page)[1]
	if status, page, _ := post(t, c, u, url.Values{"csrf": {csrf}, "answer": {"decline"}}); status != 200 || !strings.Contains(page, "Du har sagt nej tak") {
		t.Fatalf("decline = %d:\n%s", status, page)
	}
	got := w.reg.delegation(d.ID)
	if got.State != bk.DelegationDeclined {
		t.Errorf("delegation after decline = %s; want declined", got.State)
	}
}

func TestRefusalsChangeNothing(t *testing.T) {
	w := newWorld(t, dev)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)

	t.Run("wrong delegate", func(t *testing.T) {
		d, u := w.delegation(t, nil)
		c := client(t)
		w.devSignIn(t, c, u, otherCPR, "Mallory")
		_, page, _ := get(t, c, u)
		if !strings.Contains(page, "en anden person") || strings.Contains(page, `name="csrf"`) {
			t.Errorf("wrong delegate sees the answer form:\n%s", page)
		}
		// Forging the POST anyway is refused.
		status, _, _ := post(t, c, u, url.Values{"csrf": {"x"}, "answer": {"accept"}})
		if status != http.StatusForbidden {
			t.Errorf("forged POST = %d; want 403", status)
		}
		w.assertState(t, d.ID, bk.DelegationPending)
	})
	t.Run("no CSRF token", func(t *testing.T) {
		d, u := w.delegation(t, nil)
		c := client(t)
		w.devSignIn(t, c, u, delegateCPR, "Peter")
		status, _, _ := post(t, c, u, url.Values{"answer": {"accept"}})
		if status != http.StatusForbidden {
			t.Errorf("POST without CSRF = %d; want 403", status)
		}
		w.assertState(t, d.ID, bk.DelegationPending)
	})
	t.Run("not signed in", func(t *testing.T) {
		d, u := w.delegation(t, nil)
		status, _, _ := post(t, client(t), u, url.Values{"answer": {"accept"}})
		if status != http.StatusUnauthorized {
			t.Errorf("POST signed out = %d; want 401", status)
		}
		w.assertState(t, d.ID, bk.DelegationPending)
	})
	t.Run("revoked delegation", func(t *testing.T) {
		d, u := w.delegation(t, nil)
		w.reg.mu.Lock()
		w.reg.dels[d.ID].State = bk.DelegationRevoked
		w.reg.mu.Unlock()
		c := client(t)
		w.devSignIn(t, c, u, delegateCPR, "Peter")
		_, open := w.delegation(t, nil)
		csrf := w.formToken(t, c, open)
		if _, page, _ := post(t, c, u, url.Values{"csrf": {csrf}, "answer": {"accept"}}); !strings.Contains(page, "er stoppet") {
			t.Errorf("accept of revoked delegation:\n%s", page)
		}
		w.assertState(t, d.ID, bk.DelegationRevoked)
	})
	t.Run("superseded by a reprint", func(t *testing.T) {
		d, old := w.delegation(t, func(c *handover.Claims) { c.IssuedAt = c.IssuedAt.Add(-time.Hour) })
		newer := w.code(t, d, nil)
		c := client(t)
		w.devSignIn(t, c, newer, delegateCPR, "Peter")
		if status, _ := w.answer(t, c, newer, "decline"); status != 200 {
			t.Fatalf("decline with the newer code = %d", status)
		}
		// The decline did not use up the older code's token, but the older code is superseded.
		w.reg.mu.Lock()
		w.reg.dels[d.ID].State = bk.DelegationPending
		w.reg.mu.Unlock()
		csrf := w.formToken(t, c, w.code(t, d, nil))
		if status, page, _ := post(t, c, old, url.Values{"csrf": {csrf}, "answer": {"accept"}}); status != http.StatusGone || !strings.Contains(page, "nyere kode") {
			t.Errorf("older code after a newer one = %d:\n%s", status, page)
		}
	})
	codeRefusals := []struct {
		name   string
		url    func() string
		status int
		text   string
	}{
		{"garbage", func() string { return w.srv.URL + "/H/ZZ%25%25Q" }, 400, "ikke en gyldig"},
		{"truncated", func() string {
			_, u := w.delegation(t, nil)
			u = u[:len(u)-7]
			// Never cut inside a %XX escape: that is a broken URL, not a broken code.
			if i := strings.LastIndexByte(u, '%'); i >= len(u)-2 {
				u = u[:i]
			}
			return u
		}, 400, "ikke en gyldig"},
		{"tampered", func() string {
			_, u := w.delegation(t, nil)
			i := len(u) - 20
			b := []byte(u)
			if b[i] == 'A' {
				b[i] = 'B'
			} else {
				b[i] = 'A'
			}
			return string(b)
		}, 0, ""},
		{"unknown kiosk key", func() string {
			d, _ := w.delegation(t, nil)
			code, _ := handover.Issue(handover.Claims{DelegationID: d.ID, Scopes: []string{"tax"}, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, PrincipalName: "Karen J."}, delegateCPR, "kiosk-9", otherKey)
			u, _ := handover.URL(w.srv.URL, code)
			return u
		}, 403, "kiosk, vi ikke kender"},
		{"wrong key", func() string {
			d, _ := w.delegation(t, nil)
			code, _ := handover.Issue(handover.Claims{DelegationID: d.ID, Scopes: []string{"tax"}, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, PrincipalName: "Karen J."}, delegateCPR, "kiosk-1", otherKey)
			u, _ := handover.URL(w.srv.URL, code)
			return u
		}, 403, "ikke ægte"},
		{"expired", func() string {
			_, u := w.delegation(t, func(c *handover.Claims) {
				c.IssuedAt = time.Now().Add(-20 * 24 * time.Hour)
				c.ExpiresAt = c.IssuedAt.Add(24 * time.Hour)
			})
			return u
		}, 410, "udløbet"},
	}
	for _, tt := range codeRefusals {
		t.Run(tt.name, func(t *testing.T) {
			status, page, _ := get(t, client(t), tt.url())
			if status == 200 {
				t.Fatalf("GET %s = 200; want a refusal:\n%s", tt.name, page)
			}
			if tt.status != 0 && status != tt.status {
				t.Errorf("GET %s = %d; want %d", tt.name, status, tt.status)
			}
			if !strings.Contains(page, tt.text) || !strings.Contains(page, `role="alert"`) {
				t.Errorf("GET %s page lacks %q:\n%s", tt.name, tt.text, page)
			}
		})
	}
}

func (w *world) assertState(t *testing.T, id string, want bk.DelegationState) {
	t.Helper()
	got := w.reg.delegation(id)
	if got.State != want {
		t.Errorf("delegation state = %s; want %s", got.State, want)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	w := newWorld(t, dev)
	for _, next := range []string{"https://evil.example/H/x", "//evil.example/H/x", "/admin", "/H/\r\nSet-Cookie:x"} {
		status, _, _ := get(t, client(t), w.srv.URL+"/handover/signin?next="+url.QueryEscape(next))
		if status != http.StatusBadRequest {
			t.Errorf("sign-in with next=%q = %d; want 400", next, status)
		}
	}
}

// Without any sign-in configured the code page still shows what the code is
// for, says it cannot be answered here, and sign-in refuses clearly.
func TestNoSignInRefusesClearly(t *testing.T) {
	w := newWorld(t, func(*testing.T, string) handoverweb.SignIn { return nil })
	d, u := w.delegation(t, nil)
	c := client(t)
	status, page, _ := get(t, c, u+"?lang=en")
	if status != 200 || !strings.Contains(page, "Karen J.") || !strings.Contains(page, `id="signin-unavailable"`) ||
		!strings.Contains(page, "Signing in is not set up") || strings.Contains(page, `id="signin"`) {
		t.Fatalf("GET code without sign-in = %d:\n%s", status, page)
	}
	path := u[len(w.srv.URL):]
	status, page, _ = get(t, c, w.srv.URL+"/handover/signin?next="+url.QueryEscape(path))
	if status != http.StatusServiceUnavailable || !strings.Contains(page, "Signing in is not set up") || !strings.Contains(page, `role="alert"`) {
		t.Errorf("sign-in without a provider = %d:\n%s", status, page)
	}
	if status, _, _ := post(t, c, u, url.Values{"answer": {"accept"}}); status != http.StatusUnauthorized {
		t.Errorf("POST without sign-in = %d; want 401", status)
	}
	w.assertState(t, d.ID, bk.DelegationPending)
}

// A code signed by the enrolled kiosk's key whose claims lie about the
// delegation (health and income for three years, where central's record
// grants tax for one) is refused on sight and when answered, in Danish and
// English, and the refusal changes nothing.
func TestCodeThatLiesIsRefused(t *testing.T) {
	w := newWorld(t, dev)
	d, _ := w.delegation(t, nil)
	w.reg.mu.Lock()
	w.reg.dels[d.ID].Scopes = []bk.ScopeGrant{{ScopeID: "tax"}}
	w.reg.mu.Unlock()
	honest := w.code(t, d, func(c *handover.Claims) { c.Scopes = []string{"tax"} })
	lie := w.code(t, d, func(c *handover.Claims) {
		c.Scopes, c.ValidTo = []string{"health", "income"}, d.ValidFrom.AddDate(3, 0, 0)
	})
	c := client(t)
	for lang, want := range map[string]string{"da": "passer ikke med fuldmagten", "en": "does not match the power of attorney"} {
		status, page, _ := get(t, c, lie+"?lang="+lang)
		if status != http.StatusConflict || !strings.Contains(page, want) || !strings.Contains(page, `role="alert"`) {
			t.Errorf("GET a lying code (%s) = %d; want 409 saying %q:\n%s", lang, status, want, page)
		}
		for _, shown := range []string{"Sundhed", "Health", "Indkomst", "Income", `name="csrf"`, `id="signin"`} {
			if strings.Contains(page, shown) {
				t.Errorf("the refusal of a lying code (%s) shows %q:\n%s", lang, shown, page)
			}
		}
	}
	// Signed in as the delegate, with a form token from an honest page, the
	// answer is refused all the same.
	w.devSignIn(t, c, honest, delegateCPR, "Peter Jensen")
	status, page, _ := post(t, c, lie, url.Values{"csrf": {w.formToken(t, c, honest+"?lang=da")}, "answer": {"accept"}})
	if status != http.StatusConflict || !strings.Contains(page, "passer ikke med fuldmagten") {
		t.Errorf("accept with a lying code = %d:\n%s", status, page)
	}
	w.assertState(t, d.ID, bk.DelegationPending)
	w.reg.mu.Lock()
	rec := w.reg.codes[d.ID]
	w.reg.mu.Unlock()
	if len(rec.Used) != 0 || !rec.LatestIssued.IsZero() {
		t.Errorf("code record after a lying code = %+v; want untouched", rec)
	}
}

// The page shows central's record: what the code cannot carry (a scope that
// ends before the delegation) and never more of the principal's name than
// the code shows.
func TestPageShowsCentralsRecord(t *testing.T) {
	w := newWorld(t, dev)
	d, u := w.delegation(t, nil)
	w.reg.mu.Lock()
	w.reg.dels[d.ID].Scopes[1].Until = time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	w.reg.mu.Unlock()
	status, page, _ := get(t, client(t), u+"?lang=en")
	if status != 200 || !strings.Contains(page, "Health</strong>: See test results on sundhed.dk and book appointments with the doctor. (until 1 March 2027, 13:00)") || !strings.Contains(page, "Karen J.") {
		t.Errorf("GET code = %d; want central's scopes with the health scope's end:\n%s", status, page)
	}
	// One that ends at midnight ends "til og med" the day before, as on the slip.
	w.reg.mu.Lock()
	w.reg.dels[d.ID].Scopes[1].Until = time.Date(2027, 3, 1, 23, 0, 0, 0, time.UTC) // 2 March 00:00 in Copenhagen
	w.reg.mu.Unlock()
	if _, page, _ := get(t, client(t), u+"?lang=da"); !strings.Contains(page, "(til og med 1. marts 2027)") {
		t.Errorf("GET code: want the health scope til og med 1. marts 2027:\n%s", page)
	}
	// A delegation central has not heard of yet is not shown from the code.
	other := w.code(t, &bk.Delegation{ID: bk.NewID(w.now), PrincipalName: "Karen Jensen", ValidFrom: w.now, ValidTo: w.now.AddDate(1, 0, 0)}, nil)
	status, page, _ = get(t, client(t), other)
	if status != http.StatusNotFound || !strings.Contains(page, "ikke nået frem") || strings.Contains(page, "Karen") {
		t.Errorf("GET a code of an unknown delegation = %d; want 404 without its claims:\n%s", status, page)
	}
}

// A code that can no longer be answered says why on first view, signed in
// or not, with no sign-in and no form.
func TestClosedCodeShowsItsState(t *testing.T) {
	w := newWorld(t, dev)
	tests := []struct {
		name  string
		setup func(d *bk.Delegation, rec *handover.CodeRecord, c *handover.Claims)
		text  string
	}{
		{"accepted", func(d *bk.Delegation, rec *handover.CodeRecord, c *handover.Claims) {
			d.State, rec.Used = bk.DelegationActive, map[string]bool{hex.EncodeToString(c.TokenID): true}
		}, "allerede taget imod"},
		{"accepted with another code", func(d *bk.Delegation, _ *handover.CodeRecord, _ *handover.Claims) {
			d.State = bk.DelegationActive
		}, "allerede taget imod"},
		{"declined", func(d *bk.Delegation, _ *handover.CodeRecord, _ *handover.Claims) { d.State = bk.DelegationDeclined }, "sagt nej tak"},
		{"renounced", func(d *bk.Delegation, _ *handover.CodeRecord, _ *handover.Claims) {
			d.State = bk.DelegationRenounced
		}, "stoppet af den, der fik den"},
		{"revoked", func(d *bk.Delegation, _ *handover.CodeRecord, _ *handover.Claims) { d.State = bk.DelegationRevoked }, "Fuldmagten er stoppet og"},
		{"expired", func(d *bk.Delegation, _ *handover.CodeRecord, _ *handover.Claims) { d.State = bk.DelegationExpired }, "Fuldmagten er udløbet"},
		{"used while pending", func(_ *bk.Delegation, rec *handover.CodeRecord, c *handover.Claims) {
			rec.Used = map[string]bool{hex.EncodeToString(c.TokenID): true}
		}, "allerede brugt"},
		{"superseded", func(_ *bk.Delegation, rec *handover.CodeRecord, c *handover.Claims) {
			rec.LatestIssued = c.IssuedAt.Add(time.Minute)
		}, "nyere kode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, u := w.delegation(t, nil)
			claims, err := handover.Verify(u[len(w.srv.URL):], w.reg.KioskKey, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			w.reg.mu.Lock()
			rec := w.reg.codes[d.ID]
			tt.setup(w.reg.dels[d.ID], &rec, claims)
			w.reg.codes[d.ID] = rec
			w.reg.mu.Unlock()
			signedIn := client(t)
			_, open := w.delegation(t, nil)
			w.devSignIn(t, signedIn, open, delegateCPR, "Peter Jensen")
			for who, c := range map[string]*http.Client{"signed out": client(t), "signed in": signedIn} {
				status, page, _ := get(t, c, u)
				if status != http.StatusGone || !strings.Contains(page, tt.text) || !strings.Contains(page, `id="state"`) {
					t.Errorf("GET a %s code (%s) = %d; want 410 saying %q:\n%s", tt.name, who, status, tt.text, page)
				}
				for _, offered := range []string{`id="signin"`, `name="csrf"`, `id="accept"`} {
					if strings.Contains(page, offered) {
						t.Errorf("the page of a %s code (%s) offers %s", tt.name, who, offered)
					}
				}
			}
		})
	}
	// An open code offers the sign-in.
	_, u := w.delegation(t, nil)
	if status, page, _ := get(t, client(t), u); status != 200 || !strings.Contains(page, `id="signin"`) || strings.Contains(page, `id="state"`) {
		t.Errorf("GET an open code = %d; want the sign-in:\n%s", status, page)
	}
}

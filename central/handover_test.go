package central_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/handover/handovertest"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
)

const cprMallory = "030380-1111" // an adult who is nobody's delegate

// handoverWorld is the real central with one enrolled kiosk, a principal
// (Karen) and her delegate (Bo) with their cards.
type handoverWorld struct {
	h         *centraltest.Harness
	k         *centraltest.Kiosk
	karen, bo *fixture.Card
	seq       uint64
}

func newHandoverWorld(t *testing.T, h *centraltest.Harness) *handoverWorld {
	return &handoverWorld{
		h: h, k: h.EnrollKiosk(t, fixture.KioskID),
		karen: h.Issuer.Citizen(cprKaren, "Karen Jensen"),
		bo:    h.Issuer.Citizen(cprBo, "Bo Berg"),
	}
}

// push sends signed actions from the kiosk and returns their verdicts.
func (w *handoverWorld) push(t *testing.T, actions ...*bk.Action) []string {
	t.Helper()
	var items []bk.PushItem
	for _, a := range actions {
		w.seq++
		items = append(items, item(w.seq, a))
	}
	return outcomes(w.k.Push(t, &bk.PushRequest{Kiosk: w.k.ID, Incarnation: "inc", Actions: items}))
}

// delegation has Karen create a delegation to Bo at the kiosk (tax and
// health, for a year) and returns its id and the URL of a fresh handover
// code for it.
func (w *handoverWorld) delegation(t *testing.T) (id string, codeURL string) {
	t.Helper()
	return w.delegationOf(t, "tax", "health")
}

func (w *handoverWorld) delegationOf(t *testing.T, scopes ...string) (id string, codeURL string) {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	id = bk.NewID(now)
	bo := bk.MustParseCPR(cprBo)
	p := bk.Payload{DelegationID: id, Delegate: &bo, ValidFrom: now, ValidTo: now.AddDate(1, 0, 0)}
	for _, s := range scopes {
		p.Scopes = append(p.Scopes, bk.ScopeGrant{ScopeID: s})
	}
	if got := w.push(t, fixture.Action(bk.CreateDelegation, p, w.karen, nil, now)); strings.Join(got, " ") != "applied" {
		t.Fatalf("create delegation = %v; want applied", got)
	}
	return id, w.code(t, id, cprBo)
}

func token16() []byte {
	b := make([]byte, 16)
	rand.Read(b)
	return b
}

// code issues a handover code for delegation id at the kiosk, bound to
// delegateCPR, and returns its URL.
func (w *handoverWorld) code(t *testing.T, id, delegateCPR string) string {
	t.Helper()
	d := w.h.Delegation(t, id)
	scopes := []string{}
	for _, s := range d.Scopes {
		scopes = append(scopes, s.ScopeID)
	}
	return w.k.HandoverURL(t, handover.Claims{
		DelegationID: id, Scopes: scopes, ValidFrom: d.ValidFrom, ValidTo: d.ValidTo,
		PrincipalName: handover.MaskName(d.PrincipalName), TokenID: token16(),
	}, delegateCPR)
}

// tokenOf reads the token id back out of a code URL, as a kiosk that
// scanned it would.
func (w *handoverWorld) tokenOf(t *testing.T, codeURL string) string {
	t.Helper()
	c, err := handover.Verify(codeURL[len(w.h.URL):], w.h.Server.KioskKey, time.Now())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return hex.EncodeToString(c.TokenID)
}

// redeem has central redeem the code at codeURL as an accept by the person
// cpr, as the page would after sign-in, and returns its refusal.
func (w *handoverWorld) redeem(t *testing.T, codeURL, cpr, name string) error {
	t.Helper()
	c, err := handover.Verify(codeURL[len(w.h.URL):], w.h.Server.KioskKey, time.Now())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	_, err = w.h.Server.Redeem(context.Background(), handover.Redemption{
		Claims: c, Delegate: bk.MustParseCPR(cpr), DelegateName: name, Accept: true, Method: "dev", At: time.Now(),
	})
	return err
}

// browser is a cookie-keeping HTTP client that shows each redirect.
type browser struct {
	c    *http.Client
	base string
}

func newBrowser(h *centraltest.Harness) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{base: h.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(t *testing.T, method, u string, form url.Values) (int, string, *http.Response) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(page), resp
}

// signIn walks the development sign-in from a code page.
func (b *browser) signIn(t *testing.T, codeURL, cpr, name string) {
	t.Helper()
	path := codeURL[len(b.base):]
	status, _, resp := b.do(t, "GET", b.base+"/handover/signin?next="+url.QueryEscape(path), nil)
	if status != http.StatusSeeOther {
		t.Fatalf("sign-in start = %d; want 303", status)
	}
	loc, _ := resp.Location()
	status, page, _ := b.do(t, "POST", b.base+"/handover/dev", url.Values{"state": {loc.Query().Get("state")}, "cpr": {cpr}, "name": {name}})
	if status != http.StatusSeeOther {
		t.Fatalf("dev sign-in = %d; want 303:\n%s", status, page)
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// answer opens the code page signed in and posts the answer with the page's
// CSRF token.
func (b *browser) answer(t *testing.T, codeURL, answer string) (int, string) {
	t.Helper()
	status, page, _ := b.do(t, "POST", codeURL, url.Values{"csrf": {b.formToken(t, codeURL)}, "answer": {answer}})
	return status, page
}

// formToken returns the CSRF token of the answer form the signed-in
// browser is offered on the page at codeURL.
func (b *browser) formToken(t *testing.T, codeURL string) string {
	t.Helper()
	_, page, _ := b.do(t, "GET", codeURL, nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no answer form on the signed-in code page:\n%s", page)
	}
	return m[1]
}

// TestHandoverOnTheWeb takes handover codes made at an enrolled kiosk
// through central's real pages and store.
func TestHandoverOnTheWeb(t *testing.T) {
	h := centraltest.Start(t)
	w := newHandoverWorld(t, h)

	t.Run("accept once", func(t *testing.T) {
		id, u := w.delegation(t)
		b := newBrowser(h)
		status, page, resp := b.do(t, "GET", u, nil)
		if status != 200 || !strings.Contains(page, "Karen J.") || strings.Contains(page, "Jensen") || !strings.Contains(page, "Skat") {
			t.Fatalf("code page = %d:\n%s", status, page)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("code page Content-Type = %q; want text/html", ct)
		}
		// Phones lower-case what they scan; the page must open all the same.
		if status, _, _ := b.do(t, "GET", strings.ToLower(u), nil); status != 200 {
			t.Errorf("lower-cased code page = %d; want 200", status)
		}
		b.signIn(t, u, cprBo, "Bo Berg")
		status, page = b.answer(t, u, "accept")
		if status != 200 || !strings.Contains(page, "Du har taget imod fuldmagten") {
			t.Fatalf("accept = %d:\n%s", status, page)
		}
		d := h.Delegation(t, id)
		if d.State != bk.DelegationActive || d.DelegateName != "Bo Berg" {
			t.Fatalf("delegation after the web accept = %s %q; want active, Bo Berg", d.State, d.DelegateName)
		}
		// The accept is in central's action log, and the delegation names it.
		recs := h.Records(t, central.WebKiosk, central.WebIncarnation)
		last := recs[len(recs)-1]
		if last.Action.Kind != bk.AcceptDelegation || last.Verdict.Outcome != bk.Applied || d.ChangedBy != last.Action.ID {
			t.Errorf("web action log ends with %s %s (delegation changed by %s); want the applied accept", last.Action.Kind, last.Verdict.Outcome, d.ChangedBy)
		}
		status, page, _ = b.do(t, "GET", u, nil)
		if status != http.StatusGone || !strings.Contains(page, "allerede taget imod") || strings.Contains(page, `name="csrf"`) {
			t.Errorf("the page of the used code = %d; want its state and no form:\n%s", status, page)
		}
		if err := w.redeem(t, u, cprBo, "Bo Berg"); bk.ErrorCode(err) != handover.ECodeUsed {
			t.Errorf("the same code again = %v; want %s", err, handover.ECodeUsed)
		}
		// At a kiosk the used code is refused too: each code is single use.
		a := fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id, HandoverToken: w.tokenOf(t, u)}, w.bo, nil, time.Now())
		if got := w.push(t, a); strings.Join(got, " ") != "rejected:"+handover.ECodeUsed {
			t.Errorf("kiosk accept with a code used on the web = %v; want rejected:%s", got, handover.ECodeUsed)
		}
	})

	t.Run("revoked delegation", func(t *testing.T) {
		id, u := w.delegation(t)
		if got := w.push(t, fixture.Action(bk.RevokeDelegation, bk.Payload{DelegationID: id}, w.karen, nil, time.Now())); strings.Join(got, " ") != "applied" {
			t.Fatalf("revoke = %v", got)
		}
		b := newBrowser(h)
		if status, page, _ := b.do(t, "GET", u, nil); status != http.StatusGone || !strings.Contains(page, "er stoppet") || strings.Contains(page, `id="signin"`) {
			t.Errorf("the page of a revoked delegation's code = %d; want its state and no sign-in:\n%s", status, page)
		}
		// The form, were it posted, is refused by the domain rules.
		b.signIn(t, u, cprBo, "Bo Berg")
		_, open := w.delegation(t)
		if _, page, _ := b.do(t, "POST", u, url.Values{"csrf": {b.formToken(t, open)}, "answer": {"accept"}}); !strings.Contains(page, "er stoppet") || !strings.Contains(page, `role="alert"`) {
			t.Errorf("accept of a revoked delegation:\n%s", page)
		}
		if d := h.Delegation(t, id); d.State != bk.DelegationRevoked {
			t.Errorf("delegation = %s; want revoked", d.State)
		}
	})

	t.Run("wrong delegate", func(t *testing.T) {
		id, u := w.delegation(t)
		b := newBrowser(h)
		b.signIn(t, u, cprMallory, "Mallory")
		_, page, _ := b.do(t, "GET", u, nil)
		if !strings.Contains(page, "en anden person") || strings.Contains(page, `name="csrf"`) {
			t.Errorf("the wrong person is offered the answer form:\n%s", page)
		}
		if status, _, _ := b.do(t, "POST", u, url.Values{"csrf": {"forged"}, "answer": {"accept"}}); status != http.StatusForbidden {
			t.Errorf("forged answer = %d; want 403", status)
		}
		// A code made for Mallory of Bo's delegation: the page goes by
		// central's record, which names Bo, and offers her no form; central
		// refuses her answer all the same.
		mine := w.code(t, id, cprMallory)
		_, page, _ = b.do(t, "GET", mine, nil)
		if !strings.Contains(page, "givet til en anden person") || strings.Contains(page, `name="csrf"`) {
			t.Errorf("someone else's delegation offers the answer form:\n%s", page)
		}
		if err := w.redeem(t, mine, cprMallory, "Mallory"); bk.ErrorCode(err) != bk.ENotPermitted {
			t.Errorf("Redeem of someone else's delegation = %v; want %s", err, bk.ENotPermitted)
		}
		if d := h.Delegation(t, id); d.State != bk.DelegationPending {
			t.Errorf("delegation = %s; want pending", d.State)
		}
	})

	t.Run("accepted at a kiosk first", func(t *testing.T) {
		id, u := w.delegation(t)
		a := fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id, HandoverToken: w.tokenOf(t, u)}, w.bo, nil, time.Now())
		if got := w.push(t, a); strings.Join(got, " ") != "applied" {
			t.Fatalf("kiosk accept = %v; want applied", got)
		}
		var rec handover.CodeRecord
		h.Store.View(context.Background(), func(tx central.Tx) (err error) {
			rec, err = tx.HandoverCodes(id)
			return err
		})
		if !rec.Used[w.tokenOf(t, u)] {
			t.Errorf("code record after the kiosk accept = %+v; want the token used", rec)
		}
		b := newBrowser(h)
		if status, page, _ := b.do(t, "GET", u, nil); status != http.StatusGone || !strings.Contains(page, "allerede taget imod") || strings.Contains(page, `id="signin"`) {
			t.Errorf("the page of a code used at a kiosk = %d; want its state and no sign-in:\n%s", status, page)
		}
		if err := w.redeem(t, u, cprBo, "Bo Berg"); bk.ErrorCode(err) != handover.ECodeUsed {
			t.Errorf("web accept of a code used at a kiosk = %v; want %s", err, handover.ECodeUsed)
		}
		if d := h.Delegation(t, id); d.State != bk.DelegationActive || d.ChangedBy != a.ID {
			t.Errorf("delegation = %s, changed by %s; want active by the kiosk's accept", d.State, d.ChangedBy)
		}
	})

	// A stolen kiosk key signs claims central never recorded: health and
	// income for three years, where the delegation grants tax for one.
	t.Run("code that lies", func(t *testing.T) {
		id, _ := w.delegationOf(t, "tax")
		d := h.Delegation(t, id)
		lie := w.k.HandoverURL(t, handover.Claims{
			DelegationID: id, Scopes: []string{"health", "income"}, ValidFrom: d.ValidFrom, ValidTo: d.ValidFrom.AddDate(3, 0, 0),
			PrincipalName: "Karen J.", TokenID: token16(),
		}, cprBo)
		b := newBrowser(h)
		status, page, _ := b.do(t, "GET", lie, nil)
		if status != http.StatusConflict || !strings.Contains(page, "passer ikke med fuldmagten") || strings.Contains(page, "Sundhed") {
			t.Errorf("GET a lying code = %d; want 409 refusing it:\n%s", status, page)
		}
		if _, page, _ := b.do(t, "GET", lie+"?lang=en", nil); !strings.Contains(page, "does not match the power of attorney") {
			t.Errorf("GET a lying code in English:\n%s", page)
		}
		// Bo signs in on an honest code and posts his form to the lying one.
		_, honest := w.delegation(t)
		b.signIn(t, honest, cprBo, "Bo Berg")
		csrf := b.formToken(t, honest+"?lang=da")
		before := len(h.Records(t, central.WebKiosk, central.WebIncarnation))
		if status, page, _ := b.do(t, "POST", lie, url.Values{"csrf": {csrf}, "answer": {"accept"}}); status != http.StatusConflict || !strings.Contains(page, "passer ikke") {
			t.Errorf("accept with a lying code = %d:\n%s", status, page)
		}
		if d := h.Delegation(t, id); d.State != bk.DelegationPending {
			t.Errorf("delegation after a lying code = %s; want pending", d.State)
		}
		if got := len(h.Records(t, central.WebKiosk, central.WebIncarnation)); got != before {
			t.Errorf("web action log grew from %d to %d records on a lying code", before, got)
		}
		// Central's own check, under the page: Redeem refuses the claims too.
		if err := w.redeem(t, lie, cprBo, "Bo Berg"); bk.ErrorCode(err) != handover.ECodeMismatch {
			t.Errorf("Redeem of a lying code = %v; want %s", err, handover.ECodeMismatch)
		}
		if !strings.Contains(h.Logs(), "disagrees with central's record") {
			t.Error("central did not log the lying code")
		}
	})

	t.Run("garbage code", func(t *testing.T) {
		status, page, resp := newBrowser(h).do(t, "GET", h.URL+"/h/ZZ%25%25Q", nil)
		if status != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(page, `role="alert"`) {
			t.Errorf("GET a garbage code = %d %s:\n%s", status, resp.Header.Get("Content-Type"), page)
		}
	})

	_, metrics := h.Do(t, "GET", "/metrics", "", nil)
	for _, want := range []string{
		`borgerkiosk_central_handover_redemptions_total{outcome="applied"} 1`,
		`borgerkiosk_central_handover_redemptions_total{outcome="handover_used"} 2`,
		`borgerkiosk_central_handover_redemptions_total{outcome="rejected"} 1`,
		`borgerkiosk_central_handover_redemptions_total{outcome="not_permitted"} 1`,
		`borgerkiosk_central_handover_redemptions_total{outcome="handover_mismatch"} 1`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if logs := h.Logs(); strings.Contains(logs, cprBo) || strings.Contains(logs, cprMallory) || strings.Contains(logs, strings.ReplaceAll(cprBo, "-", "")) {
		t.Error("a full CPR number reached central's log")
	}
}

// Many redemptions of one code at once: exactly one is applied, the rest
// are refused as used (the store re-runs conflicting transactions).
func TestRedeemConcurrently(t *testing.T) {
	h := centraltest.Start(t)
	w := newHandoverWorld(t, h)
	id, u := w.delegation(t)
	c, err := handover.Verify(u[len(h.URL):], h.Server.KioskKey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			v, err := h.Server.Redeem(context.Background(), handover.Redemption{
				Claims: c, Delegate: bk.MustParseCPR(cprBo), DelegateName: "Bo Berg", Accept: true, Method: "dev", At: time.Now(),
			})
			if err == nil && v.Outcome != bk.Applied {
				err = bk.Errorf(string(v.Outcome), "%s", v.Reason)
			}
			results <- err
		}()
	}
	applied, used := 0, 0
	for i := 0; i < n; i++ {
		switch err := <-results; bk.ErrorCode(err) {
		case "":
			applied++
		case handover.ECodeUsed:
			used++
		default:
			t.Errorf("Redeem = %v; want applied or %s", err, handover.ECodeUsed)
		}
	}
	if applied != 1 || used != n-1 {
		t.Errorf("%d concurrent redemptions: %d applied, %d used; want 1 and %d", n, applied, used, n-1)
	}
	if d := h.Delegation(t, id); d.State != bk.DelegationActive {
		t.Errorf("delegation = %s; want active", d.State)
	}
	if recs := h.Records(t, central.WebKiosk, central.WebIncarnation); len(recs) != 1 {
		t.Errorf("web action log has %d records; want 1", len(recs))
	}
}

// typedDelegation has Karen create a delegation to Bo whose create action
// announces the first handover code's token, as the kiosk does, and
// returns its id and the typed code (ungrouped).
func (w *handoverWorld) typedDelegation(t *testing.T, now time.Time, codeLife time.Duration) (id, code string) {
	t.Helper()
	tok, err := handover.NewTypedToken()
	if err != nil {
		t.Fatal(err)
	}
	code, _ = handover.TypedCode(tok)
	id = bk.NewID(now)
	bo := bk.MustParseCPR(cprBo)
	p := bk.Payload{DelegationID: id, Delegate: &bo, ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
		Scopes: []bk.ScopeGrant{{ScopeID: "tax"}}, HandoverToken: hex.EncodeToString(tok), HandoverExpires: now.Add(codeLife)}
	if got := w.push(t, fixture.Action(bk.CreateDelegation, p, w.karen, nil, now)); strings.Join(got, " ") != "applied" {
		t.Fatalf("create delegation = %v; want applied", got)
	}
	return id, code
}

// TestTypedCodeOnTheWeb types handover codes into central's real pages over
// HTTP: the form at the short address sends the browser to the code's
// page, which is the scanned code's page, refused by the same rules.
func TestTypedCodeOnTheWeb(t *testing.T) {
	type step struct {
		h     *centraltest.Harness
		w     *handoverWorld
		clock *fixture.Clock
		b     *browser
	}
	tests := []struct {
		name string
		// prepare makes the case's state and returns what the person types.
		prepare    func(t *testing.T, s step) string
		wantStatus int
		want       string // on the code's page
		limits     central.RateLimits
	}{
		{"known", func(t *testing.T, s step) string {
			_, code := s.w.typedDelegation(t, s.clock.Now(), 14*24*time.Hour)
			return strings.ToLower(handover.GroupTyped(code)) // as a person may type it
		}, http.StatusOK, `id="signin"`, central.RateLimits{}},
		{"used at a kiosk (its QR code)", func(t *testing.T, s step) string {
			id, code := s.w.typedDelegation(t, s.clock.Now(), 14*24*time.Hour)
			tok := hex.EncodeToString(handover.TypedToken(code))
			a := fixture.Action(bk.DeclineDelegation, bk.Payload{DelegationID: id, HandoverToken: tok}, s.w.bo, nil, s.clock.Now())
			if got := s.w.push(t, a); strings.Join(got, " ") != "applied" {
				t.Fatalf("kiosk decline = %v", got)
			}
			return code
		}, http.StatusGone, "sagt nej tak", central.RateLimits{}},
		{"expired", func(t *testing.T, s step) string {
			_, code := s.w.typedDelegation(t, s.clock.Now(), time.Hour)
			s.clock.Add(time.Hour)
			return code
		}, http.StatusGone, "Koden er udløbet", central.RateLimits{}},
		{"not sent from the kiosk yet", func(t *testing.T, s step) string {
			tok, _ := handover.NewTypedToken()
			code, _ := handover.TypedCode(tok)
			return code
		}, http.StatusNotFound, "ikke sendt fra kiosken endnu", central.RateLimits{}},
		{"rate-limited per client", func(t *testing.T, s step) string {
			_, code := s.w.typedDelegation(t, s.clock.Now(), 14*24*time.Hour)
			for range 2 {
				s.b.do(t, "GET", s.b.base+handover.TypedPath+"0000000000", nil)
			}
			return code
		}, http.StatusTooManyRequests, "For mange forsøg", central.RateLimits{TypedCode: central.RateLimit{PerMinute: 1, Burst: 2}}},
		{"rate-limited in total", func(t *testing.T, s step) string {
			_, code := s.w.typedDelegation(t, s.clock.Now(), 14*24*time.Hour)
			s.b.do(t, "GET", s.b.base+handover.TypedPath+"0000000000", nil)
			return code
		}, http.StatusTooManyRequests, "For mange forsøg", central.RateLimits{TypedCodeTotal: central.RateLimit{PerMinute: 1, Burst: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := fixture.NewClock(time.Now().UTC().Truncate(time.Second))
			h := centraltest.StartWith(t, centraltest.Options{Now: clock.Now, Configure: func(cfg *central.Config) {
				cfg.RateLimits.TypedCode, cfg.RateLimits.TypedCodeTotal = tt.limits.TypedCode, tt.limits.TypedCodeTotal
			}})
			s := step{h: h, w: newHandoverWorld(t, h), clock: clock, b: newBrowser(h)}
			typed := tt.prepare(t, s)
			status, page, resp := s.b.do(t, "POST", h.URL+"/KODE", url.Values{"code": {typed}})
			want, _ := handover.ParseTyped(typed)
			if loc, _ := resp.Location(); status != http.StatusSeeOther || loc == nil || loc.Path != handover.TypedPath+want {
				t.Fatalf("POST /kode %q = %d, Location %v; want 303 to %s%s:\n%s", typed, status, loc, handover.TypedPath, want, page)
			}
			status, page, _ = s.b.do(t, "GET", h.URL+handover.TypedPath+want, nil)
			if status != tt.wantStatus || !strings.Contains(page, tt.want) {
				t.Errorf("GET %s%s = %d; want %d with %q:\n%s", handover.TypedPath, want, status, tt.wantStatus, tt.want, page)
			}
			if logs := h.Logs(); strings.Contains(logs, want) {
				t.Errorf("the logs show the whole typed code %s:\n%s", want, logs)
			}
		})
	}
}

// TestTypedCodeAnswer answers a typed code on the web: the delegate signs
// in from the code's page and accepts; the code, and so the QR code on the
// same slip, is then used up.
func TestTypedCodeAnswer(t *testing.T) {
	h := centraltest.Start(t)
	w := newHandoverWorld(t, h)
	id, code := w.typedDelegation(t, time.Now().UTC().Truncate(time.Second), 14*24*time.Hour)
	u := h.URL + handover.TypedPath + code
	b := newBrowser(h)
	if status, page, _ := b.do(t, "GET", u, nil); status != 200 || !strings.Contains(page, "Karen J.") || !strings.Contains(page, "Skat") {
		t.Fatalf("typed code page = %d:\n%s", status, page)
	}
	b.signIn(t, u, cprBo, "Bo Berg")
	if status, page := b.answer(t, u, "accept"); status != 200 || !strings.Contains(page, "Du har taget imod fuldmagten") {
		t.Fatalf("accept = %d:\n%s", status, page)
	}
	if d := h.Delegation(t, id); d.State != bk.DelegationActive {
		t.Fatalf("delegation = %s; want active", d.State)
	}
	c, err := h.Server.TypedClaims(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Server.Redeem(context.Background(), handover.Redemption{Claims: c, Delegate: bk.MustParseCPR(cprBo), Accept: true, Method: "dev", At: time.Now()})
	if bk.ErrorCode(err) != handover.ECodeUsed {
		t.Errorf("the typed code again = %v; want %s", err, handover.ECodeUsed)
	}
	a := fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id, HandoverToken: hex.EncodeToString(handover.TypedToken(code))}, w.bo, nil, time.Now())
	if got := w.push(t, a); strings.Join(got, " ") != "rejected:"+handover.ECodeUsed {
		t.Errorf("kiosk accept with the slip's QR code after its typed code was used = %v; want rejected:%s", got, handover.ECodeUsed)
	}
}

// TestCompactCodeOnTheWeb answers a compact (BK2) code on central's real
// pages: the page shows central's record (the code claims no scopes) and
// the delegate, checked against the record, accepts once.
func TestCompactCodeOnTheWeb(t *testing.T) {
	h := centraltest.Start(t)
	w := newHandoverWorld(t, h)
	id, _ := w.delegation(t)
	d := h.Delegation(t, id)
	code, err := handover.IssueCompact(handover.Claims{DelegationID: id, PrincipalName: handover.MaskName(d.PrincipalName)}, cprBo, w.k.ID, w.k.Key)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := handover.URL(h.URL, code)
	if v, _ := handovertest.Version(u); v > 10 {
		t.Errorf("compact code URL is QR version %d; want ≤ 10", v)
	}
	b := newBrowser(h)
	if status, page, _ := b.do(t, "GET", strings.ToLower(u), nil); status != 200 || !strings.Contains(page, "Karen J.") || !strings.Contains(page, "Skat") {
		t.Fatalf("compact code page = %d:\n%s", status, page)
	}
	b.signIn(t, u, cprBo, "Bo Berg")
	if status, page := b.answer(t, u, "accept"); status != 200 || !strings.Contains(page, "Du har taget imod fuldmagten") {
		t.Fatalf("accept = %d:\n%s", status, page)
	}
	if d := h.Delegation(t, id); d.State != bk.DelegationActive {
		t.Fatalf("delegation = %s; want active", d.State)
	}
	if err := w.redeem(t, u, cprBo, "Bo Berg"); bk.ErrorCode(err) != handover.ECodeUsed {
		t.Errorf("the compact code again = %v; want %s", err, handover.ECodeUsed)
	}
}

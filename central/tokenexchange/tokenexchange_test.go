package tokenexchange_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
	"golang.org/x/oauth2"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/centraltest"
	"github.com/borgerkiosk/borgerkiosk/central/tokenexchange"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/oidctest"
)

const (
	cprKaren = "010190-1234" // the principal
	cprBo    = "020285-4321" // the delegate
	rotation = tokenexchange.MinRotation
)

// world is central with the token service, the eID broker, a kiosk where
// Karen gives Bo a power of attorney, and a clock all of them follow.
type world struct {
	clock   *fixture.Clock
	idp     *mockoidc.MockOIDC
	h       *centraltest.Harness
	k       *centraltest.Kiosk
	keysDir string
	karen   *fixture.Card
	bo      *fixture.Card
	seq     uint64
}

// newWorld starts at one minute into a key rotation period.
func newWorld(t testing.TB) *world { return newWorldWith(t, nil) }

// newWorldWith is newWorld with central's config changed by configure
// (its store, say).
func newWorldWith(t testing.TB, configure func(*central.Config)) *world {
	t.Helper()
	p := int64(rotation / time.Second)
	start := time.Unix((time.Now().Unix()/p+1)*p+60, 0)
	w := &world{clock: fixture.NewClock(start), keysDir: filepath.Join(t.TempDir(), "token-keys")}
	// The broker's clock is central's, so that its ID tokens expire when
	// central's clock says they do.
	old := mockoidc.NowFunc
	mockoidc.NowFunc = w.clock.Now
	t.Cleanup(func() { mockoidc.NowFunc = old })
	w.idp = oidctest.Start(t)
	keys, err := tokenexchange.OpenKeyRing(w.keysDir, rotation, w.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	w.h = centraltest.StartWith(t, centraltest.Options{Now: w.clock.Now, Configure: configure, TokenExchange: &tokenexchange.Config{
		Keys: keys, Broker: tokenexchange.Broker{Issuer: w.idp.Issuer()},
		Clients: []tokenexchange.Client{
			{ID: "kobenhavn", BrokerClientIDs: []string{w.idp.Config().ClientID}},
			{ID: "udbetaling", BrokerClientIDs: []string{"another-service"}},
		},
	}})
	w.k = w.h.EnrollKiosk(t, fixture.KioskID)
	w.karen = w.h.Issuer.Citizen(cprKaren, "Karen Larsen")
	w.bo = w.h.Issuer.Citizen(cprBo, "Bo Berg")
	return w
}

func (w *world) push(t testing.TB, a *bk.Action) {
	t.Helper()
	w.seq++
	r := w.k.Push(t, &bk.PushRequest{Kiosk: w.k.ID, Incarnation: "inc", Actions: []bk.PushItem{{Seq: w.seq, Hash: a.ContentHash(), Action: a}}})
	if len(r.Verdicts) != 1 || r.Verdicts[0].Outcome != bk.Applied {
		t.Fatalf("push %s = %+v; want applied", a.Kind, r.Verdicts)
	}
}

// delegate has Karen give Bo the scopes and Bo accept, at the kiosk, and
// returns the delegation's id.
func (w *world) delegate(t testing.TB, scopes ...bk.ScopeGrant) string {
	t.Helper()
	now := w.clock.Now().UTC().Truncate(time.Second)
	id := bk.NewID(now)
	bo := bk.MustParseCPR(cprBo)
	w.push(t, fixture.Action(bk.CreateDelegation, bk.Payload{DelegationID: id, Delegate: &bo, Scopes: scopes,
		ValidFrom: now, ValidTo: now.AddDate(1, 0, 0)}, w.karen, nil, now))
	w.push(t, fixture.Action(bk.AcceptDelegation, bk.Payload{DelegationID: id}, w.bo, nil, now))
	return id
}

// signIn has the person sign in to the service at the broker (the
// authorization code flow, with a nonce unless it is empty) and returns
// the ID token the service gets.
func (w *world) signIn(t testing.TB, idp *mockoidc.MockOIDC, cpr, nonce string) string {
	t.Helper()
	idp.QueueUser(oidctest.User{CPR: cpr, Name: "Bo Berg"})
	cfg := idp.Config()
	oc := oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret,
		Endpoint:    oauth2.Endpoint{AuthURL: idp.AuthorizationEndpoint(), TokenURL: idp.TokenEndpoint()},
		RedirectURL: "https://service.example/callback", Scopes: []string{"openid"}}
	var opts []oauth2.AuthCodeOption
	if nonce != "" {
		opts = append(opts, oauth2.SetAuthURLParam("nonce", nonce))
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(oc.AuthCodeURL("state", opts...))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("authorization = %d; want a redirect with a code", resp.StatusCode)
	}
	tok, err := oc.Exchange(context.Background(), loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		t.Fatal("the broker gave no ID token")
	}
	return raw
}

// form is a token exchange request for Karen's affairs in scope.
func form(idToken string, scope string) url.Values {
	return url.Values{
		"grant_type":         {tokenexchange.GrantTokenExchange},
		"subject_token":      {idToken},
		"subject_token_type": {tokenexchange.TokenTypeIDToken},
		"principal":          {cprKaren},
		"scope":              {scope},
	}
}

type answer struct {
	Status int
	Header http.Header
	tokenexchange.Response
	tokenexchange.Error
}

// exchange sends a token request as the service client with its secret
// (none when client is empty).
func (w *world) exchange(t testing.TB, client, secret string, f url.Values) answer {
	t.Helper()
	return w.post(t, "/v1/token", "application/x-www-form-urlencoded", client, secret, f.Encode())
}

func (w *world) post(t testing.TB, path, contentType, client, secret, body string) answer {
	t.Helper()
	req, _ := http.NewRequest("POST", w.h.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	if client != "" {
		req.SetBasicAuth(url.QueryEscape(client), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{Status: resp.StatusCode, Header: resp.Header}
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("POST %s = %d %q; want JSON", path, resp.StatusCode, b)
	}
	return a
}

func (w *world) kobenhavn(t *testing.T, f url.Values) answer {
	t.Helper()
	return w.exchange(t, "kobenhavn", w.h.AuthorityTokens["kobenhavn"], f)
}

// accessClaims are what the service reads from central's token.
type accessClaims struct {
	jwt.RegisteredClaims
	ClientID     string `json:"client_id"`
	Scope        string `json:"scope"`
	DelegationID string `json:"delegation_id"`
	Act          struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
	} `json:"act"`
}

// service verifies central's tokens as a service would: golang-jwt with
// the keys fetched over HTTP by keyfunc, central's issuer, its own
// audience, ES256 only, exp required, on the world's clock.
type service struct {
	kf       keyfunc.Keyfunc
	issuer   string
	audience string
	now      func() time.Time
}

func (w *world) service(t *testing.T, audience string) *service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	kf, err := keyfunc.NewDefaultCtx(ctx, []string{w.h.URL + "/.well-known/jwks.json"})
	if err != nil {
		t.Fatal(err)
	}
	return &service{kf: kf, issuer: w.h.URL, audience: audience, now: w.clock.Now}
}

func (s *service) verify(raw string) (*jwt.Token, *accessClaims, error) {
	var c accessClaims
	tok, err := jwt.ParseWithClaims(raw, &c, s.kf.Keyfunc,
		jwt.WithIssuer(s.issuer), jwt.WithAudience(s.audience), jwt.WithValidMethods([]string{"ES256"}),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithTimeFunc(s.now))
	return tok, &c, err
}

func TestExchangeEndToEnd(t *testing.T) {
	w := newWorld(t)
	id := w.delegate(t, bk.ScopeGrant{ScopeID: "housing"}, bk.ScopeGrant{ScopeID: "benefits"})
	idToken := w.signIn(t, w.idp, cprBo, "n-0S6_WzA2Mj")
	svc := w.service(t, "kobenhavn")

	a := w.kobenhavn(t, form(idToken, "housing"))
	if a.Status != http.StatusOK {
		t.Fatalf("exchange = %d %+v; want 200", a.Status, a.Error)
	}
	if a.TokenType != "Bearer" || a.IssuedTokenType != tokenexchange.TokenTypeAccess || a.Scope != "housing" || a.ExpiresIn != 300 {
		t.Errorf("answer = %+v; want a Bearer access token for housing, 300 s", a.Response)
	}
	if a.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q; want no-store", a.Header.Get("Cache-Control"))
	}
	tok, c, err := svc.verify(a.AccessToken)
	if err != nil {
		t.Fatalf("the service cannot verify the token: %v", err)
	}
	if tok.Header["typ"] != "at+jwt" {
		t.Errorf("typ = %v; want at+jwt (RFC 9068)", tok.Header["typ"])
	}
	var idClaims jwt.RegisteredClaims
	jwt.NewParser().ParseUnverified(idToken, &idClaims)
	if c.Act.Sub != idClaims.Subject || c.Act.Iss != w.idp.Issuer() {
		t.Errorf("act = %+v; want the delegate's sub %q at the broker %q", c.Act, idClaims.Subject, w.idp.Issuer())
	}
	if c.DelegationID != id || c.Scope != "housing" || c.ClientID != "kobenhavn" || c.ID == "" {
		t.Errorf("claims = %+v; want delegation %s, scope housing, client kobenhavn, a jti", c, id)
	}
	if life := c.ExpiresAt.Sub(c.IssuedAt.Time); life <= 0 || life > 10*time.Minute {
		t.Errorf("exp - iat = %v; want at most 10 minutes", life)
	}
	if payload := string(mustPayload(t, a.AccessToken)); c.Subject == "" || strings.Contains(payload, "0101901234") || strings.Contains(payload, cprKaren) {
		t.Errorf("sub = %q; want a pseudonym, no CPR number in the token", c.Subject)
	}

	// The same person for the same service: the same sub, a new jti.
	b := w.kobenhavn(t, form(idToken, "benefits"))
	_, c2, err := svc.verify(b.AccessToken)
	if err != nil || c2.Subject != c.Subject || c2.ID == c.ID || c2.Scope != "benefits" {
		t.Errorf("second token: %v, sub %q jti %q scope %q; want sub %q, a new jti, scope benefits", err, c2.Subject, c2.ID, c2.Scope, c.Subject)
	}

	// A scope the catalogue does not let this service ask about: refused,
	// and recorded as refused (the service did ask).
	if a := w.kobenhavn(t, form(idToken, "tax")); a.Status != http.StatusBadRequest || a.Code != tokenexchange.ErrInvalidScope {
		t.Errorf("exchange for a scope kobenhavn may not ask about = %d %q; want 400 invalid_scope", a.Status, a.Code)
	}
	// Karen revokes at the kiosk: the next exchange is refused.
	now := w.clock.Now()
	w.push(t, fixture.Action(bk.RevokeDelegation, bk.Payload{DelegationID: id}, w.karen, nil, now))
	if a := w.kobenhavn(t, form(idToken, "housing")); a.Status != http.StatusBadRequest || a.Code != tokenexchange.ErrInvalidGrant {
		t.Errorf("exchange after revocation = %d %q; want 400 invalid_grant", a.Status, a.Code)
	}
	// Both people's usage logs hold every exchange as a token exchange by
	// the service, with the answer (all at one moment of the test's clock,
	// so in no particular order).
	if err := w.h.Server.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, who := range []struct {
		cpr  string
		role bk.UsageRole
	}{{cprKaren, bk.UsagePrincipal}, {cprBo, bk.UsageDelegate}} {
		var recs []*bk.UsageRecord
		w.h.Store.View(context.Background(), func(tx central.Tx) error {
			var err error
			recs, err = tx.Usage(bk.MustParseCPR(who.cpr), "", 0)
			return err
		})
		var got []string
		for _, r := range recs {
			if r.Kind != bk.UsageTokenExchange || r.Service != "kobenhavn" || r.Authority != "kobenhavn" || r.Role != who.role || r.Purpose == "" {
				t.Errorf("%s's usage record %+v; want a token exchange by kobenhavn, role %s, with a purpose", who.role, r, who.role)
			}
			got = append(got, r.Scope+":"+string(r.Answer)+":"+r.DelegationID)
		}
		want := []string{"benefits:allowed:" + id, "housing:allowed:" + id, "housing:denied:", "tax:refused:"}
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s's usage log = %v; want %v", who.role, got, want)
		}
	}
	if logs := w.h.Logs(); strings.Contains(logs, cprKaren) || strings.Contains(logs, cprBo) || strings.Contains(logs, "0202854321") {
		t.Errorf("central logged a full CPR number:\n%s", logs)
	}
}

func mustPayload(t testing.TB, raw string) []byte {
	t.Helper()
	parts := strings.Split(raw, ".")
	b, err := jwt.NewParser().DecodeSegment(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPairwiseSubject(t *testing.T) {
	w := newWorld(t)
	w.delegate(t, bk.ScopeGrant{ScopeID: "housing"})
	idToken := w.signIn(t, w.idp, cprBo, "nonce-1")
	a := w.kobenhavn(t, form(idToken, "housing"))
	_, c, err := w.service(t, "kobenhavn").verify(a.AccessToken)
	if err != nil {
		t.Fatal(err)
	}
	// A restart keeps the subject key: the same sub after it.
	keys, err := tokenexchange.OpenKeyRing(w.keysDir, rotation, w.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if got := tokenexchange.PairwiseSubject(keys, "kobenhavn", bk.MustParseCPR(cprKaren)); got != c.Subject {
		t.Errorf("sub after a restart = %q; want %q", got, c.Subject)
	}
	if other := tokenexchange.PairwiseSubject(keys, "udbetaling", bk.MustParseCPR(cprKaren)); other == c.Subject {
		t.Error("two services get the same sub for one person; want pairwise subjects")
	}
}

func TestSubjectTokenRefused(t *testing.T) {
	w := newWorld(t)
	w.delegate(t, bk.ScopeGrant{ScopeID: "housing"})
	good := w.signIn(t, w.idp, cprBo, "nonce-1")
	otherBroker := oidctest.Start(t)
	forged := func() string {
		// The broker's claims, signed with a key that is not the broker's.
		key, _ := rsa.GenerateKey(rand.Reader, 2048)
		var c jwt.MapClaims
		jwt.NewParser().ParseUnverified(good, &c)
		tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
		tok.Header["kid"] = mustHeader(t, good)["kid"]
		s, _ := tok.SignedString(key)
		return s
	}()
	cases := []struct {
		name, client, token string
		before              func()
	}{
		{name: "garbage", client: "kobenhavn", token: "not.a.token"},
		{name: "forged signature", client: "kobenhavn", token: forged},
		{name: "another issuer", client: "kobenhavn", token: w.signIn(t, otherBroker, cprBo, "nonce-2")},
		{name: "without a nonce", client: "kobenhavn", token: w.signIn(t, w.idp, cprBo, "")},
		{name: "for another service", client: "udbetaling", token: good},
		{name: "not a CPR number", client: "kobenhavn", token: w.signIn(t, w.idp, "not-a-cpr", "nonce-3")},
		{name: "expired", client: "kobenhavn", token: good, before: func() { w.clock.Add(11 * time.Minute) }},
	}
	// The good token works, so each refusal is for its own reason.
	if a := w.kobenhavn(t, form(good, "housing")); a.Status != http.StatusOK {
		t.Fatalf("good subject token = %d %+v; want 200", a.Status, a.Error)
	}
	for _, c := range cases {
		if c.before != nil {
			c.before()
		}
		a := w.exchange(t, c.client, w.h.AuthorityTokens[c.client], form(c.token, "housing"))
		if a.Status != http.StatusBadRequest || a.Code != tokenexchange.ErrInvalidGrant {
			t.Errorf("%s: exchange = %d %+v; want 400 invalid_grant", c.name, a.Status, a.Error)
		}
	}
}

func mustHeader(t *testing.T, raw string) map[string]any {
	t.Helper()
	tok, _, err := jwt.NewParser().ParseUnverified(raw, jwt.MapClaims{})
	if err != nil {
		t.Fatal(err)
	}
	return tok.Header
}

func TestRequestRefused(t *testing.T) {
	w := newWorld(t)
	w.delegate(t, bk.ScopeGrant{ScopeID: "housing"})
	idToken := w.signIn(t, w.idp, cprBo, "nonce-1")
	secret := w.h.AuthorityTokens["kobenhavn"]
	with := func(k, v string) url.Values {
		f := form(idToken, "housing")
		if v == "" {
			f.Del(k)
		} else {
			f.Set(k, v)
		}
		return f
	}
	twice := form(idToken, "housing")
	twice.Add("principal", cprBo)
	cases := []struct {
		name           string
		client, secret string
		body           url.Values
		status         int
		code           string
	}{
		{"no client credentials", "", "", form(idToken, "housing"), 401, tokenexchange.ErrInvalidClient},
		{"wrong secret", "kobenhavn", "not-the-token-of-kobenhavn", form(idToken, "housing"), 401, tokenexchange.ErrInvalidClient},
		{"another authority's secret", "kobenhavn", w.h.AuthorityTokens["sundhed"], form(idToken, "housing"), 401, tokenexchange.ErrInvalidClient},
		{"a client not registered for exchange", "sundhed", w.h.AuthorityTokens["sundhed"], form(idToken, "housing"), 400, tokenexchange.ErrUnauthorizedClient},
		{"another grant type", "kobenhavn", secret, with("grant_type", "client_credentials"), 400, tokenexchange.ErrUnsupportedGrantType},
		{"no subject token", "kobenhavn", secret, with("subject_token", ""), 400, tokenexchange.ErrInvalidRequest},
		{"an access token as subject", "kobenhavn", secret, with("subject_token_type", tokenexchange.TokenTypeAccess), 400, tokenexchange.ErrInvalidRequest},
		{"no principal", "kobenhavn", secret, with("principal", ""), 400, tokenexchange.ErrInvalidRequest},
		{"principal not a CPR number", "kobenhavn", secret, with("principal", "0101901235x"), 400, tokenexchange.ErrInvalidRequest},
		{"principal sent twice", "kobenhavn", secret, twice, 400, tokenexchange.ErrInvalidRequest},
		{"secret in the body", "kobenhavn", secret, with("client_secret", secret), 400, tokenexchange.ErrInvalidRequest},
		{"no scope", "kobenhavn", secret, with("scope", ""), 400, tokenexchange.ErrInvalidScope},
		{"a scope the client may not ask about", "kobenhavn", secret, with("scope", "tax"), 400, tokenexchange.ErrInvalidScope},
		{"unknown scope", "kobenhavn", secret, with("scope", "everything"), 400, tokenexchange.ErrInvalidScope},
		{"two scopes", "kobenhavn", secret, with("scope", "housing benefits"), 400, tokenexchange.ErrInvalidScope},
		{"scope not delegated", "kobenhavn", secret, with("scope", "benefits"), 400, tokenexchange.ErrInvalidGrant},
		{"purpose too long", "kobenhavn", secret, with("purpose", strings.Repeat("x", tokenexchange.MaxPurpose+1)), 400, tokenexchange.ErrInvalidRequest},
		{"another audience", "kobenhavn", secret, with("audience", "udbetaling"), 400, tokenexchange.ErrInvalidTarget},
		{"a resource", "kobenhavn", secret, with("resource", "https://api.example/"), 400, tokenexchange.ErrInvalidTarget},
		{"the principal as delegate", "kobenhavn", secret, with("principal", cprBo), 400, tokenexchange.ErrInvalidGrant},
	}
	for _, c := range cases {
		a := w.exchange(t, c.client, c.secret, c.body)
		if a.Status != c.status || a.Code != c.code || a.Description == "" {
			t.Errorf("%s: exchange = %d %+v; want %d %s with a description", c.name, a.Status, a.Error, c.status, c.code)
		}
		if c.status == 401 && !strings.HasPrefix(a.Header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: WWW-Authenticate = %q; want Basic", c.name, a.Header.Get("WWW-Authenticate"))
		}
	}
	if a := w.post(t, "/v1/token", "application/json", "kobenhavn", secret, `{"grant_type":"x"}`); a.Status != 400 || a.Code != tokenexchange.ErrInvalidRequest {
		t.Errorf("JSON body = %d %+v; want 400 invalid_request", a.Status, a.Error)
	}
	if a := w.post(t, "/v1/token?"+form(idToken, "housing").Encode(), "application/x-www-form-urlencoded", "kobenhavn", secret, ""); a.Status != 400 || a.Code != tokenexchange.ErrInvalidRequest {
		t.Errorf("parameters in the URL = %d %+v; want 400 invalid_request", a.Status, a.Error)
	}
	resp, err := http.Get(w.h.URL + "/v1/token")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
		t.Errorf("GET /v1/token = %d Allow %q; want 405 Allow POST", resp.StatusCode, resp.Header.Get("Allow"))
	}
	// The good request still works: each refusal above was for its reason.
	if a := w.kobenhavn(t, form(idToken, "housing")); a.Status != http.StatusOK {
		t.Errorf("good request = %d %+v; want 200", a.Status, a.Error)
	}
}

func TestWrongCredentialsAreRateLimited(t *testing.T) {
	w := newWorld(t)
	f := form("x.y.z", "housing")
	var last answer
	for range 11 { // the harness's auth failure limit has a burst of 10
		last = w.exchange(t, "kobenhavn", "guess", f)
	}
	if last.Status != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
		t.Errorf("11th wrong secret = %d; want 429 with Retry-After", last.Status)
	}
	if !strings.Contains(w.h.Logs(), "rate limit: request refused") {
		t.Error("the refusal was not logged")
	}
}

func TestScopeEndDateCounts(t *testing.T) {
	w := newWorld(t)
	end := w.clock.Now().Add(30 * time.Minute).UTC().Truncate(time.Second)
	w.delegate(t, bk.ScopeGrant{ScopeID: "housing"}, bk.ScopeGrant{ScopeID: "benefits", Until: end})
	w.clock.Add(28 * time.Minute)
	idToken := w.signIn(t, w.idp, cprBo, "nonce-1")
	a := w.kobenhavn(t, form(idToken, "benefits"))
	if a.Status != http.StatusOK {
		t.Fatalf("exchange 2 minutes before benefits ends = %d %+v; want 200", a.Status, a.Error)
	}
	_, c, err := w.service(t, "kobenhavn").verify(a.AccessToken)
	if err != nil || !c.ExpiresAt.Equal(end) || a.ExpiresIn != 120 {
		t.Errorf("token = %v, exp %v, expires_in %d; want it to end with the scope at %v", err, c.ExpiresAt, a.ExpiresIn, end)
	}
	w.clock.Add(3 * time.Minute)
	idToken = w.signIn(t, w.idp, cprBo, "nonce-2")
	if a := w.kobenhavn(t, form(idToken, "benefits")); a.Code != tokenexchange.ErrInvalidGrant {
		t.Errorf("exchange after benefits ended = %d %+v; want invalid_grant", a.Status, a.Error)
	}
	if a := w.kobenhavn(t, form(idToken, "housing")); a.Status != http.StatusOK {
		t.Errorf("housing after benefits ended = %d %+v; want 200", a.Status, a.Error)
	}
}

func TestRotationKeepsTokensVerifiable(t *testing.T) {
	w := newWorld(t)
	w.delegate(t, bk.ScopeGrant{ScopeID: "housing"})
	svc := w.service(t, "kobenhavn")
	// Just before the period ends: token A is signed with the old key.
	w.clock.Add(rotation - 2*time.Minute)
	a := w.kobenhavn(t, form(w.signIn(t, w.idp, cprBo, "nonce-1"), "housing"))
	w.clock.Add(2 * time.Minute) // a new period: a new key
	b := w.kobenhavn(t, form(w.signIn(t, w.idp, cprBo, "nonce-2"), "housing"))
	if a.Status != 200 || b.Status != 200 {
		t.Fatalf("exchanges = %d, %d; want 200", a.Status, b.Status)
	}
	kidA, kidB := mustHeader(t, a.AccessToken)["kid"], mustHeader(t, b.AccessToken)["kid"]
	if kidA == kidB {
		t.Fatalf("both tokens have kid %v; want a new key after the rotation", kidA)
	}
	for name, raw := range map[string]string{"A (old key)": a.AccessToken, "B (new key)": b.AccessToken} {
		if _, _, err := svc.verify(raw); err != nil {
			t.Errorf("token %s after the rotation: %v", name, err)
		}
	}
	// A restart reads the same keys: A still verifies against its JWKS.
	keys, err := tokenexchange.OpenKeyRing(w.keysDir, rotation, w.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := keys.JWKS()
	raw, _ := json.Marshal(set)
	kf, err := keyfunc.NewJWKSetJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jwt.Parse(a.AccessToken, kf.Keyfunc, jwt.WithTimeFunc(w.clock.Now)); err != nil {
		t.Errorf("token A against the JWKS after a restart: %v", err)
	}
	// A period later the old key is gone (A expired long before).
	w.clock.Add(rotation)
	set, _ = keys.JWKS()
	if len(set.Keys) != 2 || set.Key(kidA.(string)) != nil || set.Key(kidB.(string)) == nil {
		t.Errorf("JWKS a period later has %d keys, A's: %v; want the current and B's, not A's", len(set.Keys), set.Key(kidA.(string)) != nil)
	}
	if files, _ := filepath.Glob(filepath.Join(w.keysDir, "token-*.key")); len(files) != 2 {
		t.Errorf("key files = %v; want two (older ones deleted)", files)
	}
}

func TestMetadataAndJWKS(t *testing.T) {
	w := newWorld(t)
	var md tokenexchange.Metadata
	getJSON(t, w.h.URL+"/.well-known/oauth-authorization-server", &md)
	if md.Issuer != w.h.URL || md.TokenEndpoint != w.h.URL+"/v1/token" || md.JWKSURI != w.h.URL+"/.well-known/jwks.json" ||
		len(md.GrantTypesSupported) != 1 || md.GrantTypesSupported[0] != tokenexchange.GrantTokenExchange {
		t.Errorf("metadata = %+v", md)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	getJSON(t, md.JWKSURI, &set)
	if len(set.Keys) != 1 || set.Keys[0]["kty"] != "EC" || set.Keys[0]["alg"] != "ES256" || set.Keys[0]["d"] != nil {
		t.Errorf("JWKS = %v; want one public EC key", set.Keys)
	}
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// An eID broker that cannot be reached is central's problem, not the
// client's: 503 temporarily_unavailable with Retry-After, not invalid_grant.
func TestBrokerDownIsUnavailable(t *testing.T) {
	h := centraltest.StartWith(t, centraltest.Options{TokenExchange: &tokenexchange.Config{
		Broker:  tokenexchange.Broker{Issuer: "http://127.0.0.1:9/no-broker"},
		Clients: []tokenexchange.Client{{ID: "kobenhavn", BrokerClientIDs: []string{"kk"}}},
	}})
	w := &world{h: h}
	for range 2 { // the second is refused without another attempt to discover
		a := w.exchange(t, "kobenhavn", h.AuthorityTokens["kobenhavn"], form("a.b.c", "housing"))
		if a.Status != http.StatusServiceUnavailable || a.Code != tokenexchange.ErrUnavailable || a.Header.Get("Retry-After") == "" {
			t.Errorf("exchange with the broker down = %d %+v; want 503 temporarily_unavailable with Retry-After", a.Status, a.Error)
		}
	}
	if !strings.Contains(h.Logs(), "the eID broker cannot be reached") {
		t.Error("the outage was not logged")
	}
}

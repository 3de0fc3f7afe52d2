// Package centraltest runs a real central service for other packages'
// tests: the real handler over a Badger store in t.TempDir(), on an
// httptest server, with a card issuer, an operator token and a bearer token
// for every authority of the demo catalogue.
//
//	h := centraltest.Start(t)
//	kiosk := h.EnrollKiosk(t, "kiosk-1")        // or do POST /v1/enroll with h.EnrollToken(t)
//	c := h.RequestConsent(t, "sundhed", "010190-1234", "health")
//	... push actions to h.URL + "/v1/push" ...
//	u := kiosk.HandoverURL(t, claims, delegateCPR) // opens central's handover page
//	applied := h.Applied(t, "kiosk-1", incarnation)
package centraltest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
	"github.com/borgerkiosk/borgerkiosk/central/tokenexchange"
	"github.com/borgerkiosk/borgerkiosk/demo"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// Options change how Start sets up the service. The zero value is fine.
type Options struct {
	// Now is central's clock; kiosk requests made through the harness are
	// signed with it too. Default time.Now.
	Now func() time.Time
	// SignIn is how delegates sign in on the handover pages; default the
	// development sign-in (handoverweb.DevSignIn).
	SignIn handoverweb.SignIn
	// Configure, if set, may change the server config before it starts
	// (limits, max ages, pages). The config it gets serves the handover
	// pages with SignIn and has no enrolment rate limit.
	Configure func(cfg *central.Config)
	// Listener, if set, is where the service listens, so that Configure
	// can know its URL beforehand (for an OIDC redirect URL, say).
	Listener net.Listener
	// TokenExchange configures the token endpoint and JWKS, served as
	// cmd/central serves them. Issuer, Now and Logger are the harness's;
	// Keys, if nil, rotate daily in a temporary directory. Default: no
	// clients, and an eID broker that cannot be reached.
	TokenExchange *tokenexchange.Config
}

// Harness is a running central service.
type Harness struct {
	URL           string // base URL, e.g. http://127.0.0.1:41234
	Server        *central.Server
	Store         central.Store
	HTTP          *httptest.Server
	Issuer        *fixture.Issuer   // the card issuer central trusts
	CentralKey    ed25519.PublicKey // verifies trust bundles
	OperatorToken string            // bearer token for /v1/admin/*
	Catalogue     *bk.Catalogue     // the demo catalogue (has the fixture ids too)
	// AuthorityTokens maps every catalogue authority id to its bearer token.
	AuthorityTokens map[string]string
	// TokenService serves /v1/token and the JWKS (Options.TokenExchange).
	TokenService *tokenexchange.Service

	now  func() time.Time
	logs *testtool.Buffer
}

// Start starts central for the test; it is stopped at cleanup.
func Start(t testing.TB) *Harness { return StartWith(t, Options{}) }

// StartWith is Start with options.
func StartWith(t testing.TB, o Options) *Harness {
	t.Helper()
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SignIn == nil {
		o.SignIn = handoverweb.DevSignIn{}
	}
	cat, err := demo.Catalogue()
	if err != nil {
		t.Fatalf("centraltest: demo catalogue: %v", err)
	}
	logs := &testtool.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{Logger: logger})
	if err != nil {
		t.Fatalf("centraltest: open store: %v", err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	h := &Harness{
		Store: st, Issuer: fixture.NewIssuer(), CentralKey: key.Public().(ed25519.PublicKey),
		OperatorToken: randomToken(), Catalogue: cat, AuthorityTokens: map[string]string{},
		now: o.Now, logs: logs,
	}
	cfg := central.Config{
		Store: st, Key: key, Catalogue: cat, Issuers: []bk.IssuerKey{h.Issuer.PublicKey()},
		OperatorTokenHash: bk.TokenHash(h.OperatorToken),
		Pages: func(s *central.Server) http.Handler {
			return handoverweb.New(handoverweb.Config{
				Registry: s, State: s, SignIn: o.SignIn, Now: o.Now, Logger: logger.With("component", "handover"),
			})
		},
		IsPagePath: handoverweb.IsHandoverPath,
		Now:        o.Now, Logger: logger,
		// Tests enrol many kiosks from one address; the enrolment limit
		// is tested where it is set (Configure can put it back).
		RateLimits: central.RateLimits{Enroll: central.RateLimit{PerMinute: -1}},
	}
	for _, a := range cat.Authorities {
		tok := randomToken()
		h.AuthorityTokens[a.ID] = tok
		cfg.Authorities = append(cfg.Authorities, central.AuthorityCredential{ID: a.ID, TokenHash: bk.TokenHash(tok)})
	}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	if h.Server, err = central.New(cfg); err != nil {
		st.Close()
		t.Fatalf("centraltest: %v", err)
	}
	h.HTTP = httptest.NewUnstartedServer(h.Server.Handler())
	if o.Listener != nil {
		h.HTTP.Listener.Close()
		h.HTTP.Listener = o.Listener
	}
	h.HTTP.Start()
	h.URL = h.HTTP.URL
	if err := serveTokenExchange(t, h, o, logger); err != nil {
		h.HTTP.Close()
		st.Close()
		t.Fatalf("centraltest: token exchange: %v", err)
	}
	t.Cleanup(func() {
		h.HTTP.Close()
		h.Server.Close()
		st.Close()
	})
	return h
}

func serveTokenExchange(t testing.TB, h *Harness, o Options, logger *slog.Logger) error {
	cfg := tokenexchange.Config{Broker: tokenexchange.Broker{Issuer: "http://127.0.0.1:9/no-broker"}}
	if o.TokenExchange != nil {
		cfg = *o.TokenExchange
	}
	if cfg.Keys == nil {
		var err error
		if cfg.Keys, err = tokenexchange.OpenKeyRing(t.TempDir(), 24*time.Hour, o.Now); err != nil {
			return err
		}
	}
	cfg.Issuer, cfg.Now, cfg.Logger = h.URL, o.Now, logger.With("component", "token")
	svc, err := tokenexchange.New(h.Server, cfg)
	if err != nil {
		return err
	}
	svc.Register(h.Server)
	h.TokenService = svc
	return nil
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Logs returns everything central logged so far (to check, say, that no
// full CPR number was logged).
func (h *Harness) Logs() string { return h.logs.String() }

// EnrollToken returns a fresh one-time enrolment token.
func (h *Harness) EnrollToken(t testing.TB) string {
	t.Helper()
	tok, _, err := h.Server.CreateEnrollToken(context.Background(), 0)
	if err != nil {
		t.Fatalf("centraltest: enrolment token: %v", err)
	}
	return tok
}

// Kiosk is an enrolled kiosk that can sign requests to central.
type Kiosk struct {
	ID  string
	Key ed25519.PrivateKey
	h   *Harness
}

// EnrollKiosk makes a key and enrols a kiosk with it over HTTP.
func (h *Harness) EnrollKiosk(t testing.TB, id string) *Kiosk {
	t.Helper()
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	body, _ := json.Marshal(bk.EnrollRequest{Token: h.EnrollToken(t), KioskID: id, Site: "Test site", PublicKey: pub})
	status, resp := h.Do(t, "POST", "/v1/enroll", "", body)
	if status != http.StatusOK {
		t.Fatalf("centraltest: enrol %s: %d %s", id, status, resp)
	}
	return &Kiosk{ID: id, Key: key, h: h}
}

// HandoverURL issues a handover code for claims, bound to delegateCPR and
// signed with the kiosk's key (the kid is the kiosk id), and returns it as
// the URL a QR code carries, on the harness's host. Zero IssuedAt is now.
func (k *Kiosk) HandoverURL(t testing.TB, c handover.Claims, delegateCPR string) string {
	t.Helper()
	if c.IssuedAt.IsZero() {
		c.IssuedAt = k.h.now().UTC().Truncate(time.Second)
	}
	code, err := handover.Issue(c, delegateCPR, k.ID, k.Key)
	if err != nil {
		t.Fatalf("centraltest: handover code: %v", err)
	}
	u, err := handover.URL(k.h.URL, code)
	if err != nil {
		t.Fatalf("centraltest: handover URL: %v", err)
	}
	return u
}

// Request sends a request signed by the kiosk and returns status and body.
func (k *Kiosk) Request(t testing.TB, method, path string, body []byte) (int, []byte) {
	t.Helper()
	signed, _, _ := strings.Cut(path, "?") // the signature covers the path, as the kiosk's client signs it
	return k.h.Do(t, method, path, bk.SignKioskRequest(k.ID, k.Key, method, signed, body, k.h.now()), body)
}

// Push sends a push batch signed by the kiosk; it fails the test unless
// central answers 200.
func (k *Kiosk) Push(t testing.TB, req *bk.PushRequest) *bk.PushResponse {
	t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	status, resp := k.Request(t, "POST", "/v1/push", body)
	if status != http.StatusOK {
		t.Fatalf("centraltest: push: %d %s", status, resp)
	}
	var out bk.PushResponse
	if err := json.Unmarshal(resp, &out); err != nil {
		t.Fatalf("centraltest: push answer: %v", err)
	}
	return &out
}

// Do sends a request to central with the given Authorization header value
// (none when empty) and returns status and body.
func (h *Harness) Do(t testing.TB, method, path, authorization string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, h.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.HTTP.Client().Do(req)
	if err != nil {
		t.Fatalf("centraltest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("centraltest: %s %s: reading answer: %v", method, path, err)
	}
	return resp.StatusCode, b
}

// Authority sends a request as authority id (with its bearer token).
func (h *Harness) Authority(t testing.TB, id, method, path string, body []byte) (int, []byte) {
	t.Helper()
	return h.Do(t, method, path, "Bearer "+h.AuthorityTokens[id], body)
}

// RequestConsent records a consent request from authority for cpr about
// the data categories (default "health"), valid a year once given.
func (h *Harness) RequestConsent(t testing.TB, authority, cpr string, categories ...string) *bk.Consent {
	t.Helper()
	if len(categories) == 0 {
		categories = []string{"health"}
	}
	c, err := h.Server.RequestConsent(context.Background(), authority, &bk.ConsentRequest{
		CPR:            bk.MustParseCPR(cpr),
		Purpose:        bk.Text{DA: "Testformål", EN: "Test purpose"},
		DataCategories: categories,
		LegalBasis:     bk.Text{DA: "Samtykke", EN: "Consent"},
		ValidDays:      365,
	})
	if err != nil {
		t.Fatalf("centraltest: consent request: %v", err)
	}
	return c
}

// Revoke revokes a card serial.
func (h *Harness) Revoke(t testing.TB, serial string) {
	t.Helper()
	if _, err := h.Server.Revoke(context.Background(), serial); err != nil {
		t.Fatalf("centraltest: revoke: %v", err)
	}
}

// Records returns every action record of a kiosk incarnation (all
// verdicts), in sequence order.
func (h *Harness) Records(t testing.TB, kiosk, incarnation string) []*central.ActionRecord {
	t.Helper()
	var out []*central.ActionRecord
	h.view(t, func(tx central.Tx) (err error) {
		out, err = tx.Actions(kiosk, incarnation, 0, 0)
		return err
	})
	return out
}

// Applied returns the actions of a kiosk incarnation whose verdict was
// applied, in sequence order.
func (h *Harness) Applied(t testing.TB, kiosk, incarnation string) []*bk.Action {
	t.Helper()
	out := []*bk.Action{}
	for _, r := range h.Records(t, kiosk, incarnation) {
		if r.Verdict.Outcome == bk.Applied {
			out = append(out, r.Action)
		}
	}
	return out
}

// PushCursor returns the last sequence number central accepted from a
// kiosk incarnation.
func (h *Harness) PushCursor(t testing.TB, kiosk, incarnation string) uint64 {
	t.Helper()
	var n uint64
	h.view(t, func(tx central.Tx) (err error) {
		n, err = tx.PushCursor(kiosk, incarnation)
		return err
	})
	return n
}

// Consent returns the consent with id, or nil when there is none.
func (h *Harness) Consent(t testing.TB, id string) *bk.Consent {
	t.Helper()
	var c *bk.Consent
	h.view(t, func(tx central.Tx) (err error) {
		c, err = tx.Consent(id)
		return err
	})
	return c
}

// Delegation returns the delegation with id, or nil when there is none.
func (h *Harness) Delegation(t testing.TB, id string) *bk.Delegation {
	t.Helper()
	var d *bk.Delegation
	h.view(t, func(tx central.Tx) (err error) {
		d, err = tx.Delegation(id)
		return err
	})
	return d
}

func (h *Harness) view(t testing.TB, fn func(tx central.Tx) error) {
	t.Helper()
	err := h.Store.View(context.Background(), fn)
	if err != nil && bk.ErrorCode(err) != bk.ENotFound {
		t.Fatalf("centraltest: reading the store: %v", err)
	}
}

// TrustBundle fetches and verifies the trust bundle as kiosk k.
func (h *Harness) TrustBundle(t testing.TB, k *Kiosk) *bk.TrustBundle {
	t.Helper()
	status, body := k.Request(t, "GET", "/v1/trust-bundle", nil)
	if status != http.StatusOK {
		t.Fatalf("centraltest: trust bundle: %d %s", status, body)
	}
	var sb bk.SignedBundle
	if err := json.Unmarshal(body, &sb); err != nil {
		t.Fatal(err)
	}
	b, err := sb.Verify(h.CentralKey)
	if err != nil {
		t.Fatalf("centraltest: trust bundle: %v", err)
	}
	return b
}

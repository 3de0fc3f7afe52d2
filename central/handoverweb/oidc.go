package handoverweb

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	bk "github.com/borgerkiosk/borgerkiosk"
)

// OIDCConfig configures sign-in through an OpenID Connect provider, such as
// the national eID broker.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string // central's public URL + "/handover/oidc/callback"
	CPRClaim     string // ID token claim holding the CPR number; default "cpr"
	NameClaim    string // default "name"
	Scopes       []string
}

// OIDC signs delegates in with the authorization code flow, PKCE and a nonce.
type OIDC struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	mu       sync.Mutex
	flows    map[string]oidcFlow // state → flow secrets
}

type oidcFlow struct {
	verifier, nonce string
	expires         time.Time
}

// NewOIDC discovers the provider at cfg.Issuer.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, fmt.Errorf("oidc: issuer, client_id and redirect_url are required")
	}
	if cfg.CPRClaim == "" {
		cfg.CPRClaim = "cpr"
	}
	if cfg.NameClaim == "" {
		cfg.NameClaim = "name"
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discovering %s: %w", cfg.Issuer, err)
	}
	scopes := append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	return &OIDC{
		cfg: cfg,
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: scopes,
		},
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		flows:    map[string]oidcFlow{},
	}, nil
}

func (o *OIDC) Name() string { return "oidc" }

func (o *OIDC) Start(w http.ResponseWriter, r *http.Request, state string) (string, error) {
	verifier := oauth2.GenerateVerifier()
	nb := make([]byte, 16)
	rand.Read(nb)
	nonce := base64.RawURLEncoding.EncodeToString(nb)
	now := time.Now()
	o.mu.Lock()
	for k, f := range o.flows {
		if now.After(f.expires) {
			delete(o.flows, k)
		}
	}
	o.flows[state] = oidcFlow{verifier: verifier, nonce: nonce, expires: now.Add(signInTTL)}
	o.mu.Unlock()
	return o.oauth.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)), nil
}

func (o *OIDC) Routes(mux *http.ServeMux, finish func(http.ResponseWriter, *http.Request, string, Identity)) {
	mux.HandleFunc("GET /handover/oidc/callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		state := q.Get("state")
		o.mu.Lock()
		flow, ok := o.flows[state]
		delete(o.flows, state)
		o.mu.Unlock()
		if !ok || time.Now().After(flow.expires) {
			writeSignInError(w, r, "signin_expired")
			return
		}
		if q.Get("error") != "" {
			writeSignInError(w, r, "signin_failed")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
		defer cancel()
		tok, err := o.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(flow.verifier))
		if err != nil {
			writeSignInError(w, r, "signin_failed")
			return
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := o.verifier.Verify(ctx, raw)
		if err != nil || idt.Nonce != flow.nonce {
			writeSignInError(w, r, "signin_failed")
			return
		}
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			writeSignInError(w, r, "signin_failed")
			return
		}
		cprText, _ := claims[o.cfg.CPRClaim].(string)
		cpr, err := bk.ParseCPR(cprText, time.Now())
		if err != nil {
			writeSignInError(w, r, "signin_no_cpr")
			return
		}
		name, _ := claims[o.cfg.NameClaim].(string)
		finish(w, r, state, Identity{CPR: cpr, Name: name, Method: "oidc"})
	})
}

func writeSignInError(w http.ResponseWriter, r *http.Request, code string) {
	lang := "da"
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		lang = "en"
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(statusFor(code))
	fmt.Fprintln(w, message(lang, code))
}

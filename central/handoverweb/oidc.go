package handoverweb

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
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

// OIDC signs delegates in with the authorization code flow, PKCE (S256)
// and a nonce. Its per-flow secrets live in the handler's Flow, so it holds
// no state of its own.
type OIDC struct {
	cfg      OIDCConfig
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
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
	}, nil
}

func (o *OIDC) Name() string { return "oidc" }

// Start gives flow f a fresh PKCE verifier and nonce and returns the
// provider's authorization URL carrying the S256 challenge and the nonce.
func (o *OIDC) Start(_ *http.Request, f *Flow) (string, error) {
	// A second GenerateVerifier is 32 random bytes as well: a fine nonce.
	f.Verifier, f.Nonce = oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	return o.oauth.AuthCodeURL(f.State, oauth2.S256ChallengeOption(f.Verifier), oidc.Nonce(f.Nonce)), nil
}

// errNonce is why an ID token whose nonce is not the flow's is refused: it
// was issued for another sign-in (replayed or injected).
var errNonce = errors.New("oidc: the ID token's nonce is not this sign-in's")

func (o *OIDC) Routes(mux Mux, fl Flows) {
	mux.HandleFunc("GET /handover/oidc/callback", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		f, ok := fl.Take(w, r, q.Get("state"))
		if !ok {
			return
		}
		if e := q.Get("error"); e != "" {
			fl.Fail(w, r, "signin_failed", fmt.Errorf("oidc: the provider answered %q", e))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
		defer cancel()
		tok, err := o.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.Verifier))
		if err != nil {
			fl.Fail(w, r, "signin_failed", fmt.Errorf("oidc: code exchange: %w", err))
			return
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := o.verifier.Verify(ctx, raw)
		if err != nil {
			fl.Fail(w, r, "signin_failed", fmt.Errorf("oidc: ID token: %w", err))
			return
		}
		// go-oidc leaves the nonce to the caller: it must be this flow's.
		if f.Nonce == "" || subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
			fl.Fail(w, r, "signin_failed", errNonce)
			return
		}
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			fl.Fail(w, r, "signin_failed", fmt.Errorf("oidc: ID token claims: %w", err))
			return
		}
		cprText, _ := claims[o.cfg.CPRClaim].(string)
		cpr, err := bk.ParseCPR(cprText, time.Now())
		if err != nil {
			fl.Fail(w, r, "signin_no_cpr", fmt.Errorf("oidc: claim %q holds no valid CPR number", o.cfg.CPRClaim))
			return
		}
		name, _ := claims[o.cfg.NameClaim].(string)
		fl.Finish(w, r, f, Identity{CPR: cpr, Name: name, Method: "oidc"})
	})
}

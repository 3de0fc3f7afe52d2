package main

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/tokenexchange"
)

// serveTokenExchange serves the token endpoint, its JWKS and metadata on
// srv when [token_exchange] lists clients. The signing keys are derived
// from seed (central's own key, which every replica shares), so replicas
// agree on the JWKS without sharing a directory; keysDir keeps the
// pairwise-subject key, which replicas must share as a copy. Every client
// must be an authority with a token (configured, or made by --demo): that
// token is its client secret.
func serveTokenExchange(srv *central.Server, cfg *Config, auths []central.AuthorityCredential, keysDir string, seed []byte, log *slog.Logger) error {
	te := cfg.TokenExchange
	if !te.Enabled() {
		return nil
	}
	withToken := map[string]bool{}
	for _, a := range auths {
		withToken[a.ID] = true
	}
	var clients []tokenexchange.Client
	for _, c := range te.Clients {
		if !withToken[c.Authority] {
			return fmt.Errorf("token_exchange client %q: no [[authorities]] entry gives it a token (its client secret)", c.Authority)
		}
		clients = append(clients, tokenexchange.Client{ID: c.Authority, BrokerClientIDs: c.BrokerClientIDs})
	}
	keys, err := tokenexchange.OpenDerivedKeyRing(keysDir, seed, te.KeyRotation.Duration, nil)
	if err != nil {
		return err
	}
	svc, err := tokenexchange.New(srv, tokenexchange.Config{
		Issuer: strings.TrimRight(cfg.PublicURL, "/"), Keys: keys,
		Broker:  tokenexchange.Broker{Issuer: cfg.OIDC.Issuer, CPRClaim: cfg.OIDC.CPRClaim},
		Clients: clients, TTL: te.TokenTTL.Duration, Logger: log.With("component", "token"),
	})
	if err != nil {
		return err
	}
	svc.Register(srv)
	log.Info("token exchange on", "clients", len(clients), "keys", keysDir, "broker", cfg.OIDC.Issuer)
	return nil
}

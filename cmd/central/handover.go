package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
)

// handoverPages configures the handover pages, all but their registry (the
// server): it chooses how delegates sign in, the development form with
// --demo, else OIDC when configured, else none (the pages then say a code
// cannot be answered there).
func handoverPages(cfg *Config, demoMode bool, log *slog.Logger) (handoverweb.Config, error) {
	p := handoverweb.Config{Secure: cfg.Secure(), Zone: cfg.Zone(), Logger: log.With("component", "handover")}
	switch {
	case demoMode:
		if cfg.OIDC.Enabled() {
			log.Warn("--demo: the handover pages use the development sign-in, not the configured OIDC provider")
		}
		log.Warn("handover pages: development sign-in (anyone can claim any CPR number); never use --demo with real people")
		p.SignIn = handoverweb.DevSignIn{}
	case cfg.OIDC.Enabled():
		oc := handoverweb.OIDCConfig{
			Issuer: cfg.OIDC.Issuer, ClientID: cfg.OIDC.ClientID, RedirectURL: cfg.redirectURL(),
			CPRClaim: cfg.OIDC.CPRClaim, NameClaim: cfg.OIDC.NameClaim,
		}
		if cfg.OIDC.ClientSecretFile != "" {
			b, err := os.ReadFile(cfg.OIDC.ClientSecretFile)
			if err != nil {
				return p, fmt.Errorf("oidc: client_secret_file: %w", err)
			}
			oc.ClientSecret = strings.TrimSpace(string(b))
		}
		p.SignIn = &lazyOIDC{cfg: oc, log: log}
		log.Info("handover pages: sign-in with OIDC", "issuer", oc.Issuer, "redirect_url", oc.RedirectURL)
	default:
		log.Warn("handover pages: no sign-in configured ([oidc] in the config, or --demo); codes can be viewed but not answered on the web")
	}
	return p, nil
}

// servePages is central's Config.Pages for the handover pages configured
// as p, with the server as their registry and its store as their state, so
// that sign-ins and sessions are shared by every central on that store.
func servePages(p handoverweb.Config) func(*central.Server) http.Handler {
	return func(s *central.Server) http.Handler {
		p.Registry, p.State = s, s
		return handoverweb.New(p)
	}
}

// lazyOIDC discovers the OIDC provider at the first sign-in rather than at
// start-up, so that the eID broker being down never keeps central (and so
// the kiosks' sync) from starting. A failed discovery is retried after
// retryAfter.
type lazyOIDC struct {
	cfg handoverweb.OIDCConfig
	log *slog.Logger

	mu    sync.Mutex
	o     *handoverweb.OIDC
	retry time.Time
	inner *http.ServeMux
	flows handoverweb.Flows
}

const (
	discoveryTimeout = 10 * time.Second
	retryAfter       = 30 * time.Second
)

func (l *lazyOIDC) Name() string { return "oidc" }

func (l *lazyOIDC) provider() (*handoverweb.OIDC, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.o != nil {
		return l.o, nil
	}
	if time.Now().Before(l.retry) {
		return nil, fmt.Errorf("oidc: discovery of %s failed a moment ago; retrying after %s", l.cfg.Issuer, l.retry.Format(time.TimeOnly))
	}
	ctx, cancel := context.WithTimeout(context.Background(), discoveryTimeout)
	defer cancel()
	o, err := handoverweb.NewOIDC(ctx, l.cfg)
	if err != nil {
		l.retry = time.Now().Add(retryAfter)
		return nil, err
	}
	o.Routes(l.inner, l.flows)
	l.o = o
	l.log.Info("OIDC provider discovered", "issuer", l.cfg.Issuer)
	return o, nil
}

func (l *lazyOIDC) Start(r *http.Request, f *handoverweb.Flow) (string, error) {
	o, err := l.provider()
	if err != nil {
		return "", err
	}
	return o.Start(r, f)
}

// Routes registers the callback now; it reaches the provider's own handler
// after discovery. The callback may reach another central process than
// the one that started the sign-in, so it discovers too.
func (l *lazyOIDC) Routes(mux handoverweb.Mux, fl handoverweb.Flows) {
	l.inner, l.flows = http.NewServeMux(), fl
	mux.HandleFunc("GET /handover/oidc/callback", func(w http.ResponseWriter, r *http.Request) {
		if _, err := l.provider(); err != nil {
			fl.Fail(w, r, "signin_unavailable", err)
			return
		}
		l.inner.ServeHTTP(w, r)
	})
}

// Package tokenexchange is central's OAuth 2.0 Token Exchange (RFC 8693):
// a service that has signed a delegate in through the national eID broker
// exchanges the delegate's ID token for a short-lived JWT access token
// (RFC 9068) saying the delegate may act for the principal in the scope
// asked for, signed by central with a rotating key published as a JWKS.
// A token is issued only while an active delegation covers the scope, by
// the same decision as central's delegation check.
//
// It serves POST /v1/token, GET /.well-known/jwks.json and GET
// /.well-known/oauth-authorization-server on central's server (Register),
// and is the only package that imports go-jose.
package tokenexchange

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
)

// MaxTokenTTL is the longest an access token lives.
const MaxTokenTTL = 10 * time.Minute

// Config configures the token service.
type Config struct {
	// Issuer is central's public URL (https://…, no trailing slash): the
	// iss of every token, and the issuer of the metadata document.
	Issuer string
	Keys   *KeyRing // required
	Broker Broker   // required: Issuer
	// Clients are the services that may exchange tokens. Each is a
	// catalogue authority and authenticates with HTTP Basic: its id as
	// client_id, its authority bearer token as client_secret.
	Clients []Client
	TTL     time.Duration    // of an access token; 5m, at most MaxTokenTTL
	Now     func() time.Time // central's clock; time.Now
	Logger  *slog.Logger     // slog.Default()
}

// Client is a service allowed to exchange tokens.
type Client struct {
	ID string // the authority id: the client_id, and the aud of its tokens
	// BrokerClientIDs are the service's client ids at the eID broker: a
	// subject token must be issued to one of them.
	BrokerClientIDs []string
}

// Service performs token exchanges.
type Service struct {
	cfg     Config
	srv     *central.Server
	broker  *brokerVerifier
	clients map[string]Client
	log     *slog.Logger
}

// New checks cfg and returns the token service of srv.
func New(srv *central.Server, cfg Config) (*Service, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(cfg.Issuer, "/") {
		return nil, fmt.Errorf("tokenexchange: issuer %q must be central's public URL without a trailing slash", cfg.Issuer)
	}
	if cfg.Keys == nil {
		return nil, errors.New("tokenexchange: Config.Keys is required")
	}
	if cfg.Broker.Issuer == "" {
		return nil, errors.New("tokenexchange: the eID broker's issuer is required")
	}
	if cfg.Broker.CPRClaim == "" {
		cfg.Broker.CPRClaim = "cpr"
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 5 * time.Minute
	}
	if cfg.TTL > MaxTokenTTL || cfg.TTL < time.Minute {
		return nil, fmt.Errorf("tokenexchange: token lifetime %v must be between 1m and %v", cfg.TTL, MaxTokenTTL)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Service{cfg: cfg, srv: srv, clients: map[string]Client{}, log: cfg.Logger,
		broker: &brokerVerifier{cfg: cfg.Broker, now: cfg.Now}}
	for _, c := range cfg.Clients {
		if _, ok := srv.Catalogue().Authority(c.ID); !ok {
			return nil, fmt.Errorf("tokenexchange: client %q is not an authority in the catalogue", c.ID)
		}
		if len(c.BrokerClientIDs) == 0 {
			return nil, fmt.Errorf("tokenexchange: client %q needs its client id at the eID broker", c.ID)
		}
		if _, dup := s.clients[c.ID]; dup {
			return nil, fmt.Errorf("tokenexchange: client %q appears twice", c.ID)
		}
		s.clients[c.ID] = c
	}
	return s, nil
}

// Register serves the token endpoint, the JWKS and the metadata on srv.
func (s *Service) Register(srv *central.Server) {
	srv.Handle("/v1/token", onlyMethod(http.MethodPost, s.handleToken))
	srv.Handle("/.well-known/jwks.json", onlyMethod(http.MethodGet, s.handleJWKS))
	srv.Handle("/.well-known/oauth-authorization-server", onlyMethod(http.MethodGet, s.handleMetadata))
}

// Response is a successful exchange (RFC 8693 §2.2.1).
type Response struct {
	AccessToken     string `json:"access_token"`
	IssuedTokenType string `json:"issued_token_type"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int64  `json:"expires_in"`
	Scope           string `json:"scope"`
}

// Claims are the claims of an access token beyond the registered ones
// (iss, sub, aud, exp, iat, jti).
type Claims struct {
	ClientID     string `json:"client_id"`
	Scope        string `json:"scope"`
	Act          Actor  `json:"act"`
	DelegationID string `json:"delegation_id"`
}

// Actor is the act claim (RFC 8693 §4.1): the delegate, as the eID broker
// names them to the service (its issuer and the ID token's sub).
type Actor struct {
	Issuer  string `json:"iss"`
	Subject string `json:"sub"`
}

// Exchange performs the exchange req for the authenticated client. Errors
// are *Error; the ones that are central's fault are server_error or
// temporarily_unavailable and are logged here.
func (s *Service) Exchange(ctx context.Context, clientID string, req *Request) (*Response, error) {
	now := s.cfg.Now()
	c, ok := s.clients[clientID]
	if !ok {
		return nil, refuse(ErrUnauthorizedClient, "This client may not exchange tokens.")
	}
	if req.ClientID != "" && req.ClientID != clientID {
		return nil, refuse(ErrInvalidRequest, "client_id in the body is not the authenticated client.")
	}
	if req.Audience != "" && req.Audience != clientID {
		return nil, refuse(ErrInvalidTarget, "A token can only be for the client that asks for it; audience must be its client_id.")
	}
	if len(req.Resource) > 0 {
		return nil, refuse(ErrInvalidTarget, "resource is not supported; the token's audience is the client.")
	}
	for _, sc := range req.Scopes {
		if _, ok := s.srv.Catalogue().Scope(sc); !ok {
			return nil, refuse(ErrInvalidScope, fmt.Sprintf("%q is not a delegation scope in the catalogue.", sc))
		}
	}
	principal, err := bk.ParseCPR(req.Principal, now)
	if err != nil {
		return nil, refuse(ErrInvalidRequest, "principal is not a valid CPR number.")
	}
	who, err := s.broker.verify(ctx, req.SubjectToken, c.BrokerClientIDs)
	if errors.Is(err, errBrokerDown) {
		s.log.Error("token exchange: the eID broker cannot be reached", "client", clientID, "err", err)
		return nil, refuse(ErrUnavailable, "The eID broker cannot be reached to check the subject token; try again shortly.")
	}
	if err != nil {
		s.log.Info("token exchange refused: subject token", "client", clientID, "principal", principal, "reason", err.Error())
		return nil, refuse(ErrInvalidGrant, "The subject token is not a valid, current ID token from the eID broker for this client.")
	}
	if who.CPR == principal {
		return nil, refuse(ErrInvalidGrant, "The delegate and the principal are the same person; no delegation is needed or possible.")
	}
	d, err := s.covering(ctx, clientID, principal, who.CPR, req.Scopes[0], req.Purpose)
	if err != nil {
		return nil, err
	}
	if d == nil {
		s.log.Info("token exchange refused: no delegation", "client", clientID, "principal", principal, "delegate", who.CPR, "scope", strings.Join(req.Scopes, " "))
		return nil, refuse(ErrInvalidGrant, "No active delegation lets this delegate act for the principal in this scope now.")
	}

	exp := now.Add(s.cfg.TTL)
	if d.Until.Before(exp) {
		exp = d.Until // never outlive the delegation or a scope's end
	}
	scope := strings.Join(req.Scopes, " ")
	raw, err := s.sign(jwt.Claims{
		Issuer:   s.cfg.Issuer,
		Subject:  s.cfg.Keys.pairwiseSubject(clientID, principal),
		Audience: jwt.Audience{clientID},
		Expiry:   jwt.NewNumericDate(exp),
		IssuedAt: jwt.NewNumericDate(now),
		ID:       randomID(),
	}, Claims{ClientID: clientID, Scope: scope, Act: Actor{Issuer: s.cfg.Broker.Issuer, Subject: who.Subject}, DelegationID: d.DelegationID})
	if err != nil {
		s.log.Error("token exchange: signing failed", "err", err)
		return nil, refuse(ErrServerError, "The token could not be signed.")
	}
	s.log.Info("token exchange", "client", clientID, "principal", principal, "delegate", who.CPR, "scope", scope, "delegation", d.DelegationID)
	return &Response{
		AccessToken: raw, IssuedTokenType: TokenTypeAccess, TokenType: "Bearer",
		ExpiresIn: int64(exp.Sub(now).Round(time.Second) / time.Second), Scope: scope,
	}, nil
}

func (s *Service) sign(std jwt.Claims, extra Claims) (string, error) {
	signer, _, err := s.cfg.Keys.signer()
	if err != nil {
		return "", err
	}
	return jwt.Signed(signer).Claims(std).Claims(extra).Serialize()
}

// grant is the delegation a token stands on and until when it covers the
// scope asked for.
type grant struct {
	DelegationID string
	Until        time.Time
}

// covering returns the delegation that lets delegate act for principal in
// scope now, or nil when none does. It is central's delegation check
// (recorded in both people's usage logs as this token exchange), so that a
// token and a check never disagree; the catalogue's limit on the scopes
// the client may check is its limit on the tokens it may get.
func (s *Service) covering(ctx context.Context, clientID string, principal, delegate bk.CPR, scope, purpose string) (*grant, error) {
	if purpose == "" {
		purpose = defaultPurpose
	}
	res, err := s.srv.CheckDelegationAs(ctx, bk.UsageTokenExchange, clientID, clientID, &central.DelegationCheck{
		Principal: principal, Delegate: delegate, Scope: scope, Purpose: purpose})
	switch code := bk.ErrorCode(err); {
	case code == bk.EUnknownScope || code == bk.EScopeNotAllowed:
		return nil, refuse(ErrInvalidScope, bk.ErrorMessage(err))
	case code == bk.EInvalid:
		return nil, refuse(ErrInvalidRequest, bk.ErrorMessage(err))
	case code == bk.EUnavailable:
		// The usage log cannot take the record: no token goes unrecorded.
		return nil, refuse(ErrUnavailable, bk.ErrorMessage(err))
	case err != nil:
		s.log.Error("token exchange: delegation check", "err", err)
		return nil, refuse(ErrServerError, "The delegation could not be looked up.")
	}
	if !res.Allowed {
		return nil, nil
	}
	return &grant{DelegationID: res.DelegationID, Until: res.Until}, nil
}

// defaultPurpose is the purpose of an exchange that names none.
const defaultPurpose = "on-behalf access token (OAuth token exchange)"

func randomID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// --- HTTP ---

func onlyMethod(method string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeJSON(w, http.StatusMethodNotAllowed, refuse(ErrInvalidRequest, "This path only answers "+method+"."))
			return
		}
		h(w, r)
	}
}

func (s *Service) handleToken(w http.ResponseWriter, r *http.Request) {
	clientID, ok := s.authenticate(r)
	if !ok {
		if !s.srv.AllowAuthFailure(w, r) {
			return // 429 answered
		}
		s.log.Info("token exchange refused: client authentication", "client", clientID)
		w.Header().Set("WWW-Authenticate", `Basic realm="central", charset="UTF-8"`)
		writeJSON(w, http.StatusUnauthorized, refuse(ErrInvalidClient, "Client authentication failed: send the client id and secret with HTTP Basic."))
		return
	}
	if r.URL.RawQuery != "" {
		s.answer(w, clientID, refuse(ErrInvalidRequest, "Parameters go in the request body, never in the URL."))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		s.answer(w, clientID, refuse(ErrInvalidRequest, "The request body is too large or could not be read."))
		return
	}
	req, err := ParseRequest(r.Header.Get("Content-Type"), body)
	if err != nil {
		s.answer(w, clientID, err)
		return
	}
	resp, err := s.Exchange(r.Context(), clientID, req)
	if err != nil {
		s.answer(w, clientID, err)
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

// authenticate checks HTTP Basic client credentials (RFC 6749 §2.3.1:
// both parts form-encoded): the client id and its authority token.
func (s *Service) authenticate(r *http.Request) (string, bool) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		return "", false
	}
	id, err1 := url.QueryUnescape(id)
	secret, err2 := url.QueryUnescape(secret)
	if err1 != nil || err2 != nil {
		return "", false
	}
	authority, ok := s.srv.AuthorityByToken(secret)
	return id, ok && authority == id
}

// answer writes an *Error with its status: 400 but for the ones that are
// central's fault.
func (s *Service) answer(w http.ResponseWriter, clientID string, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = refuse(ErrServerError, "An internal error occurred.")
	}
	status := http.StatusBadRequest
	switch e.Code {
	case ErrServerError:
		status = http.StatusInternalServerError
	case ErrUnavailable:
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", strconv.Itoa(int(brokerRetry/time.Second)))
	case ErrInvalidRequest, ErrUnsupportedGrantType, ErrInvalidScope, ErrInvalidTarget, ErrUnauthorizedClient:
		s.log.Info("token exchange refused", "client", clientID, "error", e.Code, "reason", e.Description)
	}
	writeJSON(w, status, e)
}

func (s *Service) handleJWKS(w http.ResponseWriter, r *http.Request) {
	set, err := s.cfg.Keys.JWKS()
	if err != nil {
		s.log.Error("token exchange: key ring", "err", err)
		writeJSON(w, http.StatusInternalServerError, refuse(ErrServerError, "The keys could not be read."))
		return
	}
	b, err := json.Marshal(set)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, refuse(ErrServerError, "The keys could not be read."))
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	// Short: a verifier meeting a new kid fetches again anyway.
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(append(b, '\n'))
}

// Metadata is the authorization server metadata (RFC 8414) of the token
// endpoint.
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
}

func (s *Service) handleMetadata(w http.ResponseWriter, r *http.Request) {
	var scopes []string
	for _, sc := range s.srv.Catalogue().Scopes {
		scopes = append(scopes, sc.ID)
	}
	writeJSON(w, http.StatusOK, Metadata{
		Issuer:                            s.cfg.Issuer,
		TokenEndpoint:                     s.cfg.Issuer + "/v1/token",
		JWKSURI:                           s.cfg.Issuer + "/.well-known/jwks.json",
		GrantTypesSupported:               []string{GrantTokenExchange},
		ResponseTypesSupported:            []string{}, // no authorization endpoint
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic"},
		ScopesSupported:                   scopes,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

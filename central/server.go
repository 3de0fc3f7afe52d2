// Package central is the central service: the HTTP/JSON API that kiosks push
// actions to and authorities query (see docs/api.yaml), and the registry
// logic behind it. State lives in a Store (central/badgerstore by default).
package central

import (
	"context"
	"crypto/ed25519"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is what a Server needs. Zero durations and sizes take the defaults
// named on each field.
type Config struct {
	Store     Store              // required
	Key       ed25519.PrivateKey // central's signing key; required
	Catalogue *bk.Catalogue      // required, valid
	Issuers   []bk.IssuerKey     // card issuers to trust

	// Authorities may call /v1/authority/*, each with its bearer token.
	// Every ID must be in the catalogue.
	Authorities []AuthorityCredential
	// OperatorTokenHash is bk.TokenHash of the operator's bearer token for
	// /v1/admin/*; empty disables the admin endpoints.
	OperatorTokenHash string

	BundleMaxAge   time.Duration // trust bundle max_age; 72h
	MaxDelegation  time.Duration // longest delegation; 5 years
	ClockSkew      time.Duration // kiosk request and action clock skew; 5m
	MaxBodyBytes   int64         // request body limit except push; 64 KiB
	NonceTTL       time.Duration // citizen sign-in nonce lifetime; 2m
	EnrollTokenTTL time.Duration // default enrolment token lifetime; 24h

	// BundleMaxDelta is how many revocations a delta trust bundle carries
	// at most; a kiosk further behind gets the full bundle; 1,000
	// (about 20 KB of serials).
	BundleMaxDelta int

	// UsageRetentionMonths is how long usage records are kept; 15. A sweep
	// every UsageSweepEvery (1h) deletes older ones.
	UsageRetentionMonths int
	UsageSweepEvery      time.Duration
	// UsageQueue is how many usage records may wait to be written; 8192.
	// When it is full, checks are refused (unavailable) rather than
	// answered unrecorded.
	UsageQueue int

	// MaxPushes bounds the pushes being handled at once; one more is
	// answered 503 with Retry-After: PushRetryAfter (whole seconds, at
	// least 1), so a burst of kiosks queues at the kiosks instead of every
	// push slowing past its timeout. 0: 4 per CPU; 2s.
	MaxPushes      int
	PushRetryAfter time.Duration

	// CertCache is how many verified card certificates are remembered, so
	// each action costs its own signature checks, not its certificates'
	// again; 100,000 (about 10 MB).
	CertCache int

	// RateLimits bound sign-in, authentication failures and enrolment per
	// client; zero fields take their defaults.
	RateLimits RateLimits

	// Pages builds, once, the handler of the paths for which IsPagePath
	// is true, given the server: the relative's handover pages
	// (handoverweb.New, handoverweb.IsHandoverPath) take it as their
	// registry. Both nil: no pages. A func, so that central links no web
	// sign-in (and so neither do its stores).
	Pages      func(*Server) http.Handler
	IsPagePath func(path string) bool

	// Notices configures what people are told and how (notifier.go).
	Notices NoticeConfig

	Now    func() time.Time // time.Now
	Logger *slog.Logger     // slog.Default()
}

// AuthorityCredential binds an authority id to the hash of its token.
type AuthorityCredential struct {
	ID        string
	TokenHash string // bk.TokenHash of the bearer token
}

// Server is the central service. Its methods are the registry logic; Handler
// serves them over HTTP.
type Server struct {
	cfg     Config
	store   Store
	rules   *bk.Rules
	log     *slog.Logger
	now     func() time.Time
	mux     *http.ServeMux
	served  []string // the mux's patterns, for Routes
	metrics *metrics
	pages   http.Handler // from Config.Pages

	signInLimit, authFailLimit, enrollLimit *clientLimiter // nil: no limit
	typedLimit, typedTotalLimit             *clientLimiter

	usage     *usageLog
	notifier  *Notifier
	certs     *bk.CertCache // card certificates whose issuer signature was checked
	pushSlots chan struct{} // one per push in flight (Config.MaxPushes)
	stopSweep chan struct{}
	sweeps    sync.WaitGroup
	closing   sync.Once
}

// New checks cfg, fills in defaults and returns a ready Server. It starts
// the usage log's writer and sweep: Close stops them.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("central: Config.Store is required")
	}
	if len(cfg.Key) != ed25519.PrivateKeySize {
		return nil, errors.New("central: Config.Key must be an Ed25519 private key")
	}
	if cfg.Catalogue == nil {
		return nil, errors.New("central: Config.Catalogue is required")
	}
	if err := cfg.Catalogue.Validate(); err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	for _, a := range cfg.Authorities {
		if _, ok := cfg.Catalogue.Authority(a.ID); !ok {
			return nil, fmt.Errorf("central: authority %q is not in the catalogue", a.ID)
		}
		if len(a.TokenHash) != 64 {
			return nil, fmt.Errorf("central: authority %q: token hash must be 64 hex digits (SHA-256)", a.ID)
		}
	}
	for _, k := range cfg.Issuers {
		if len(k.PublicKey) != ed25519.PublicKeySize || k.ID != bk.KeyID(k.PublicKey) {
			return nil, fmt.Errorf("central: issuer key %q is not a valid Ed25519 key with its KeyID", k.ID)
		}
	}
	if (cfg.Pages == nil) != (cfg.IsPagePath == nil) {
		return nil, errors.New("central: Config.Pages and Config.IsPagePath go together")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.BundleMaxAge, 72*time.Hour)
	def(&cfg.MaxDelegation, 5*365*24*time.Hour)
	def(&cfg.ClockSkew, 5*time.Minute)
	def(&cfg.NonceTTL, 2*time.Minute)
	def(&cfg.EnrollTokenTTL, 24*time.Hour)
	def(&cfg.UsageSweepEvery, time.Hour)
	if cfg.UsageRetentionMonths <= 0 {
		cfg.UsageRetentionMonths = 15
	}
	if cfg.UsageRetentionMonths > 120 {
		return nil, errors.New("central: Config.UsageRetentionMonths may be at most 120 (10 years)")
	}
	if cfg.MaxPushes <= 0 {
		cfg.MaxPushes = 4 * runtime.NumCPU()
	}
	if cfg.PushRetryAfter < time.Second {
		cfg.PushRetryAfter = 2 * time.Second
	}
	if cfg.BundleMaxDelta <= 0 {
		cfg.BundleMaxDelta = 1000
	}
	if cfg.CertCache <= 0 {
		cfg.CertCache = 100_000
	}
	if cfg.UsageQueue <= 0 {
		cfg.UsageQueue = 8192
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rl := &cfg.RateLimits
	rl.SignIn.orDefault(60, 20)
	rl.AuthFailures.orDefault(10, 10)
	rl.Enroll.orDefault(6, 10)
	rl.TypedCode.orDefault(10, 10)
	rl.TypedCodeTotal.orDefault(300, 300)
	if rl.MaxClients <= 0 {
		rl.MaxClients = 10000
	}
	for name, l := range map[string]RateLimit{"sign-in": rl.SignIn, "auth failures": rl.AuthFailures, "enroll": rl.Enroll,
		"typed code": rl.TypedCode, "typed code total": rl.TypedCodeTotal} {
		if err := l.check(name); err != nil {
			return nil, err
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Notices.defaults()
	if err := cfg.Notices.check(); err != nil {
		return nil, err
	}
	rules := bk.DefaultRules(cfg.Catalogue)
	rules.MaxDelegation = cfg.MaxDelegation
	rules.ClockSkew = cfg.ClockSkew
	s := &Server{
		cfg:       cfg,
		rules:     rules,
		log:       cfg.Logger,
		now:       cfg.Now,
		mux:       http.NewServeMux(),
		metrics:   newMetrics(),
		certs:     bk.NewCertCache(cfg.CertCache),
		pushSlots: make(chan struct{}, cfg.MaxPushes),

		signInLimit:   newClientLimiter("sign-in", rl.SignIn, rl.MaxClients),
		authFailLimit: newClientLimiter("auth failures", rl.AuthFailures, rl.MaxClients),
		enrollLimit:   newClientLimiter("enroll", rl.Enroll, rl.MaxClients),

		typedLimit:      newClientLimiter("typed code", rl.TypedCode, rl.MaxClients),
		typedTotalLimit: newClientLimiter("typed code total", rl.TypedCodeTotal, 1),
	}
	s.store = s.metrics.timed(cfg.Store)
	if cfg.Pages != nil {
		s.pages = cfg.Pages(s)
	}
	s.routes()
	// Started last: New cannot fail after this, so nothing leaks.
	s.usage = newUsageLog(s, cfg.UsageQueue)
	s.stopSweep = make(chan struct{})
	s.sweeps.Add(2)
	go s.sweepLoop(cfg.UsageSweepEvery, "usage log", s.SweepUsage)
	go s.sweepLoop(webStateSweepEvery, "web state", s.SweepWebState)
	s.notifier = newNotifier(s.store, cfg.Notices, cfg.Catalogue, cfg.Now, cfg.Logger, s.metrics.reg)
	return s, nil
}

// Store returns the server's store.
func (s *Server) Store() Store { return s.store }

// Catalogue returns the catalogue the server serves.
func (s *Server) Catalogue() *bk.Catalogue { return s.cfg.Catalogue }

// PublicKey returns central's public key (kiosks verify trust bundles with it).
func (s *Server) PublicKey() ed25519.PublicKey { return s.cfg.Key.Public().(ed25519.PublicKey) }

// Registry returns the Prometheus registry /metrics serves, so other parts
// of central (the handover pages) can add their own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.reg }

// Handle adds a route to the server's mux (a Go ServeMux pattern), served
// with the same panic recovery and metrics as the API.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.mux.Handle(pattern, h)
	s.served = append(s.served, pattern)
}

// Routes lists the patterns of the API's routes, of those added with
// Handle ("POST /v1/push"; a pattern without a method answers every
// method itself) and of the pages when their handler lists its own
// (Routes() []string), so that a test keeps docs/api.yaml in step.
func (s *Server) Routes() []string {
	out := slices.Clone(s.served)
	if p, ok := s.pages.(interface{ Routes() []string }); ok {
		out = append(out, p.Routes()...)
	}
	slices.Sort(out)
	return out
}

// Handler returns the HTTP handler of the whole service.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		route := "unmatched"
		defer func() {
			if r.Pattern != "" {
				route = r.Pattern
			}
			if p := recover(); p != nil {
				s.log.Error("panic while serving a request", "route", route, "panic", p)
				if !rec.wrote {
					writeError(rec, http.StatusInternalServerError, bk.EInternal, "An internal error occurred.")
				}
			}
			code := rec.code
			if code == 0 {
				code = http.StatusOK
			}
			s.metrics.observe(route, code, time.Since(start))
		}()
		if s.cfg.IsPagePath != nil && s.cfg.IsPagePath(r.URL.Path) {
			route = "pages"
			if isSignInPath(r.URL.Path) && !s.allow(s.signInLimit, rec, r, true) {
				return
			}
			if (isTypedLookupPath(r.URL.Path) || isOverviewPath(r.URL.Path)) && (!s.allow(s.typedLimit, rec, r, true) || !s.allowKey(s.typedTotalLimit, "*", rec, r, true)) {
				return
			}
			s.pages.ServeHTTP(rec, r)
			return
		}
		s.mux.ServeHTTP(rec, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if !r.wrote {
		r.code, r.wrote = http.StatusOK, true
	}
	return r.ResponseWriter.Write(p)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// routes registers every endpoint. Each path also gets a method-less
// pattern that answers 405 in JSON, and "/" answers 404 in JSON.
func (s *Server) routes() {
	type ep struct {
		method string
		h      http.HandlerFunc
	}
	table := []struct {
		path string
		eps  []ep
	}{
		{"/v1/admin/enrollment-tokens", []ep{{"POST", s.operator(s.handleCreateEnrollToken)}}},
		{"/v1/admin/revocations", []ep{{"POST", s.operator(s.handleRevoke)}}},
		{"/v1/admin/notices/dead", []ep{{"GET", s.operator(s.handleDeadNotices)}}},
		{"/v1/admin/notices/{id}/retry", []ep{{"POST", s.operator(s.handleRetryNotice)}}},
		{"/v1/enroll", []ep{{"POST", s.limited(s.enrollLimit, s.handleEnroll)}}},
		{"/v1/push", []ep{{"POST", s.kiosk(bk.MaxPushBytes, s.handlePush)}}},
		{"/v1/trust-bundle", []ep{{"GET", s.kiosk(0, s.handleTrustBundle)}}},
		{"/v1/catalogue", []ep{{"GET", s.handleCatalogue}}},
		{"/v1/citizen/nonce", []ep{{"POST", s.kiosk(0, s.handleNonce)}}},
		{"/v1/citizen/state", []ep{{"POST", s.kiosk(0, s.handleCitizenState)}}},
		{"/v1/citizen/usage", []ep{{"POST", s.kiosk(0, s.handleCitizenUsage)}}},
		{"/v1/citizen/overview-token", []ep{{"POST", s.kiosk(0, s.handleOverviewToken)}}},
		{"/v1/authority/consent-requests", []ep{
			{"POST", s.authority(s.handleConsentRequest)},
			{"GET", s.authority(s.handleListConsents)},
		}},
		{"/v1/authority/consent-requests/{id}", []ep{{"GET", s.authority(s.handleGetConsent)}}},
		{"/v1/authority/consent-checks", []ep{{"POST", s.authority(s.handleConsentCheck)}}},
		{"/v1/authority/delegation-checks", []ep{{"POST", s.authority(s.handleDelegationCheck)}}},
		{"/healthz", []ep{{"GET", s.handleHealth}}},
		{"/metrics", []ep{{"GET", s.metrics.handler().ServeHTTP}}},
	}
	for _, row := range table {
		var allow []string
		for _, e := range row.eps {
			s.mux.HandleFunc(e.method+" "+row.path, e.h)
			s.served = append(s.served, e.method+" "+row.path)
			allow = append(allow, e.method)
		}
		allowed := strings.Join(allow, ", ")
		s.mux.HandleFunc(row.path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allowed)
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "This path only answers "+allowed+".")
		})
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, bk.ENotFound, "There is nothing at this path.")
	})
}

// --- authentication ---

func bearer(r *http.Request) (string, bool) {
	t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	t = strings.TrimSpace(t)
	return t, ok && t != ""
}

func hashEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// limited spends a token of c for every request before next.
func (s *Server) limited(c *clientLimiter, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.allow(c, w, r, false) {
			next(w, r)
		}
	}
}

// authFailed answers a refused bearer token: 401 with err, or 429 once the
// client has failed too often.
func (s *Server) authFailed(w http.ResponseWriter, r *http.Request, err error) {
	if s.AllowAuthFailure(w, r) {
		s.fail(w, r, err)
	}
}

func (s *Server) operator(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := bearer(r)
		if !ok || s.cfg.OperatorTokenHash == "" || !hashEqual(bk.TokenHash(t), s.cfg.OperatorTokenHash) {
			s.authFailed(w, r, bk.Errorf(bk.EUnauthorized, "An operator bearer token is required."))
			return
		}
		next(w, r)
	}
}

func (s *Server) authority(next func(w http.ResponseWriter, r *http.Request, authorityID string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, ok := bearer(r)
		if !ok {
			s.authFailed(w, r, bk.Errorf(bk.EUnauthorized, "An authority bearer token is required."))
			return
		}
		id, ok := s.AuthorityByToken(t)
		if !ok {
			s.authFailed(w, r, bk.Errorf(bk.EUnauthorized, "The authority bearer token is not valid."))
			return
		}
		next(w, r, id)
	}
}

// AuthorityByToken returns the authority whose bearer token is token,
// comparing hashes in constant time.
func (s *Server) AuthorityByToken(token string) (id string, ok bool) {
	h := bk.TokenHash(token)
	for _, a := range s.cfg.Authorities {
		if hashEqual(h, a.TokenHash) {
			id = a.ID
		}
	}
	return id, id != ""
}

// AllowAuthFailure counts a refused credential of r's client against the
// authentication-failure limit (RateLimits.AuthFailures), for endpoints
// that authenticate in their own way (the token endpoint). When the client
// has failed too often it has answered 429 and returns false.
func (s *Server) AllowAuthFailure(w http.ResponseWriter, r *http.Request) bool {
	return s.allow(s.authFailLimit, w, r, false)
}

// kiosk authenticates a kiosk request (bk.SignKioskRequest over method,
// path and body) and hands the body it read to next. limit 0 means
// Config.MaxBodyBytes.
func (s *Server) kiosk(limit int64, next func(w http.ResponseWriter, r *http.Request, k *Kiosk, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if limit == 0 {
			limit = s.cfg.MaxBodyBytes
		}
		if r.Method != http.MethodGet && !s.jsonContent(w, r) {
			return
		}
		body, err := readBody(w, r, limit)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		id, ts, sig, err := bk.ParseKioskAuth(r.Header.Get(bk.KioskAuthHeader))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var k *Kiosk
		err = s.store.View(r.Context(), func(tx Tx) error {
			k, err = tx.Kiosk(id)
			return err
		})
		if bk.ErrorCode(err) == bk.ENotFound {
			// The one answer on which a kiosk enrols again.
			s.log.Warn("request from an unknown kiosk", "kiosk", id, "path", r.URL.Path)
			s.fail(w, r, bk.Errorf(bk.EUnknownKiosk, "This kiosk is not enrolled."))
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		now := s.now()
		if err := bk.VerifyKioskRequest(k.PublicKey, r.Method, r.URL.Path, body, ts, sig, now, s.cfg.ClockSkew); err != nil {
			if bk.ErrorCode(err) == bk.EClockSkew {
				// Signed by the kiosk, only its clock is wrong: say so
				// with central's time, so it keeps its enrolment and can
				// show staff how far off it is.
				off := time.Unix(ts, 0).Sub(now).Round(time.Second)
				s.log.Warn("kiosk request refused: the kiosk's clock is wrong", "kiosk", id, "path", r.URL.Path, "kiosk_clock_off_by", off)
				writeJSON(w, http.StatusUnauthorized, bk.ErrorResponse{Code: bk.EClockSkew, Message: bk.ErrorMessage(err), CentralTime: now.UTC()})
				return
			}
			s.log.Warn("kiosk request refused", "kiosk", id, "path", r.URL.Path, "reason", bk.ErrorMessage(err))
			s.fail(w, r, err)
			return
		}
		next(w, r, k, body)
	}
}

// --- errors ---

// Error codes of the HTTP layer beyond the domain's.
const (
	ECodeTooLarge         = "too_large"
	ECodeUnsupportedMedia = "unsupported_media_type"
	ECodeFork             = "fork"
	// ECodeWrongKiosk is the reason of a rejected action whose kiosk field
	// names another kiosk than the one that pushed it.
	ECodeWrongKiosk = "wrong_kiosk"
)

// httpStatus maps an error code to the status of the answer.
func httpStatus(code string) int {
	switch code {
	case bk.EInvalid, bk.EUnknownScope, bk.EBadValidity, bk.ECPRFutureBirth, bk.EPurposeTooLong:
		return http.StatusBadRequest
	case bk.EUnauthorized, bk.EBadSignature, bk.ENotAuthed, bk.EUnknownKiosk, bk.EClockSkew:
		return http.StatusUnauthorized
	case bk.EForbidden, bk.ECategoryNotAllowed, bk.EScopeNotAllowed, bk.ECardRevoked, bk.ECardExpired, bk.ECardNotYet, bk.EWrongRole, bk.EUnknownIssuer, bk.ENotPermitted:
		return http.StatusForbidden
	case bk.ENotFound, bk.EUnknownSubject:
		return http.StatusNotFound
	case bk.EConflict, bk.EInvalidState, bk.EAlreadyRevoked, bk.EExpired, ECodeFork:
		return http.StatusConflict
	case ECodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case ECodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case bk.EUnavailable:
		return http.StatusServiceUnavailable
	case ECodeTooManyRequests:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// fail answers with err as a JSON error. Errors that are not *bk.Error are
// our fault: they are logged and the client sees a generic message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := bk.ErrorCode(err)
	if errors.Is(err, context.Canceled) {
		code = bk.EUnavailable
	}
	status := httpStatus(code)
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, status, code, bk.ErrorMessage(err))
}

package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/tokenexchange"
	"github.com/borgerkiosk/borgerkiosk/handover"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
)

// Config is the central service's configuration file (TOML). Every field is
// optional; command-line flags override addr and data_dir.
//
//	addr = "127.0.0.1:8440"
//	data_dir = "/var/lib/borgerkiosk-central"
//	catalogue = "/etc/borgerkiosk/catalogue.toml"   # default: the built-in demo catalogue
//	issuers = ["<base64 Ed25519 public key>"]        # none: a dev issuer key is made in data_dir
//	issuer_files = ["/etc/borgerkiosk/issuer.pub"]   # PEM public keys (kioskctl writes them)
//	trust_bundle_max_age = "72h"
//	max_delegation_days = 1825
//	clock_skew = "5m"
//	max_body_bytes = 65536
//	max_pushes = 0                  # kiosk pushes handled at once (0: 4 per CPU); more get 503 + Retry-After
//	push_retry_after = "2s"         # how long a kiosk turned away waits
//	usage_retention_months = 15   # how long the record of each consent and delegation check is kept
//
//	# Where central keeps its state: "badger" (default; embedded, in
//	# data_dir/store) or "postgres". The flag --store overrides it.
//	store = "postgres"
//	# The database, as libpq reads it (keyword/value or URL). A DSN with a
//	# password belongs in a file only central can read:
//	postgres_dsn_file = "/etc/borgerkiosk/postgres.dsn"
//	# postgres_dsn = "host=/run/postgresql dbname=borgerkiosk"  # no password: peer authentication
//
//	# The address kiosks put in handover QR codes (https://<host>/H/…), so a
//	# relative's phone opens central's handover page. https makes the pages'
//	# cookies Secure. Letters, digits and . - : / only (QR alphanumeric mode).
//	public_url = "https://borgerkiosk.example.dk"
//
//	[[authorities]]
//	id = "sundhed"                  # must be in the catalogue
//	token_sha256 = "<hex>"          # SHA-256 of the bearer token, or:
//	# token_file = "/etc/borgerkiosk/tokens/sundhed"
//
//	# Sign-in of delegates on the handover pages (the national eID broker).
//	# Without it (and without --demo) the pages show a code but say that it
//	# cannot be answered there.
//	[oidc]
//	issuer = "https://eid-broker.example.dk"
//	client_id = "borgerkiosk"
//	client_secret_file = "/etc/borgerkiosk/oidc.secret"
//	redirect_url = "https://borgerkiosk.example.dk/handover/oidc/callback" # default: public_url + that path
//	cpr_claim = "cpr"               # ID token claim with the CPR number
//	name_claim = "name"
//
//	# On-behalf access tokens (OAuth 2.0 Token Exchange, POST /v1/token) for
//	# services acting for a citizen under a delegation. On when a client is
//	# listed; needs public_url (the tokens' iss) and [oidc] issuer (the eID
//	# broker whose ID tokens services send). Signing keys: derived from central.key;
//	# data_dir/token-keys keeps the pairwise-subject key (copy it to every replica).
//	[token_exchange]
//	token_ttl = "5m"                # lifetime of an access token; at most 10m
//	key_rotation = "24h"            # a new signing key every period; at least 20m
//	[[token_exchange.clients]]
//	authority = "kobenhavn"         # an authority with a token above: its client_id; the token is its secret
//	broker_client_ids = ["kk-selvbetjening"]  # the service's client ids at the eID broker
//
//	# What people are told (a delegation offered, ending in 30 days, ended …)
//	# and how. Notices are kept and shown at the kiosk either way; with
//	# [notices.email] they are also sent to the addresses citizens give.
//	[notices]
//	delegation_reminder_days = [30, 7]  # before a delegation or one of its areas ends
//	consent_reminder_days = [30]
//	every = "1m"                    # how often ends are looked for and notices sent
//	retry_base = "1m"               # backoff after a failed send, doubling …
//	retry_max = "6h"                # … up to this
//	max_attempts = 12               # then the notice is a dead letter (GET /v1/admin/notices/dead)
//	lease = "5m"                    # a notice being sent is left to its process this long
//	[notices.email]
//	host = "smtp.kommune.dk"        # none: no e-mail
//	port = 587
//	tls = "starttls"                # or "tls" (port 465), "none" (a relay on localhost)
//	username = "borgerkiosk"
//	password_file = "/etc/borgerkiosk/smtp.secret"
//	from = "Borgerkiosken <noreply@kommune.dk>"
//	timeout = "30s"                 # one delivery; shorter than lease
//
//	# Per client (IP address, IPv6 /64); a refusal is 429 with Retry-After.
//	# A rate of 0 turns that limit off.
//	[rate_limits]
//	trust_forwarded_for = false     # client = last X-Forwarded-For entry (only behind a proxy that sets it)
//	max_clients = 10000             # clients remembered per limit; the longest unused forgotten first
//	signin_per_minute = 60          # handover sign-in requests
//	signin_burst = 20
//	auth_failures_per_minute = 10   # refused authority/operator bearer tokens
//	auth_failures_burst = 10
//	enroll_per_minute = 6           # kiosk enrolments
//	enroll_burst = 10
//	typed_code_per_minute = 10      # pages of typed handover codes (each a guess at a code)
//	typed_code_burst = 10
//	typed_code_total_per_minute = 300  # the same over all clients; per process, so divide by the replicas
//	typed_code_total_burst = 300
type Config struct {
	Addr              string              `toml:"addr"`
	DataDir           string              `toml:"data_dir"`
	Catalogue         string              `toml:"catalogue"`
	Issuers           []string            `toml:"issuers"`
	IssuerFiles       []string            `toml:"issuer_files"`
	TrustBundleMaxAge Duration            `toml:"trust_bundle_max_age"`
	MaxDelegationDays int                 `toml:"max_delegation_days"`
	ClockSkew         Duration            `toml:"clock_skew"`
	MaxBodyBytes      int64               `toml:"max_body_bytes"`
	MaxPushes         int                 `toml:"max_pushes"`
	PushRetryAfter    Duration            `toml:"push_retry_after"`
	UsageRetention    int                 `toml:"usage_retention_months"`
	Store             string              `toml:"store"`
	PostgresDSN       string              `toml:"postgres_dsn"`
	PostgresDSNFile   string              `toml:"postgres_dsn_file"`
	Authorities       []AuthorityConfig   `toml:"authorities"`
	PublicURL         string              `toml:"public_url"`
	TimeZone          string              `toml:"time_zone"` // dates on the handover pages and in notices
	OIDC              OIDCConfig          `toml:"oidc"`
	RateLimits        RateLimitConfig     `toml:"rate_limits"`
	TokenExchange     TokenExchangeConfig `toml:"token_exchange"`
	Notices           NoticesConfig       `toml:"notices"`
}

// TokenExchangeConfig configures central/tokenexchange; it is off when no
// client is listed.
type TokenExchangeConfig struct {
	TokenTTL    Duration            `toml:"token_ttl"`
	KeyRotation Duration            `toml:"key_rotation"`
	Clients     []TokenClientConfig `toml:"clients"`
}

// TokenClientConfig is a service that may exchange tokens: an authority
// and its client ids at the eID broker.
type TokenClientConfig struct {
	Authority       string   `toml:"authority"`
	BrokerClientIDs []string `toml:"broker_client_ids"`
}

// Enabled reports whether any token exchange client is configured.
func (t TokenExchangeConfig) Enabled() bool { return len(t.Clients) > 0 }

// RateLimitConfig bounds, per client, handover sign-ins, refused bearer
// tokens and kiosk enrolments (central.RateLimits). A rate of 0 turns that
// limit off.
type RateLimitConfig struct {
	TrustForwardedFor     bool    `toml:"trust_forwarded_for"`
	MaxClients            int     `toml:"max_clients"`
	SignInPerMinute       float64 `toml:"signin_per_minute"`
	SignInBurst           int     `toml:"signin_burst"`
	AuthFailuresPerMinute float64 `toml:"auth_failures_per_minute"`
	AuthFailuresBurst     int     `toml:"auth_failures_burst"`
	EnrollPerMinute       float64 `toml:"enroll_per_minute"`
	EnrollBurst           int     `toml:"enroll_burst"`
	// TypedCode* bound the pages of typed handover codes per client, and
	// TypedCodeTotal* all clients together in this process: behind N
	// replicas the whole service allows N times as many.
	TypedCodePerMinute      float64 `toml:"typed_code_per_minute"`
	TypedCodeBurst          int     `toml:"typed_code_burst"`
	TypedCodeTotalPerMinute float64 `toml:"typed_code_total_per_minute"`
	TypedCodeTotalBurst     int     `toml:"typed_code_total_burst"`
}

// Central returns the limits as central.New takes them.
func (r RateLimitConfig) Central() central.RateLimits {
	lim := func(perMinute float64, burst int) central.RateLimit {
		if perMinute == 0 {
			return central.RateLimit{PerMinute: -1} // off
		}
		return central.RateLimit{PerMinute: perMinute, Burst: burst}
	}
	return central.RateLimits{
		SignIn:            lim(r.SignInPerMinute, r.SignInBurst),
		AuthFailures:      lim(r.AuthFailuresPerMinute, r.AuthFailuresBurst),
		Enroll:            lim(r.EnrollPerMinute, r.EnrollBurst),
		TypedCode:         lim(r.TypedCodePerMinute, r.TypedCodeBurst),
		TypedCodeTotal:    lim(r.TypedCodeTotalPerMinute, r.TypedCodeTotalBurst),
		TrustForwardedFor: r.TrustForwardedFor,
		MaxClients:        r.MaxClients,
	}
}

// OIDCConfig is how delegates sign in on the handover pages. It is off
// when issuer is empty.
type OIDCConfig struct {
	Issuer           string `toml:"issuer"`
	ClientID         string `toml:"client_id"`
	ClientSecretFile string `toml:"client_secret_file"`
	RedirectURL      string `toml:"redirect_url"`
	CPRClaim         string `toml:"cpr_claim"`
	NameClaim        string `toml:"name_claim"`
}

// Enabled reports whether any OIDC setting is given.
func (o OIDCConfig) Enabled() bool { return o != OIDCConfig{} }

// Secure reports whether central is reached over TLS (so cookies are Secure).
func (c *Config) Secure() bool { return strings.HasPrefix(strings.ToLower(c.PublicURL), "https://") }

// redirectURL is the OIDC redirect URL: as configured, else under public_url.
func (c *Config) redirectURL() string {
	if c.OIDC.RedirectURL != "" || c.PublicURL == "" {
		return c.OIDC.RedirectURL
	}
	return strings.TrimRight(c.PublicURL, "/") + "/handover/oidc/callback"
}

// AuthorityConfig gives one authority its bearer token: the token's SHA-256
// in hex, or a file holding the token.
type AuthorityConfig struct {
	ID          string `toml:"id"`
	TokenSHA256 string `toml:"token_sha256"`
	TokenFile   string `toml:"token_file"`
}

// Duration is a time.Duration written as a string such as "72h" or "5m".
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as \"72h\" or \"5m\"", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// DefaultConfig returns the configuration used when no file is given.
func DefaultConfig() Config {
	return Config{
		Addr:              "127.0.0.1:8440",
		DataDir:           "central-data",
		TrustBundleMaxAge: Duration{72 * time.Hour},
		MaxDelegationDays: 5 * 365,
		ClockSkew:         Duration{5 * time.Minute},
		MaxBodyBytes:      64 << 10,
		PushRetryAfter:    Duration{2 * time.Second},
		UsageRetention:    15,
		Store:             StoreBadger,
		RateLimits: RateLimitConfig{
			MaxClients:      10000,
			SignInPerMinute: 60, SignInBurst: 20,
			AuthFailuresPerMinute: 10, AuthFailuresBurst: 10,
			EnrollPerMinute: 6, EnrollBurst: 10,
			TypedCodePerMinute: 10, TypedCodeBurst: 10,
			TypedCodeTotalPerMinute: 300, TypedCodeTotalBurst: 300,
		},
		TimeZone: timefmt.DefaultZone,
		TokenExchange: TokenExchangeConfig{
			TokenTTL: Duration{5 * time.Minute}, KeyRotation: Duration{24 * time.Hour},
		},
		Notices: defaultNotices(),
	}
}

// The stores central can keep its state in.
const (
	StoreBadger   = "badger"
	StorePostgres = "postgres"
)

// ParseConfig reads a TOML config over DefaultConfig. Unknown keys are
// refused, so a misspelt setting is never silently ignored.
func ParseConfig(r io.Reader) (Config, error) {
	c := DefaultConfig()
	md, err := toml.NewDecoder(r).Decode(&c)
	if err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return c, fmt.Errorf("config: unknown key(s): %s", strings.Join(keys, ", "))
	}
	return c, nil
}

// Validate checks every value and says which one is wrong.
func (c *Config) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf("config: "+f, a...)) }
	if c.Addr == "" {
		bad("addr is required (host:port)")
	}
	if _, err := timefmt.Load(c.TimeZone); err != nil {
		bad("time_zone: %s", bk.ErrorMessage(err))
	}
	if c.DataDir == "" {
		bad("data_dir is required")
	}
	if c.TrustBundleMaxAge.Duration < time.Minute || c.TrustBundleMaxAge.Duration > 90*24*time.Hour {
		bad("trust_bundle_max_age must be between 1m and 2160h (90 days)")
	}
	if c.MaxDelegationDays < 1 || c.MaxDelegationDays > 10*366 {
		bad("max_delegation_days must be between 1 and 3660")
	}
	if c.UsageRetention < 1 || c.UsageRetention > 120 {
		bad("usage_retention_months must be between 1 and 120")
	}
	if c.ClockSkew.Duration < 0 || c.ClockSkew.Duration > time.Hour {
		bad("clock_skew must be between 0s and 1h")
	}
	if c.MaxBodyBytes < 1<<10 || c.MaxBodyBytes > bk.MaxPushBytes {
		bad("max_body_bytes must be between 1024 and %d", bk.MaxPushBytes)
	}
	if c.MaxPushes < 0 || c.MaxPushes > 10000 {
		bad("max_pushes must be between 0 (4 per CPU) and 10000")
	}
	if c.PushRetryAfter.Duration < time.Second || c.PushRetryAfter.Duration > 5*time.Minute {
		bad("push_retry_after must be between 1s and 5m")
	}
	switch c.Store {
	case StoreBadger:
		if c.PostgresDSN != "" || c.PostgresDSNFile != "" {
			bad("postgres_dsn and postgres_dsn_file need store = %q", StorePostgres)
		}
	case StorePostgres:
		if (c.PostgresDSN == "") == (c.PostgresDSNFile == "") {
			bad("store = %q: give exactly one of postgres_dsn and postgres_dsn_file", StorePostgres)
		}
	default:
		bad("store must be %q or %q, not %q", StoreBadger, StorePostgres, c.Store)
	}
	for i, s := range c.Issuers {
		if _, err := parsePublicKey(s); err != nil {
			bad("issuers[%d]: %v", i, err)
		}
	}
	if c.PublicURL != "" {
		if err := checkPublicURL(c.PublicURL); err != nil {
			bad("public_url: %v", err)
		}
	}
	if c.OIDC.Enabled() {
		switch {
		case c.OIDC.Issuer == "" || c.OIDC.ClientID == "":
			bad("oidc: issuer and client_id are required")
		case c.redirectURL() == "":
			bad("oidc: redirect_url is required when public_url is not set")
		}
		for _, f := range []struct{ name, v string }{{"issuer", c.OIDC.Issuer}, {"redirect_url", c.redirectURL()}} {
			if u, err := url.Parse(f.v); f.v != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
				bad("oidc: %s must be an http(s) URL", f.name)
			}
		}
	}
	errs = append(errs, c.Notices.validate()...)
	rl := c.RateLimits
	if rl.MaxClients < 100 || rl.MaxClients > 10_000_000 {
		bad("rate_limits.max_clients must be between 100 and 10000000")
	}
	for _, l := range []struct {
		name      string
		perMinute float64
		burst     int
	}{{"signin", rl.SignInPerMinute, rl.SignInBurst}, {"auth_failures", rl.AuthFailuresPerMinute, rl.AuthFailuresBurst}, {"enroll", rl.EnrollPerMinute, rl.EnrollBurst},
		{"typed_code", rl.TypedCodePerMinute, rl.TypedCodeBurst}, {"typed_code_total", rl.TypedCodeTotalPerMinute, rl.TypedCodeTotalBurst}} {
		if !(l.perMinute >= 0 && l.perMinute <= 100_000) {
			bad("rate_limits.%s_per_minute must be between 0 (off) and 100000", l.name)
		}
		if l.perMinute > 0 && (l.burst < 1 || l.burst > 100_000) {
			bad("rate_limits.%s_burst must be between 1 and 100000", l.name)
		}
	}
	if te := c.TokenExchange; te.Enabled() {
		if c.PublicURL == "" {
			bad("token_exchange: public_url is required (it is the tokens' issuer)")
		}
		if c.OIDC.Issuer == "" {
			bad("token_exchange: [oidc] issuer is required (the eID broker whose ID tokens services exchange)")
		}
		clients := map[string]bool{}
		for i, cl := range te.Clients {
			switch {
			case cl.Authority == "":
				bad("token_exchange.clients[%d]: authority is required", i)
			case clients[cl.Authority]:
				bad("token_exchange.clients[%d]: %q appears twice", i, cl.Authority)
			case len(cl.BrokerClientIDs) == 0:
				bad("token_exchange client %q: broker_client_ids is required", cl.Authority)
			}
			clients[cl.Authority] = true
		}
	}
	if d := c.TokenExchange.TokenTTL.Duration; d < time.Minute || d > tokenexchange.MaxTokenTTL {
		bad("token_exchange.token_ttl must be between 1m and %v", tokenexchange.MaxTokenTTL)
	}
	if d := c.TokenExchange.KeyRotation.Duration; d < tokenexchange.MinRotation || d > 90*24*time.Hour || d%time.Second != 0 {
		bad("token_exchange.key_rotation must be whole seconds between %v and 2160h (90 days)", tokenexchange.MinRotation)
	}
	seen := map[string]bool{}
	for i, a := range c.Authorities {
		switch {
		case a.ID == "":
			bad("authorities[%d]: id is required", i)
		case seen[a.ID]:
			bad("authorities[%d]: %q appears twice", i, a.ID)
		case (a.TokenSHA256 == "") == (a.TokenFile == ""):
			bad("authority %q: give exactly one of token_sha256 and token_file", a.ID)
		case a.TokenSHA256 != "" && !isSHA256Hex(a.TokenSHA256):
			bad("authority %q: token_sha256 must be 64 hex digits", a.ID)
		}
		seen[a.ID] = true
	}
	return errors.Join(errs...)
}

// checkPublicURL accepts a bare http(s) origin that fits a QR code in
// alphanumeric mode, as handover.URL needs.
func checkPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("must be an http:// or https:// URL such as https://borgerkiosk.example.dk")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return errors.New("must be just scheme and host (and port), with no path, query or user")
	}
	if !handover.IsAlphanumeric(strings.ToUpper(strings.TrimRight(s, "/"))) {
		return errors.New("may only use letters, digits and . - : / (QR alphanumeric mode)")
	}
	return nil
}

func parsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("must be a base64 Ed25519 public key (32 bytes)")
	}
	return ed25519.PublicKey(b), nil
}

func isSHA256Hex(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == 32 && strings.ToLower(s) == s
}

// dsnHasPassword reports whether a PostgreSQL DSN (keyword/value or URL)
// carries a password, which should then come from postgres_dsn_file.
func dsnHasPassword(dsn string) bool {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		_, ok := u.User.Password()
		return ok || u.Query().Has("password")
	}
	for _, f := range strings.Fields(dsn) {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(f)), "password") {
			return true
		}
	}
	return false
}

// Zone is the configured time zone (Validate has checked it).
func (c *Config) Zone() timefmt.Zone {
	z, _ := timefmt.Load(c.TimeZone)
	return z
}

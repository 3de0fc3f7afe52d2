package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// startRun runs the real binary's run on a free port and waits until it
// says where it listens.
func startRun(t *testing.T, args ...string) (url string, out *testtool.Buffer, stop func() error) {
	t.Helper()
	out = &testtool.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), out) }()
	re := regexp.MustCompile(`central listening on (http://\S+)`)
	for url == "" {
		select {
		case err := <-done:
			cancel()
			t.Fatalf("run ended before listening: %v\n%s", err, out)
		case <-time.After(10 * time.Millisecond):
		}
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
	}
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() { cancel(); runErr = <-done })
		return runErr
	}
	t.Cleanup(func() { stop() })
	return url, out, stop
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRun(t *testing.T) {
	data := t.TempDir()
	url, out, stop := startRun(t, "--data", data, "--demo")

	if status, body := get(t, url+"/healthz"); status != 200 || !strings.Contains(body, "ok") {
		t.Errorf("healthz = %d %s; want 200 ok", status, body)
	}
	status, body := get(t, url+"/metrics")
	if status != 200 || !strings.Contains(body, "# TYPE borgerkiosk_central_http_requests_total counter") {
		t.Errorf("metrics = %d; want Prometheus text with the request counter", status)
	}
	// --demo: the handover pages' development sign-in exists and says what it is.
	if status, body := get(t, url+"/handover/dev?state=x"); status != 200 || !strings.Contains(body, "demo") || !strings.Contains(body, `name="cpr"`) {
		t.Errorf("GET /handover/dev with --demo = %d:\n%s", status, body)
	}
	for _, f := range []string{"central.key", "operator.token", "dev-issuer.key", "store.key", "demo-tokens/sundhed.token"} {
		fi, err := os.Stat(filepath.Join(data, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want a 0600 file", f, err, fi.Mode().Perm())
		}
	}
	if !strings.Contains(out.String(), "operator token file: "+filepath.Join(data, "operator.token")) {
		t.Errorf("start-up output does not name the operator token file:\n%s", out)
	}

	// Malformed push, unauthenticated and then from an enrolled kiosk.
	post := func(path, auth string, body []byte) (int, bk.ErrorResponse, []byte) {
		req, _ := http.NewRequest("POST", url+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var e bk.ErrorResponse
		json.Unmarshal(b, &e)
		return resp.StatusCode, e, b
	}
	if status, e, _ := post("/v1/push", "", []byte(`{"kiosk":`)); status != 401 || e.Code != bk.EUnauthorized {
		t.Errorf("unauthenticated malformed push = %d %+v; want 401 JSON", status, e)
	}
	tok := regexp.MustCompile(`demo kiosk enrolment token .*: (\S+)`).FindStringSubmatch(out.String())
	if tok == nil {
		t.Fatalf("no demo enrolment token printed:\n%s", out)
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	enroll, _ := json.Marshal(bk.EnrollRequest{Token: tok[1], KioskID: "demo-1", PublicKey: pub})
	if status, _, b := post("/v1/enroll", "", enroll); status != 200 {
		t.Fatalf("enrol = %d %s", status, b)
	}
	bad := []byte(`{"kiosk":"demo-1","incarnation":"i","actions":[{"seq":1,"envelope":{"kind":7}}]}`)
	if status, e, _ := post("/v1/push", bk.SignKioskRequest("demo-1", key, "POST", "/v1/push", bad, time.Now()), bad); status != 400 || e.Code != bk.EInvalid {
		t.Errorf("malformed push = %d %+v; want 400 invalid", status, e)
	}

	// Demo authorities see their demo consent requests.
	if status, n := demoConsents(t, url, out.String()); status != 200 || n != 2 {
		t.Errorf("sundhed's demo consents = %d, %d; want 200, 2", status, n)
	}
	if regexp.MustCompile(`\d{6}-\d{4}`).MatchString(out.String()) {
		t.Error("a full CPR number reached the output")
	}
	if err := stop(); err != nil {
		t.Errorf("run after cancel = %v; want nil", err)
	}

	// A second start reuses keys and does not load the demo twice.
	keyBefore, _ := os.ReadFile(filepath.Join(data, "central.key"))
	url, out, stop = startRun(t, "--data", data, "--demo")
	keyAfter, _ := os.ReadFile(filepath.Join(data, "central.key"))
	if !bytes.Equal(keyBefore, keyAfter) {
		t.Error("central.key changed on restart")
	}
	if !strings.Contains(out.String(), "added=0") {
		t.Errorf("restart with --demo added consent requests again:\n%s", out)
	}
	stop()
}

func TestRunRefusesBadConfig(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "central.toml")
	os.WriteFile(cfgPath, []byte("clock_skew = \"5m\"\nlisten = \"x\"\n"), 0o600)
	err := run(context.Background(), []string{"--config", cfgPath, "--data", t.TempDir()}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "unknown key(s): listen") {
		t.Errorf("run with an unknown config key = %v; want a clear refusal", err)
	}
	err = run(context.Background(), []string{"--data", t.TempDir(), "stray"}, io.Discard)
	if err == nil {
		t.Error("run with a stray argument succeeded")
	}
}

// The packaged central.toml names no card issuer: central started with it,
// as its unit does, refuses and says what to set, and makes no development
// issuer key. Only --demo makes one.
func TestRunRefusesToStartWithoutIssuer(t *testing.T) {
	data := t.TempDir()
	err := run(context.Background(), []string{"--config", exampleConfig, "--data", data, "--addr", "127.0.0.1:0"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no card issuer is configured: set issuer_files") ||
		!strings.Contains(err.Error(), "only with --demo") {
		t.Errorf("run with the packaged config and no issuer = %v; want a refusal naming issuer_files and --demo", err)
	}
	if _, err := os.Stat(filepath.Join(data, "dev-issuer.key")); !os.IsNotExist(err) {
		t.Errorf("central made a development issuer key without --demo (%v)", err)
	}
}

func TestConfig(t *testing.T) {
	def := DefaultConfig()
	if err := def.Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v", err)
	}
	good := `
addr = "0.0.0.0:9000"
data_dir = "/var/lib/bk"
catalogue = "/etc/bk/catalogue.toml"
issuers = ["` + strings.Repeat("A", 43) + `="]
trust_bundle_max_age = "48h"
max_delegation_days = 365
clock_skew = "2m"
max_body_bytes = 32768
public_url = "https://borgerkiosk.example.dk"

[oidc]
issuer = "https://eid.example.dk"
client_id = "borgerkiosk"
client_secret_file = "/etc/bk/oidc.secret"
cpr_claim = "dk:cpr"
name_claim = "name"

[[authorities]]
id = "sundhed"
token_sha256 = "` + bk.TokenHash("x") + `"

[[authorities]]
id = "skat"
token_file = "/etc/bk/skat.token"
`
	c, err := ParseConfig(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate(good) = %v", err)
	}
	if c.TrustBundleMaxAge.Duration != 48*time.Hour || c.ClockSkew.Duration != 2*time.Minute || len(c.Authorities) != 2 {
		t.Errorf("ParseConfig(good) = %+v", c)
	}
	if !c.Secure() || c.OIDC.CPRClaim != "dk:cpr" || c.redirectURL() != "https://borgerkiosk.example.dk/handover/oidc/callback" {
		t.Errorf("ParseConfig(good): secure %v, oidc %+v, redirect %q", c.Secure(), c.OIDC, c.redirectURL())
	}
	if def.Secure() || def.OIDC.Enabled() {
		t.Error("DefaultConfig has Secure cookies or OIDC on")
	}
	for _, tc := range []struct{ name, in, want string }{
		{"unknown key", `colour = "red"`, "unknown key(s): colour"},
		{"unknown authority key", "[[authorities]]\nid = \"a\"\ntoken = \"x\"\n", "unknown key(s): authorities.token"},
		{"bad duration", `clock_skew = "soon"`, "not a duration"},
		{"syntax", `addr = `, "config:"},
		{"unknown oidc key", "[oidc]\nissuer = \"https://x\"\nsecret = \"s\"\n", "unknown key(s): oidc.secret"},
	} {
		_, err := ParseConfig(strings.NewReader(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseConfig(%s) = %v; want an error containing %q", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"no addr", func(c *Config) { c.Addr = "" }, "addr is required"},
		{"max age", func(c *Config) { c.TrustBundleMaxAge.Duration = time.Second }, "trust_bundle_max_age"},
		{"delegation days", func(c *Config) { c.MaxDelegationDays = 0 }, "max_delegation_days"},
		{"usage retention", func(c *Config) { c.UsageRetention = 0 }, "usage_retention_months"},
		{"reminder days", func(c *Config) { c.Notices.DelegationReminderDays = []int{30, 0} }, "delegation_reminder_days: 0"},
		{"notice attempts", func(c *Config) { c.Notices.MaxAttempts = 0 }, "max_attempts"},
		{"email from", func(c *Config) { c.Notices.Email.Host = "smtp.example.dk" }, "notices: email: from"},
		{"email password", func(c *Config) {
			c.Notices.Email = EmailConfig{Host: "smtp.example.dk", From: "a@example.dk", Username: "u", Timeout: Duration{time.Second}}
		}, "username needs password_file"},
		{"email tls", func(c *Config) {
			c.Notices.Email = EmailConfig{Host: "smtp.example.dk", From: "a@example.dk", TLS: "ssl", Timeout: Duration{time.Second}}
		}, "notices: email: tls"},
		{"skew", func(c *Config) { c.ClockSkew.Duration = 2 * time.Hour }, "clock_skew"},
		{"body", func(c *Config) { c.MaxBodyBytes = 10 }, "max_body_bytes"},
		{"pushes", func(c *Config) { c.MaxPushes = -1 }, "max_pushes"},
		{"retry after", func(c *Config) { c.PushRetryAfter.Duration = time.Millisecond }, "push_retry_after"},
		{"issuer", func(c *Config) { c.Issuers = []string{"nope"} }, "issuers[0]"},
		{"authority without token", func(c *Config) { c.Authorities = []AuthorityConfig{{ID: "a"}} }, "exactly one of"},
		{"authority bad hash", func(c *Config) { c.Authorities = []AuthorityConfig{{ID: "a", TokenSHA256: "abc"}} }, "64 hex"},
		{"public_url not a URL", func(c *Config) { c.PublicURL = "borgerkiosk.dk" }, "public_url: must be an http"},
		{"public_url with a path", func(c *Config) { c.PublicURL = "https://bk.dk/central" }, "public_url: must be just scheme and host"},
		{"public_url not alphanumeric", func(c *Config) { c.PublicURL = "https://bk_1.dk" }, "QR alphanumeric"},
		{"oidc without client", func(c *Config) { c.OIDC.Issuer = "https://eid.dk" }, "issuer and client_id are required"},
		{"oidc without redirect", func(c *Config) { c.OIDC = OIDCConfig{Issuer: "https://eid.dk", ClientID: "bk"} }, "redirect_url is required"},
		{"oidc issuer not a URL", func(c *Config) {
			c.OIDC = OIDCConfig{Issuer: "eid.dk", ClientID: "bk", RedirectURL: "https://bk.dk/handover/oidc/callback"}
		}, "issuer must be an http(s) URL"},
		{"rate limit burst", func(c *Config) { c.RateLimits.EnrollBurst = 0 }, "rate_limits.enroll_burst"},
		{"rate limit rate", func(c *Config) { c.RateLimits.SignInPerMinute = -1 }, "rate_limits.signin_per_minute"},
		{"rate limit clients", func(c *Config) { c.RateLimits.MaxClients = 0 }, "rate_limits.max_clients"},
		{"typed code total burst", func(c *Config) { c.RateLimits.TypedCodeTotalBurst = 0 }, "rate_limits.typed_code_total_burst"},
		{"token exchange without public_url", func(c *Config) {
			c.OIDC.Issuer = "https://eid.dk"
			c.TokenExchange.Clients = []TokenClientConfig{{Authority: "skat", BrokerClientIDs: []string{"s"}}}
		}, "token_exchange: public_url is required"},
		{"token exchange without broker", func(c *Config) {
			c.PublicURL = "https://bk.dk"
			c.TokenExchange.Clients = []TokenClientConfig{{Authority: "skat", BrokerClientIDs: []string{"s"}}}
		}, "token_exchange: [oidc] issuer is required"},
		{"token client without broker ids", func(c *Config) {
			c.TokenExchange.Clients = []TokenClientConfig{{Authority: "skat"}}
		}, "broker_client_ids is required"},
		{"token lifetime", func(c *Config) { c.TokenExchange.TokenTTL.Duration = time.Hour }, "token_exchange.token_ttl"},
		{"key rotation", func(c *Config) { c.TokenExchange.KeyRotation.Duration = time.Minute }, "token_exchange.key_rotation"},
		{"authority twice", func(c *Config) {
			c.Authorities = []AuthorityConfig{{ID: "a", TokenFile: "f"}, {ID: "a", TokenFile: "g"}}
		}, "appears twice"},
	} {
		c := DefaultConfig()
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%s) = %v; want an error containing %q", tc.name, err, tc.want)
		}
	}
}

// demoConsents reads back, over HTTP with the demo token central printed in
// out, the consent requests of the demo authority sundhed.
func demoConsents(t *testing.T, url, out string) (status, n int) {
	t.Helper()
	tok := regexp.MustCompile(`demo authority token sundhed \(Sundhedsstyrelsen\): (\S+)`).FindStringSubmatch(out)
	if tok == nil {
		t.Fatalf("no demo token for sundhed printed:\n%s", out)
	}
	req, _ := http.NewRequest("GET", url+"/v1/authority/consent-requests", nil)
	req.Header.Set("Authorization", "Bearer "+tok[1])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list bk.ConsentList
	json.NewDecoder(resp.Body).Decode(&list)
	return resp.StatusCode, len(list.Consents)
}

// TestRunServesTokenExchange starts the binary with a token exchange
// client: the JWKS is served (the current and the previous period's key),
// a restart publishes the same keys, and so does a replica with another
// data directory holding a copy of central.key (the keys are derived from
// it), while a client without an authority token is refused at start.
func TestRunServesTokenExchange(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "skat.token")
	os.WriteFile(tokenFile, []byte("a-long-enough-authority-token\n"), 0o600)
	cfgPath := filepath.Join(dir, "central.toml")
	issuers := issuerLine(t)
	write := func(authorities string) {
		os.WriteFile(cfgPath, []byte(issuers+`public_url = "https://bk.example.dk"
[oidc]
issuer = "http://127.0.0.1:9/no-broker"
client_id = "borgerkiosk"
`+authorities+`
[[token_exchange.clients]]
authority = "skat"
broker_client_ids = ["skat-web"]
`), 0o600)
	}
	write("[[authorities]]\nid = \"skat\"\ntoken_file = \"" + tokenFile + "\"\n")
	data := filepath.Join(dir, "data")
	kid := func(data string) string {
		url, _, stop := startRun(t, "--config", cfgPath, "--data", data)
		status, body := get(t, url+"/.well-known/jwks.json")
		var set struct {
			Keys []struct {
				Kid string `json:"kid"`
			} `json:"keys"`
		}
		if err := json.Unmarshal([]byte(body), &set); status != 200 || err != nil || len(set.Keys) != 2 {
			t.Fatalf("JWKS = %d %s; want two keys", status, body)
		}
		if status, body := get(t, url+"/.well-known/oauth-authorization-server"); status != 200 || !strings.Contains(body, `"issuer":"https://bk.example.dk"`) {
			t.Errorf("metadata = %d %s; want the public URL as issuer", status, body)
		}
		stop()
		return set.Keys[0].Kid + " " + set.Keys[1].Kid
	}
	first := kid(data)
	if second := kid(data); first != second {
		t.Errorf("kids after a restart = %q; want %q", second, first)
	}
	replica := filepath.Join(dir, "replica")
	os.MkdirAll(replica, 0o700)
	b, _ := os.ReadFile(filepath.Join(data, "central.key"))
	os.WriteFile(filepath.Join(replica, "central.key"), b, 0o600)
	if other := kid(replica); other != first {
		t.Errorf("kids of a replica with the same central.key = %q; want %q", other, first)
	}
	write("")
	err := run(context.Background(), []string{"--config", cfgPath, "--data", data, "--addr", "127.0.0.1:0"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "no [[authorities]] entry") {
		t.Errorf("run with a token client without a token = %v; want a refusal", err)
	}
}

// The typed-code limits are configurable, so that N replicas can share
// the total between them (docs/scaling.md).
func TestTypedCodeLimitsConfig(t *testing.T) {
	c, err := ParseConfig(strings.NewReader("[rate_limits]\ntyped_code_total_per_minute = 100\ntyped_code_total_burst = 50\ntyped_code_per_minute = 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	rl := c.RateLimits.Central()
	if rl.TypedCodeTotal != (central.RateLimit{PerMinute: 100, Burst: 50}) || rl.TypedCode.PerMinute != -1 {
		t.Errorf("typed code limits = %+v and %+v; want 100/50 and off", rl.TypedCodeTotal, rl.TypedCode)
	}
	if d := DefaultConfig().RateLimits.Central(); d.TypedCodeTotal != (central.RateLimit{PerMinute: 300, Burst: 300}) || d.TypedCode != (central.RateLimit{PerMinute: 10, Burst: 10}) {
		t.Errorf("default typed code limits = %+v and %+v; want 300/300 and 10/10 as central's own", d.TypedCodeTotal, d.TypedCode)
	}
}

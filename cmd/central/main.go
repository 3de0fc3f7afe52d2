// Command central is Borgerkiosk's central service: the HTTP/JSON API that
// kiosks push actions to and authorities query, on an embedded Badger store
// or on PostgreSQL (store = "postgres" in the config, or --store postgres).
//
//	central --data DIR --addr 127.0.0.1:8440 [--config FILE] [--store badger|postgres] [--demo]
//
// It needs no set-up: on first start it makes, in DIR, central's signing key
// (central.key, 0600), an operator token (operator.token, 0600), the store's
// encryption key (store.key, 0600), the store (store/), and, with --demo
// when no card issuer is configured, a development issuer key
// (dev-issuer.key). Without --demo it refuses to start with no issuer. With
// PostgreSQL the store is the configured database instead (central creates
// its tables there) and there is no store.key.
//
// It also serves the relative's handover pages (/H/…, /HZ/…, /handover/…),
// where a delegate opens a handover QR code, signs in (OIDC from [oidc] in
// the config; the development form with --demo) and accepts or declines.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Danish time on a machine without /usr/share/zoneinfo

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/catalogue"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/central/handoverweb"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/demo"
	"github.com/borgerkiosk/borgerkiosk/internal/keyfile"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "central:", err)
		os.Exit(1)
	}
}

// run starts the service and serves until ctx ends. Logs and the start-up
// notes (where it listens, token paths) go to stdout.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("central", flag.ContinueOnError)
	fl.SetOutput(stdout)
	dataDir := fl.String("data", "", "data directory (keys, tokens, store); default from config or ./central-data")
	addr := fl.String("addr", "", "listen address host:port; default from config or 127.0.0.1:8440")
	configPath := fl.String("config", "", "TOML config file (optional)")
	storeKind := fl.String("store", "", "where to keep state: badger (embedded, in the data directory) or postgres (postgres_dsn or postgres_dsn_file from the config); default from config or badger")
	demoMode := fl.Bool("demo", false, "load demo consent requests, make demo authority tokens, and let anyone sign in on the handover pages with a typed CPR number (development only)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fl.Args(), " "))
	}
	cfg := DefaultConfig()
	if *configPath != "" {
		f, err := os.Open(*configPath)
		if err != nil {
			return err
		}
		cfg, err = ParseConfig(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", *configPath, err)
		}
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	if *storeKind != "" {
		cfg.Store = *storeKind
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stdout, nil))

	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	dir := func(name string) string { return filepath.Join(cfg.DataDir, name) }
	key, created, err := keyfile.LoadOrCreate(dir("central.key"))
	if err != nil {
		return err
	}
	if created {
		log.Info("made central's signing key", "path", dir("central.key"))
	}
	opToken, err := loadOrCreateToken(dir("operator.token"))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "operator token file: %s\n", dir("operator.token"))

	issuers, err := loadIssuers(&cfg, dir("dev-issuer.key"), *demoMode, log)
	if err != nil {
		return err
	}
	cat, err := loadCatalogue(cfg.Catalogue, log)
	if err != nil {
		return err
	}
	auths, err := loadAuthorities(cfg.Authorities)
	if err != nil {
		return err
	}
	if *demoMode {
		demoAuths, err := demoAuthorities(cat, auths, dir("demo-tokens"), stdout)
		if err != nil {
			return err
		}
		auths = append(auths, demoAuths...)
	}

	pages, err := handoverPages(&cfg, *demoMode, log)
	if err != nil {
		return err
	}

	st, err := openStore(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()

	notices, err := cfg.Notices.central(cfg.Zone())
	if err != nil {
		return err
	}
	srv, err := central.New(central.Config{
		Store: st, Key: key, Catalogue: cat, Issuers: issuers, Authorities: auths,
		OperatorTokenHash:    bk.TokenHash(opToken),
		BundleMaxAge:         cfg.TrustBundleMaxAge.Duration,
		MaxDelegation:        time.Duration(cfg.MaxDelegationDays) * 24 * time.Hour,
		ClockSkew:            cfg.ClockSkew.Duration,
		MaxBodyBytes:         cfg.MaxBodyBytes,
		MaxPushes:            cfg.MaxPushes,
		PushRetryAfter:       cfg.PushRetryAfter.Duration,
		UsageRetentionMonths: cfg.UsageRetention,
		Pages:                servePages(pages),
		IsPagePath:           handoverweb.IsHandoverPath,
		RateLimits:           cfg.RateLimits.Central(),
		Notices:              notices,
		Logger:               log,
	})
	if err != nil {
		return err
	}
	if err := serveTokenExchange(srv, &cfg, auths, dir("token-keys"), key.Seed(), log); err != nil {
		return err
	}
	if *demoMode {
		if err := seedDemo(ctx, st, cat, log); err != nil {
			return err
		}
		tok, exp, err := srv.CreateEnrollToken(ctx, 0)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "demo kiosk enrolment token (one use, until %s): %s\n", exp.Format(time.RFC3339), tok)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	url := "http://" + ln.Addr().String()
	log.Info("central listening", "url", url, "data", cfg.DataDir, "public_url", cfg.PublicURL)
	if cfg.PublicURL == "" {
		log.Warn("public_url is not set: kiosks must be told central's address for handover codes some other way")
	}
	fmt.Fprintf(stdout, "central listening on %s\n", url)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	startWatchdog(ctx, url, log)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdown)
	log.Info("central stopped")
	return err
}

// openStore opens the configured store: Badger in data_dir/store, encrypted
// with data_dir/store.key, or the PostgreSQL database.
func openStore(ctx context.Context, cfg *Config, log *slog.Logger) (central.Store, error) {
	dir := func(name string) string { return filepath.Join(cfg.DataDir, name) }
	if cfg.Store != StorePostgres {
		storeKey, err := loadOrCreateSecret(dir("store.key"), 32)
		if err != nil {
			return nil, err
		}
		st, err := badgerstore.Open(dir("store"), badgerstore.Options{EncryptionKey: storeKey, Logger: log})
		if err != nil {
			return nil, err // not st: a nil *Store in an interface is not nil
		}
		return st, nil
	}
	dsn := cfg.PostgresDSN
	if cfg.PostgresDSNFile != "" {
		b, err := os.ReadFile(cfg.PostgresDSNFile)
		if err != nil {
			return nil, fmt.Errorf("postgres_dsn_file: %w", err)
		}
		if dsn = strings.TrimSpace(string(b)); dsn == "" {
			return nil, fmt.Errorf("postgres_dsn_file: %s is empty", cfg.PostgresDSNFile)
		}
	} else if dsnHasPassword(dsn) {
		log.Warn("postgres_dsn in the config holds a password; keep it in a file central alone can read, named by postgres_dsn_file")
	}
	st, err := postgres.Open(ctx, dsn, postgres.Options{Logger: log})
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	log.Info("store: PostgreSQL")
	return st, nil
}

func loadCatalogue(path string, log *slog.Logger) (*bk.Catalogue, error) {
	if path == "" {
		log.Info("using the built-in demo catalogue (set catalogue in the config for your own)")
		return demo.Catalogue()
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := catalogue.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// loadIssuers reads the card issuers central trusts. With none configured
// it refuses to start, unless --demo: then it trusts a development issuer
// key it makes in the data directory, which must never become a real
// registry's trust root.
func loadIssuers(cfg *Config, devKeyPath string, demo bool, log *slog.Logger) ([]bk.IssuerKey, error) {
	var out []bk.IssuerKey
	for _, s := range cfg.Issuers {
		pub, err := parsePublicKey(s)
		if err != nil {
			return nil, err
		}
		out = append(out, bk.IssuerKey{ID: bk.KeyID(pub), PublicKey: pub})
	}
	for _, p := range cfg.IssuerFiles {
		pub, err := keyfile.LoadPublic(p)
		if err != nil {
			return nil, err
		}
		out = append(out, bk.IssuerKey{ID: bk.KeyID(pub), PublicKey: pub})
	}
	if len(out) > 0 {
		return out, nil
	}
	if !demo {
		return nil, errors.New("no card issuer is configured: set issuer_files (a public key from `kioskctl issuer init`) " +
			"or issuers in the config; only with --demo does central make a development issuer")
	}
	key, created, err := keyfile.LoadOrCreate(devKeyPath)
	if err != nil {
		return nil, err
	}
	pub := key.Public().(ed25519.PublicKey)
	if created {
		if err := keyfile.SavePublic(strings.TrimSuffix(devKeyPath, ".key")+".pub", pub); err != nil {
			return nil, err
		}
	}
	log.Warn("no card issuer configured: trusting the development issuer key; never use this in production",
		"path", devKeyPath, "issuer", bk.KeyID(pub))
	return []bk.IssuerKey{{ID: bk.KeyID(pub), PublicKey: pub}}, nil
}

func loadAuthorities(list []AuthorityConfig) ([]central.AuthorityCredential, error) {
	var out []central.AuthorityCredential
	for _, a := range list {
		h := a.TokenSHA256
		if a.TokenFile != "" {
			b, err := os.ReadFile(a.TokenFile)
			if err != nil {
				return nil, fmt.Errorf("authority %q: %w", a.ID, err)
			}
			tok := strings.TrimSpace(string(b))
			if len(tok) < 16 {
				return nil, fmt.Errorf("authority %q: the token in %s is shorter than 16 characters", a.ID, a.TokenFile)
			}
			h = bk.TokenHash(tok)
		}
		out = append(out, central.AuthorityCredential{ID: a.ID, TokenHash: h})
	}
	return out, nil
}

// demoAuthorities gives every catalogue authority without configured
// credentials a token kept in dir, and prints the tokens.
func demoAuthorities(cat *bk.Catalogue, have []central.AuthorityCredential, dir string, stdout io.Writer) ([]central.AuthorityCredential, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	configured := map[string]bool{}
	for _, a := range have {
		configured[a.ID] = true
	}
	var out []central.AuthorityCredential
	for _, a := range cat.Authorities {
		if configured[a.ID] {
			continue
		}
		tok, err := loadOrCreateToken(filepath.Join(dir, a.ID+".token"))
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "demo authority token %s (%s): %s\n", a.ID, a.Name.DA, tok)
		out = append(out, central.AuthorityCredential{ID: a.ID, TokenHash: bk.TokenHash(tok)})
	}
	return out, nil
}

// seedDemo stores the demo consent requests that are not there yet.
func seedDemo(ctx context.Context, st central.Store, cat *bk.Catalogue, log *slog.Logger) error {
	d, err := demo.Load(cat, time.Now())
	if err != nil {
		return err
	}
	added := 0
	now := time.Now()
	err = st.Update(ctx, func(tx central.Tx) error {
		added = 0
		for _, r := range d.Requests {
			_, err := tx.Consent(r.ID)
			if err == nil {
				continue
			}
			if bk.ErrorCode(err) != bk.ENotFound {
				return err
			}
			if err := tx.PutConsent(bk.NewConsent(r.ID, r.Authority, &r.Request, now)); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range d.Citizens {
		log.Info("demo citizen", "cpr", c.CPR, "name", c.Name)
	}
	log.Info("demo consent requests loaded", "added", added, "total", len(d.Requests))
	return nil
}

// --- key and token files (PEM PKCS #8 / PKIX, as openssl reads them) ---

func loadOrCreateToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return "", err
		}
		tok := base64.RawURLEncoding.EncodeToString(raw)
		return tok, keyfile.WriteNew(path, []byte(tok+"\n"))
	}
	if err != nil {
		return "", err
	}
	tok := strings.TrimSpace(string(b))
	if len(tok) < 16 {
		return "", fmt.Errorf("%s: the token is shorter than 16 characters", path)
	}
	return tok, nil
}

func loadOrCreateSecret(path string, n int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b = make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		return b, keyfile.WriteNew(path, b)
	}
	if err != nil {
		return nil, err
	}
	if len(b) != n {
		return nil, fmt.Errorf("%s: want %d bytes, found %d", path, n, len(b))
	}
	return b, nil
}

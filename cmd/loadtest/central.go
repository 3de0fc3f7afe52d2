package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/badgerstore"
	"github.com/borgerkiosk/borgerkiosk/central/postgres"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/internal/keyfile"
	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
)

// The authorities the checks run as, and what they ask about: each may
// ask about these in the demo catalogue.
const (
	consentAuthority, consentCategory = "sundhed", "health"
	delegAuthority, delegScope        = "skat", "tax"
)

// target is the central under load and what the tool needs to talk to it.
type target struct {
	URL           string
	OperatorToken string
	AuthTokens    map[string]string
	Issuer        *fixture.Issuer
	DSN           string // central's database, when PostgreSQL and known

	proc    *exec.Cmd // central, when the tool started it
	bouncer *bouncer  // between central and PostgreSQL, with -pgbouncer
	dataDir string
	pgData  string // the temporary cluster's data directory
	stops   []func() error
}

// open starts (or finds) central, and PostgreSQL when asked for.
func open(ctx context.Context, o *Options, tmp string, progress func(string, ...any)) (*target, error) {
	t := &target{AuthTokens: map[string]string{}}
	if o.CentralURL != "" {
		return t, t.external(o)
	}
	if o.Store == "postgres" {
		t.DSN = o.DSN
		if t.DSN == "" {
			progress("starting a temporary PostgreSQL cluster")
			dsn, data, stop, err := pgtest.Start()
			if err != nil {
				return nil, err
			}
			t.DSN, t.pgData = dsn, data
			t.stops = append(t.stops, stop)
		}
	}
	centralDSN := t.DSN
	if o.PgBouncer {
		progress("starting pgbouncer (transaction mode, %d server connections)", o.BouncerPool)
		b, err := startBouncer(filepath.Join(tmp, "pgbouncer"), t.DSN, o.BouncerPool)
		if err != nil {
			t.close()
			return nil, err
		}
		t.bouncer = b
		t.stops = append(t.stops, b.stop)
		centralDSN = b.DSN + fmt.Sprintf(" pool_max_conns=%d", o.Concurrency)
	}
	bin, err := centralBinary(o.CentralBin)
	if err != nil {
		t.close()
		return nil, err
	}
	if err := t.start(ctx, o, bin, tmp, centralDSN); err != nil {
		t.close()
		return nil, err
	}
	return t, nil
}

func centralBinary(flagged string) (string, error) {
	if flagged != "" {
		return flagged, nil
	}
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), "central"); isExecutable(p) {
			return p, nil
		}
	}
	p, err := exec.LookPath("central")
	if err != nil {
		return "", errors.New("no central binary: give -central-bin (make build puts one in bin/) or -central URL")
	}
	return p, nil
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// start runs the central binary on a free port with a config of the
// tool's own: its card issuer, authority tokens, no enrolment limit.
func (t *target) start(ctx context.Context, o *Options, bin, tmp, dsn string) error {
	t.dataDir = filepath.Join(tmp, "central")
	if err := os.MkdirAll(t.dataDir, 0o700); err != nil {
		return err
	}
	t.Issuer = fixture.NewIssuer()
	issuerPub := filepath.Join(tmp, "issuer.pub")
	if err := keyfile.SavePublic(issuerPub, t.Issuer.Key.Public().(ed25519.PublicKey)); err != nil {
		return err
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "addr = %q\ndata_dir = %q\nissuer_files = [%q]\nstore = %q\n", "127.0.0.1:0", t.dataDir, issuerPub, o.Store)
	if o.Store == "postgres" {
		fmt.Fprintf(&cfg, "postgres_dsn = %q\n", dsn)
	}
	for _, id := range []string{consentAuthority, delegAuthority} {
		tok := id + "-" + bk.NewID(time.Now())
		t.AuthTokens[id] = tok
		fmt.Fprintf(&cfg, "[[authorities]]\nid = %q\ntoken_sha256 = %q\n", id, bk.TokenHash(tok))
	}
	// Every kiosk enrols from this one address.
	cfg.WriteString("[rate_limits]\nenroll_per_minute = 0\n")
	conf := filepath.Join(tmp, "central.toml")
	if err := os.WriteFile(conf, []byte(cfg.String()), 0o600); err != nil {
		return err
	}
	log, err := os.Create(filepath.Join(tmp, "central.log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "--config", conf)
	out, err := cmd.StdoutPipe()
	if err != nil {
		log.Close()
		return err
	}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		log.Close()
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	t.proc = cmd
	url := make(chan string, 1)
	go func() {
		defer log.Close()
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(log, line)
			if u, ok := strings.CutPrefix(line, "central listening on "); ok {
				select {
				case url <- strings.TrimSpace(u):
				default:
				}
			}
		}
	}()
	select {
	case t.URL = <-url:
	case <-time.After(2 * time.Minute):
		return fmt.Errorf("central did not say where it listens within 2 minutes; see %s", log.Name())
	case <-ctx.Done():
		return ctx.Err()
	}
	tok, err := os.ReadFile(filepath.Join(t.dataDir, "operator.token"))
	if err != nil {
		return err
	}
	t.OperatorToken = strings.TrimSpace(string(tok))
	return nil
}

// external reads what -central mode needs from the flagged files.
func (t *target) external(o *Options) error {
	t.URL = strings.TrimRight(o.CentralURL, "/")
	read := func(p string) (string, error) {
		b, err := os.ReadFile(p)
		return strings.TrimSpace(string(b)), err
	}
	var err error
	if t.OperatorToken, err = read(o.OperatorTok); err != nil {
		return err
	}
	key, err := keyfile.LoadPrivate(o.IssuerKey)
	if err != nil {
		return err
	}
	t.Issuer = &fixture.Issuer{Key: key}
	for _, kv := range strings.Split(o.AuthTokens, ",") {
		id, file, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("-authority-tokens: %q is not ID=FILE", kv)
		}
		if t.AuthTokens[id], err = read(file); err != nil {
			return err
		}
	}
	for _, id := range []string{consentAuthority, delegAuthority} {
		if t.AuthTokens[id] == "" {
			return fmt.Errorf("-authority-tokens: no token for %s", id)
		}
	}
	t.DSN = o.DSN
	return nil
}

// stopCentral ends the central the tool started (SIGTERM, then a
// graceful shutdown), so its store can be opened to check what it kept.
func (t *target) stopCentral() error {
	if t.proc == nil || t.proc.Process == nil {
		return nil
	}
	p := t.proc
	t.proc = nil
	p.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return fmt.Errorf("central exited: %v (see %s)", err, filepath.Join(filepath.Dir(t.dataDir), "central.log"))
		}
		return err
	case <-time.After(time.Minute):
		p.Process.Kill()
		<-done
		return errors.New("central did not stop within a minute of SIGTERM")
	}
}

func (t *target) close() {
	t.stopCentral()
	for i := len(t.stops) - 1; i >= 0; i-- {
		t.stops[i]()
	}
}

// pid is central's process id, 0 when it runs elsewhere.
func (t *target) pid() int {
	if t.proc == nil || t.proc.Process == nil {
		return 0
	}
	return t.proc.Process.Pid
}

// postmasterPID reads the temporary cluster's server process id.
func (t *target) postmasterPID() int {
	if t.pgData == "" {
		return 0
	}
	b, err := os.ReadFile(filepath.Join(t.pgData, "postmaster.pid"))
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return n
}

// openStore opens the store of the stopped central, to check what it kept.
func (t *target) openStore(ctx context.Context, o *Options) (central.Store, error) {
	if o.Store == "postgres" {
		st, err := postgres.Open(ctx, t.DSN, postgres.Options{})
		if err != nil {
			return nil, err
		}
		return st, nil
	}
	key, err := os.ReadFile(filepath.Join(t.dataDir, "store.key"))
	if err != nil {
		return nil, err
	}
	st, err := badgerstore.Open(filepath.Join(t.dataDir, "store"), badgerstore.Options{EncryptionKey: key})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// call sends a JSON request with a bearer token and decodes the answer.
func call(ctx context.Context, hc *http.Client, method, url, token string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%s %s: %s %s", method, url, resp.Status, bytes.TrimSpace(b[:min(len(b), 200)]))
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}

package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/internal/pgtest"
)

// TestMain stops the private PostgreSQL cluster that pgtest starts for the
// tests of --store postgres when BK_POSTGRES_DSN is not set. Started by
// TestReplicas as a central process, the test binary is central instead.
func TestMain(m *testing.M) {
	runAsCentral()
	pgtest.Main(m)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// central runs on PostgreSQL as on Badger: the demo loads once, a restart
// finds it, and no Badger store or store key is made.
func TestRunPostgres(t *testing.T) {
	data := t.TempDir()
	cfg := writeFile(t, "central.toml", "store = \"postgres\"\npostgres_dsn_file = \""+writeFile(t, "dsn", pgtest.NewSchema(t)+"\n")+"\"\n")
	for i, want := range []string{"added=6 total=6", "added=0 total=6"} {
		url, out, stop := startRun(t, "--data", data, "--config", cfg, "--demo")
		if status, body := get(t, url+"/healthz"); status != 200 || !strings.Contains(body, "ok") {
			t.Errorf("start %d: healthz = %d %s; want 200 ok", i, status, body)
		}
		if !strings.Contains(out.String(), "store: PostgreSQL") || !strings.Contains(out.String(), want) {
			t.Errorf("start %d: output does not say it uses PostgreSQL and %s:\n%s", i, want, out)
		}
		// An authority reads its demo consent requests back over HTTP.
		if status, n := demoConsents(t, url, out.String()); status != 200 || n != 2 {
			t.Errorf("start %d: sundhed's demo consents = %d, %d; want 200, 2", i, status, n)
		}
		if err := stop(); err != nil {
			t.Errorf("start %d: run after cancel = %v", i, err)
		}
	}
	for _, f := range []string{"store", "store.key"} {
		if _, err := os.Stat(filepath.Join(data, f)); err == nil {
			t.Errorf("%s made with store = postgres", f)
		}
	}
}

// A wrong or unreachable database stops the start with an error that says
// what is wrong, never a panic or a password.
func TestRunPostgresBadDSN(t *testing.T) {
	refused := "host=127.0.0.1 port=1 user=bk password=hunter2 dbname=bk connect_timeout=5"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"refused", []string{"--store", "postgres", "--config", writeFile(t, "c.toml", "postgres_dsn_file = \""+writeFile(t, "dsn", refused)+"\"\n")},
			`store: postgres: connect to database "bk" on 127.0.0.1:1`},
		{"syntax", []string{"--config", writeFile(t, "c.toml", "store = \"postgres\"\npostgres_dsn = \"port=x password=hunter2\"\n")},
			"store: postgres: bad DSN"},
		{"missing file", []string{"--config", writeFile(t, "c.toml", "store = \"postgres\"\npostgres_dsn_file = \"/nonexistent/dsn\"\n")},
			"postgres_dsn_file: open /nonexistent/dsn"},
		{"empty file", []string{"--config", writeFile(t, "c.toml", "store = \"postgres\"\npostgres_dsn_file = \""+writeFile(t, "dsn", "\n")+"\"\n")},
			"is empty"},
		{"no dsn", []string{"--store", "postgres"}, "give exactly one of postgres_dsn and postgres_dsn_file"},
		{"unknown store", []string{"--store", "mysql"}, `store must be "badger" or "postgres", not "mysql"`},
	} {
		// --demo: the development issuer, so the start gets as far as the store.
		err := run(context.Background(), append([]string{"--data", t.TempDir(), "--addr", "127.0.0.1:0", "--demo"}, tc.args...), io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("run(%s) = %v; want an error containing %q and no password", tc.name, err, tc.want)
		}
	}
}

func TestStoreConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want string // "" for valid
	}{
		{"default badger", func(c *Config) {}, ""},
		{"postgres with dsn", func(c *Config) { c.Store, c.PostgresDSN = StorePostgres, "dbname=bk" }, ""},
		{"postgres with file", func(c *Config) { c.Store, c.PostgresDSNFile = StorePostgres, "/etc/bk/dsn" }, ""},
		{"postgres with both", func(c *Config) {
			c.Store, c.PostgresDSN, c.PostgresDSNFile = StorePostgres, "dbname=bk", "/etc/bk/dsn"
		}, "exactly one of"},
		{"dsn with badger", func(c *Config) { c.PostgresDSN = "dbname=bk" }, `need store = "postgres"`},
		{"empty store", func(c *Config) { c.Store = "" }, "store must be"},
	} {
		c := DefaultConfig()
		tc.edit(&c)
		err := c.Validate()
		if (tc.want == "" && err != nil) || (tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want))) {
			t.Errorf("Validate(%s) = %v; want %q", tc.name, err, tc.want)
		}
	}
	c, err := ParseConfig(strings.NewReader("store = \"postgres\"\npostgres_dsn_file = \"/etc/bk/dsn\"\n"))
	if err != nil || c.Store != StorePostgres || c.PostgresDSNFile != "/etc/bk/dsn" {
		t.Errorf("ParseConfig(store) = %+v, %v", c, err)
	}
	for _, tc := range []struct {
		dsn  string
		want bool
	}{
		{"host=db dbname=bk user=bk", false},
		{"host=db password=s3cret", true},
		{"host=db password = s3cret", true},
		{"postgres://bk@db/bk", false},
		{"postgres://bk:s3cret@db/bk", true},
		{"postgresql://db/bk?password=s3cret", true},
	} {
		if got := dsnHasPassword(tc.dsn); got != tc.want {
			t.Errorf("dsnHasPassword(%q) = %v; want %v", tc.dsn, got, tc.want)
		}
	}
}

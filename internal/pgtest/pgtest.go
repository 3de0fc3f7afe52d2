// Package pgtest gives tests a fresh PostgreSQL database on a real server.
//
// With BK_POSTGRES_DSN set (a DSN of a role allowed to CREATE DATABASE),
// databases are made on that server. Otherwise the first test that asks
// starts a private cluster for the test binary, and Main stops it:
//
//   - initdb and pg_ctl are looked for under /usr/lib/postgresql/*/bin
//     (Debian's package "postgresql", which scripts/deps.sh installs). When
//     they are absent the test is skipped, or fails under CI or
//     BK_REQUIRE_TOOLS, as testtool.RequireFiles does.
//   - The data directory is a new directory under os.TempDir(). initdb
//     refuses to run as root, so as root the directory is given to the
//     "postgres" OS user (made by the Debian package) and initdb and pg_ctl
//     run through "runuser -u postgres --".
//   - The server listens on 127.0.0.1 at a free port, with its Unix socket in
//     the same directory (never /var/run/postgresql, which may belong to a
//     system cluster), trust authentication for the superuser "postgres".
//   - Durability is off (fsync, synchronous_commit, full_page_writes) and
//     shared_buffers small: the data dies with the test, and start-up and
//     CREATE DATABASE stay fast.
//   - Main stops it (pg_ctl -m immediate) and removes the directory after
//     the tests. A test binary that is killed leaves the server running;
//     its directory name starts with "bk-pgtest-".
//
// NewDatabase makes a database from template0, NewSchema a schema in the
// admin database (much quicker); either is dropped when the test ends. pgx is used here only to send CREATE and DROP DATABASE.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
	"github.com/jackc/pgx/v5"
)

// Main runs the tests and then stops the private cluster, if one was
// started. Call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	shared.mu.Lock()
	if shared.c != nil {
		if err := shared.c.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	shared.mu.Unlock()
	os.Exit(code)
}

var shared struct {
	mu  sync.Mutex
	c   *cluster
	err error // why the cluster could not start; not retried
}

var counter atomic.Int64

// NewDatabase makes an empty database and returns its DSN; the database is
// dropped when tb ends. It starts the private cluster on first use.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	admin := AdminDSN(tb)
	name := fmt.Sprintf("bk_test_%d_%d", os.Getpid(), counter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		tb.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	// FILE_COPY with fsync off is several times faster than the default
	// WAL_LOG strategy for a database this small.
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8' STRATEGY FILE_COPY"); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			tb.Logf("pgtest: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("pgtest: drop %s: %v", name, err)
		}
	})
	return WithDatabase(admin, name)
}

// NewSchema makes an empty schema in the admin database and returns a DSN
// whose search_path is that schema; the schema is dropped when tb ends.
// Far quicker than NewDatabase (a few milliseconds against a quarter of a
// second), for tests that only need empty tables of their own.
func NewSchema(tb testing.TB) string {
	tb.Helper()
	admin := AdminDSN(tb)
	name := fmt.Sprintf("bk_test_%d_%d", os.Getpid(), counter.Add(1))
	exec := func(sql string) error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := exec("CREATE SCHEMA " + name); err != nil {
		tb.Fatalf("pgtest: create schema: %v", err)
	}
	tb.Cleanup(func() {
		if err := exec("DROP SCHEMA IF EXISTS " + name + " CASCADE"); err != nil {
			tb.Logf("pgtest: drop schema %s: %v", name, err)
		}
	})
	return WithSearchPath(admin, name)
}

// AdminDSN returns the DSN of a superuser connection: BK_POSTGRES_DSN, or
// the private cluster's (started on first use).
func AdminDSN(tb testing.TB) string {
	tb.Helper()
	if dsn := os.Getenv("BK_POSTGRES_DSN"); dsn != "" {
		return dsn
	}
	bin := findBin(tb)
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.c == nil && shared.err == nil {
		shared.c, shared.err = start(bin)
	}
	if shared.err != nil {
		tb.Fatalf("pgtest: private PostgreSQL cluster: %v", shared.err)
	}
	return shared.c.dsn("postgres")
}

// WithDatabase returns dsn (URL or keyword/value form) naming database db.
func WithDatabase(dsn, db string) string {
	if u, ok := parseURL(dsn); ok {
		u.Path = "/" + db
		return u.String()
	}
	// In keyword/value form the last setting of a keyword wins.
	return dsn + " dbname=" + db
}

// WithSearchPath returns dsn with its search_path set to schema, so that
// unqualified table names are made and found there.
func WithSearchPath(dsn, schema string) string {
	if u, ok := parseURL(dsn); ok {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

func parseURL(dsn string) (*url.URL, bool) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return nil, false
	}
	u, err := url.Parse(dsn)
	return u, err == nil
}

// findBin returns the newest /usr/lib/postgresql/<version>/bin holding
// initdb and pg_ctl; it skips (or fails under CI) when there is none.
func findBin(tb testing.TB) string {
	tb.Helper()
	if d := newestBin(); d != "" {
		return d
	}
	// Skips, or fails under CI, naming the missing file.
	testtool.RequireFiles(tb, "/usr/lib/postgresql/*/bin/initdb")
	return ""
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

type cluster struct {
	bin, dir string
	port     int
	asUser   []string // command prefix running as the postgres OS user, or nil
}

func (c *cluster) dsn(db string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=postgres dbname=%s sslmode=disable connect_timeout=10", c.port, db)
}

func start(bin string) (*cluster, error) {
	dir, err := os.MkdirTemp("", "bk-pgtest-")
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: dir}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir)
		}
	}()
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, initdb needs the postgres OS user (made by the Debian package postgresql): %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			return nil, fmt.Errorf("running as root, initdb must run as the postgres OS user: %w", err)
		}
		c.asUser = []string{runuser, "-u", "postgres", "--"}
	}
	data := filepath.Join(dir, "data")
	if out, err := c.cmd("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	conf := fmt.Sprintf(`
listen_addresses = '127.0.0.1'
unix_socket_directories = '%s'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 16MB
max_connections = 60
max_wal_size = 256MB
log_min_messages = warning
`, dir)
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	// The free port is found by binding and closing it, so another process
	// could take it before the server binds: try a few ports.
	for attempt := 1; ; attempt++ {
		if c.port, err = freePort(); err != nil {
			return nil, err
		}
		out, err := c.cmd("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60",
			"-o", "-p "+strconv.Itoa(c.port), "start").CombinedOutput()
		if err == nil {
			break
		}
		if attempt == 3 {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
		}
	}
	ok = true
	return c, nil
}

func (c *cluster) cmd(name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, c.asUser...), filepath.Join(c.bin, name)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir // the postgres user may not be allowed into the test's working directory
	return cmd
}

func (c *cluster) stop() error {
	out, err := c.cmd("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, out)
	}
	return os.RemoveAll(c.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Start starts a private cluster, as for tests but outside any (cmd/loadtest
// measures against one): its superuser DSN, its data directory (where
// postmaster.pid names the server's process) and a function that stops it
// and removes the directory.
func Start() (dsn, dataDir string, stop func() error, err error) {
	bin := newestBin()
	if bin == "" {
		return "", "", nil, fmt.Errorf("no PostgreSQL server programs (initdb, pg_ctl) under /usr/lib/postgresql/*/bin: apt-get install postgresql")
	}
	c, err := start(bin)
	if err != nil {
		return "", "", nil, err
	}
	return c.dsn("postgres"), filepath.Join(c.dir, "data"), c.stop, nil
}

// newestBin returns the newest /usr/lib/postgresql/<version>/bin holding
// initdb and pg_ctl, or "".
func newestBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isFile(filepath.Join(d, "initdb")) && isFile(filepath.Join(d, "pg_ctl")) {
			return d
		}
	}
	return ""
}

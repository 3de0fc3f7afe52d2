package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// bouncer is a pgbouncer (Debian's package) in transaction mode in front
// of the temporary cluster, started for -pgbouncer.
type bouncer struct {
	cmd *exec.Cmd
	DSN string // what central connects to
}

// startBouncer runs pgbouncer on a free port, pooling at most poolSize
// server connections for any number of clients. PgBouncer refuses to run
// as root, so as root it runs as the postgres OS user.
func startBouncer(dir, serverDSN string, poolSize int) (*bouncer, error) {
	bin, err := exec.LookPath("pgbouncer")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/pgbouncer"); serr != nil {
			return nil, errors.New("-pgbouncer: no pgbouncer program (apt-get install pgbouncer)")
		}
		bin = "/usr/sbin/pgbouncer"
	}
	sc, err := pgconn.ParseConfig(serverDSN)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var prefix []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("-pgbouncer as root needs the postgres OS user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		// The tool's temporary directory is root's; pgbouncer must reach
		// its own directory inside it.
		os.Chmod(filepath.Dir(dir), 0o755)
		prefix = []string{"runuser", "-u", "postgres", "--"}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	ini := fmt.Sprintf(`[databases]
* = host=%s port=%d
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = %d
max_client_conn = 1000
ignore_startup_parameters = extra_float_digits
logfile = %s
pidfile =
`, sc.Host, sc.Port, port, filepath.Join(dir, "userlist.txt"), poolSize, filepath.Join(dir, "pgbouncer.log"))
	if err := os.WriteFile(filepath.Join(dir, "userlist.txt"), []byte(fmt.Sprintf("%q \"\"\n", sc.User)), 0o644); err != nil {
		return nil, err
	}
	iniPath := filepath.Join(dir, "pgbouncer.ini")
	if err := os.WriteFile(iniPath, []byte(ini), 0o644); err != nil {
		return nil, err
	}
	argv := append(prefix, bin, iniPath)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &bouncer{cmd: cmd,
		// Transaction pooling hands each transaction any server
		// connection, so central's statements must not rely on ones
		// prepared by name on an earlier one (pgbouncer 1.18 does not
		// track them): unnamed statements with descriptions cached in
		// the client. (exec and simple_protocol send central's []byte
		// documents as bytea, which a json column refuses.)
		DSN: fmt.Sprintf("host=127.0.0.1 port=%d user=%s dbname=%s sslmode=disable connect_timeout=10 default_query_exec_mode=cache_describe", port, sc.User, sc.Database)}
	for deadline := time.Now().Add(30 * time.Second); ; {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return b, nil
		}
		if time.Now().After(deadline) {
			b.stop()
			log, _ := os.ReadFile(filepath.Join(dir, "pgbouncer.log"))
			return nil, fmt.Errorf("pgbouncer did not listen within 30 s: %s", log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *bouncer) pid() int {
	if b == nil || b.cmd.Process == nil {
		return 0
	}
	return b.cmd.Process.Pid
}

func (b *bouncer) stop() error {
	if b.cmd.Process == nil {
		return nil
	}
	// SIGTERM is pgbouncer's immediate shutdown (SIGINT waits for
	// clients); runuser passes it on.
	b.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- b.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		b.cmd.Process.Kill()
		return errors.New("pgbouncer did not stop within 10 s of SIGTERM")
	}
}

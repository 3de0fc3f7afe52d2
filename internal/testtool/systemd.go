package testtool

import (
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Systemd listens where NOTIFY_SOCKET points, as systemd does for a
// Type=notify service (a Unix datagram socket), and sets NOTIFY_SOCKET for
// the test. With watchdog > 0 it also sets WATCHDOG_USEC, as WatchdogSec=
// does. Next returns the next message ("READY=1", "WATCHDOG=1"), failing the
// test if none comes within WaitTimeout.
func Systemd(tb testing.TB, watchdog time.Duration) (conn *net.UnixConn, next func() string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	tb.Setenv("NOTIFY_SOCKET", path)
	tb.Setenv("WATCHDOG_PID", "")
	if watchdog > 0 {
		tb.Setenv("WATCHDOG_USEC", strconv.FormatInt(watchdog.Microseconds(), 10))
	}
	next = func() string {
		tb.Helper()
		conn.SetReadDeadline(time.Now().Add(WaitTimeout))
		buf := make([]byte, 256)
		n, err := conn.Read(buf)
		if err != nil {
			tb.Fatalf("systemd got no further notify message: %v", err)
		}
		return string(buf[:n])
	}
	return conn, next
}

// Notified returns the messages that reach conn (from Systemd) within wait,
// or with wait 0 those that have already arrived: "nothing came in that
// time" is how a test sees pings stop.
func Notified(tb testing.TB, conn *net.UnixConn, wait time.Duration) []string {
	tb.Helper()
	var out []string
	buf := make([]byte, 256)
	deadline := time.Now().Add(wait)
	for {
		conn.SetReadDeadline(deadline)
		n, err := conn.Read(buf)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return out
		}
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, string(buf[:n]))
	}
}

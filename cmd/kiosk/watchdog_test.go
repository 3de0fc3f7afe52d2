package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// The kiosk says READY=1 and pings through fyne.Do, here Fyne's test
// driver. (That a hung UI thread stops the pings is
// TestWatchdogStopsWhenTheRealUIThreadHangs below, and internal/watchdog's
// TestPingsStopWhileTheUIThreadHangs: the test driver runs fyne.Do's
// function at once, so it cannot hang.)
func TestKioskNotifiesSystemdThroughFyne(t *testing.T) {
	test.NewTempApp(t)
	_, next := testtool.Systemd(t, 40*time.Millisecond) // pings every 20 ms
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startWatchdog(ctx, slog.New(slog.DiscardHandler))
	got := []string{next(), next(), next()}
	if got[0] != "READY=1" || got[1] != "WATCHDOG=1" || got[2] != "WATCHDOG=1" {
		t.Errorf("systemd got %q; want READY=1, then WATCHDOG=1 pings", got)
	}
}

// TestWatchdogStopsWhenTheRealUIThreadHangs runs the real kiosk (cgo, its
// GLFW window under Xvfb) with a fake NOTIFY_SOCKET, as systemd would start
// it: READY=1, then pings. When its UI thread blocks in a function fyne.Do
// gave it (the soak build's remote control hangs it, as a deadlocked
// screen would), the pings stop and the journal says why, so systemd's
// WatchdogSec= restarts the kiosk; released, they resume. make appliance
// runs it (BK_APPLIANCE): it builds the soak kiosk.
func TestWatchdogStopsWhenTheRealUIThreadHangs(t *testing.T) {
	if os.Getenv("BK_APPLIANCE") == "" {
		t.Skip("builds and runs the real kiosk: make appliance runs it")
	}
	conn, next := testtool.Systemd(t, 400*time.Millisecond) // a ping every 200 ms
	// The socket for the kiosk only: Xvfb says READY=1 too.
	env := []string{"NOTIFY_SOCKET=" + os.Getenv("NOTIFY_SOCKET"), "WATCHDOG_USEC=" + os.Getenv("WATCHDOG_USEC"),
		// systemd names the unit's main process; the kiosk is its child
		// (of cage there, of this test here).
		"WATCHDOG_PID=" + strconv.Itoa(os.Getpid())}
	t.Setenv("NOTIFY_SOCKET", "")
	sock := filepath.Join(t.TempDir(), "remote.sock")
	rk := startRealKiosk(t, realKioskOptions{tags: "soak", env: append(env, "BK_REMOTE_SOCKET="+sock)})
	ctl := dialRemote(t, sock, rk)

	if got := next(); got != "READY=1" {
		t.Fatalf("the kiosk's first notification was %q; want READY=1\n%s", got, rk.logs())
	}
	for range 3 {
		if got := next(); got != "WATCHDOG=1" {
			t.Fatalf("the kiosk sent %q; want WATCHDOG=1 pings\n%s", got, rk.logs())
		}
	}

	ctl.do("hang")
	testtool.Notified(t, conn, 0) // pings sent before the UI thread stuck
	testtool.Until(t, "the kiosk's log line that its pings stalled", func() bool {
		return strings.Contains(rk.logs(), "the thread that sends it is stuck")
	})
	// Ten more intervals, and still nothing: systemd would have restarted it.
	if got := testtool.Notified(t, conn, 2*time.Second); len(got) > 0 {
		t.Fatalf("while the UI thread hung the kiosk sent %q; want nothing", got)
	}

	ctl.do("release")
	if got := next(); got != "WATCHDOG=1" {
		t.Fatalf("after the UI thread went on the kiosk sent %q; want WATCHDOG=1", got)
	}
	testtool.Until(t, "the kiosk's log line that its pings resumed", func() bool {
		return strings.Contains(rk.logs(), "watchdog: pings resumed")
	})
}

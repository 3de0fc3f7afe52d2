package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// The kiosk says READY=1 and pings through fyne.Do, here Fyne's test
// driver. (That a hung UI thread stops the pings is
// internal/watchdog's TestPingsStopWhileTheUIThreadHangs: the test
// driver runs fyne.Do's function at once, so it cannot hang.)
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

package main

import (
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

// Under systemd (Type=notify, WatchdogSec=) central says READY=1 once it
// listens and then pings the watchdog.
func TestCentralNotifiesSystemd(t *testing.T) {
	_, next := testtool.Systemd(t, 40*time.Millisecond) // pings every 20 ms
	startRun(t, "--data", t.TempDir(), "--demo")
	got := []string{next(), next(), next()}
	if got[0] != "READY=1" || got[1] != "WATCHDOG=1" || got[2] != "WATCHDOG=1" {
		t.Errorf("systemd got %q; want READY=1, then WATCHDOG=1 pings", got)
	}
}

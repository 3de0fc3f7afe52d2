package main

import (
	"context"
	"log/slog"

	"fyne.io/fyne/v2"

	"github.com/borgerkiosk/borgerkiosk/internal/watchdog"
)

// startWatchdog tells systemd (Type=notify, through cage: NotifyAccess=all)
// that the kiosk's window is up, and pings its watchdog from the UI thread:
// each ping is sent by a function fyne.Do runs there, so a hung UI (a
// deadlock, an endless layout) stops the pings and systemd restarts the
// kiosk.
func startWatchdog(ctx context.Context, log *slog.Logger) {
	watchdog.Start(ctx, fyne.Do, log)
}

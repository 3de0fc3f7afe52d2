// Package watchdog speaks systemd's notify protocol for the services
// (Type=notify, WatchdogSec= in packaging/systemd): READY=1 once a service
// is up, and WATCHDOG=1 pings while the part that matters is alive. It is
// the one user of github.com/coreos/go-systemd/v22. Outside systemd (no
// NOTIFY_SOCKET) every call does nothing.
package watchdog

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// Ready tells systemd the service has started. It reports whether systemd
// was told (false outside systemd).
func Ready() (bool, error) {
	return daemon.SdNotify(false, daemon.SdNotifyReady)
}

// Interval is how often to ping: half of the unit's WatchdogSec, as
// sd_watchdog_enabled(3) advises, or 0 when the watchdog is off.
//
// systemd names the unit's main process in WATCHDOG_PID, and
// sd_watchdog_enabled ignores the watchdog in any other process. The kiosk
// is not its unit's main process but cage's child (the unit allows it with
// NotifyAccess=all), so a WATCHDOG_PID naming the parent counts too.
func Interval() (time.Duration, error) {
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" && pid == strconv.Itoa(os.Getppid()) {
		usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
		if err != nil || usec <= 0 {
			return 0, fmt.Errorf("WATCHDOG_USEC %q: want a positive number of microseconds", os.Getenv("WATCHDOG_USEC"))
		}
		return time.Duration(usec) * time.Microsecond / 2, nil
	}
	d, err := daemon.SdWatchdogEnabled(false)
	return d / 2, err
}

// Start tells systemd the service is ready and, when the unit has
// WatchdogSec=, pings through do (see Run) until ctx ends.
func Start(ctx context.Context, do func(func()), log *slog.Logger) {
	log = log.With("component", "watchdog")
	if _, err := Ready(); err != nil {
		log.Warn("telling systemd the service is ready", "err", err)
	}
	interval, err := Interval()
	if err != nil {
		log.Warn("reading the watchdog interval", "err", err)
	}
	if interval > 0 {
		go Run(ctx, interval, do, log)
		log.Info("systemd watchdog on", "ping_every", interval)
	}
}

// Run pings systemd every interval until ctx ends. Each ping is sent by the
// function given to do, which runs it where liveness matters: the kiosk
// passes fyne.Do, so a ping leaves only when its UI thread runs it, and a
// hung UI stops the pings and systemd restarts the kiosk. While one ping
// waits in do, no other is queued: a hung thread gets no growing backlog,
// and the first ping after it recovers is sent at once. do must queue its
// function and return, as fyne.Do does (its queue is unbounded).
func Run(ctx context.Context, interval time.Duration, do func(func()), log *slog.Logger) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	run(ctx, t.C, do, log)
}

// run is Run with the ticks given, so a test decides when they come.
func run(ctx context.Context, ticks <-chan time.Time, do func(func()), log *slog.Logger) {
	var waiting atomic.Bool
	ping := func() {
		defer waiting.Store(false)
		if _, err := daemon.SdNotify(false, daemon.SdNotifyWatchdog); err != nil {
			log.Warn("watchdog ping", "err", err)
		}
	}
	stalled := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticks:
		}
		if !waiting.CompareAndSwap(false, true) {
			if !stalled {
				// The journal's last word before systemd's "watchdog timeout".
				log.Error("watchdog: the last ping has waited a whole interval; the thread that sends it is stuck, so systemd will restart the service")
			}
			stalled = true
			continue
		}
		if stalled {
			log.Warn("watchdog: pings resumed")
			stalled = false
		}
		do(ping)
	}
}
